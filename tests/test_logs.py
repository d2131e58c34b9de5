"""Tests of newsflow.logs: one JSON object per line, for our events and for stdlib/Celery loggers."""

import json
import logging
import subprocess
import sys
import textwrap


def run(code: str) -> list[dict]:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True)
    assert out.stderr == ""
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_events_are_json_lines_with_context():
    """An event is one JSON line with its name, fields, level, time, host, pid and bound context."""
    lines = run("""
        from newsflow import logs
        logs.configure("json", "info", process="worker")
        logs.get_logger().info("stage_done", stage="clean", duration_ms=1.5)
        logs.get_logger().debug("hidden")
    """)
    assert len(lines) == 1
    e = lines[0]
    assert e["event"] == "stage_done" and e["stage"] == "clean" and e["duration_ms"] == 1.5
    assert e["process"] == "worker" and e["level"] == "info" and {"ts", "host", "pid"} <= set(e)


def test_lines_from_other_threads_say_where_they_come_from():
    """A thread started after `configure` (the worker's heartbeat, its sweep) logs with the same
    host and process as the main thread."""
    lines = run("""
        import threading
        from newsflow import logs
        logs.configure("json", "info", process="worker")
        t = threading.Thread(target=lambda: logs.get_logger().warning("sweep_failed", node="n", error="x"))
        t.start(); t.join()
    """)
    assert [(e["event"], e["process"], bool(e["host"])) for e in lines] == [("sweep_failed", "worker", True)]


def test_stdlib_loggers_and_warnings_share_the_format():
    """Celery-style stdlib log lines and Python warnings come out as the same JSON lines."""
    lines = run("""
        import logging, warnings
        from newsflow import logs
        logs.configure("json", "info")
        logging.getLogger("celery.worker.strategy").info("Task %s received", "abc")
        warnings.warn("careful")
    """)
    assert lines[0]["event"] == "Task abc received" and lines[0]["logger"] == "celery.worker.strategy"
    assert "careful" in lines[1]["event"] and lines[1]["logger"] == "py.warnings"


def test_console_format_is_for_people():
    """--log-format console renders a readable line, not JSON."""
    out = subprocess.run([sys.executable, "-c", "from newsflow import logs; logs.configure('console', 'info');"
                          "logs.get_logger().info('file_admitted', file='a.txt')"], capture_output=True, text=True)
    assert "file_admitted" in out.stdout and "a.txt" in out.stdout and not out.stdout.startswith("{")
    assert logging.getLogger().handlers is not None


def _documented_events() -> dict[str, tuple[set[str], set[str]]]:
    """docs/logs.md's event tables: event -> (levels, fields)."""
    import re
    from pathlib import Path

    out = {}
    for line in (Path(__file__).parent.parent / "docs" / "logs.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        levels = set(re.findall(r"\b(debug|info|warning|error|critical)\b", cells[1]))
        fields = set(re.findall(r"`(\w+)`", cells[3]))
        for name in re.findall(r"`(\w+)`", cells[0]):
            out[name] = (levels, fields)
    return out


def test_ops_logs_md_matches_what_the_code_logs():
    """Every event the code logs is in docs/logs.md, at a level the reference gives it, with every
    field the code sets named there: pipelines that filter on level or field can trust it."""
    from tests.helpers import logged_events

    documented, logged = _documented_events(), logged_events()
    assert len(logged) > 40
    missing = sorted(e for e in logged if e not in documented)
    assert not missing, f"events logged but not in docs/logs.md: {missing}"
    wrong = [(e, level, where, sorted(documented[e][0])) for e, calls in logged.items()
             for level, _, where in calls if level not in documented[e][0]]
    assert not wrong, f"levels that disagree with docs/logs.md: {wrong}"
    unnamed = [(e, sorted(fields - documented[e][1]), where) for e, calls in logged.items()
               for _, fields, where in calls if fields - documented[e][1]]
    assert not unnamed, f"fields not named in docs/logs.md: {unnamed}"
