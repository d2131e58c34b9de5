"""Task messages: queue articles, and queue again the ones whose message the broker lost.

Why messages get lost: kombu's Redis transport takes a message off the queue
(BRPOP) and only then records it as unacknowledged, in a second command; a
broker restart between the two drops it. And a task that retries after a
deployment fault queues its next try as a new message: if that cannot be sent
(the broker is the fault) Celery drops the one it holds. Either way the article
is admitted, has no result, and no message for it exists anywhere.

The sweep finds such articles without trusting the broker. Every admitted
article without a result is in the `pending` set, scored by its last sign of
life: a message queued for it, or a delivery started. An article whose message
is not still waiting in the queue (the queue is first in, first out, and every
message says when it was queued: older than the oldest one waiting means not
waiting) gets a new message when it has been silent
- for longer than the publish lag, if no worker holds its message either (the
  transport keeps every message a worker holds in its unacknowledged hash);
- for longer than any delivery can take (`visibility_timeout`: the bound after
  which the transport itself redelivers an unacknowledged message) otherwise.
A message that was not lost after all only means a second delivery, which is
harmless (results are idempotent) and cheap (a committed article is not
processed again). Never a loss: the sweep only adds.
"""

from __future__ import annotations

import base64
import json
import time

import redis
from celery import Celery
from kombu.exceptions import BatchPublishError

from newsflow.keys import Keys
from newsflow.logs import get_logger
from newsflow.settings import Settings
from newsflow.store import Store
from tasks.names import PROCESS_ARTICLE

log = get_logger()

#: Messages buffered before kombu flushes a publish batch (one pipelined round trip).
PUBLISH_BATCH = 1000
#: Queues to declare before each publish: none. Celery routes a plain queue name
#: through the anonymous exchange, which on the Redis transport is an LPUSH to
#: the list of that name, so no binding is needed (and declaring per message
#: copied the Queue entity each time: 15% of the watcher's publish time).
NO_DECLARE: list = []
#: The message header saying when it was queued (seconds since the epoch).
QUEUED_AT = "newsflow_queued_at"
#: Seconds an article's sign of life may precede its message's queued time (the
#: admission is written a moment before its message is sent, a batch at a time).
PUBLISH_LAG = 60.0
#: Most articles one sweep queues again (the next sweep takes the rest).
SWEEP_LIMIT = 1000
#: Most held messages read to learn which articles workers hold; past it (a deployment holding
#: more at once) the sweep keeps to the visibility timeout alone.
HELD_READ_MAX = 10_000


def publish(app: Celery, queue: str, article_ids: list[str], deployment_faults: int = 0) -> None:
    """Queue a process_article message for each id, in one pipelined round trip.

    kombu's `Producer.batch` sends the batch through one client (a client per
    message was most of the watcher's time). If that round trip fails, which
    messages arrived is unknown: each is sent again through Celery's own
    retrying publish. A message that arrives twice is harmless (processing is
    idempotent); one that never arrived is found by the next sweep.
    """
    kwargs = {"deployment_faults": deployment_faults} if deployment_faults else {}

    def send(producer, article_id: str) -> None:
        app.send_task(PROCESS_ARTICLE, args=[article_id], kwargs=kwargs, queue=queue, producer=producer,
                      argsrepr=article_id, kwargsrepr="",  # no saferepr of plain ids
                      declare=NO_DECLARE, headers={QUEUED_AT: round(time.time(), 3)})

    try:
        with app.producer_or_acquire() as producer, producer.batch(max_size=PUBLISH_BATCH):
            for article_id in article_ids:
                send(producer, article_id)
    except BatchPublishError as exc:
        log.warning("publish_batch_failed", articles=len(article_ids), error=str(exc.__cause__ or exc),
                    action="resend_one_by_one")
        with app.producer_or_acquire() as producer:
            for article_id in article_ids:
                send(producer, article_id)


def queued_at(raw: bytes) -> float | None:
    """When a message on the queue was queued (its QUEUED_AT header); None if it has none."""
    try:
        value = json.loads(raw).get("headers", {}).get(QUEUED_AT)
    except (ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, (int, float)) else None


def waiting_since(client: redis.Redis, keys: Keys, queue: str, now: float) -> float | None:
    """When the oldest message still waiting on the queue was queued: `now` if none waits,
    None if the oldest is not one of ours (the sweep waits until it is consumed)."""
    oldest = client.lindex(keys.queue(queue), -1)  # LPUSH to send, BRPOP to take: the oldest is last
    return now if oldest is None else queued_at(oldest)


def article_of(raw: bytes) -> str | None:
    """The article a process_article message (as queued, or as the transport holds it:
    [message, exchange, routing key]) is for; None for any other message."""
    try:
        message = json.loads(raw)
        message = message[0] if isinstance(message, list) else message
        if message["headers"]["task"] != PROCESS_ARTICLE:
            return None
        args = json.loads(base64.b64decode(message["body"]))[0]
    except (ValueError, TypeError, KeyError, IndexError):
        return None
    return args[0] if args and isinstance(args[0], str) else None


def held_articles(client: redis.Redis, keys: Keys) -> set[str] | None:
    """The articles whose message a worker holds (taken, not yet acknowledged); None when more
    than HELD_READ_MAX are held."""
    if client.hlen(keys.unacked()) > HELD_READ_MAX:
        return None
    return {a for a in map(article_of, client.hvals(keys.unacked())) if a is not None}


def requeue_lost(client: redis.Redis, store: Store, app: Celery, settings: Settings,
                 now: float | None = None) -> list[str]:
    """Queue a new message for each admitted article whose message was lost (see the module's
    docstring); returns their ids. `now` is the clock's time unless given (tests)."""
    now = time.time() if now is None else now
    since = waiting_since(client, store.keys, settings.queue, now)
    if since is None:
        return []
    # Read after the queue: a message taken from it meanwhile is seen in one of the two places.
    held = held_articles(client, store.keys)
    horizon = since - PUBLISH_LAG
    slow = min(now - settings.visibility_timeout, horizon)  # a worker may hold its message
    quick = slow if held is None else min(now - PUBLISH_LAG, horizon)
    lost = store.claim_silent(quick, now, SWEEP_LIMIT, held or (), held_cutoff=slow)
    if not lost:
        return []
    # The delivery the broker lost is its fault, not the article's: one is forgiven (poison cap).
    publish(app, settings.queue, list(lost), deployment_faults=1)
    for article_id, last in lost.items():
        log.warning("article_requeued", article_id=article_id, silent_s=round(now - last, 1),
                    reason="no result and no message for it since its last sign of life")
    return list(lost)
