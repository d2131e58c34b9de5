"""Tests of workers.watcher and newsflow.intake on a real inbox, real watchdog, real Redis."""

import os
import subprocess
import sys
import threading
import time

import pytest

from newsflow.intake import Intake, Skipped, ignored
from newsflow.values import article_id
from newsflow.store import Store
from tests.helpers import wait_until
from workers.watcher import SeenFiles, Watcher


class Harness:
    """A watcher running in a thread; admitted ids are collected instead of queued."""

    def __init__(self, inbox, client, keys, depth=lambda: 0, **kw):
        self.queued = []
        self.store = Store(client, keys)
        intake = Intake(self.store, kw.pop("max_bytes", 1 << 20), self.queued.extend)
        self.watcher = Watcher(inbox, intake, queue_depth=depth, seen=SeenFiles(client, keys.seen_files()),
                               quiet_seconds=kw.pop("quiet_seconds", 0.3), **kw)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watcher.run, args=(self.stop,), daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(10)

    def wait_for(self, n, timeout=10.0):
        deadline = time.monotonic() + timeout
        while len(self.queued) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.queued)


def test_takes_files_present_at_start_and_new_ones(tmp_path, redis_client, keys):
    """Files already in the inbox, new files and files in new nested folders are admitted once each."""
    inbox = tmp_path / "in"
    (inbox / "old").mkdir(parents=True)
    (inbox / "old" / "a.txt").write_bytes(b"first article")
    with Harness(inbox, redis_client, keys) as h:
        assert h.wait_for(1) == [article_id(b"first article")]
        (inbox / "b.html").write_bytes(b"<p>second</p>")
        deep = inbox / "x" / "y" / "z"
        deep.mkdir(parents=True)
        (deep / "c.json").write_bytes(b'{"text": "third"}')
        got = h.wait_for(3)
    assert sorted(got) == sorted(article_id(d) for d in (b"first article", b"<p>second</p>", b'{"text": "third"}'))
    assert h.store.source(got[-1])["path"] in ("x/y/z/c.json", "b.html")


def test_temporary_names_wait_until_renamed(tmp_path, redis_client, keys):
    """A .part file is ignored; renaming it to its final name gets it admitted."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    with Harness(inbox, redis_client, keys) as h:
        (inbox / "d.txt.part").write_bytes(b"downloading")
        (inbox / ".hidden").write_bytes(b"hidden")
        time.sleep(1.0)
        assert h.queued == []
        os.rename(inbox / "d.txt.part", inbox / "d.txt")
        assert h.wait_for(1) == [article_id(b"downloading")]


def test_slow_writer_is_taken_once_complete(tmp_path, redis_client, keys):
    """A file written over several seconds is admitted once, with all its bytes."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    chunks = [b"part %d of a slowly written article\n" % i for i in range(5)]
    with Harness(inbox, redis_client, keys) as h:
        with open(inbox / "slow.txt", "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
                fh.flush()
                time.sleep(0.6)  # longer than the quiet period: only close-write says it is done
        got = h.wait_for(1)
        time.sleep(0.5)
    assert got == [article_id(b"".join(chunks))] and len(h.queued) == 1


def test_rescan_never_readmits_and_restart_remembers(tmp_path, redis_client, keys):
    """A reconciliation scan and a restarted watcher skip files already admitted."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "a.txt").write_bytes(b"alpha")
    with Harness(inbox, redis_client, keys, rescan_seconds=0.2) as h:
        h.wait_for(1)
        time.sleep(1.0)  # several rescans
    assert len(h.queued) == 1
    with Harness(inbox, redis_client, keys) as again:
        time.sleep(1.0)
    assert again.queued == []


def test_same_bytes_under_another_name_is_an_alias(tmp_path, redis_client, keys):
    """Re-dropping the same bytes under a new name is not queued again; the name becomes an alias."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    with Harness(inbox, redis_client, keys) as h:
        (inbox / "one.txt").write_bytes(b"same bytes")
        h.wait_for(1)
        (inbox / "two.txt").write_bytes(b"same bytes")
        time.sleep(1.0)
    assert len(h.queued) == 1
    assert h.store.aliases(h.queued[0]) == ["two.txt"]


def test_backpressure_pauses_admission(tmp_path, redis_client, keys):
    """Above the high-water mark no file is admitted; below the low-water mark admission resumes."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    depth = {"n": 10}
    with Harness(inbox, redis_client, keys, depth=lambda: depth["n"], high_water=5, low_water=2) as h:
        for i in range(3):
            (inbox / f"{i}.txt").write_bytes(b"article %d" % i)
        time.sleep(1.0)
        assert h.queued == []
        depth["n"] = 0
        assert len(h.wait_for(3)) == 3


def test_symlinks_are_never_followed(tmp_path, redis_client, keys):
    """A symlink to a file outside the inbox is skipped and its target never read."""
    outside = tmp_path / "secret.txt"
    outside.write_bytes(b"secret")
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "link.txt").symlink_to(outside)
    intake = Intake(Store(redis_client, keys), 1 << 20, lambda i: None)
    with pytest.raises(Skipped, match="symbolic link"):
        intake.admit(inbox / "link.txt", "link.txt")
    with Harness(inbox, redis_client, keys) as h:
        (inbox / "real.txt").write_bytes(b"real")
        got = h.wait_for(1)
        time.sleep(0.5)
    assert got == [article_id(b"real")]


def test_oversized_file_is_admitted_as_failed(tmp_path, redis_client, keys):
    """A file over the size cap is not stored; it is admitted with a TooLarge error for its record."""
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2048)
    store = Store(redis_client, keys)
    queued = []
    adm = Intake(store, 1024, queued.extend).admit(big, "big.txt")
    assert adm.error == "TooLarge" and queued == [adm.article_id]
    assert adm.article_id == article_id(b"x" * 2048)
    assert store.raw(adm.article_id) is None
    assert "over the limit of 1024" in store.source(adm.article_id)["error_message"]


@pytest.mark.parametrize("name, skip", [
    ("a.txt", False), ("noext", False), (".x", True), ("a.tmp", True), ("a.part", True),
    ("a.crdownload", True), ("a.txt~", True),
])
def test_ignored_names(name, skip):
    """Hidden and temporary names (contract: Inputs) are ignored."""
    assert ignored(name) is skip


def test_writer_active_sees_open_writers(tmp_path):
    """The lease probe says True while a writer holds the file open and False once it closed."""
    from workers.watcher import writer_active

    path = tmp_path / "f.txt"
    with open(path, "wb") as fh:
        fh.write(b"x")
        assert writer_active(str(path)) is True
    assert writer_active(str(path)) is False
    assert writer_active(str(tmp_path / "missing")) is None


def test_overflow_warning_triggers_a_rescan(tmp_path, redis_client, keys):
    """When watchdog reports an inotify overflow, files whose events were lost are found by a rescan."""
    import logging

    inbox = tmp_path / "in"
    inbox.mkdir()
    with Harness(inbox, redis_client, keys, rescan_seconds=3600) as h:
        time.sleep(0.3)
        # Lose the file's events, as an overflowed kernel queue would.
        note = h.watcher._note
        h.watcher._note = lambda *a, **k: None
        (inbox / "lost.txt").write_bytes(b"lost event")
        time.sleep(0.5)
        assert h.queued == []
        h.watcher._note = note
        logging.getLogger("watchdog.observers.inotify_c").warning("Inotify queue overflowed; filesystem events were lost")
        assert h.wait_for(1) == [article_id(b"lost event")]


def test_a_lone_symlink_never_stops_the_watcher(tmp_path, redis_client, keys):
    """A symlink arriving on its own is skipped; the next real file is still admitted."""
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"outside")
    inbox = tmp_path / "in"
    inbox.mkdir()
    with Harness(inbox, redis_client, keys) as h:
        time.sleep(0.3)
        (inbox / "alone.txt").symlink_to(outside)
        time.sleep(1.0)
        (inbox / "after.txt").write_bytes(b"after")
        assert h.wait_for(1) == [article_id(b"after")]
        assert h.thread.is_alive()


def test_folder_swapped_for_a_link_is_not_followed(tmp_path, redis_client, keys):
    """A sub-folder replaced by a symlink to outside after use: files under it are never read."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret outside")
    inbox = tmp_path / "in"
    (inbox / "sub").mkdir(parents=True)
    with Harness(inbox, redis_client, keys) as h:
        (inbox / "sub" / "a.txt").write_bytes(b"inside")
        assert h.wait_for(1) == [article_id(b"inside")]
        (inbox / "sub" / "a.txt").unlink()
        (inbox / "sub").rmdir()
        (inbox / "sub").symlink_to(outside)
        time.sleep(0.5)
        h.watcher.scan()
        time.sleep(1.0)
    assert h.queued == [article_id(b"inside")]


def test_a_file_renamed_in_is_taken_at_once_even_with_its_writer_open(tmp_path, redis_client, keys):
    """A rename into the inbox marks a file complete: it is taken without waiting for its writer or the quiet period."""
    inbox, outside = tmp_path / "in", tmp_path / "staging.txt"
    inbox.mkdir()
    with Harness(inbox, redis_client, keys, quiet_seconds=3600) as h, open(outside, "wb") as writer:
        time.sleep(0.3)
        writer.write(b"written elsewhere, then moved in")
        writer.flush()
        os.rename(outside, inbox / "moved.txt")  # the writer still holds the file open
        assert h.wait_for(1, timeout=5) == [article_id(b"written elsewhere, then moved in")]


@pytest.mark.skipif(not os.uname().sysname == "Linux", reason="inotify's event mask")
def test_reads_raise_no_events_and_moves_in_are_moves(tmp_path):
    """With the watcher's event filter, opening and reading a file raises no event; a file moved in from outside is a move."""
    import queue

    from workers.watcher import WATCHED_EVENTS, _Handler, _native_observer

    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "present.txt").write_bytes(b"already here")
    (tmp_path / "outside.txt").write_bytes(b"from elsewhere")
    events: queue.SimpleQueue = queue.SimpleQueue()
    observer = _native_observer()
    observer.schedule(_Handler(events), str(inbox), recursive=True, event_filter=WATCHED_EVENTS)
    observer.start()
    try:
        for _ in range(3):
            assert (inbox / "present.txt").read_bytes() == b"already here"
        time.sleep(0.5)
        assert events.empty(), "reading a file must not raise events"
        os.rename(tmp_path / "outside.txt", inbox / "arrived.txt")
        assert events.get(timeout=5) == ("moved", str(inbox / "arrived.txt"))
    finally:
        observer.stop()
        observer.join(5)


def test_a_file_reopened_and_appended_is_taken_once_when_settled(tmp_path, redis_client, keys):
    """A writer that opens, appends and closes the file every 0.3 s: one admission, of the whole
    file, once it stayed closed and unchanged for the settle window (not one per close)."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    parts = [b"paragraph %d of an article written in bursts\n" % i for i in range(6)]
    writer = ("import sys, time\n"
              "for i in range(6):\n"
              "    with open(sys.argv[1], 'ab') as fh: fh.write(b'paragraph %d of an article written in bursts\\n' % i)\n"
              "    time.sleep(0.3)\n")
    with Harness(inbox, redis_client, keys, settle_seconds=1.5) as h:
        # a process of its own, so the watcher's thread cannot slow the writer down
        subprocess.run([sys.executable, "-c", writer, str(inbox / "bursts.txt")], check=True, timeout=30)
        got = h.wait_for(1, timeout=10)
        time.sleep(2)
    assert (inbox / "bursts.txt").read_bytes() == b"".join(parts)
    assert got == [article_id(b"".join(parts))] and len(h.queued) == 1


def test_a_file_closed_once_waits_only_the_settle_window(tmp_path, redis_client, keys):
    """A file written and closed once is taken after the settle window, not later (the cost of
    the window is exactly its length); a file renamed in is taken at once."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    with Harness(inbox, redis_client, keys, settle_seconds=0.5) as h:
        time.sleep(0.3)
        started = time.monotonic()
        (inbox / "written.txt").write_bytes(b"written in place")
        assert h.wait_for(1, timeout=5) == [article_id(b"written in place")]
        took = time.monotonic() - started
        (tmp_path / "moved.txt").write_bytes(b"renamed into place")
        started = time.monotonic()
        os.rename(tmp_path / "moved.txt", inbox / "moved.txt")
        assert h.wait_for(2, timeout=5)[1] == article_id(b"renamed into place")
        moved = time.monotonic() - started
    assert took >= 0.5 and moved + 0.25 < took  # the window is waited for in-place writes only


def test_an_inbox_deleted_and_created_again_is_watched_again_at_once(tmp_path, redis_client, keys):
    """rm -r inbox; mkdir inbox; a file dropped there is taken within seconds (not at the next
    rescan), and the watcher says what happened."""
    import shutil

    from structlog.testing import capture_logs

    inbox = tmp_path / "in"
    inbox.mkdir()
    with capture_logs() as logs, Harness(inbox, redis_client, keys, rescan_seconds=600) as h:
        time.sleep(0.3)
        shutil.rmtree(inbox)
        time.sleep(1.5)
        inbox.mkdir()
        time.sleep(1.5)
        (inbox / "after.txt").write_bytes(b"dropped into the new inbox")
        assert h.wait_for(1, timeout=5) == [article_id(b"dropped into the new inbox")]
    events = [e["event"] for e in logs]
    assert "inbox_missing" in events and "inbox_watched_again" in events


def test_every_file_taken_or_skipped_says_so_once(tmp_path, redis_client, keys):
    """The same bytes dropped again under a name already taken (its result committed): one
    `file_known` naming the id; a FIFO and a symbolic link: one `file_skipped` each with the
    reason, not one more at every rescan."""
    from structlog.testing import capture_logs

    inbox = tmp_path / "in"
    inbox.mkdir()
    os.mkfifo(inbox / "pipe.txt")
    (inbox / "link.txt").symlink_to(tmp_path / "elsewhere.txt")
    words = b"the same words"
    with capture_logs() as logs, Harness(inbox, redis_client, keys, rescan_seconds=0.3) as h:
        (inbox / "a.txt").write_bytes(words)
        assert h.wait_for(1) == [article_id(words)]
        h.store.commit({"id": article_id(words), "status": "ok", "source": {}})
        (inbox / "a.txt").unlink()
        (inbox / "a.txt").write_bytes(words)  # dropped again: known, nothing to do
        assert wait_until(lambda: any(e["event"] == "file_known" for e in logs), 10)
        time.sleep(1.5)  # several rescans
    skipped = sorted(e["path"] for e in logs if e["event"] == "file_skipped")
    assert skipped == ["link.txt", "pipe.txt"] and all(e["reason"] for e in logs if e["event"] == "file_skipped")
    known = [e for e in logs if e["event"] == "file_known"]
    assert [(e["path"], e["article_id"]) for e in known] == [("a.txt", article_id(words))]
    assert h.queued == [article_id(words)]


def test_what_the_watcher_has_seen_is_read_again_when_another_server_answers(tmp_path):
    """A server that lacks the last writes (a promoted replica; here a restart without its data):
    the watcher's map of files taken is read again, so the files whose admission was lost are
    taken again; the same server keeps the cached map."""
    import shutil

    import redis

    from tests.service import ValkeyProcess, free_port

    server = ValkeyProcess(tmp_path / "valkey", free_port()).start()
    try:
        seen = SeenFiles(redis.Redis.from_url(server.url), "seen")
        seen.add("a.txt", 10, 20)
        assert not seen.refresh() and seen.get("a.txt") == (10, 20)
        server.stop()
        shutil.rmtree(server.folder)
        server.folder.mkdir()
        server.start()
        assert seen.get("a.txt") == (10, 20)  # cached until the next scan asks
        assert seen.refresh() and seen.get("a.txt") is None and len(seen) == 0
    finally:
        server.stop()


def test_files_that_left_the_inbox_leave_the_map_of_files_seen(tmp_path, redis_client, keys):
    """The map of files seen holds no more than the inbox: a rescan forgets the files removed
    since (and says how many), keeps the ones still there, and never takes those again."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (inbox / name).write_bytes(f"text of {name}".encode())
    with Harness(inbox, redis_client, keys, rescan_seconds=0.2) as h:
        h.wait_for(3)
        (inbox / "a.txt").unlink()
        (inbox / "c.txt").unlink()
        assert wait_until(lambda: redis_client.hlen(keys.seen_files()) == 1, 5)
        time.sleep(0.6)  # more rescans: nothing else forgotten, nothing taken again
    assert redis_client.hkeys(keys.seen_files()) == [b"b.txt"] and len(h.queued) == 3
