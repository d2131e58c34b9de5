"""`newsflow worker`: one Celery worker node (prefork pool) on the deployment's broker."""

from __future__ import annotations

import os
import socket

from celery import Celery

from newsflow.connection import Deployment
from newsflow.settings import Settings
from tasks.app import configure


def run_worker(settings: Settings, concurrency: int | None, name: str | None) -> int:
    with Deployment(settings) as deployment:
        app = configure(settings, deployment.url)
        _run(app, settings, concurrency, name)
    return 0


def _run(app: Celery, settings: Settings, concurrency: int | None, name: str | None) -> None:
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
