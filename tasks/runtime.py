"""Per-process state of a Celery worker, set up through Celery's signals.

Imported by the worker through the app's `imports` (so `celery -A tasks.app
worker` gets it too); importing it only connects signal handlers. The node's
main process loads the models in `worker_init`, before its pool forks; each
pool process builds its Pipeline over them in `worker_process_init`, before
its first task. The main worker process sends
a heartbeat (a Redis key with a TTL) so `newsflow status` can count workers, and
sweeps for admitted articles whose message the broker lost (tasks.queueing) and removes
the articles past retention (newsflow.retention).
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
from newsflow.nlp import rss_mb
from newsflow.retention import Retention
from newsflow.store import Store
from newsflow.connection import connect
from tasks import article
from tasks.app import app, context, current
from tasks.queueing import requeue_lost

#: Seconds between heartbeats, and how long one lasts.
HEARTBEAT_EVERY = 5
HEARTBEAT_TTL = 15
#: Longest pause, in seconds, between two sweeps for lost messages (a quarter of the
#: visibility timeout when that is shorter). Every node sweeps; claims are atomic.
SWEEP_EVERY = 30.0

_stop = threading.Event()


def _say(msg: str, f: Any = None) -> None:
    """Celery prints its shutdown notice straight to stdout; log it as an event instead."""
    logs.get_logger().info("celery_notice", message=msg.strip())


@signals.celeryd_init.connect
def _quiet_notices(**_: Any) -> None:
    """In a worker node, before it starts: Celery's shutdown notices become log events, so its
    stdout stays pure JSON lines (patched here, when a worker starts, not when this is imported)."""
    celery_worker_app.safe_say = _say


@signals.setup_logging.connect
def _setup_logging(**_: Any) -> None:
    """Connecting here stops Celery from configuring logging: newsflow.logs does it."""
    settings = current().settings
    logs.configure(settings.log_format, settings.log_level, process="worker")


@signals.worker_init.connect
def _load_models(**_: Any) -> None:
    """In the node's main process, before the pool forks: one copy of the models per node."""
    limit_threads()
    article.preload_models()


@signals.worker_process_init.connect
def _init_pool_process(**_: Any) -> None:
    article.forget_pipeline()  # never reuse a connection inherited through fork
    limit_threads()
    settings = current().settings
    logs.configure(settings.log_format, settings.log_level, process="worker")
    article.pipeline().warm()  # the node's models (loads its own only if the node had none)
    logs.get_logger().info("pool_process_ready", worker=current().worker_name(), rss_mb=round(rss_mb(), 1))


@signals.celeryd_after_setup.connect
def _remember_node(sender: str, **_: Any) -> None:
    context.node = sender


def _heartbeat(concurrency: int) -> None:
    ctx = current()
    client = connect(ctx.url)
    key = Keys(ctx.settings.key_prefix).worker(ctx.node)
    value = json.dumps({"node": ctx.node, "pid": os.getpid(), "host": socket.gethostname(),
                        "concurrency": concurrency, "started": time.time()})
    while not _stop.is_set():
        try:
            client.set(key, value, ex=HEARTBEAT_TTL)
        except Exception:  # a heartbeat must never kill the worker; Redis may be restarting
            logs.get_logger().warning("heartbeat_failed", node=ctx.node)
        _stop.wait(HEARTBEAT_EVERY)
    try:
        client.delete(key)
    except Exception:
        pass


def _sweep_every(settings: Any) -> float:
    """Seconds between sweeps: SWEEP_EVERY, or a quarter of the visibility timeout or of the
    retention when one is shorter."""
    limits = [SWEEP_EVERY, settings.visibility_timeout / 4]
    if settings.retention_seconds > 0:
        limits.append(max(1.0, settings.retention_seconds / 4))
    return min(limits)


def _sweeper() -> None:
    ctx = current()
    client = connect(ctx.url)
    keys = Keys(ctx.settings.key_prefix)
    store, retention, backfilled = Store(client, keys), Retention(client, keys, ctx.settings), False
    log = logs.get_logger()
    while not _stop.wait(_sweep_every(ctx.settings)):
        try:
            requeue_lost(client, store, app, ctx.settings)
            if not backfilled:
                backfilled = True
                if added := retention.backfill():
                    log.info("retention_backfilled", node=ctx.node, articles=added)
            if trimmed := retention.tags.trim_terms():
                log.info("keyword_stats_trimmed", node=ctx.node, terms=trimmed,
                         kept=ctx.settings.tag.stats_kept_terms)
            done = retention.expire_due()
            if done.articles:
                log.info("retention_expired", node=ctx.node, articles=done.articles, index_floor=done.floor,
                         kept_story_heads=done.kept, retention=ctx.settings.retention)
        except Exception as exc:  # the loop's boundary: Redis may be restarting; the next sweep retries
            log.warning("sweep_failed", node=ctx.node, error=str(exc) or type(exc).__name__)


@signals.worker_ready.connect
def _start_heartbeat(sender: Any = None, **_: Any) -> None:
    concurrency = getattr(getattr(sender, "controller", None), "concurrency", None) or 1
    threading.Thread(target=_heartbeat, args=(int(concurrency),), name="heartbeat", daemon=True).start()
    threading.Thread(target=_sweeper, name="sweeper", daemon=True).start()
    logs.get_logger().info("worker_ready", node=context.node, concurrency=concurrency)


@signals.worker_shutting_down.connect
def _stop_heartbeat(**_: Any) -> None:
    _stop.set()
