"""The Celery application, configured by whoever owns the deployment.

Importing this module reads nothing and connects to nothing. An entry point
that owns a deployment (`newsflow worker`, `watch`, `process`) resolves it and
calls `configure(settings, url)` before anything else touches the app.

Run by Celery's own command instead (`celery -A tasks.app worker`, `inspect`,
`flower`), the app configures itself the first time Celery reads its
configuration (a lazy default, `Celery.add_defaults`): settings from the
environment (`NEWSFLOW_*`), and the deployment that already runs, the
`NEWSFLOW_REDIS_URL` or the embedded server of `NEWSFLOW_STATE_DIR`
(`./.newsflow`). It never starts one: with none running it says so and the
command exits non-zero.
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from typing import Any

from celery import Celery

from newsflow.keys import Keys
from newsflow.redisurl import SentinelURL, is_sentinel
from newsflow.settings import TIME_LIMIT_GRACE, Settings
from tasks.names import PROCESS_ARTICLE, REFRESH_ARTICLE

__all__ = ["PROCESS_ARTICLE", "REFRESH_ARTICLE", "app", "celery_config", "configure", "context", "make_app"]


def celery_config(settings: Settings, url: str) -> dict[str, Any]:
    """Celery settings for a deployment: JSON only, late acks, one message at a time."""
    keys = Keys(settings.key_prefix)
    sentinel = SentinelURL.parse(url) if is_sentinel(url) else None
    return dict(
        broker_url=sentinel.broker_url() if sentinel else url,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # reconnect forever: Redis restarts are survivable
        # Redis refusing writes (memory full, MISCONF) is a channel error: the consumer reconnects and
        # goes on (a message it could not put back stays unacknowledged, found again by the sweep)
        # instead of shutting the worker down
        broker_channel_error_retry=True,
        broker_transport_options={
            # An unacknowledged message older than this goes back to the queue (a
            # worker died with it). Redelivery is harmless: results are idempotent.
            "visibility_timeout": settings.visibility_timeout,
            "unacked_restore_throttle": 1,  # look for such messages every 10 s, not every 100 s
            "global_keyprefix": keys.celery_prefix(),
            **({"master_name": sentinel.master} if sentinel else {}),
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
        # The task fails an article that runs past its budget (newsflow.limits.time_limit);
        # this kills a pool process that did not stop, still before the visibility timeout.
        task_time_limit=settings.article_time_limit + TIME_LIMIT_GRACE,
        # Retries of a transient failure (NEWSFLOW_MAX_RETRIES), set here, not at import.
        task_annotations={name: {"max_retries": settings.max_retries}
                          for name in (PROCESS_ARTICLE, REFRESH_ARTICLE)},
        # On a lost broker connection running articles finish (their commit waits for
        # Redis); an ack that could not be sent means one harmless, idempotent redelivery.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_prefetch_multiplier=1,  # an article in hand is never stuck behind a slow one
        # A fresh fork after this many articles bounds what a process accumulates (spaCy's vocabulary).
        worker_max_tasks_per_child=settings.max_articles_per_process or None,
        worker_hijack_root_logger=False,  # logging is newsflow.logs' job
        worker_redirect_stdouts=False,
        # Task events (received, started, succeeded, failed; sent from the watcher) for
        # `celery events` and Flower; NEWSFLOW_TASK_EVENTS=0 turns them off.
        worker_send_task_events=settings.task_events,
        task_send_sent_event=settings.task_events,
        worker_enable_remote_control=True,
        task_track_started=False,
        imports=["tasks.article", "tasks.runtime"],
    )


def make_app(settings: Settings, url: str) -> Celery:
    """A separate app for one deployment (tests, tools)."""
    other = Celery("newsflow", set_as_current=False)
    other.conf.update(celery_config(settings, url))
    return other


@dataclass
class Context:
    """What this process's tasks run against, once known."""

    settings: Settings | None = None
    url: str | None = None
    #: The worker node's name (Celery's hostname), set when the node is set up.
    node: str = f"newsflow-{os.getpid()}@{socket.gethostname()}"

    def worker_name(self) -> str:
        """This pool process: the node and its pid."""
        return f"{self.node}:{os.getpid()}"


context = Context()
app = Celery("newsflow", set_as_current=True)


def configure(settings: Settings, url: str) -> Celery:
    """Point `app` at a deployment; the entry point that owns the deployment calls this first."""
    context.settings, context.url = settings, url
    app.conf.update(celery_config(settings, url))
    return app


def current() -> Context:
    """The configured context, configuring from the environment if no entry point did."""
    if context.settings is None:
        app.conf  # noqa: B018  (reading it runs the lazy default below)
    return context


def _from_environment() -> dict[str, Any]:
    """The lazy default: only when no entry point configured the app (Celery's own command)."""
    if context.settings is not None:
        return {}
    from newsflow.connection import Deployment, NoDeployment

    try:
        settings = Settings.from_env()
        deployment = Deployment(settings, start=False).close_at_exit()
    except (NoDeployment, ValueError) as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    context.settings, context.url = settings, deployment.url
    return celery_config(settings, deployment.url)


app.add_defaults(_from_environment)
