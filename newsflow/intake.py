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
from newsflow.values import ID_HEX_CHARS, article_id
from newsflow.store import Admitted, Source, Store

log = get_logger()

#: Names the watcher leaves alone until they are renamed (contract: Inputs).
TEMPORARY_SUFFIXES = (".tmp", ".part", ".crdownload", "~", ".swp")
#: Bytes read per chunk when hashing a file over the size cap.
HASH_CHUNK = 1 << 20


def ignored(name: str) -> bool:
    """Hidden and temporary names are ignored until renamed."""
    return name.startswith(".") or name.endswith(TEMPORARY_SUFFIXES)


def name_text(name: str) -> str:
    """A file name as text that UTF-8, JSON and Redis all take, without losing a byte.

    Linux names are bytes; Python keeps the bytes that are not UTF-8 as lone
    surrogates (os.fsdecode), which no UTF-8 encoder accepts. A name with such
    bytes is written with each of them, and each "%", percent-encoded
    ("bad%FF%FEname.txt"; `urllib.parse.unquote_to_bytes` gives the bytes back);
    a name that is UTF-8 is returned unchanged.
    """
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return "".join(f"%{ord(ch) - 0xDC00:02X}" if "\udc80" <= ch <= "\udcff" else "%25" if ch == "%" else ch
                       for ch in name)


class Skipped(Exception):
    """The path is not a file to take (symlink, directory, device, vanished)."""


@dataclass(frozen=True)
class Admission:
    article_id: str
    #: "new": first arrival, queued; "alias": known bytes under a new name;
    #: "known": known bytes under a known name, done (nothing to do);
    #: "requeued": known, not done yet, queued again; "skipped": not a file to take.
    outcome: str
    error: str | None = None


def _read_file(path: Path, max_bytes: int) -> tuple[bytes | None, int, str]:
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


@dataclass(frozen=True)
class _Read:
    """A file read for admission: its id, source, bytes (None if not stored) and error."""

    article_id: str
    source: Source
    data: bytes | None
    error: tuple[str, str] | None


class Intake:
    """Admits files to a deployment and hands new ids to `enqueue` (a batch at a time)."""

    def __init__(
        self,
        store: Store,
        max_bytes: int,
        enqueue: Callable[[list[str]], None],
    ):
        self.store = store
        self.max_bytes = max_bytes
        self.enqueue = enqueue

    def _read(self, path: Path, rel: str) -> _Read:
        error: tuple[str, str] | None = None
        try:
            data, size, sha = _read_file(path, self.max_bytes)
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
        return _Read(aid, Source(name=name_text(path.name), path=name_text(rel), size=size, sha256=sha),
                     data, error)

    def admit(self, path: Path, rel: str) -> Admission:
        """Admit the file at `path` (shown to users as `rel`). Raises Skipped for non-files."""
        admission = self.admit_many([(path, rel)])[0]
        if admission.outcome == "skipped":
            raise Skipped(admission.error)
        return admission

    def admit_many(self, files: list[tuple[Path, str]]) -> list[Admission]:
        """Admit files in one Redis round trip and one batch of messages.

        Never raises for a file: one that cannot be taken (symlink, vanished,
        unreadable folder entry) gets outcome "skipped" and `error` says why.
        """
        reads: list[_Read | Admission] = []
        for path, rel in files:
            try:
                reads.append(self._read(path, rel))
            except (Skipped, OSError) as exc:
                reads.append(Admission("", "skipped", str(exc)))
        todo = [r for r in reads if isinstance(r, _Read)]
        outcomes = iter(self.store.admit_many([(r.article_id, r.source, r.data, r.error) for r in todo]))
        queue: list[str] = []
        out: list[Admission] = []
        for r in reads:
            if isinstance(r, Admission):
                out.append(r)
                continue
            outcome, aid, name, rel = next(outcomes), r.article_id, r.source.name, r.source.path
            if outcome == Admitted.UNFINISHED:  # queue again (processing is idempotent)
                queue.append(aid)
                log.info("file_requeued", article_id=aid, file=name, path=rel)
                out.append(Admission(aid, "requeued"))
            elif outcome == Admitted.NEW:
                queue.append(aid)
                err = r.error[0] if r.error else None
                log.info("file_admitted", article_id=aid, file=name, path=rel, bytes=r.source.size, error=err)
                out.append(Admission(aid, "new", err))
            elif outcome in (Admitted.ALIAS_PENDING, Admitted.ALIAS_COMMITTED):
                if outcome == Admitted.ALIAS_COMMITTED:  # its result file must learn the new name:
                    queue.append(aid)  # processing a committed article rewrites only its file
                log.info("file_alias", article_id=aid, file=name, path=rel)
                out.append(Admission(aid, "alias"))
            else:
                log.info("file_known", article_id=aid, file=name, path=rel,
                         reason="these bytes were taken before under this name or an earlier one")
                out.append(Admission(aid, "known"))
        if queue:
            self.enqueue(queue)
        return out
