"""Per-process state of a Celery worker, set up through Celery's signals.

Each pool process builds one Pipeline and loads the NER model in
`worker_process_init`, before its first task. The main worker process sends
a heartbeat (a Redis key with a TTL) so `newsflow status` can count workers.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from typing import Any

from celery import signals
from celery.apps import worker as celery_worker_app

from newsflow import logs
from newsflow.keys import Keys
from newsflow.limits import limit_threads
from newsflow.pipeline import Pipeline
from newsflow.store import connect
from tasks.app import deployment, settings

#: Seconds between heartbeats, and how long one lasts.
HEARTBEAT_EVERY = 5
HEARTBEAT_TTL = 15

_pipeline: Pipeline | None = None
_node = f"newsflow-{os.getpid()}@{socket.gethostname()}"
_stop = threading.Event()


def worker_name() -> str:
    return f"{_node}:{os.getpid()}"


def pipeline() -> Pipeline:
    """This process's pipeline, built on first use."""
    global _pipeline
    if _pipeline is None:
        _pipeline = Pipeline(
            settings, connect(deployment.url), results_dir=settings.results, worker=worker_name()
        )
    return _pipeline


def _say(msg: str, f: Any = None) -> None:
    """Celery prints its shutdown notice straight to stdout; log it as an event instead."""
    logs.get_logger().info("celery_notice", message=msg.strip())


celery_worker_app.safe_say = _say  # keeps stdout pure JSON lines


@signals.setup_logging.connect
def _setup_logging(**_: Any) -> None:
    """Connecting here stops Celery from configuring logging: newsflow.logs does it."""
    logs.configure(settings.log_format, settings.log_level, process="worker")


@signals.worker_process_init.connect
def _init_pool_process(**_: Any) -> None:
    global _pipeline
    _pipeline = None  # never reuse a connection inherited through fork
    limit_threads()
    logs.configure(settings.log_format, settings.log_level, process="worker")
    pipeline().warm()


@signals.celeryd_after_setup.connect
def _remember_node(sender: str, **_: Any) -> None:
    global _node
    _node = sender


def _heartbeat(concurrency: int) -> None:
    client = connect(deployment.url)
    key = Keys(settings.key_prefix).worker(_node)
    value = json.dumps({"node": _node, "pid": os.getpid(), "host": socket.gethostname(),
                        "concurrency": concurrency, "started": time.time()})
    while not _stop.is_set():
        try:
            client.set(key, value, ex=HEARTBEAT_TTL)
        except Exception:  # a heartbeat must never kill the worker; Redis may be restarting
            logs.get_logger().warning("heartbeat_failed", node=_node)
        _stop.wait(HEARTBEAT_EVERY)
    try:
        client.delete(key)
    except Exception:
        pass


@signals.worker_ready.connect
def _start_heartbeat(sender: Any = None, **_: Any) -> None:
    concurrency = getattr(getattr(sender, "controller", None), "concurrency", None) or 1
    threading.Thread(target=_heartbeat, args=(int(concurrency),), name="heartbeat", daemon=True).start()
    logs.get_logger().info("worker_ready", node=_node, concurrency=concurrency)


@signals.worker_shutting_down.connect
def _stop_heartbeat(**_: Any) -> None:
    _stop.set()
