"""The inbox watcher: notices complete files and admits them.

watchdog reports changes (inotify where the OS has it; a polling observer by
flag, for network mounts). A file is taken once it is complete:

- at once on close-after-write (inotify's IN_CLOSE_WRITE) or when it is
  renamed into place;
- otherwise once its size and mtime have stayed still for MIN_STILL and no
  process has it open for writing (asked through a Linux read lease); where
  the OS won't say (no lease rights, other OSes), once it has stayed still
  for the quiet period (longer for files seen being written).

A full scan runs at start and then periodically (reconciliation: catches
anything an overflowed event queue lost). Files already admitted are
remembered in Redis by path, size and mtime, so scans never re-admit them.
While the queue is above the high-water mark, admission pauses; files wait
safely in the inbox.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import queue
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import redis
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from newsflow.intake import Admission, Intake, ignored, name_text
from newsflow.logs import get_logger

log = get_logger()

#: With inotify, a file written under our watch whose writer the OS cannot
#: show (no lease rights) and that was never seen closed is taken after this
#: many seconds without change.
UNCLOSED_GRACE = 30.0
#: Seconds between back-pressure checks of the queue depth.
DEPTH_CHECK_EVERY = 0.2
#: Seconds the loop sleeps when there is nothing to do.
IDLE = 0.05
#: Seconds a file's size and mtime must stay still before we ask the OS whether
#: a writer still holds it (files renamed in from outside the inbox arrive as
#: "created" with no close-write event after them).
MIN_STILL = 0.1
#: Seconds between checks that the inbox folder is still the one watched (deleted,
#: recreated: inotify's watch went with the old folder).
INBOX_CHECK_EVERY = 1.0
#: Files admitted per Redis round trip and message batch.
ADMIT_BATCH = 256
#: The events the watcher asks for. With inotify this is the kernel's event mask:
#: without it every open, read and close of a file -- including the watcher's
#: own reads -- is an event, five for each file admitted, all parsed in Python.
WATCHED_EVENTS = [FileCreatedEvent, FileModifiedEvent, FileClosedEvent, FileMovedEvent,
                  DirCreatedEvent, DirMovedEvent, DirDeletedEvent]
#: Folders whose real location is remembered (cleared when full; a moved folder
#: is re-resolved at the next clear or restart, and files are opened O_NOFOLLOW anyway).
FOLDER_CACHE = 10_000


def writer_active(path: str) -> bool | None:
    """True if some process has `path` open for writing, False if none, None if the OS won't say.

    A read lease (Linux F_SETLEASE) is refused with EAGAIN while any writer has
    the file open. Leases need the file's owner (or CAP_LEASE); otherwise None.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    except OSError as exc:
        return True if exc.errno in (errno.EAGAIN, errno.EBUSY) else None
    else:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        return False
    finally:
        os.close(fd)


def _native_observer():
    """The OS's observer; on Linux one that reports a file moved in from outside
    the inbox as a move (complete, take it) rather than as a creation (wait)."""
    if sys.platform.startswith("linux"):
        from watchdog.observers.inotify import InotifyObserver

        return InotifyObserver(generate_full_events=True)
    return Observer()


@dataclass
class _Pending:
    size: int
    mtime_ns: int
    stable_since: float
    quiet: float  # seconds of stability needed
    ready: bool = False  # closed after writing, or renamed into place
    settle_until: float = 0.0  # a ready file is taken once still until then (closed: it may be reopened)


class _OverflowAlarm(logging.Handler):
    """Sets `event` when watchdog reports that the kernel's inotify queue overflowed.

    watchdog's only signal for IN_Q_OVERFLOW is a warning on its logger; events
    were lost, so the watcher answers with an immediate full scan.
    """

    def __init__(self, event: threading.Event):
        super().__init__(logging.WARNING)
        self.event = event

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self.event.set()


class _Handler(FileSystemEventHandler):
    """Puts watchdog's events on a queue; the watcher loop does all the work."""

    def __init__(self, events: "queue.SimpleQueue[tuple[str, str]]"):
        self.events = events

    def on_closed(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.events.put(("closed", str(event.src_path)))

    def on_created(self, event: FileSystemEvent) -> None:
        self.events.put(("dir" if event.is_directory else "changed", str(event.src_path)))

    def on_modified(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.events.put(("changed", str(event.src_path)))

    def on_moved(self, event: FileSystemEvent) -> None:
        # Full move events: a move from outside the inbox has no source, a move
        # out of it no destination. A file renamed in is complete: take it at once.
        if event.is_directory and event.src_path:
            self.events.put(("dir_gone", str(event.src_path)))
        if event.dest_path:
            self.events.put(("dir" if event.is_directory else "moved", str(event.dest_path)))

    def on_deleted(self, event: FileSystemEvent) -> None:
        if event.is_directory:
            self.events.put(("dir_gone", str(event.src_path)))


class Watcher:
    """Watches `inbox` and admits every complete file through `intake`."""

    def __init__(
        self,
        inbox: Path,
        intake: Intake,
        *,
        queue_depth: Callable[[], int],
        seen: "SeenFiles",
        polling: bool = False,
        quiet_seconds: float = 1.0,
        rescan_seconds: float = 60.0,
        high_water: int = 2000,
        low_water: int = 1000,
        settle_seconds: float = 0.0,
    ):
        self.inbox = inbox.resolve()
        self.intake = intake
        self.queue_depth = queue_depth
        self.seen = seen
        self.polling = polling
        self.quiet = quiet_seconds
        self.rescan_every = rescan_seconds
        self.high_water = high_water
        self.low_water = low_water
        self.settle = settle_seconds
        self._inbox_id: tuple[int, int] | None = None
        self._observer = None
        self.events: queue.SimpleQueue[tuple[str, str]] = queue.SimpleQueue()
        self.pending: dict[str, _Pending] = {}
        self.paused = False
        self.admitted = 0
        #: files that are not files to take (a FIFO, a link), as (size, mtime_ns) when skipped
        self._skipped: dict[str, tuple[int, int]] = {}
        #: folder -> its path relative to the inbox ("" if outside), so each folder is resolved once
        self._folders: dict[Path, str] = {}

    # -- the loop -------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        self.inbox.mkdir(parents=True, exist_ok=True)
        self._inbox_id = self._inbox_identity()
        self._observer = self._start_observer()
        overflow = threading.Event()
        alarm = _OverflowAlarm(overflow)
        watchdog_log = logging.getLogger("watchdog.observers")
        watchdog_log.addHandler(alarm)
        log.info("watcher_started", inbox=str(self.inbox), observer=type(self._observer).__name__,
                 quiet_seconds=self.quiet, rescan_seconds=self.rescan_every)
        try:
            self.scan()
            next_scan = time.monotonic() + self.rescan_every
            next_depth = next_inbox = 0.0
            while not stop.is_set():
                self._drain_events()
                now = time.monotonic()
                if now >= next_inbox:
                    if self._inbox_replaced():
                        next_scan = now
                    next_inbox = now + INBOX_CHECK_EVERY
                if overflow.is_set():
                    overflow.clear()
                    log.error("inotify_overflow", action="rescan",
                              hint="raise fs.inotify.max_queued_events, or use --polling")
                    next_scan = now
                if now >= next_scan:
                    self.scan()
                    next_scan = now + self.rescan_every
                if now >= next_depth:
                    self._check_backpressure()
                    next_depth = now + DEPTH_CHECK_EVERY
                took = 0 if self.paused else self._admit_ready(now)
                if not took and self.events.empty():
                    stop.wait(IDLE)
        finally:
            watchdog_log.removeHandler(alarm)
            self._observer.stop()
            self._observer.join(timeout=5)
            log.info("watcher_stopped", admitted=self.admitted, pending=len(self.pending))

    def _inbox_identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.inbox)
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def _inbox_replaced(self) -> bool:
        """Notice the inbox folder deleted (or replaced): watch the new one as soon as it
        exists. True when watching starts again (a scan is due)."""
        now = self._inbox_identity()
        if now == self._inbox_id:
            return False
        if now is None:
            log.warning("inbox_missing", inbox=str(self.inbox), action="waiting for it to be created again")
            self._inbox_id = None
            return False
        if self._inbox_id is not None:
            log.warning("inbox_replaced", inbox=str(self.inbox))
        self._observer.stop()
        self._observer.join(timeout=5)
        self._folders.clear()
        self.pending.clear()
        self._inbox_id = now
        self._observer = self._start_observer()
        log.info("inbox_watched_again", inbox=str(self.inbox), observer=type(self._observer).__name__)
        return True

    def _start_observer(self):
        """inotify (or polling by flag); polling as a loud fallback if inotify's limits are hit."""
        handler = _Handler(self.events)
        if not self.polling:
            observer = _native_observer()
            try:
                observer.schedule(handler, str(self.inbox), recursive=True, event_filter=WATCHED_EVENTS)
                observer.start()
                return observer
            except OSError as exc:  # ENOSPC: fs.inotify.max_user_watches (or instances) exhausted
                log.error("inotify_unavailable", error=str(exc), action="polling",
                          hint="raise fs.inotify.max_user_watches / max_user_instances")
                observer.stop()
        observer = PollingObserver(timeout=1)
        observer.schedule(handler, str(self.inbox), recursive=True, event_filter=WATCHED_EVENTS)
        observer.start()
        return observer

    def _drain_events(self, limit: int = 10_000) -> None:
        for _ in range(limit):
            try:
                kind, path = self.events.get_nowait()
            except queue.Empty:
                return
            if kind == "dir_gone":  # a folder left: forget where it was (it may come back as a link)
                self._folders.clear()
            elif kind == "dir":  # a folder created or moved in: its files raise no events of their own
                self._folders.clear()
                self._scan_dir(Path(path))
            else:
                self._note(path, ready=kind in ("closed", "moved"), quiet=UNCLOSED_GRACE
                           if not self.polling else self.quiet, settle=self.settle if kind == "closed" else 0.0)

    def _note(self, path: str, *, ready: bool, quiet: float, settle: float = 0.0) -> None:
        if ignored(os.path.basename(path)):
            return
        try:
            st = os.lstat(path)
        except OSError:
            self.pending.pop(path, None)
            return
        entry = self.pending.get(path)
        now = time.monotonic()
        if entry is None or (entry.size, entry.mtime_ns) != (st.st_size, st.st_mtime_ns):
            self.pending[path] = _Pending(st.st_size, st.st_mtime_ns, now, quiet, ready, now + settle)
        elif ready:
            entry.ready = True
            entry.settle_until = now + settle
        else:  # a writer is active under our watch: wait for its close, not just a pause
            entry.quiet = max(entry.quiet, quiet)

    def _admit_ready(self, now: float) -> int:
        """Admit every pending file that is complete, in batches; returns how many were taken."""
        ready: list[tuple[Path, int, int]] = []
        for path, entry in list(self.pending.items()):
            try:
                st = os.lstat(path)
            except OSError:
                del self.pending[path]
                continue
            if (st.st_size, st.st_mtime_ns) != (entry.size, entry.mtime_ns):
                entry.size, entry.mtime_ns, entry.stable_since = st.st_size, st.st_mtime_ns, now
                entry.ready = False
                continue
            if entry.ready and now < entry.settle_until:
                continue  # closed a moment ago: a writer that reopens it is not done
            if not entry.ready:
                quiet_for = now - entry.stable_since
                if quiet_for < MIN_STILL:
                    continue
                active = writer_active(path)
                if active:  # still open for writing: look again later
                    entry.stable_since = now
                    continue
                if active is None and quiet_for < max(self.quiet, entry.quiet):  # the OS won't say
                    continue
            del self.pending[path]
            ready.append((Path(path), st.st_size, st.st_mtime_ns))
            if len(ready) >= ADMIT_BATCH:
                self._admit(ready)
                ready = []
                self._check_backpressure()
                if self.paused:
                    return ADMIT_BATCH
        self._admit(ready)
        return len(ready)

    def _admit(self, files: list[tuple[Path, int, int]]) -> None:
        batch: list[tuple[Path, str]] = []
        stats: dict[str, tuple[int, int]] = {}
        for path, size, mtime_ns in files:
            rel = self._relative(path)
            if rel is None:
                log.warning("file_outside_inbox", path=name_text(str(path)))
            elif self.seen.get(rel) != (size, mtime_ns) and self._skipped.get(rel) != (size, mtime_ns):
                batch.append((path, rel))
                stats[rel] = (size, mtime_ns)
        if not batch:
            return
        taken = {}
        for (path, rel), admission in zip(batch, self._admit_batch(batch)):
            if admission.outcome == "skipped":
                reason = admission.error or ""
                event = "file_unreadable" if "Errno" in reason else "file_skipped"
                log.log(logging.WARNING if event == "file_unreadable" else logging.INFO, event,
                        path=name_text(rel), reason=reason)
                if event == "file_skipped":  # a FIFO, a link: said once, not at every rescan
                    if len(self._skipped) >= FOLDER_CACHE:
                        self._skipped.clear()
                    self._skipped[rel] = stats[rel]
                continue
            taken[rel] = stats[rel]
        self.seen.add_many(taken)
        self.admitted += len(taken)

    def _admit_batch(self, batch: list[tuple[Path, str]]) -> list[Admission]:
        """Admit a batch; if it fails for a reason other than Redis, each file alone, so one
        input the code did not foresee is skipped (and logged) and never blocks the others."""
        try:
            return self.intake.admit_many(batch)
        except redis.RedisError:
            raise  # the deployment's fault: the watcher's restart (or the next try) takes them
        except Exception:
            log.exception("admit_batch_failed", files=len(batch), action="one_by_one")
        out = []
        for item in batch:
            try:
                out.extend(self.intake.admit_many([item]))
            except redis.RedisError:
                raise
            except Exception as exc:  # the loop boundary: this input only
                log.exception("file_admit_failed", path=name_text(item[1]))
                out.append(Admission("", "skipped", f"{type(exc).__name__}: {exc}"))
        return out

    def _relative(self, path: Path) -> str | None:
        """`path` relative to the inbox, if its real folder is inside the inbox (never via a link)."""
        folder = self._folders.get(path.parent)
        if folder is None:
            real = Path(os.path.realpath(path.parent))
            inside = real == self.inbox or self.inbox in real.parents
            folder = str(real.relative_to(self.inbox)) if inside else ""
            if len(self._folders) > FOLDER_CACHE:
                self._folders.clear()
            self._folders[path.parent] = folder
        if folder == "":
            return None
        return path.name if folder == "." else f"{folder}/{path.name}"

    # -- scans and back-pressure ----------------------------------------
    def scan(self) -> None:
        """Note every file in the inbox not admitted yet (start and reconciliation)."""
        started = time.monotonic()
        if self.seen.refresh():
            log.info("seen_files_reloaded", files=len(self.seen), reason="another Redis server answers")
        before, known = len(self.pending), self.seen.paths()
        present: set[str] = set()
        self._scan_dir(self.inbox, present)
        # A file that left the inbox leaves the map too, so it holds no more than the inbox does
        # (were it dropped again, its bytes are known by id: an alias, never processed twice).
        forgotten = self.seen.forget(known - present) if self.inbox.is_dir() else 0
        log.info("inbox_scanned", found=len(self.pending) - before, pending=len(self.pending),
                 forgotten=forgotten, duration_ms=round((time.monotonic() - started) * 1000, 1))

    def _scan_dir(self, top: Path, present: set[str] | None = None) -> None:
        """Note the files under `top` not admitted yet; every file's inbox path goes in `present`."""
        now_wall = time.time()
        for folder, dirs, files in os.walk(top, followlinks=False):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                if ignored(name):
                    continue
                path = os.path.join(folder, name)
                rel = self._relative(Path(path))
                if rel is not None and present is not None:
                    present.add(rel)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                if rel is None or self.seen.get(rel) == (st.st_size, st.st_mtime_ns):
                    continue
                if path not in self.pending:
                    old = now_wall - st.st_mtime_ns / 1e9 >= self.quiet
                    self.pending[path] = _Pending(st.st_size, st.st_mtime_ns, time.monotonic(),
                                                  self.quiet, ready=old)

    def _check_backpressure(self) -> None:
        depth = self.queue_depth()
        if not self.paused and depth >= self.high_water:
            self.paused = True
            log.warning("backpressure_on", queued=depth, high_water=self.high_water)
        elif self.paused and depth <= self.low_water:
            self.paused = False
            log.info("backpressure_off", queued=depth, low_water=self.low_water)


#: Paths one HDEL removes from the map of files seen.
FORGET_BATCH = 1000


class SeenFiles:
    """Files already admitted, by inbox-relative path: (size, mtime_ns). Kept in Redis, cached here
    for as long as the same server answers (see `refresh`)."""

    def __init__(self, client, key: str):
        self.r = client
        self.key = key
        self._cache: dict[str, tuple[int, int]] = {}
        self._server = ""
        self.refresh()

    def refresh(self) -> bool:
        """Read the map again if another server answers now (a failover promoted a replica, or a
        server restarted from its append-only file): what it lacks (the last writes before the
        switch) must be admitted again. True when it was read again."""
        server = self.r.info("server").get("run_id", "")
        if server == self._server:
            return False
        cache: dict[str, tuple[int, int]] = {}
        for path, value in self.r.hscan_iter(self.key, count=1000):
            size, mtime = value.decode().split(":")[:2]
            cache[path.decode("utf-8", "surrogateescape")] = (int(size), int(mtime))
        self._cache, self._server = cache, server
        return True

    def get(self, rel: str) -> tuple[int, int] | None:
        return self._cache.get(rel)

    def __len__(self) -> int:
        return len(self._cache)

    def paths(self) -> set[str]:
        return set(self._cache)

    def forget(self, paths: set[str]) -> int:
        """Drop these paths (files no longer in the inbox); returns how many."""
        rels = sorted(paths)
        for i in range(0, len(rels), FORGET_BATCH):
            batch = rels[i:i + FORGET_BATCH]
            self.r.hdel(self.key, *(rel.encode("utf-8", "surrogateescape") for rel in batch))
            for rel in batch:
                self._cache.pop(rel, None)
        return len(rels)

    def add(self, rel: str, size: int, mtime_ns: int) -> None:
        self.add_many({rel: (size, mtime_ns)})

    def add_many(self, files: dict[str, tuple[int, int]]) -> None:
        if not files:
            return
        self._cache.update(files)
        self.r.hset(self.key, mapping={rel.encode("utf-8", "surrogateescape"): f"{size}:{mtime}"
                                       for rel, (size, mtime) in files.items()})
