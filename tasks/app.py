"""The Celery application (`celery -A tasks.app worker` works, as does `newsflow worker`).

Configuration comes from `newsflow.settings.Settings.from_env()`. With no
`NEWSFLOW_REDIS_URL`, importing this module attaches to (or starts) the
embedded server of the state folder and holds it until the process exits.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from newsflow.connection import Deployment
from newsflow.keys import Keys
from newsflow.settings import Settings
from tasks.names import PROCESS_ARTICLE, REFRESH_ARTICLE


__all__ = ["PROCESS_ARTICLE", "REFRESH_ARTICLE", "app", "celery_config", "make_app", "settings"]


def celery_config(settings: Settings, url: str) -> dict[str, Any]:
    """Celery settings for a deployment: JSON only, late acks, one message at a time."""
    keys = Keys(settings.key_prefix)
    return dict(
        broker_url=url,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # reconnect forever: Redis restarts are survivable
        broker_transport_options={
            # An unacknowledged message older than this goes back to the queue (a
            # worker died with it). Redelivery is harmless: results are idempotent.
            "visibility_timeout": settings.visibility_timeout,
            "unacked_restore_throttle": 1,  # look for such messages every 10 s, not every 100 s
            "global_keyprefix": keys.celery_prefix(),
        },
        # Security: JSON only. A pickled message is refused by the worker.
        task_serializer="json",
        result_serializer="json",
        event_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_ignore_result=True,  # results are our records, not Celery results
        task_default_queue=settings.queue,
        task_acks_late=True,  # ack only after the result is committed
        task_reject_on_worker_lost=True,  # a killed worker's message goes back to the queue
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,  # an article in hand is never stuck behind a slow one
        worker_hijack_root_logger=False,  # logging is newsflow.logs' job
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        worker_enable_remote_control=True,
        task_track_started=False,
        imports=["tasks.article", "workers.runtime"],
    )


def make_app(settings: Settings, url: str) -> Celery:
    app = Celery("newsflow", set_as_current=True)
    app.conf.update(celery_config(settings, url))
    return app


settings = Settings.from_env()
deployment = Deployment(settings).close_at_exit()
app = make_app(settings, deployment.url)
