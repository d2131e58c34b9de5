"""Shared fixtures: a real Redis-protocol server (the embedded Valkey newsflow itself uses)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis

from newsflow.valkey import EmbeddedServer
from newsflow.keys import Keys

REPO = Path(__file__).resolve().parent.parent
#: The team's shared folder (evaluation sets); optional: tests that need it skip without it.
SHARED = Path(os.environ.get("NEWSFLOW_SHARED", REPO.parent / "shared"))
#: Copies kept in the repository, so CI needs nothing outside the clone:
#: the five seed articles (with gold) and the Compose specification's schema.
DATA = REPO / "tests" / "data"
SEEDS = DATA / "seeds"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A private Valkey server started the way `newsflow up` starts it, on a free port."""
    server = EmbeddedServer(tmp_path_factory.mktemp("state"))
    url = server.acquire()
    yield url
    assert server.release(), "the test server should have been stopped by its last user"


@pytest.fixture
def redis_client(redis_server):
    """A client on a freshly flushed database of the shared test server."""
    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def keys(request):
    """Key names under a prefix unique to the test."""
    return Keys(prefix=f"t{abs(hash(request.node.nodeid)) % 10**8}")


@pytest.fixture(scope="session")
def seeds():
    paths = sorted(SEEDS.glob("*.txt"))
    if not paths:
        raise AssertionError(f"no seeds at {SEEDS}")
    return paths
