"""Taking a file in: read it safely, store its bytes once, hand its id to the queue.

Raw bytes travel through Redis, not in the task message: they are stored once
under their id (so a worker on a host without the inbox can process them, and
a re-drop of the same bytes is recognised before any work is queued), and the
message carries only the id. The bytes are deleted when the result commits.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from newsflow.logs import get_logger
from newsflow.model import ID_HEX_CHARS, article_id
from newsflow.store import Source, Store

log = get_logger()

#: Names the watcher leaves alone until they are renamed (contract: Inputs).
TEMPORARY_SUFFIXES = (".tmp", ".part", ".crdownload", "~", ".swp")
#: Bytes read per chunk when hashing a file over the size cap.
HASH_CHUNK = 1 << 20


def ignored(name: str) -> bool:
    """Hidden and temporary names are ignored until renamed."""
    return name.startswith(".") or name.endswith(TEMPORARY_SUFFIXES)


class Skipped(Exception):
    """The path is not a file to take (symlink, directory, device, vanished)."""


@dataclass(frozen=True)
class Admission:
    article_id: str
    #: "new": first arrival, queued; "alias": known bytes under a new name;
    #: "known": known bytes under a known name, done (nothing to do);
    #: "requeued": known, not done yet, queued again.
    outcome: str
    error: str | None = None


def _read(path: Path, max_bytes: int) -> tuple[bytes | None, int, str]:
    """(bytes or None if over the cap, size, sha256) of a regular file, never following a symlink."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Skipped("a symbolic link: never followed") from None
        if exc.errno == errno.ENOENT:
            raise Skipped("vanished before it could be read") from None
        raise
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Skipped("not a regular file")
        if st.st_size > max_bytes:
            digest = hashlib.sha256()
            for chunk in iter(lambda: fh.read(HASH_CHUNK), b""):
                digest.update(chunk)
            return None, st.st_size, digest.hexdigest()
        data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:  # grew while we read it
            digest = hashlib.sha256(data)
            for chunk in iter(lambda: fh.read(HASH_CHUNK), b""):
                digest.update(chunk)
            return None, len(data), digest.hexdigest()
        return data, len(data), hashlib.sha256(data).hexdigest()


class Intake:
    """Admits files to a deployment and hands new ids to `enqueue`."""

    def __init__(
        self,
        store: Store,
        max_bytes: int,
        enqueue: Callable[[str], None],
        refresh: Callable[[str], None],
    ):
        self.store = store
        self.max_bytes = max_bytes
        self.enqueue = enqueue
        self.refresh = refresh

    def admit(self, path: Path, rel: str) -> Admission:
        """Admit the file at `path` (shown to users as `rel`). Raises Skipped for non-files."""
        name = path.name
        error: tuple[str, str] | None = None
        try:
            data, size, sha = _read(path, self.max_bytes)
        except PermissionError as exc:
            data, size, sha = None, 0, ""
            error = ("Unreadable", f"cannot read the file: {exc.strerror}; check its permissions")
        if error is None and data is None:
            error = ("TooLarge", f"the file is {size} bytes, over the limit of {self.max_bytes} "
                                 f"(NEWSFLOW_MAX_BYTES)")
        if sha:
            aid = sha[:ID_HEX_CHARS]
        else:  # unreadable: an id from where it was, so the failed record is stable
            aid = article_id(b"newsflow-unreadable\0" + rel.encode("utf-8", "surrogateescape"))
        outcome = self.store.admit(aid, Source(name=name, path=rel, size=size, sha256=sha), data, error)
        if outcome == 4:  # known, never finished: queue again (processing is idempotent)
            self.enqueue(aid)
            log.info("file_requeued", article_id=aid, file=name, path=rel)
            return Admission(aid, "requeued")
        if outcome == 1:
            self.enqueue(aid)
            log.info("file_admitted", article_id=aid, file=name, path=rel, bytes=size,
                     error=error[0] if error else None)
            return Admission(aid, "new", error[0] if error else None)
        if outcome == 3:  # committed already: its record must learn the new alias
            self.refresh(aid)
        if outcome in (2, 3):
            log.info("file_alias", article_id=aid, file=name, path=rel)
            return Admission(aid, "alias")
        return Admission(aid, "known")
