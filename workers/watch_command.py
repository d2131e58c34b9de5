"""`newsflow watch`: the watcher alone, feeding the deployment's queue."""

from __future__ import annotations

import signal
import threading
import time

import redis

from celery import Celery
from kombu.exceptions import OperationalError

from newsflow.connection import Deployment
from newsflow.faults import redis_refusal
from newsflow.intake import Intake
from newsflow.keys import Keys
from newsflow.logs import get_logger
from newsflow.settings import Settings
from newsflow.store import Store
from newsflow.connection import connect
from tasks.app import configure
from tasks.queueing import publish
from workers.watcher import SeenFiles, Watcher

log = get_logger()

#: Seconds the watcher waits before starting again after Redis stopped answering (or refused writes).
REDIS_RETRY = 1.0
#: A start of intake that ran this long before Redis refused again begins a new refusal episode
#: (said again); shorter, it is the same one (said once).
REFUSAL_QUIET = 30.0


def make_intake(settings: Settings, store: Store, app: Celery) -> Intake:
    """An Intake that queues admitted articles as Celery tasks of `app`."""
    return Intake(store, settings.max_bytes, lambda ids: publish(app, settings.queue, ids))


def run_watch(settings: Settings) -> int:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with Deployment(settings) as deployment:
        app = configure(settings, deployment.url)
        refused: str | None = None  # the refusal already said (said once until writes work again)
        while not stop.is_set():
            started = time.monotonic()
            try:
                _watch(settings, deployment.url, app, stop)
            except (redis.ConnectionError, redis.TimeoutError, OperationalError) as exc:  # Redis restarting
                log.warning("redis_unreachable", error=str(exc), retry_in_s=REDIS_RETRY)
                stop.wait(REDIS_RETRY)
            except redis.ResponseError as exc:
                cause = redis_refusal(exc)
                if cause is None:
                    raise
                if time.monotonic() - started > REFUSAL_QUIET:  # intake ran a while: a new episode
                    refused = None
                if cause != refused:  # intake pauses; files stay in the inbox and are taken later
                    log.error("intake_paused", cause=cause, error=str(exc), retry_in_s=REDIS_RETRY)
                    refused = cause
                stop.wait(REDIS_RETRY)
    return 0


def _watch(settings: Settings, url: str, app: Celery, stop: threading.Event) -> None:
    """Watch until `stop` (or until Redis fails: the caller starts again with a fresh scan)."""
    client = connect(url)
    try:
        keys = Keys(settings.key_prefix)
        store = Store(client, keys)
        watcher = Watcher(
            settings.inbox,
            make_intake(settings, store, app),
            queue_depth=lambda: int(client.llen(keys.queue(settings.queue))),
            seen=SeenFiles(client, keys.seen_files()),
            polling=settings.watch_polling,
            quiet_seconds=settings.quiet_seconds,
            rescan_seconds=settings.rescan_seconds,
            high_water=settings.high_water,
            low_water=settings.low_water,
            settle_seconds=settings.settle_seconds,
        )
        watcher.run(stop)
    finally:
        client.close()
