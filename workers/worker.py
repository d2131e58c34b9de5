"""`newsflow worker`: one Celery worker node (prefork pool) on the deployment's broker."""

from __future__ import annotations

import os
import socket
from typing import Any

from celery import Celery, signals

from newsflow.connection import Deployment
from newsflow.settings import Settings
from tasks.app import configure


def run_worker(settings: Settings, concurrency: int | None, name: str | None) -> int:
    """Run one worker node until it stops; its exit status (Celery's: 0 after an orderly stop, 1
    after an unrecoverable error)."""
    with Deployment(settings) as deployment:
        app = configure(settings, deployment.url)
        return _run(app, settings, concurrency, name)


def _run(app: Celery, settings: Settings, concurrency: int | None, name: str | None) -> int:
    node = name or f"newsflow-{os.getpid()}@{socket.gethostname()}"
    argv = [
        "--quiet",  # no banner: stdout carries JSON log lines only
        "worker",
        "--pool=prefork",
        f"--concurrency={concurrency or settings.workers}",
        f"--queues={settings.queue}",
        f"--hostname={node}",
        f"--loglevel={settings.log_level.upper()}",
        "--without-gossip",
        "--without-mingle",
    ]
    nodes: list[Any] = []  # Celery's worker_main drops the node's exit status: read it off the node

    def remember(instance: Any = None, **_: Any) -> None:
        nodes.append(instance)

    signals.celeryd_init.connect(remember, weak=False)
    app.worker_main(argv)
    return (nodes[-1].exitcode or 0) if nodes else 1
