"""Tests of tasks.queueing: publishing admitted ids to the queue, and queueing again the ones whose
message was lost, through real Celery on a real server."""

import base64
import json
import time
from contextlib import contextmanager

import pytest
from structlog.testing import capture_logs

from newsflow.settings import Settings
from newsflow.store import Source, Store
from tasks.app import make_app
from tasks.names import PROCESS_ARTICLE
from tasks.queueing import PUBLISH_LAG, publish, queued_at, requeue_lost


@pytest.fixture
def settings(keys):
    return Settings.from_env({"NEWSFLOW_KEY_PREFIX": keys.prefix, "NEWSFLOW_QUEUE": "articles"})


@pytest.fixture
def app(redis_server, settings):
    app = make_app(settings, redis_server)
    yield app
    app.close()


def queued(client, keys, queue="articles"):
    """(article id, kwargs) of the messages waiting in `queue`, oldest first."""
    out = []
    for raw in reversed(client.lrange(keys.queue(queue), 0, -1)):  # LPUSH: newest first
        message = json.loads(raw)
        assert message["headers"]["task"] == PROCESS_ARTICLE and message["content-type"] == "application/json"
        args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
        out.append((args[0], kwargs))
    return out


def queued_ids(client, keys, queue="articles"):
    """The article ids of the messages waiting in `queue`, oldest first."""
    return [article_id for article_id, _ in queued(client, keys, queue)]


def test_a_batch_arrives_whole_and_in_order(app, redis_client, keys):
    """Every id of a batch becomes one JSON process_article message on the queue, in order."""
    ids = [f"{i:032x}" for i in range(1500)]  # more than one publish batch
    publish(app, "articles", ids)
    assert queued_ids(redis_client, keys) == ids


def test_a_batch_survives_dropped_connections(app, redis_client, keys):
    """Connections cut between batches: the next batch still arrives, every id at least once."""
    publish(app, "articles", ["0" * 32])
    redis_client.client_kill_filter(_type="normal", skipme=True)  # cut the producer's pooled connection
    ids = [f"{i:032x}" for i in range(1, 300)]
    publish(app, "articles", ids)
    got = queued_ids(redis_client, keys)
    assert got[0] == "0" * 32 and set(got[1:]) == set(ids)


def test_a_refused_batch_is_sent_again_one_by_one(app, redis_client, keys):
    """The server refuses the pipelined batch (out of memory): the failure is logged, and every
    message is sent again one at a time (here after memory is back), so none is lost."""
    from structlog.testing import capture_logs

    def memory_back(_, __, event):
        """When the watcher reports the failed batch, give the server its memory back."""
        if event["event"] == "publish_batch_failed":
            redis_client.config_set("maxmemory", 0)
        return event

    redis_client.config_set("maxmemory-policy", "noeviction")
    redis_client.config_set("maxmemory", 1)  # every write that may grow memory is refused with OOM
    ids = [f"{i:032x}" for i in range(50)]
    try:
        with capture_logs(processors=[memory_back]) as logs:
            publish(app, "articles", ids)
    finally:
        redis_client.config_set("maxmemory", 0)
    failed = [e for e in logs if e["event"] == "publish_batch_failed"]
    assert [e["articles"] for e in failed] == [50] and "maxmemory" in failed[0]["error"]
    assert queued_ids(redis_client, keys) == ids


def admitted(store: Store, n: int) -> str:
    """Admit an article the way the watcher does, without queueing its message (as if lost)."""
    article_id = f"{n:032x}"
    store.admit(article_id, Source(name=f"a{n}.txt", path=f"a{n}.txt", size=5, sha256="0" * 64), b"words")
    return article_id


def test_every_message_says_when_it_was_queued(app, redis_client, keys):
    """The header the sweep reads: the time of sending, on every message; none on a foreign one."""
    before = time.time()
    publish(app, "articles", ["0" * 32])
    after = time.time()
    assert before - 0.01 <= queued_at(redis_client.lindex(keys.queue("articles"), -1)) <= after + 0.01
    assert queued_at(b'{"headers": {"task": "other"}}') is None and queued_at(b"not json") is None


@contextmanager
def taken(app, queue="articles"):
    """A worker's hold on the oldest waiting message: taken from the queue by the transport, not
    acknowledged (in its unacknowledged hash) while the block runs; given back at the end."""
    with app.connection_for_read() as connection:
        message = connection.default_channel.basic_get(queue, no_ack=False)
        assert message is not None
        yield message


def test_a_silent_article_with_no_message_is_queued_again_once(app, redis_client, keys, settings):
    """Admitted, no result, no message anywhere (not waiting, not held): quiet for the publish
    lag, then one new message (its lost delivery forgiven), counted and logged, long before the
    visibility timeout; the claim holds a period."""
    store = Store(redis_client, keys)
    lost = admitted(store, 1)
    assert requeue_lost(redis_client, store, app, settings) == []  # not silent long enough yet
    later = time.time() + PUBLISH_LAG + 1
    assert later < time.time() + settings.visibility_timeout
    with capture_logs() as logs:
        assert requeue_lost(redis_client, store, app, settings, now=later) == [lost]
    assert queued(redis_client, keys) == [(lost, {"deployment_faults": 1})]
    assert [e["article_id"] for e in logs if e["event"] == "article_requeued"] == [lost]
    redis_client.delete(keys.queue("articles"))  # lost again
    assert requeue_lost(redis_client, store, app, settings, now=later) == []  # claimed: silent from `later`
    assert store.stats()["requeued"] == 1


def test_an_article_whose_message_still_waits_is_left_alone(app, redis_client, keys, settings):
    """However long a message waits in a long queue, its article is not queued twice; once the
    message has been taken (and lost), the article is."""
    store = Store(redis_client, keys)
    waiting = admitted(store, 2)
    publish(app, "articles", [waiting])
    much_later = time.time() + 10 * settings.visibility_timeout
    assert requeue_lost(redis_client, store, app, settings, now=much_later) == []
    redis_client.delete(keys.queue("articles"))
    assert requeue_lost(redis_client, store, app, settings, now=much_later) == [waiting]


def test_only_articles_older_than_the_oldest_waiting_message_are_claimed(app, redis_client, keys, settings):
    """The queue is first in, first out: an article silent since before the oldest waiting message
    was queued (by more than the publish lag) has no message waiting; a later one may."""
    store = Store(redis_client, keys)
    old, recent = admitted(store, 3), admitted(store, 4)
    redis_client.zadd(keys.pending(), {old: time.time() - 2 * PUBLISH_LAG})
    publish(app, "articles", [recent])
    much_later = time.time() + 10 * settings.visibility_timeout
    assert requeue_lost(redis_client, store, app, settings, now=much_later) == [old]


def test_a_foreign_message_at_the_head_of_the_queue_pauses_the_sweep(app, redis_client, keys, settings):
    """A message without the header (another producer's) says nothing about what waits: no claims."""
    store = Store(redis_client, keys)
    admitted(store, 5)
    redis_client.lpush(keys.queue("articles"), json.dumps({"headers": {"task": PROCESS_ARTICLE}}))
    assert requeue_lost(redis_client, store, app, settings, now=time.time() + 10 * settings.visibility_timeout) == []


def test_an_article_whose_message_a_worker_holds_waits_for_the_visibility_timeout(app, redis_client,
                                                                                  keys, settings):
    """A message in a worker's hands (taken, not acknowledged) is a delivery under way: its
    article is left alone past the publish lag, and queued again only once silent past the
    visibility timeout (the holder is gone); an article nobody holds is queued at once."""
    store = Store(redis_client, keys)
    in_hand, lost = admitted(store, 8), admitted(store, 9)
    publish(app, "articles", [in_hand])
    with taken(app) as message:
        assert redis_client.hlen(keys.unacked()) == 1 and message.payload[0] == [in_hand]
        soon = time.time() + PUBLISH_LAG + 1
        assert requeue_lost(redis_client, store, app, settings, now=soon) == [lost]
        redis_client.delete(keys.queue("articles"))  # that new message: lost too
        later = time.time() + settings.visibility_timeout + 1
        assert sorted(requeue_lost(redis_client, store, app, settings, now=later)) == [in_hand, lost]


def test_the_article_of_a_message_is_read_as_queued_and_as_held():
    """article_of reads a process_article message as it waits and as the transport holds it
    ([message, exchange, routing key]); anything else is None."""
    from tasks.queueing import article_of

    body = base64.b64encode(json.dumps([["ab" * 16], {}, {}]).encode()).decode()
    message = {"headers": {"task": PROCESS_ARTICLE}, "body": body}
    assert article_of(json.dumps(message).encode()) == "ab" * 16
    assert article_of(json.dumps([message, "", "articles"]).encode()) == "ab" * 16
    other = {"headers": {"task": "other"}, "body": body}
    assert article_of(json.dumps(other).encode()) is None and article_of(b"not json") is None
    assert article_of(json.dumps({"headers": {"task": PROCESS_ARTICLE}, "body": "%%"}).encode()) is None


def test_committed_and_started_articles_are_not_silent(app, redis_client, keys, settings):
    """A commit ends an article's watch; a delivery that starts is a sign of life, and a late
    delivery of a committed article does not make it pending again."""
    from newsflow.record import failed_record

    store = Store(redis_client, keys)
    done, running = admitted(store, 6), admitted(store, 7)
    redis_client.zadd(keys.pending(), {running: 1.0})
    publish(app, "articles", [running])
    with taken(app):  # its delivery under way
        store.count_attempt(running, 60)
        assert redis_client.zscore(keys.pending(), running) > time.time() - 60
        store.commit(failed_record(done, {"name": "a6.txt", "path": "a6.txt", "bytes": 5,
                                          "sha256": "0" * 64, "aliases": []}, "Test", "written by the test"))
        store.count_attempt(done, 60)
        assert redis_client.zscore(keys.pending(), done) is None
        soon = time.time() + settings.visibility_timeout / 2
        assert requeue_lost(redis_client, store, app, settings, now=soon) == []
