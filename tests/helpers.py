"""Helpers for tests that run newsflow as real OS processes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path


def newsflow(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `python -m newsflow ARGS` to completion."""
    return subprocess.run([sys.executable, "-m", "newsflow", *args], cwd=cwd, env=env or clean_env(),
                          capture_output=True, text=True, timeout=timeout)


def clean_env(**extra: str) -> dict:
    """The test process's environment without any NEWSFLOW_* setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    env.update(extra)
    return env


def start(*args: str, cwd: Path, log: Path, env: dict | None = None) -> subprocess.Popen:
    """Start `python -m newsflow ARGS` in the background, stdout+stderr to `log`."""
    fh = open(log, "wb")
    return subprocess.Popen([sys.executable, "-m", "newsflow", *args], cwd=cwd, env=env or clean_env(),
                            stdout=fh, stderr=subprocess.STDOUT)


def descendants(pid: int) -> set[int]:
    """Every live process whose parent chain leads to `pid`."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    out, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - out
        out |= frontier
    return out


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until(predicate, timeout: float, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def results(folder: Path) -> dict[str, dict]:
    """Result records in `folder` by source name (complete files only: writes are atomic)."""
    out = {}
    for path in folder.glob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        out[record["source"]["name"]] = record
    return out


def stop(proc: subprocess.Popen, timeout: float = 90) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=timeout)


def log_events(log: Path) -> list[dict]:
    """The JSON log lines of a process (a non-JSON line fails the test)."""
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


#: The result fields of shared/CONTRACT.md and their JSON types.
CONTRACT_FIELDS = {
    "id": str, "status": str, "source": dict, "title": (str, type(None)), "text": str,
    "published": (str, type(None)), "authors": list, "outlet": (str, type(None)),
    "language": (str, type(None)), "fingerprint": dict, "duplicate_of": (str, type(None)),
    "story_id": str, "entities": list, "keywords": list, "topics": list,
}


def check_contract(record: dict) -> None:
    """Fail unless `record` has every contract field with its type (and `error` when failed)."""
    for field, kind in CONTRACT_FIELDS.items():
        assert field in record, f"missing contract field {field}"
        assert isinstance(record[field], kind), f"{field} is {type(record[field]).__name__}"
    assert record["status"] in ("ok", "failed")
    assert {"name", "path", "bytes", "sha256", "aliases"} <= set(record["source"])
    if record["status"] == "failed":
        assert {"type", "message"} <= set(record["error"])
    else:
        assert "content_sha256" in record["fingerprint"] and record["story_id"]
        for entity in record["entities"]:
            assert {"text", "label", "count", "canonical"} <= set(entity)


def _is_logger(node) -> bool:
    """`log` (a module's structlog logger) or `get_logger()` / `logs.get_logger()`: not a Redis
    client's `info("server")` or another object's method of a logging name."""
    import ast

    if isinstance(node, ast.Name):
        return node.id == "log"
    return isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "get_logger"


def logged_events() -> dict[str, list[tuple[str, set[str], str]]]:
    """Every structured log call in the service's code: event -> [(level, keyword fields, where)].
    A call whose level is chosen at run time (`log.log(X if ... else Y, ...)`) gives each level named."""
    import ast

    root = Path(__file__).parent.parent
    methods = {"debug", "info", "warning", "error", "critical", "exception", "log"}
    found: dict[str, list[tuple[str, set[str], str]]] = {}
    for path in [p for d in ("newsflow", "tasks", "workers") for p in (root / d).rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in methods and _is_logger(node.func.value)):
                continue
            args = node.args[1:] if node.func.attr == "log" else node.args
            if not args or not isinstance(args[0], ast.Constant) or not isinstance(args[0].value, str):
                continue
            event = args[0].value
            if not re.fullmatch(r"[a-z][a-z0-9_]*", event):
                continue  # a message of a standard-library logger, not an event
            if node.func.attr == "log":
                levels = {n.attr.lower() for n in ast.walk(node.args[0]) if isinstance(n, ast.Attribute)}
            else:
                levels = {"error" if node.func.attr == "exception" else node.func.attr}
            fields = {k.arg for k in node.keywords if k.arg and k.arg not in {"exc_info", "stack_info"}}
            for level in levels:
                found.setdefault(event, []).append((level, fields, f"{path.relative_to(root)}:{node.lineno}"))
    return found
