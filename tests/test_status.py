"""Tests of newsflow.status: the numbers come from Redis, workers from live heartbeats."""

import dataclasses
import json

from newsflow.settings import Settings
from newsflow.status import render, snapshot


def test_snapshot_counts_queue_results_and_workers(redis_client, keys):
    """queued, done/failed/duplicates and workers online are read from their keys."""
    s = dataclasses.replace(Settings.from_env({}), key_prefix=keys.prefix)
    redis_client.rpush(keys.queue(s.queue), "m1", "m2")
    redis_client.hset(keys.stats(), mapping={"done": 5, "failed": 1, "duplicates": 2, "admitted": 6})
    redis_client.set(keys.worker("n1@h"), json.dumps({"concurrency": 2}), ex=15)
    redis_client.set(keys.worker("n2@h"), json.dumps({"concurrency": 1}), ex=15)
    snap = snapshot(redis_client, s)
    assert (snap["queued"], snap["done"], snap["failed"], snap["duplicates"]) == (2, 5, 1, 2)
    assert snap["workers"] == 3 and snap["nodes"] == 2 and snap["stories"] == 0
    assert all(isinstance(v, int) for v in snap.values())
    assert "queued" in render(snap) and "workers" in render(snap)


def test_the_rate_is_finished_articles_per_second_since_the_last_snapshot():
    """None at first; then (done + failed) gained over the seconds between the two snapshots."""
    from newsflow.status import Rate

    rate = Rate()
    assert rate({"done": 10, "failed": 2}, now=100.0) is None
    assert rate({"done": 16, "failed": 4}, now=102.0) == 4.0
    assert rate({"done": 16, "failed": 4}, now=103.0) == 0.0


def test_the_summary_event_carries_the_status_fields_and_the_rate(redis_client, keys):
    """`up`'s summary event: exactly the snapshot's fields plus articles_per_second (what
    `status --watch --json` prints), pending and requeued among them."""
    from structlog.testing import capture_logs

    from newsflow.status import Rate
    from workers.supervisor import _summary

    s = dataclasses.replace(Settings.from_env({}), key_prefix=keys.prefix)
    with capture_logs() as logs:
        _summary(redis_client, s, Rate())
    (event,) = [e for e in logs if e["event"] == "summary"]
    fields = set(event) - {"event", "log_level"}
    assert fields == {"articles_per_second", *snapshot(redis_client, s)}
    assert {"pending", "requeued"} <= fields


def test_status_shows_redis_memory_and_the_embedded_limit(tmp_path):
    """The embedded server starts with maxmemory at its share of this machine's memory and
    noeviction; the status snapshot (and so `status --json`, `summary` and /metrics) carries Redis's
    used_memory and maxmemory."""
    import redis

    from newsflow.valkey import EmbeddedServer, maxmemory_bytes
    from newsflow.settings import Settings
    from newsflow.status import snapshot

    server = EmbeddedServer(tmp_path / "state", 0.25)
    client = redis.Redis.from_url(server.acquire())
    try:
        assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
        snap = snapshot(client, Settings.from_env({}))
        assert snap["redis_maxmemory"] == maxmemory_bytes(0.25) > 0
        assert 0 < snap["redis_used_memory"] < snap["redis_maxmemory"]
    finally:
        client.close()
        server.release()
    assert maxmemory_bytes(0) == 0
