"""newsflow/faults.py: which failures are the deployment's (retried) and which the article's."""

from __future__ import annotations

import redis

from newsflow.valkey import EmbeddedServer
from newsflow.faults import DISK, MEMORY, deployment_fault, redis_refusal


def test_a_full_redis_is_a_deployment_fault(tmp_path):
    """A real server at its maxmemory refuses a write (noeviction) and a Lua script that writes:
    both are the deployment's fault, named as memory; reads still work."""
    server = EmbeddedServer(tmp_path / "state", 0.5)
    client = redis.Redis.from_url(server.acquire())
    try:
        client.set("a", "x" * 1000)
        client.config_set("maxmemory", 1)  # below what the server already holds
        errors = []
        for write in (lambda: client.set("b", "y"), lambda: client.eval("return redis.call('SET', 'c', 'z')", 0)):
            try:
                write()
            except redis.RedisError as exc:
                errors.append(exc)
        assert len(errors) == 2 and all(deployment_fault(e) == MEMORY for e in errors), errors
        assert client.get("a") == b"x" * 1000
    finally:
        client.config_set("maxmemory", 0)
        client.close()
        server.release()


def test_refusals_are_told_from_article_faults():
    """MISCONF (a full disk) is named as such, also inside a script's error; a connection lost is a
    fault of the deployment; an ordinary error reply, or a bug, is not."""
    assert redis_refusal(redis.ResponseError("MISCONF Errors writing to the AOF file: No space left on device")) == DISK
    assert redis_refusal(redis.ResponseError("ERR Error running script: MISCONF Errors writing")) == DISK
    assert deployment_fault(redis.ConnectionError("Connection refused")).startswith("Redis out of reach")
    assert deployment_fault(redis.ResponseError("WRONGTYPE Operation against a key")) is None
    assert deployment_fault(ValueError("bad article")) is None
