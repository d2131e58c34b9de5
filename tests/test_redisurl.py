"""Tests of newsflow.redisurl, and of a deployment reached through Redis Sentinel (real processes:
a Valkey primary and a sentinel from the embedded binary)."""

import json

import pytest

from newsflow.redisurl import SentinelURL
from newsflow.settings import Settings
from tests.corpus import drop
from tests.helpers import clean_env, newsflow
from tests.service import SentinelProcess, Up, ValkeyProcess, free_port


def test_a_sentinel_url_names_its_sentinels_group_password_and_database():
    """Hosts with or without ports (26379), a percent-encoded password, the database and the group;
    kombu's form of it; messages name the sentinels, never the password."""
    url = SentinelURL.parse("sentinel://:p%40ss@s1:26380,s2,10.0.0.3:26381/2?master=news")
    assert url == SentinelURL((("s1", 26380), ("s2", 26379), ("10.0.0.3", 26381)), "news", "p@ss", 2)
    assert url.broker_url() == ("sentinel://:p%40ss@s1:26380/2;sentinel://:p%40ss@s2:26379/2;"
                                "sentinel://:p%40ss@10.0.0.3:26381/2")
    assert "p@ss" not in url.where() and "s2:26379" in url.where() and "news" in url.where()
    assert SentinelURL.parse("sentinel://s1:1/0?master=m").password is None


@pytest.mark.parametrize("bad, says", [
    ("sentinel://s1:26379/0", "?master=NAME"),
    ("sentinel://:pw@/0?master=m", "at least one sentinel"),
    ("sentinel://s1:port/0?master=m", "unreadable"),
    ("redis://s1:6379/0", "not a Sentinel URL"),
])
def test_a_malformed_sentinel_url_says_what_is_wrong_and_the_form(bad, says):
    """Each mistake raises ValueError naming it and the expected form; settings refuse it early."""
    with pytest.raises(ValueError, match="expected sentinel://") as err:
        SentinelURL.parse(bad)
    assert says in str(err.value)
    if bad.startswith("sentinel://"):
        with pytest.raises(ValueError):
            Settings.from_env({"NEWSFLOW_REDIS_URL": bad})


@pytest.mark.slow
def test_up_through_sentinel_processes_files_and_status_reads_them(tmp_path):
    """`newsflow up` with NEWSFLOW_REDIS_URL=sentinel://…: the broker (kombu's Sentinel transport)
    and every newsflow client find the primary through the sentinel; five files, five results,
    counted on the primary; `status` reads them the same way."""
    primary = ValkeyProcess(tmp_path / "primary", free_port()).start()
    sentinel = SentinelProcess(tmp_path / "sentinel", free_port(), primary).start()
    up = Up(tmp_path / "svc", workers=1, NEWSFLOW_REDIS_URL=sentinel.url())
    up.root.mkdir()
    try:
        up.start()
        drop(up.inbox, 0, 5)
        assert up.wait_results(5, 180) == 5, up.log.read_text()[-3000:]
        status = newsflow("status", "--json", cwd=tmp_path, env=clean_env(NEWSFLOW_REDIS_URL=sentinel.url()))
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["done"] == 5
        direct = __import__("redis").Redis.from_url(primary.url)
        assert int(direct.hget(up.keys.stats(), "done")) == 5  # the data is on the primary itself
    finally:
        if up.proc is not None:
            assert up.stop() == 0
        sentinel.stop()
        primary.stop()


@pytest.mark.slow
def test_a_client_follows_the_promoted_replica_within_seconds(tmp_path):
    """A newsflow client through three sentinels; the primary killed: the next command waits for
    the promotion and succeeds on the new primary within seconds (redis-py alone reconnected to
    the dead primary on every retry and failed after ~33 s), and no write is lost."""
    import os
    import signal
    import time

    import redis

    from newsflow.connection import connect
    from tests.helpers import wait_until

    primary = ValkeyProcess(tmp_path / "primary", free_port()).start()
    replica = ValkeyProcess(tmp_path / "replica", free_port(), replica_of=primary.port).start()
    sentinels = [SentinelProcess(tmp_path / f"s{i}", free_port(), primary, quorum=2).start() for i in range(3)]
    try:
        url = f"sentinel://:{primary.password}@" + ",".join(f"127.0.0.1:{s.port}" for s in sentinels) + "/0?master=grp"
        client = connect(url)
        client.set("n", 1)
        assert wait_until(lambda: redis.Redis.from_url(replica.url).get("n") == b"1", 10)
        os.kill(primary.proc.pid, signal.SIGKILL)
        started = time.monotonic()
        assert client.incr("n") == 2
        assert time.monotonic() - started < 15
        assert client.connection_pool.master_address == ("127.0.0.1", replica.port)
    finally:
        for s in sentinels:
            s.stop()
        replica.stop()
