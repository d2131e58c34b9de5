"""Fault tests on real processes: whatever crashes, every file ends as exactly one result.

Each test runs `newsflow up` (watcher, Celery worker with a prefork pool,
Valkey) as real OS processes, injects a fault from outside, and checks the
results folder and Redis: files in, results out, none lost, none twice (one
stream entry and one count per article).
"""

import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
import redis

from newsflow.intake import Intake
from newsflow.values import article_id
from newsflow.store import Store
from tests.corpus import article, drop
from tests.helpers import results, wait_until
from tests.service import Up, ValkeyProcess, follow, free_port, kill, sleep

pytestmark = [pytest.mark.fault, pytest.mark.slow, pytest.mark.timeout(900)]


def assert_exactly_once(up: Up, n: int) -> None:
    """n result files, n distinct stream entries, counters at n: nothing lost, nothing twice."""
    got = results(up.results)
    assert len(got) == n
    report = up.delivery_report()
    assert report["stream"] == report["distinct"] == n, report
    assert report["done"] + report.get("failed", 0) == n, report


def assert_whole(up: Up, n: int) -> list[dict]:
    """After Redis refused writes: n ok results exactly once, and no process exited; the log's events."""
    assert up.wait_results(n, 300) == n
    assert_exactly_once(up, n)
    assert all(r["status"] == "ok" for r in results(up.results).values())
    events = follow(up.log, 0)[0]
    assert not [e for e in events if e.get("event") == "child_exited"]
    return events


def assert_paused_once_and_whole(up: Up, n: int, cause: str) -> None:
    """assert_whole, and intake_paused said once naming `cause`."""
    paused = [e for e in assert_whole(up, n) if e.get("event") == "intake_paused"]
    assert len(paused) == 1 and cause in paused[0]["cause"], paused


def refusing_up(tmp_path: Path) -> Up:
    """`up` (not started) with 2 workers and short limits, for the tests where Redis refuses writes:
    a 5 s article budget (35 s hard limit) and a 40 s visibility timeout."""
    return Up(tmp_path, workers=2, NEWSFLOW_VISIBILITY_TIMEOUT="40", NEWSFLOW_ARTICLE_TIME_LIMIT="5")


def start_and_fill_memory(up: Up, first: int) -> redis.Redis:
    """Start `up`, drop 30 files numbered from `first`, and once 5 have results lower maxmemory to
    half of what Redis holds (noeviction: writes refused from then on). The client raises it again."""
    up.inbox.mkdir(parents=True)
    up.start()
    drop(up.inbox, first, 30)
    client = up.client()
    assert wait_until(lambda: up.result_count() >= 5, 180)
    client.config_set("maxmemory", int(client.info("memory")["used_memory"]) // 2)
    return client


def test_kill9_pool_process_mid_batch(tmp_path):
    """kill -9 a worker pool process in the middle of a 500-file batch: 500 results, none twice."""
    up = Up(tmp_path, workers=2).start()
    try:
        drop(up.inbox, 0, 500)
        assert up.wait_results(60, 300) >= 60
        pool = up.worker_pool()
        assert len(pool) == 2, pool
        kill(pool[0])
        assert up.wait_results(500, 600) == 500, up.log.read_text()[-2000:]
        assert wait_until(lambda: len(up.worker_pool()) == 2, 60)  # Celery replaced the killed process
    finally:
        assert up.stop() == 0
    assert_exactly_once(up, 500)
    expected = {article_id(article(i)) for i in range(500)}
    assert {r["id"] for r in results(up.results).values()} == expected


def test_sigterm_during_burst_then_more_while_down(tmp_path):
    """SIGTERM `up` during a 1,000-file burst; 200 more dropped while down; restart: 1,200 results, each once."""
    up = Up(tmp_path, workers=2).start()
    drop(up.inbox, 0, 1000)
    up.wait_results(100, 300)
    assert up.stop() == 0
    first = up.result_count()
    assert 100 <= first < 1000  # stopped mid-burst
    drop(up.inbox, 1000, 200)
    up.start()
    try:
        assert up.wait_results(1200, 900) == 1200, up.log.read_text()[-2000:]
    finally:
        assert up.stop() == 0
    assert_exactly_once(up, 1200)


def test_redis_restart_mid_batch(tmp_path):
    """Restart the Redis server (external URL, append-only file on) mid-batch: nothing lost, all
    reconnect. A message in hand or in transit when the server went (runs often leave one) comes
    back after the visibility timeout, here 40 s (the transport's own restore, or the sweep)."""
    server = ValkeyProcess(tmp_path / "valkey", free_port()).start()
    up = Up(tmp_path / "svc", workers=2, NEWSFLOW_REDIS_URL=server.url,
            NEWSFLOW_VISIBILITY_TIMEOUT="40", NEWSFLOW_ARTICLE_TIME_LIMIT="5")
    up.root.mkdir()
    up.start()
    try:
        drop(up.inbox, 0, 300)
        up.wait_results(40, 300)
        server.stop()
        sleep(3)
        drop(up.inbox, 300, 20)  # files arriving while Redis is down wait in the inbox
        sleep(8)
        server.start()
        assert up.wait_results(320, 600) == 320, up.log.read_text()[-3000:]
    finally:
        assert up.stop() == 0
        report = up.delivery_report()
        server.stop()
    assert report["stream"] == report["distinct"] == 320, report
    assert report["done"] == 320
    events = follow(up.log, 0)[0]
    down = [e for e in events if e.get("event") == "redis_unreachable" and e.get("process") == "up"]
    assert 1 <= len(down) <= 4  # one clear line per check while it was down (~11 s, every 5 s)
    assert any(e.get("event") == "redis_reachable" for e in events)
    # no bare traceback on stderr: every line is a JSON event (an error's traceback is a field)
    assert all(line.startswith("{") for line in up.log.read_text().splitlines() if line.strip())


def test_an_article_whose_message_was_lost_is_queued_again(tmp_path):
    """Admitted, but its message never reached a worker (what a broker restart at the wrong moment
    does: kombu takes a message off the queue before it records it as unacknowledged): a worker
    node's sweep queues it again once silent past the visibility timeout; one result each."""
    up = Up(tmp_path, workers=1, NEWSFLOW_VISIBILITY_TIMEOUT="40", NEWSFLOW_ARTICLE_TIME_LIMIT="5").start()
    try:
        client = up.client()
        intake = Intake(Store(client, up.keys), 1 << 20, enqueue=lambda ids: None)  # the messages: lost
        lost = {intake.admit(path, path.name).article_id for path in drop(tmp_path / "elsewhere", 70_000, 3)}
        assert up.wait_results(3, 180) == 3, up.log.read_text()[-3000:]
        assert client.zcard(up.keys.pending()) == 0
    finally:
        assert up.stop() == 0
    assert_exactly_once(up, 3)
    requeued = [e for e in follow(up.log, 0)[0] if e.get("event") == "article_requeued"]
    assert {e["article_id"] for e in requeued} == lost and all(e["silent_s"] >= 40 for e in requeued)


def test_embedded_server_killed_mid_batch_is_restarted(tmp_path):
    """kill -9 of the embedded server mid-batch (300 files): `up` starts it again on its append-only
    file within seconds and says why; the children reconnect; every file ends with exactly one
    result, one stream entry and one count, none failed."""
    up = Up(tmp_path, workers=2)
    up.inbox.mkdir(parents=True)
    up.start()
    try:
        drop(up.inbox, 50_000, 300)
        assert up.wait_results(40, 300) >= 40
        killed = json.loads((up.state / "server.json").read_text())
        kill(killed["pid"])
        assert wait_until(lambda: [e for e in follow(up.log, 0)[0] if e.get("event") == "redis_restarted"], 15)
        assert up.wait_results(300, 600) == 300, up.log.read_text()[-3000:]
        restarted = json.loads((up.state / "server.json").read_text())
        assert restarted["pid"] != killed["pid"] and restarted["port"] == killed["port"]
    finally:
        assert up.stop() == 0
    assert_exactly_once(up, 300)
    assert all(r["status"] == "ok" for r in results(up.results).values())
    events = follow(up.log, 0)[0]
    assert [e["event"] for e in events].count("redis_restarted") == 1


def test_poison_message_is_capped(tmp_path):
    """A message that kills its worker every time is retried a capped number of times, then fails; others flow."""
    up = Up(tmp_path, workers=2, NEWSFLOW_MAX_RETRIES="2").start()
    try:
        poison = b"\n\n".join(article(10_000 + k) for k in range(60))  # slow enough to be caught mid-way
        up.inbox.mkdir(exist_ok=True)
        (up.inbox / "poison.txt").write_bytes(poison)
        offset, kills = 0, 0
        drop(up.inbox, 0, 30)
        (up.inbox / "empty.txt").write_bytes(b"")  # permanent error: fails once, never retried
        deadline_results = 32
        while up.result_count() < deadline_results:
            events, offset = follow(up.log, offset)
            for e in events:
                if e.get("event") == "stage_done" and e.get("file") == "poison.txt" and e.get("stage") == "clean":
                    kill(e["pid"])  # the worker dies in the middle of this article, every time
                    kills += 1
            sleep(0.05)
            assert kills <= 5, "the poison message was redelivered without a cap"
            if up.proc.poll() is not None:
                raise AssertionError("up died")
    finally:
        assert up.stop() == 0
    record = results(up.results)["poison.txt"]
    assert record["status"] == "failed" and record["error"]["type"] == "PoisonMessage"
    assert kills == 3  # deliveries 1..3 crashed; the 4th hit the cap (NEWSFLOW_MAX_RETRIES=2)
    assert sum(1 for r in results(up.results).values() if r["status"] == "ok") == 30
    assert results(up.results)["empty.txt"]["error"]["type"] == "CleanError"
    events, _ = follow(up.log, 0)
    assert sum(1 for e in events if e.get("event") == "article_done" and e.get("file") == "empty.txt") == 1
    assert not any(e.get("event") == "article_retry" for e in events)
    assert_exactly_once(up, 32)


def test_redelivered_message_never_counts_twice(tmp_path):
    """Two deliveries of one message processed at once (what an expired visibility timeout
    does to a slow task, celery/celery#5935) give one result, one count, one stream entry."""
    import hashlib

    from celery import Celery

    from newsflow.settings import Settings
    from newsflow.store import Source, Store
    from tasks.app import PROCESS_ARTICLE, celery_config

    up = Up(tmp_path, workers=2).start()
    try:
        data = b"\n\n".join(article(20_000 + k) for k in range(40))  # slow: both copies overlap
        aid = article_id(data)
        client = up.client()
        Store(client, up.keys).admit(aid, Source("slow.txt", "slow.txt", len(data), hashlib.sha256(data).hexdigest()), data)
        app = Celery("probe")
        app.conf.update(celery_config(Settings.from_env({}), up.url()))
        for _ in range(2):
            app.send_task(PROCESS_ARTICLE, args=[aid], queue="newsflow")
        assert wait_until(lambda: client.get(up.keys.record(aid)) is not None, 300)
        events = []
        assert wait_until(lambda: len([e for e in follow(up.log, 0)[0] if e.get("event") == "stage_done"
                                       and e.get("article_id") == aid and e.get("stage") == "store"]) == 2, 120)
        events = [e for e in follow(up.log, 0)[0] if e.get("article_id") == aid and e.get("event") == "stage_done"]
        assert len({e["pid"] for e in events}) == 2  # two processes really ran it concurrently
        assert client.xlen(up.keys.stream()) == 1
        assert int(client.hget(up.keys.stats(), "done")) == 1
        assert json.loads(client.get(up.keys.record(aid)))["status"] == "ok"
    finally:
        assert up.stop() == 0


def test_transient_connection_drop_is_retried(redis_client, keys):
    """A connection dropped under a write is retried on a new connection; the write lands once."""
    from newsflow.store import Store
    from newsflow.connection import connect

    kw = redis_client.connection_pool.connection_kwargs
    client = connect(f"redis://:{kw['password']}@{kw['host']}:{kw['port']}/0")
    store = Store(client, keys)
    aid = article_id(b"transient")
    before = client.client_id()
    redis_client.client_kill_filter(_type="normal", skipme=True)  # drop every other client's connection
    assert store.commit({"id": aid, "status": "ok", "source": {}, "duplicate_of": None, "story_id": aid}) is True
    assert client.client_id() != before  # the write went through a new connection
    assert store.record(aid)["id"] == aid and store.stats()["done"] == 1


def test_backpressure_bounds_redis_memory_in_a_10k_burst(tmp_path):
    """10,000 files dropped at once: admission pauses at the high-water mark, Redis memory stays
    bounded (peak used_memory sampled throughout), and every file ends with one result."""
    import os
    import threading

    n, size = 10_000, 20_000
    up = Up(tmp_path, workers=2, NEWSFLOW_HIGH_WATER="200", NEWSFLOW_LOW_WATER="100")
    up.inbox.mkdir(parents=True)
    up.start()
    peak = {"used": 0, "queued": 0}
    stop = threading.Event()

    def sample():
        client = up.client()
        while not stop.is_set():
            try:
                peak["used"] = max(peak["used"], int(client.info("memory")["used_memory"]))
                peak["queued"] = max(peak["queued"], int(client.llen(up.keys.queue("newsflow"))))
            except redis.RedisError:
                pass
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        staging = tmp_path / "staging"
        staging.mkdir()
        for i in range(n):  # 20 KB of noise each: 200 MB in all, cheap to process (fails fast)
            (staging / f"n{i:05d}.bin").write_bytes(os.urandom(size))
        for name in os.listdir(staging):
            os.rename(staging / name, up.inbox / name)
        assert up.wait_results(n, 900) == n
    finally:
        stop.set()
        sampler.join(5)
        assert up.stop() == 0
    events, _ = follow(up.log, 0)
    assert any(e.get("event") == "backpressure_on" for e in events)
    assert peak["queued"] <= 200 + 256 + 50  # high water + one admission batch + slack
    assert peak["used"] < 40 * 1024 * 1024, peak  # far below the 200 MB that was dropped
    report = up.delivery_report()
    assert report["stream"] == report["distinct"] == n and report["failed"] == n
    print(f"\nbackpressure: {n} files x {size} B, peak used_memory {peak['used'] / 2**20:.1f} MiB, "
          f"peak queue {peak['queued']}")


def test_an_article_over_the_time_limit_fails_once_and_shows_in_flight(tmp_path):
    """A page that takes longer than NEWSFLOW_ARTICLE_TIME_LIMIT gets one failed record saying so,
    shows in flight while it runs, is never delivered to a second process, and the articles
    dropped behind it are done."""
    from tests.corpus import html_page

    up = Up(tmp_path, workers=2, NEWSFLOW_ARTICLE_TIME_LIMIT="1", NEWSFLOW_VISIBILITY_TIMEOUT="40")
    up.inbox.mkdir(parents=True)
    up.start()
    try:
        staging = tmp_path / "staging"
        staging.mkdir()
        (staging / "huge.html").write_bytes(html_page(8))  # ~10 s of cleaning
        (staging / "huge.html").rename(up.inbox / "huge.html")
        client = up.client()
        assert wait_until(lambda: client.hlen(up.keys.unacked()) >= 1, 30)  # in flight while it runs
        for i in range(5):
            (up.inbox / f"small{i}.txt").write_bytes(article(30_000 + i))
        assert up.wait_results(6, 120) == 6
        got = results(up.results)
        assert got["huge.html"]["status"] == "failed" and got["huge.html"]["error"]["type"] == "TimeLimit"
        assert "NEWSFLOW_ARTICLE_TIME_LIMIT" in got["huge.html"]["error"]["message"]
        assert all(got[f"small{i}.txt"]["status"] == "ok" for i in range(5))
        sleep(3)
        huge = got["huge.html"]["id"]
        runs = [e for e in follow(up.log, 0)[0] if e.get("article_id") == huge
                and e.get("event") in ("article_time_limit", "article_done", "stage_done")]
        assert [e["event"] for e in runs].count("article_time_limit") == 1
        assert len({e["pid"] for e in runs}) == 1  # one process, one delivery
        assert up.delivery_report()["stream"] == 6
    finally:
        assert up.stop() == 0


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[None]:
    """A tmpfs of `size` mounted at `path` for the block (unmounted after); the test is skipped
    where one cannot be mounted (needs root and mount(8))."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root and mount(8) for a small tmpfs")
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def test_a_full_results_disk_delays_articles_and_loses_none(tmp_path):
    """Results on a 1 MB tmpfs, 200 articles: writes that fail are logged and counted (`status`),
    nothing is failed or lost; once the disk grows every article ends with one ok result file,
    one record and one stream entry that agree."""
    up = Up(tmp_path, workers=2)
    with tmpfs(up.results, "1m"):
        try:
            up.inbox.mkdir(parents=True)
            up.start()
            drop(up.inbox, 40_000, 200)
            client = up.client()
            assert wait_until(lambda: client.zcard(up.keys.results_blocked()) > 0, 120)
            events = [e for e in follow(up.log, 0)[0] if e.get("event") == "results_write_failed"]
            assert events and events[0]["level"] == "error" and events[0]["errno"] == 28
            status = json.loads(subprocess.run([sys.executable, "-m", "newsflow", "status", "--json"], cwd=tmp_path,
                                               env=up.env, capture_output=True, text=True).stdout)
            assert status["results_blocked"] > 0 and status["failed"] == 0
            subprocess.run(["mount", "-o", "remount,size=64m", str(up.results)], check=True)
            assert up.wait_results(200, 300) == 200
            assert wait_until(lambda: client.zcard(up.keys.results_blocked()) == 0, 60)
            got = results(up.results)
            assert len(got) == 200 and all(r["status"] == "ok" for r in got.values())
            for record in got.values():
                assert json.loads(client.get(up.keys.record(record["id"])))["status"] == "ok"
            report = up.delivery_report()
            assert report["stream"] == report["distinct"] == 200 and report.get("failed", 0) == 0
            assert up.stop() == 0
        finally:
            if up.proc is not None:
                up.stop()


def test_a_sentinel_failover_mid_batch_loses_nothing(tmp_path):
    """A primary, a replica and three sentinels; `up` on the sentinel URL; 300 files; the primary
    killed (SIGKILL) mid-batch. After the replica's promotion every file ends with exactly one ok
    result, one record and one stream entry, the counters are exact, and `up` says how long Redis
    was out of reach."""
    import time

    from tests.service import SentinelProcess

    primary = ValkeyProcess(tmp_path / "primary", free_port()).start()
    replica = ValkeyProcess(tmp_path / "replica", free_port(), replica_of=primary.port).start()
    sentinels = [SentinelProcess(tmp_path / f"sentinel{i}", free_port(), primary, quorum=2).start()
                 for i in range(3)]
    assert wait_until(lambda: redis.Redis.from_url(replica.url).info("replication")["master_link_status"] == "up", 30)
    up = Up(tmp_path / "svc", workers=2, NEWSFLOW_REDIS_URL=sentinels[0].url().replace(
        f"127.0.0.1:{sentinels[0].port}", ",".join(f"127.0.0.1:{s.port}" for s in sentinels)),
        NEWSFLOW_VISIBILITY_TIMEOUT="40", NEWSFLOW_ARTICLE_TIME_LIMIT="5")
    up.root.mkdir()
    try:
        up.start()
        drop(up.inbox, 0, 300)
        assert up.wait_results(40, 120) >= 40
        killed_at = time.monotonic()
        kill(primary.proc.pid)
        assert wait_until(lambda: sentinels[0].primary_port() == replica.port, 60), "no promotion"
        promoted_s = time.monotonic() - killed_at
        assert up.wait_results(300, 240) == 300, up.log.read_text()[-3000:]
    finally:
        if up.proc is not None:
            assert up.stop() == 0
        report = up.delivery_report()
        for s in sentinels:
            s.stop()
        replica.stop()
    assert report["stream"] == report["distinct"] == 300, report
    assert report["done"] == 300 and report.get("failed", 0) == 0, report
    assert all(r["status"] == "ok" for r in results(up.results).values())
    events = follow(up.log, 0)[0]
    failovers = [e for e in events if e.get("event") == "redis_failover"]
    assert [e["primary"] for e in failovers] == [f"127.0.0.1:{replica.port}"], failovers
    done = sorted(e["ts"] for e in events if e.get("event") == "article_done")
    gaps = [(b - a).total_seconds() for a, b in zip(map(_ts, done), map(_ts, done[1:]))]
    print(f"promotion {promoted_s:.1f} s after the kill; redis_failover paused_s {failovers[0]['paused_s']}; "
          f"longest pause between two results {max(gaps):.1f} s")


def _ts(text: str):
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_full_redis_pauses_intake_and_loses_nothing(tmp_path):
    """The embedded server's maxmemory is lowered under what it holds mid-batch (noeviction: writes
    refused), then raised again: the watcher says so once (intake_paused, naming memory) and does
    not crash, workers retry their commits as a deployment fault, and every file ends with exactly
    one ok result; none failed."""
    up = refusing_up(tmp_path)
    try:
        client = start_and_fill_memory(up, 50_000)
        drop(up.inbox, 60_000, 30)
        sleep(12)
        client.config_set("maxmemory", 0)
        assert_paused_once_and_whole(up, 60, "memory")
        assert up.stop() == 0
    finally:
        if up.proc is not None:
            up.stop()


def test_a_redis_full_for_longer_than_the_time_limit_loses_nothing(tmp_path):
    """Memory stays full (writes refused) for 45 s, longer than a task may wait in place (a 35 s
    hard time limit): an article in hand is let go to the sweep (article_left_to_sweep), a message
    the consumer took but could not record is lost to the broker; once memory frees, the sweep
    queues such articles again (article_requeued), or the broker delivers a message it still holds
    again. Every file ends with exactly one ok result, and no process exits."""
    up = refusing_up(tmp_path)
    try:
        client = start_and_fill_memory(up, 90_000)
        sleep(45)
        client.config_set("maxmemory", 0)
        assert_whole(up, 30)
        assert up.stop() == 0
    finally:
        if up.proc is not None:
            up.stop()


def test_a_full_disk_under_redis_pauses_intake_and_loses_nothing(tmp_path):
    """The embedded server's append-only file on a 16 MB tmpfs, filled to the last byte mid-batch
    (Redis then refuses writes: MISCONF), then freed: one intake_paused naming the disk, no process
    exits, and every file ends with exactly one ok result; none failed."""
    up = refusing_up(tmp_path)
    data = up.state / "redis"
    with tmpfs(data, "16m"):
        try:
            up.inbox.mkdir(parents=True)
            up.start()
            drop(up.inbox, 70_000, 20)
            assert wait_until(lambda: up.result_count() >= 5, 180)
            filler = data / "filler"
            fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)  # unbuffered: nothing left to flush
            try:
                while True:  # every free byte of the disk
                    os.write(fd, b"\0" * 65536)
            except OSError:  # ENOSPC: full
                pass
            finally:
                os.close(fd)
            drop(up.inbox, 80_000, 40)
            client = up.client()
            assert wait_until(lambda: any(e.get("event") == "intake_paused" for e in follow(up.log, 0)[0]), 120)
            os.unlink(filler)
            assert_paused_once_and_whole(up, 60, "MISCONF")
            assert client.ping()
            assert up.stop() == 0
        finally:
            if up.proc is not None:
                up.stop()
