"""The ops examples parse and stay in step with the events the code logs."""

import re
import tomllib

import yaml

from tests.conftest import REPO

OPS = REPO / "ops"


def logged_events() -> set[str]:
    """Event names the code passes to a structlog logger."""
    names = set()
    for path in list((REPO / "newsflow").rglob("*.py")) + list((REPO / "tasks").rglob("*.py")) + \
            list((REPO / "workers").rglob("*.py")):
        names |= set(re.findall(r'(?:log|get_logger\(\))\.(?:info|warning|error|exception|debug)\(\s*"([a-z_]+)"',
                                path.read_text()))
    return names


def test_every_logged_event_is_documented():
    """Each event name in the code has a row in ops/LOGS.md."""
    doc = (OPS / "LOGS.md").read_text()
    events = logged_events()
    assert {"stage_done", "article_done", "summary", "file_admitted"} <= events
    missing = sorted(e for e in events if f"`{e}`" not in doc)
    assert not missing, f"undocumented events: {missing}"


def test_vector_config_parses_and_reads_the_summary():
    """ops/vector.toml is valid TOML and turns summary fields into metrics."""
    config = tomllib.loads((OPS / "vector.toml").read_text())
    assert config["transforms"]["newsflow_summary"]["condition"] == '.event == "summary"'
    fields = {m["field"] for m in config["transforms"]["newsflow_metrics"]["metrics"]}
    summary_row = next(l for l in (OPS / "LOGS.md").read_text().splitlines() if l.startswith("| `summary`"))
    for field in fields:
        assert f"`{field}`" in summary_row


def test_alert_rules_use_derived_metrics_and_real_events():
    """ops/alerts.yml parses; its metrics come from vector.toml and its events exist."""
    rules = [r for g in yaml.safe_load((OPS / "alerts.yml").read_text())["groups"] for r in g["rules"]]
    assert len(rules) >= 4
    metrics = {f"newsflow_{m['name']}" for m in tomllib.loads((OPS / "vector.toml").read_text())
               ["transforms"]["newsflow_metrics"]["metrics"]}
    for rule in rules:
        for metric in re.findall(r"newsflow_[a-z_]+", rule["expr"]):
            assert metric in metrics, metric
        for event in re.findall(r'event="([a-z_]+)"', rule["expr"]):
            assert event in logged_events(), event


def test_index_benchmark_runs_and_reports_every_figure():
    """ops/bench_index.py on a tiny index: one row per size with the insert, query, memory and
    floor figures, then the ratios (a smoke test of the harness, not a timing assertion)."""
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, str(OPS / "bench_index.py"), "--sizes", "100", "300", "--batch", "40", "--repeat", "2",
         "--prefix", "benchtest"],
        capture_output=True, text=True, timeout=300, check=True, env={"PATH": "/usr/bin:/bin"},
    ).stdout
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    rows, summary = lines[:-1], lines[-1]
    assert [r["indexed"] for r in rows] == [100, 300]  # the size each row was measured at
    for r in rows:
        assert r["insert_ms"] > 0 and r["insert_server_us"] > 0 and r["floor_read_us"] > 0
        assert 0 < r["stories"] <= r["indexed"] + 40 and r["bytes_per_article_keys"] > 0  # counted after the 40 measured
    assert {"insert_ratio", "insert_server_ratio", "query_ratio", "floor_ratio"} <= summary.keys()
