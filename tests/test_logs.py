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
