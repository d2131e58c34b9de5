"""Tests of workers.watch: publishing admitted ids to the queue through real Celery on a real server."""

import base64
import json

import pytest

from newsflow.settings import Settings
from tasks.app import make_app
from tasks.names import PROCESS_ARTICLE
from workers.watch import publish


@pytest.fixture
def app(redis_server, keys):
    settings = Settings.from_env({"NEWSFLOW_KEY_PREFIX": keys.prefix})
    app = make_app(settings, redis_server)
    yield app
    app.close()


def queued_ids(client, keys, queue="articles"):
    """The article ids of the messages waiting in `queue`, oldest first."""
    ids = []
    for raw in reversed(client.lrange(keys.queue(queue), 0, -1)):  # LPUSH: newest first
        message = json.loads(raw)
        assert message["headers"]["task"] == PROCESS_ARTICLE and message["content-type"] == "application/json"
        args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
        ids.append(args[0])
    return ids


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
