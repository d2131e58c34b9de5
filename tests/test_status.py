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
