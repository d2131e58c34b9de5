"""The one error boundary (newsflow.boundary) on a real pipeline and Valkey: an article at fault
fails with its reason, a missing input is let go, a deployment fault leaves the boundary and
`retrying` waits it out: the same rules for the task and for `process --inline`."""

from __future__ import annotations

import dataclasses
import time

import pytest
import redis
from structlog.testing import capture_logs

from newsflow import boundary
from newsflow.pipeline import Pipeline
from newsflow.settings import Settings
from tests.test_pipeline import admit


@pytest.fixture
def pipe(redis_client, keys, tmp_path):
    return Pipeline(dataclasses.replace(Settings.from_env({}), key_prefix=keys.prefix), redis_client,
                    results_dir=tmp_path, worker="test")


def test_an_article_at_fault_fails_and_a_missing_one_is_let_go(pipe):
    """Empty input: a failed record (CleanError); bytes never admitted: None, logged, not pending."""
    empty = admit(pipe.store, "empty.txt", b"")
    assert boundary.process(pipe, empty)["error"]["type"] == "CleanError"
    with capture_logs() as logs:
        assert boundary.process(pipe, "0" * 32) is None
    assert [e["event"] for e in logs] == ["article_missing"]


def test_a_full_redis_is_waited_out_never_failed(pipe, redis_client, seeds):
    """With Redis refusing writes (maxmemory under what it holds), `process` raises the fault and
    commits nothing; `retrying` logs article_retry naming memory, waits, and once memory frees
    commits one ok record."""
    aid = admit(pipe.store, seeds[0].name, seeds[0].read_bytes())
    pipe.warm()
    limit = redis_client.config_get("maxmemory")["maxmemory"]
    redis_client.config_set("maxmemory", 1)
    try:
        with pytest.raises(redis.exceptions.OutOfMemoryError):
            boundary.process(pipe, aid)
        assert pipe.store.record(aid) is None
        waits = []

        def sleep(seconds: float) -> None:
            waits.append(seconds)
            redis_client.config_set("maxmemory", limit)  # the operator frees memory

        with capture_logs() as logs:
            record = boundary.retrying(lambda: boundary.process(pipe, aid), aid, sleep=sleep)
    finally:
        redis_client.config_set("maxmemory", limit)
    assert record["status"] == "ok" and waits == [1.0]
    assert [e["cause"] for e in logs if e["event"] == "article_retry"] == [
        "Redis memory is full (maxmemory, noeviction): writes refused until memory frees"]
    assert pipe.store.stats()["failed"] == 0


def test_retrying_gives_up_when_its_deadline_leaves_no_room_for_another_wait():
    """With a deadline 1.5 s away, a fault is waited out once (1 s) and raised at the second (2 s
    would pass the deadline); with none, it is tried until it succeeds."""
    def refused() -> None:
        raise redis.exceptions.OutOfMemoryError("command not allowed when used memory > 'maxmemory'.")

    waits: list[float] = []
    with capture_logs() as logs, pytest.raises(redis.exceptions.OutOfMemoryError):
        boundary.retrying(refused, "a" * 32, until=time.monotonic() + 1.5, sleep=waits.append)
    assert waits == [1.0]
    assert [(e["event"], e["in_place"]) for e in logs] == [("article_retry", True)]

    tries: list[int] = []

    def third_time() -> str:
        tries.append(len(tries))
        if len(tries) < 3:
            refused()
        return "done"

    assert boundary.retrying(third_time, "a" * 32, sleep=waits.append) == "done" and tries == [0, 1, 2]
