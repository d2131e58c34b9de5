"""The ops examples parse and stay in step with the events the code logs."""

import re
import tomllib

import yaml

from tests.conftest import REPO

OPS = REPO / "ops" / "tools"
DEPLOY = REPO / "ops" / "deploy"
LOGS = REPO / "docs" / "logs.md"


def logged_events() -> set[str]:
    """Event names the code passes to a structlog logger (tests.helpers.logged_events)."""
    from tests.helpers import logged_events as calls

    return set(calls())


def test_every_logged_event_is_documented():
    """Each event name in the code has a row in docs/logs.md."""
    doc = LOGS.read_text()
    events = logged_events()
    assert {"stage_done", "article_done", "summary", "file_admitted"} <= events
    missing = sorted(e for e in events if f"`{e}`" not in doc)
    assert not missing, f"undocumented events: {missing}"


def test_vector_config_parses_and_reads_the_summary():
    """ops/deploy/vector.toml is valid TOML and turns summary fields into metrics."""
    config = tomllib.loads((DEPLOY / "vector.toml").read_text())
    assert config["transforms"]["newsflow_summary"]["condition"] == '.event == "summary"'
    fields = {m["field"] for m in config["transforms"]["newsflow_metrics"]["metrics"]}
    summary_row = next(l for l in LOGS.read_text().splitlines() if l.startswith("| `summary`"))
    for field in fields:
        assert f"`{field}`" in summary_row


def served_metrics(client, keys) -> str:
    """The text `/metrics` serves for a deployment (newsflow.status.StatusCollector, its own registry)."""
    import dataclasses

    from prometheus_client import CollectorRegistry, generate_latest

    from newsflow.settings import Settings
    from newsflow.status import StatusCollector

    registry = CollectorRegistry()
    registry.register(StatusCollector(client, dataclasses.replace(Settings.from_env({}), key_prefix=keys.prefix)))
    return generate_latest(registry).decode()


def metric_names(text: str) -> set[str]:
    return {re.split(r"[ {]", line)[0] for line in text.splitlines() if line and not line.startswith("#")}


def test_counters_are_counters_and_redis_down_says_so(redis_client, keys):
    """/metrics: totals as counters (`_total`, TYPE counter: rate() works), the rest as gauges;
    with Redis out of reach, newsflow_redis_up 0 and nothing else."""
    import redis

    from newsflow.valkey import free_port

    redis_client.hset(keys.stats(), mapping={"done": 7, "failed": 2})
    text = served_metrics(redis_client, keys)
    assert "# TYPE newsflow_articles_done_total counter" in text and "newsflow_articles_done_total 7.0" in text
    assert "# TYPE newsflow_queued gauge" in text and "newsflow_redis_up 1.0" in text
    down = redis.Redis(port=free_port(), socket_connect_timeout=1)
    assert metric_names(served_metrics(down, keys)) == {"newsflow_redis_up"}
    assert "newsflow_redis_up 0.0" in served_metrics(down, keys)


def _dashboard_targets() -> list[tuple[str, str]]:
    import json

    dash = json.loads((DEPLOY / "grafana" / "dashboards" / "newsflow.json").read_text())
    return [(t["datasource"]["type"], t["expr"]) for p in dash["panels"] for t in p["targets"]]


def test_every_metric_and_event_an_alert_or_panel_names_exists(redis_client, keys):
    """Each metric a Prometheus rule, a dashboard panel or vector.toml names is one /metrics serves
    (a rule on a metric nobody exports can never fire); each event a Loki rule or panel reads is one
    the code logs, and a field it unwraps is one the event has."""
    served = metric_names(served_metrics(redis_client, keys))
    rules = [r for g in yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())["groups"] for r in g["rules"]]
    loki = [r for g in yaml.safe_load((DEPLOY / "loki" / "alerts.yml").read_text())["groups"] for r in g["rules"]]
    targets = _dashboard_targets()
    assert len(rules) >= 6 and len(loki) >= 2 and {kind for kind, _ in targets} == {"prometheus", "loki"}
    prometheus_exprs = [r["expr"] for r in rules] + [e for kind, e in targets if kind == "prometheus"]
    for expr in prometheus_exprs:
        for metric in re.findall(r"newsflow_[a-z_]+", expr):
            assert metric in served, (metric, expr)
    vector = {f"newsflow_{m['name']}" for m in tomllib.loads((DEPLOY / "vector.toml").read_text())
              ["transforms"]["newsflow_metrics"]["metrics"]}
    assert vector - served == {"newsflow_articles_per_second"}  # the one figure only the summary has
    logs = LOGS.read_text()
    for expr in [r["expr"] for r in loki] + [e for kind, e in targets if kind == "loki"]:
        for event in re.findall(r'event="([a-z_]+)"', expr):
            assert event in logged_events(), event
            row = next(line for line in logs.splitlines() if line.startswith(f"| `{event}`"))
            for field in re.findall(r"unwrap (\w+)", expr) + re.findall(r'"(\w+)\.\w+"', expr):
                assert f"`{field}`" in row, (event, field)


def test_the_shipped_prometheus_rules_and_config_pass_promtool():
    """`promtool check rules`, `promtool test rules` (every alert fires on the series that should
    raise it and not before) and `promtool check config` on what ops/deploy/prometheus ships."""
    import shutil
    import subprocess

    import pytest

    if shutil.which("promtool") is None:
        pytest.skip("promtool is not installed (Debian: apt install prometheus)")
    folder = DEPLOY / "prometheus"
    for args in (["check", "rules", "alerts.yml"], ["test", "rules", "alerts_test.yml"],
                 ["check", "config", "prometheus.yml"]):
        done = subprocess.run(["promtool", *args], cwd=folder, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr


def test_index_benchmark_runs_and_reports_every_figure():
    """ops/tools/bench_index.py on a tiny index: one row per size with the insert, query, memory and
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


def test_the_plain_library_baseline_writes_results_the_scorers_read(tmp_path):
    """ops/tools/baselines.py runs trafilatura alone on a real page and writes a result the scorer reads."""
    import json
    import subprocess
    import sys

    page = REPO / "tests" / "data" / "pages" / "aeb_833caf3bdba53dcf48de273cf646370eebe9ac565744b0d0e941e298e1b79730.html"
    subprocess.run([sys.executable, str(OPS / "baselines.py"), "html", str(page), "--results", str(tmp_path)],
                   check=True, capture_output=True)
    (record,) = [json.loads(p.read_text()) for p in tmp_path.glob("*.json")]
    gold = json.loads(page.with_name(page.name + ".gold.json").read_text())
    assert record["source"]["name"] == page.name and gold["body_paragraphs"][0][:60] in record["text"]


def test_page_tally_counts_wins_losses_and_ties():
    """ops/pages.tally: a page is won or lost beyond the tie margin, lost pages listed worst first."""
    import sys

    sys.path.insert(0, str(OPS))
    import pages

    won, lost, tied, losses = pages.tally({"a": 0.9, "b": 0.5, "c": 0.7, "d": 0.8},
                                          {"a": 0.8, "b": 0.9, "c": 0.702, "d": 0.85})
    assert (won, lost, tied) == (1, 2, 1) and [page for page, _, _ in losses] == ["b", "d"]


def _ops_module(name: str):
    import importlib
    import sys

    if str(OPS) not in sys.path:
        sys.path.insert(0, str(OPS))
    return importlib.import_module(name)


def test_imports_run_one_way():
    """No newsflow module imports tasks or workers; no tasks module imports workers (ops/tools/house.py)."""
    imports = _ops_module("house")
    pairs = imports.edges()
    assert ("workers.cli", "workers.batch") in pairs and any(a.startswith("tasks.") for a, _ in pairs)
    assert ("tasks.app", "tasks.runtime") in pairs  # Celery's `imports`, a string, is an edge too
    assert imports.wrong_way(pairs) == []


def test_the_import_check_reads_modules_named_in_strings(tmp_path):
    """Celery's imports/include, autodiscover_tasks and import_module name modules in strings: each
    is an import; other strings are not."""
    house = _ops_module("house")
    source = tmp_path / "m.py"
    source.write_text('app = Celery("x", include=["workers.a"])\napp.conf.update(imports=("workers.b",))\n'
                      'app.conf.imports = ["workers.c"]\napp.autodiscover_tasks(["workers.d"])\n'
                      'importlib.import_module("workers.e")\nname = "workers.not_an_import"\n')
    assert house.imports(source) == {"workers.a", "workers.b", "workers.c", "workers.d", "workers.e"}


def test_the_import_check_names_an_import_against_the_direction():
    """The check is not vacuous: a core module importing a worker module, or tasks importing workers, is caught."""
    imports = _ops_module("house")
    bad = [("newsflow.pipeline", "workers.runtime"), ("tasks.article", "workers.runtime")]
    fine = [("workers.cli", "newsflow.settings"), ("tasks.app", "newsflow.logs"), ("newsflow.__main__", "workers.cli")]
    assert imports.wrong_way(bad + fine) == bad


def test_compare_lists_each_field_that_differs(tmp_path):
    """ops/tools/compare.py: records matched by source name; a changed field and a record on one side only are listed."""
    import json

    compare = _ops_module("compare")
    for side, story in (("before", "s1"), ("after", "s2")):
        (tmp_path / side).mkdir()
        record = {"id": "a", "source": {"name": "a.txt"}, "text": "same", "story_id": story, "processed_at": side}
        (tmp_path / side / "a.json").write_text(json.dumps(record))
    (tmp_path / "after" / "b.json").write_text(json.dumps({"id": "b", "source": {"name": "b.txt"}}))
    lines = compare.differences(tmp_path / "before", tmp_path / "after", compare.FIELDS)
    assert lines == ["only after: b.txt", 'a.txt: story_id: "s1" -> "s2"']


def test_no_function_is_longer_than_the_house_limit():
    """Every function in newsflow/, tasks/, workers/ and ops/ is at most MAX_FUNCTION_LINES long."""
    house = _ops_module("house")
    lengths = house.function_lengths()
    assert len(lengths) > 300 and lengths[0][0] > 30  # it reads the code base, longest first
    assert [x for x in lengths if x[0] > house.MAX_FUNCTION_LINES] == []


def test_lua_lives_in_lua_files(tmp_path):
    """No module of newsflow/, tasks/ or workers/ holds a Lua script; the check finds one that does."""
    house = _ops_module("house")
    assert house.inline_lua() == []
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text('SCRIPT = "return redis.call(\'GET\', KEYS[1])"\n')
    saved, house.REPO = house.REPO, tmp_path
    try:
        assert house.inline_lua(("pkg",)) == ["pkg/m.py"]
    finally:
        house.REPO = saved


def _story_record(name: str, cosine: float, entities: list[str]) -> dict:
    """A result record whose int8 embedding has `cosine` with the direction (1, 0, ...)."""
    import base64

    import numpy as np

    vector = np.zeros(384)
    vector[0], vector[1] = cosine, (1 - cosine * cosine) ** 0.5
    raw = np.round(vector * 127 / np.abs(vector).max()).astype(np.int8).tobytes()
    return {"source": {"name": f"{name}.txt"}, "fingerprint": {"embedding": base64.b64encode(raw).decode()},
            "entities": [{"text": e, "label": "PERSON"} for e in entities]}


def test_story_signals_finds_a_second_signal_only_where_one_helps(tmp_path):
    """ops/tools/story_signals.py: on pairs that all sit at one middling cosine, same-story pairs share
    their names and different ones do not: the embedding alone cannot separate them, the rule with
    entities does, cross-validated; the term signal (no terms stored) adds nothing."""
    import json
    from pathlib import Path

    signals = _ops_module("story_signals")
    results = tmp_path / "results"
    results.mkdir()
    pairs = []
    for k in range(20):
        same = k % 2 == 0
        names = ["Ada Quill", "Port Vell"] if same else []
        for side, cosine in (("a", 1.0), ("b", 0.45)):
            record = _story_record(f"{k}{side}", cosine, names if side == "b" or same else ["Other Name"])
            (results / f"{k}{side}.json").write_text(json.dumps(record))
        pairs.append({"pair_id": f"{k}a_{k}b", "Overall": 1.0 if same else 4.0})
    shared = tmp_path / "shared"
    (shared / "eval" / "stories").mkdir(parents=True)
    (shared / "eval" / "stories" / "pairs.jsonl").write_text("\n".join(json.dumps(p) for p in pairs))

    scored = signals.scored_pairs(Path(shared), results)
    assert len(scored) == 20 and abs(scored["0a_0b"][0]["cosine"] - 0.45) < 0.01
    assert scored["0a_0b"][0]["entities"] == 1.0 and scored["1a_1b"][0]["entities"] == 0.0
    _, alone, _ = signals.evaluate(scored, None, 5)
    _, with_entities, _ = signals.evaluate(scored, "entities", 5)
    _, with_terms, _ = signals.evaluate(scored, "terms", 5)
    assert with_entities == 1.0 and alone < 0.9 and with_terms == alone


def _repo_paths(source: str) -> list[str]:
    """Paths a tool builds from the repository root with string parts: `REPO / "ops" / "x.py"`."""
    import ast

    tree = ast.parse(source)
    inner = {id(n.left) for n in ast.walk(tree) if isinstance(n, ast.BinOp)}  # part of a longer path
    found = []
    for node in ast.walk(tree):
        if id(node) in inner:
            continue
        parts, cur = [], node
        while isinstance(cur, ast.BinOp) and isinstance(cur.op, ast.Div) and isinstance(cur.right, ast.Constant):
            parts.insert(0, cur.right.value)
            cur = cur.left
        if parts and isinstance(cur, ast.Name) and cur.id == "REPO" and all(isinstance(p, str) for p in parts):
            found.append("/".join(parts))
    return found


def test_every_path_a_tool_names_in_the_repository_exists():
    """Each `REPO / "a" / "b"` of ops/tools/*.py names a file or folder that exists (a tool moved
    without its callers would fail only when run); the reader of such paths is not vacuous."""
    assert _repo_paths('x = REPO / "ops" / "tools" / "gone.py"\ny = REPO / name') == ["ops/tools/gone.py"]
    named = {p for tool in sorted(OPS.glob("*.py")) for p in _repo_paths(tool.read_text(encoding="utf-8"))}
    assert "ops/tools/baselines.py" in named
    assert sorted(p for p in named if not (REPO / p).exists() and "{" not in p) == []


def test_public_news_reads_each_arff_record_with_its_escapes_undone():
    """ops/tools/public_news.py: the quoted text of every data line after @data, its escapes
    (\\n, \\', \\\\) undone; header lines and blank lines are not articles."""
    public_news = _ops_module("public_news")
    arff = ("% a comment\n@relation wire\n@attribute text string\n@attribute class {yes,no}\n\n@data\n"
            "'FARM PRICES RISE\\nPrices rose 3 pct, the ministry\\'s report said.',yes\n"
            "\n"
            "'Second story: a \\\\ backslash.', no\n")
    assert public_news.arff_strings(arff) == ["FARM PRICES RISE\nPrices rose 3 pct, the ministry's report said.",
                                              "Second story: a \\ backslash."]
    assert public_news.arff_strings("@relation x\n'not data',yes\n") == []
