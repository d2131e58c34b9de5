"""`newsflow up`: the embedded (or configured) Redis, one watcher and one worker node.

The supervisor holds the Redis deployment, starts the watcher and a Celery
worker (prefork, `--workers` processes) as child processes, restarts a child
that dies, logs a `summary` event every NEWSFLOW_SUMMARY_SECONDS, and on
SIGTERM or Ctrl-C stops the children in order (in-flight articles finish or
go back to the queue) before it releases Redis. Nothing is left running.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time

from newsflow.connection import Deployment
from newsflow.logs import get_logger
from newsflow.settings import Settings
from newsflow.status import snapshot
from newsflow.store import connect
from workers.children import spawn, stop

log = get_logger()

#: Seconds children get to finish in-flight articles on shutdown before SIGKILL.
STOP_TIMEOUT = 60.0
#: Seconds between restarts of a child that keeps dying.
RESTART_BACKOFF = 2.0


def child_env(settings: Settings, url: str) -> dict[str, str]:
    """The environment children get: the same settings, absolute paths, the resolved Redis."""
    env = settings.as_env()
    env.update(
        NEWSFLOW_REDIS_URL=url,
        NEWSFLOW_INBOX=str(settings.inbox.resolve()),
        NEWSFLOW_RESULTS=str(settings.results.resolve()),
        NEWSFLOW_STATE_DIR=str(settings.state_dir.resolve()),
    )
    return env


def run_up(settings: Settings) -> int:
    halt = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: halt.set())
    settings.inbox.mkdir(parents=True, exist_ok=True)
    settings.results.mkdir(parents=True, exist_ok=True)
    with Deployment(settings) as deployment:
        env = child_env(settings, deployment.url)
        commands = {"watcher": ["watch"], "worker": ["worker", "--concurrency", str(settings.workers)]}
        children: dict[str, subprocess.Popen] = {name: spawn(cmd, env) for name, cmd in commands.items()}
        log.info("up_started", embedded=deployment.embedded, inbox=str(settings.inbox.resolve()),
                 results=str(settings.results.resolve()), workers=settings.workers,
                 pids={n: p.pid for n, p in children.items()})
        client = connect(deployment.url)
        if settings.metrics_port:
            from newsflow.status import serve_metrics

            serve_metrics(deployment.url, settings)
            log.info("metrics_serving", host=settings.metrics_host, port=settings.metrics_port)
        last = {"t": time.monotonic(), "done": None}
        next_summary = time.monotonic() + settings.summary_seconds
        while not halt.wait(0.5):
            for name, proc in children.items():
                if proc.poll() is not None:
                    log.error("child_exited", child=name, pid=proc.pid, returncode=proc.returncode)
                    if halt.wait(RESTART_BACKOFF):
                        break
                    children[name] = spawn(commands[name], env)
                    log.info("child_restarted", child=name, pid=children[name].pid)
            if settings.summary_seconds and time.monotonic() >= next_summary:
                _summary(client, settings, last)
                next_summary = time.monotonic() + settings.summary_seconds
        log.info("up_stopping", pids={n: p.pid for n, p in children.items()})
        stop(list(children.values()), STOP_TIMEOUT)
        client.close()
    log.info("up_stopped")
    return 0


def _summary(client, settings: Settings, last: dict) -> None:
    """Log the `summary` event: the status numbers and the rate since the last one."""
    try:
        snap = snapshot(client, settings)
    except Exception as exc:  # Redis restarting: say so, never die of it
        log.warning("summary_unavailable", error=str(exc))
        return
    now = time.monotonic()
    finished = snap["done"] + snap["failed"]
    rate = None if last["done"] is None else (finished - last["done"]) / max(1e-9, now - last["t"])
    last.update(t=now, done=finished)
    log.info("summary", articles_per_second=None if rate is None else round(rate, 2), **snap)
