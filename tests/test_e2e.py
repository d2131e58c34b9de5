"""End to end: `newsflow up` as a real process tree on a temporary inbox, seeds in, results out."""

import json
import shutil

import pytest

from tests.helpers import (
    alive, check_contract, descendants, log_events, newsflow, results, start, stop, wait_until,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_up_processes_dropped_seeds_and_stops_cleanly(tmp_path, seeds):
    """Drop the five seeds; five results on disk and in Redis; status/show answer meanwhile; SIGTERM leaves nothing."""
    inbox, out = tmp_path / "inbox", tmp_path / "results"
    log = tmp_path / "up.log"
    up = start("up", "--inbox", str(inbox), "--results", str(out), "--workers", "2", cwd=tmp_path, log=log)
    try:
        assert wait_until(lambda: (tmp_path / ".newsflow" / "server.json").exists(), 30)
        inbox.mkdir(exist_ok=True)
        for seed in seeds:
            shutil.copy(seed, inbox / seed.name)
        got = wait_until(lambda: len(results(out)) == len(seeds) and results(out), 120)
        assert got, f"results: {sorted(results(out))}\n{log.read_text()[-3000:]}"
        for seed in seeds:
            record = got[seed.name]
            check_contract(record)
            assert record["status"] == "ok" and record["source"]["bytes"] == seed.stat().st_size

        status = newsflow("status", "--json", cwd=tmp_path)
        assert status.returncode == 0, status.stderr
        snap = json.loads(status.stdout)
        assert snap["done"] == len(seeds) and snap["failed"] == 0 and snap["workers"] == 2
        for field in ("queued", "done", "failed", "duplicates", "stories", "workers"):
            assert isinstance(snap[field], int)

        some = got[seeds[0].name]
        shown = newsflow("show", some["id"], cwd=tmp_path)
        assert shown.returncode == 0, shown.stderr
        stored = json.loads(shown.stdout)
        assert stored["id"] == some["id"] and stored["text"] == some["text"]
        assert some["id"] in stored["story_members"]

        tree = descendants(up.pid)
        server_pid = json.loads((tmp_path / ".newsflow" / "server.json").read_text())["pid"]
        assert len(tree) >= 3  # watcher, worker, pool processes
    finally:
        code = stop(up)
    assert code == 0
    assert wait_until(lambda: not any(alive(p) for p in tree | {server_pid}), 15), "processes left running"

    events = log_events(log)  # every line is JSON
    stages = [e for e in events if e["event"] == "stage_done"]
    assert {e["stage"] for e in stages} >= {"clean", "tag", "fingerprint", "embed", "index", "store"}
    for e in stages:
        assert {"article_id", "file", "stage", "duration_ms", "worker"} <= set(e)
    assert any(e.get("logger", "").startswith("celery") for e in events)  # Celery's lines, same format
    # the models are loaded once, by the worker node's main process, before its two pool processes fork
    loaded = [e for e in events if e["event"] == "model_loaded"]
    ready = [e for e in events if e["event"] == "pool_process_ready"]
    assert len(loaded) == 2 and len({e["pid"] for e in loaded}) == 1
    assert len(ready) == 2 and loaded[0]["pid"] not in {e["pid"] for e in ready}
    assert {e["pid"] for e in stages} == {e["pid"] for e in ready}


def test_redrop_is_an_alias_not_reprocessed(tmp_path, seeds):
    """The same bytes dropped again under another name get the same id and only an alias."""
    out = tmp_path / "results"
    first = newsflow("process", str(seeds[0]), "--results", str(out), "--inline", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    copy = tmp_path / "copy of seed.txt"
    shutil.copy(seeds[0], copy)
    again = newsflow("process", str(copy), "--results", str(out), "--inline", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    files = list(out.glob("*.json"))
    assert len(files) == 1
    record = json.loads(files[0].read_text())
    assert record["source"]["aliases"] == ["copy of seed.txt"]
    assert sum(1 for line in again.stdout.splitlines() if '"stage_done"' in line) == 0


def test_a_second_up_on_the_same_state_folder_refuses(tmp_path):
    """Two `up` in one folder would both watch the inbox and process every file twice: the second
    exits 2 at once, naming the first; the first runs on and still takes files."""
    from tests.corpus import article
    from tests.service import Up

    up = Up(tmp_path, workers=1)
    up.inbox.mkdir(parents=True)
    up.start()
    try:
        second = newsflow("up", "--inbox", str(up.inbox), "--results", str(up.results), "--workers", "1",
                          cwd=tmp_path, env=up.env, timeout=60)
        assert second.returncode == 2
        assert f"pid {up.proc.pid}" in second.stderr and "already runs" in second.stderr
        (up.inbox / "one.txt").write_bytes(article(60_000))
        assert up.wait_results(1, 120) == 1
    finally:
        assert up.stop() == 0


def test_a_later_name_of_committed_bytes_reaches_the_result_file(tmp_path, seeds):
    """Bytes already processed, dropped again under another name: nothing is processed again, the
    result file gains the name. A refresh message queued by an earlier version is still honoured."""
    from newsflow.settings import Settings
    from tasks.app import REFRESH_ARTICLE, make_app
    from tests.service import Up

    up = Up(tmp_path, workers=1).start()
    try:
        up.inbox.mkdir(exist_ok=True)
        shutil.copy(seeds[2], up.inbox / "first.txt")
        assert up.wait_results(1, 120) == 1, up.log.read_text()[-3000:]
        (path,) = up.results.glob("*.json")
        aid = json.loads(path.read_text())["id"]
        shutil.copy(seeds[2], up.inbox / "again.txt")
        assert wait_until(lambda: json.loads(path.read_text())["source"]["aliases"] == ["again.txt"], 60)
        client = up.client()
        client.rpush(up.keys.aliases(aid), "earlier.txt")  # as a pre-upgrade watcher left it ...
        make_app(Settings.from_env({}), up.url()).send_task(REFRESH_ARTICLE, args=[aid], queue="newsflow")
        assert wait_until(lambda: json.loads(path.read_text())["source"]["aliases"] == ["again.txt", "earlier.txt"],
                          60), up.log.read_text()[-3000:]
        assert int(client.hget(up.keys.stats(), "done")) == 1 and len(list(up.results.glob("*.json"))) == 1
        assert "aliases" not in json.loads(client.get(up.keys.record(aid)))["source"]
    finally:
        assert up.stop() == 0
    stages = [line for line in up.log.read_text().splitlines() if '"stage_done"' in line and '"clean"' in line]
    assert len(stages) == 1  # processed once


def test_celery_task_events_reach_a_monitor(tmp_path):
    """What `celery events` and Flower see: a receiver on the deployment's broker gets the task's
    sent (from the watcher), received, started and succeeded events for a dropped file."""
    import threading

    from newsflow.settings import Settings
    from tasks.app import make_app
    from tests.corpus import drop
    from tests.service import Up

    up = Up(tmp_path, workers=1).start()
    seen: list[str] = []
    app = make_app(Settings.from_env({}), up.url())
    stop_receiving = threading.Event()

    def receive() -> None:
        with app.connection_for_read() as conn:
            recv = app.events.Receiver(conn, handlers={"*": lambda event: seen.append(event["type"])})
            while not stop_receiving.is_set():
                try:
                    recv.capture(limit=None, timeout=1, wakeup=False)
                except OSError:  # the capture's timeout: look at the stop flag again
                    pass

    thread = threading.Thread(target=receive, daemon=True)
    thread.start()
    try:
        wait_until(lambda: "worker-heartbeat" in seen, 30)
        drop(up.inbox, 0, 1)
        assert up.wait_results(1, 120) == 1
        assert wait_until(lambda: "task-succeeded" in seen, 30), seen
    finally:
        stop_receiving.set()
        assert up.stop() == 0
    assert {"task-sent", "task-received", "task-started", "task-succeeded"} <= set(seen)


def test_a_pool_process_is_replaced_after_its_article_quota(tmp_path):
    """With NEWSFLOW_MAX_ARTICLES_PER_PROCESS=2 and one pool process, 7 files are processed by at
    least four processes in turn, each forked with the node's models (no model loaded again), and
    every file still ends as one ok result."""
    from tests.corpus import drop
    from tests.service import Up, follow

    up = Up(tmp_path, workers=1, NEWSFLOW_MAX_ARTICLES_PER_PROCESS="2").start()
    try:
        drop(up.inbox, 0, 7)
        assert up.wait_results(7, 180) == 7, up.log.read_text()[-3000:]
    finally:
        assert up.stop() == 0
    got = results(up.results)
    assert len(got) == 7 and all(r["status"] == "ok" for r in got.values())
    processes = {r["worker"] for r in got.values()}
    assert len(processes) >= 4, processes
    events = follow(up.log, 0)[0]
    ready = [e for e in events if e.get("event") == "pool_process_ready"]
    loaded = [e for e in events if e.get("event") == "model_loaded"]
    assert len(ready) >= 4 and len(loaded) == 2, (len(ready), len(loaded))  # NER + story model, once
