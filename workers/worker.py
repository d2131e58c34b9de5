"""`newsflow worker`: one Celery worker node (prefork pool) on the deployment's broker."""

from __future__ import annotations

import os
import socket

from newsflow.settings import Settings


def run_worker(settings: Settings, concurrency: int | None, name: str | None) -> int:
    os.environ.update(settings.as_env())  # flags reach tasks.app, which reads the environment
    from tasks.app import app  # imported here: it attaches to the broker

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
    app.worker_main(argv)
    return 0
