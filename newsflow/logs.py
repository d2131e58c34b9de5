"""Logging, configured once, here.

Every process writes one JSON object per line on stdout (stderr for the commands whose stdout is
their output: `follow`, `export`, `show`...; or a human-readable
console line with `--log-format console`). structlog's chain renders our own
events; the standard library's loggers (Celery, kombu) go through the same
chain via `ProcessorFormatter`, so an operator parses a single format.

Events are snake_case names with key-value pairs; the names and fields are
documented in docs/logs.md.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from typing import Any

import structlog

_configured: tuple[str, str, bool] | None = None
#: Where this process's lines come from (host, process), set by `configure`. A processor adds it,
#: not a context variable: a thread starts with an empty context, and its lines must say it too.
_origin: dict[str, Any] = {}


def _add_origin(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """Every line, from any thread, says which host and newsflow process wrote it."""
    for key, value in _origin.items():
        event.setdefault(key, value)
    return event


def _add_process(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """Every line says which process wrote it."""
    event.setdefault("pid", os.getpid())
    return event


def _rename_foreign_message(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """Lines from stdlib loggers (Celery, kombu) carry their logger name."""
    record = event.get("_record")
    if record is not None and "logger" not in event:
        event["logger"] = record.name
    return event


def configure(log_format: str = "json", level: str = "info", *, to_stderr: bool = False, **context: Any) -> None:
    """Configure structlog and the stdlib root logger once per process.

    `context` (e.g. process="worker") is bound to every later event of this
    process. Calling again with the same format and level only rebinds context.
    `to_stderr`: for a command whose stdout is its output (`follow`, `export`).
    """
    global _configured
    _origin.update(host=socket.gethostname(), **context)
    if _configured == (log_format, level, to_stderr):
        return
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        _add_origin,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="ts"),
        _add_process,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(sort_keys=False)
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stdout.isatty())
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, _rename_foreign_message],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr if to_stderr else sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.captureWarnings(True)  # Python warnings become log lines too (logger "py.warnings")
    for noisy in ("celery.redirected",):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    _configured = (log_format, level, to_stderr)


def get_logger(**initial: Any) -> Any:
    return structlog.get_logger("newsflow", **initial)
