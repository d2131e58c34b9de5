"""`newsflow watch`: the watcher alone, feeding the deployment's queue."""

from __future__ import annotations

import signal
import threading

from newsflow.connection import Deployment
from newsflow.intake import Intake
from newsflow.keys import Keys
from newsflow.logs import get_logger
from newsflow.settings import Settings
from newsflow.store import Store, connect
from workers.watcher import SeenFiles, Watcher

log = get_logger()


def make_intake(settings: Settings, store: Store) -> Intake:
    """An Intake that queues new articles (and alias refreshes) as Celery tasks."""
    from tasks.app import PROCESS_ARTICLE, REFRESH_ARTICLE, app

    def enqueue(article_ids: list[str]) -> None:
        with app.producer_or_acquire() as producer:  # one connection for the whole batch
            for article_id in article_ids:
                app.send_task(PROCESS_ARTICLE, args=[article_id], queue=settings.queue, producer=producer,
                              argsrepr=article_id, kwargsrepr="")  # no saferepr of plain ids

    def refresh(article_id: str) -> None:
        app.send_task(REFRESH_ARTICLE, args=[article_id], queue=settings.queue)

    return Intake(store, settings.max_bytes, enqueue, refresh)


def run_watch(settings: Settings) -> int:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with Deployment(settings) as deployment:
        client = connect(deployment.url)
        keys = Keys(settings.key_prefix)
        store = Store(client, keys)
        watcher = Watcher(
            settings.inbox,
            make_intake(settings, store),
            queue_depth=lambda: int(client.llen(keys.queue(settings.queue))),
            seen=SeenFiles(client, keys.seen_files()),
            polling=settings.watch_polling,
            quiet_seconds=settings.quiet_seconds,
            rescan_seconds=settings.rescan_seconds,
            high_water=settings.high_water,
            low_water=settings.low_water,
        )
        watcher.run(stop)
    return 0
