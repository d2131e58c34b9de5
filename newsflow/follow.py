"""Readers of the results stream for `Client.follow`: alone (XREAD from a position) or as a
member of a consumer group (XREADGROUP, XAUTOCLAIM, XACK). Each `read` returns (entry id,
fields) pairs and reports entries trimmed before they were read (a `Missed`).

A gap is counted with the entry field `n` (the commit's number in the stream, 1, 2, ...) when
reading alone, and with the group's `entries-read` against the stream's `entries-added` in a
group: Redis trims only from the head, so the entries before the first one kept number
`entries-added - length`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

import redis


Entries = list[tuple[str, dict[str, str]]]


@dataclass(frozen=True)
class Missed:
    """Entries trimmed from the stream before this follower (or its group) read them."""

    count: int | None  # None: not known
    after: str  # the last entry read before the gap ("0-0": none)
    first_kept: str  # the first entry still in the stream after it


#: The largest sequence part of a stream id: `<ms>-MAX_SEQ` is the last id of a millisecond.
MAX_SEQ = 2**64 - 1


def _decoded(entries: list[Any]) -> Entries:
    return [(e.decode(), {k.decode(): v.decode("utf-8", "replace") for k, v in (f or {}).items()})
            for e, f in entries]


def _first_kept(client: redis.Redis, stream: str) -> str:
    """The id of the stream's first entry ("" when empty)."""
    found = client.xrange(stream, count=1)
    return found[0][0].decode() if found else ""


def start_id(client: redis.Redis, stream: str, start: str | float) -> str:
    """The entry id after which reading from `start` ("new", "start" or a Unix time) begins."""
    if start == "new":
        try:
            return client.xinfo_stream(stream)["last-generated-id"].decode()
        except redis.ResponseError:  # no stream yet: everything is new
            return "0-0"
    if start == "start":
        return "0-0"
    return f"{int(float(start) * 1000) - 1}-{MAX_SEQ}"


class PlainReader:
    """Follows the stream alone from `start` ("new", "start" or a Unix time)."""

    def __init__(self, client: redis.Redis, stream: str, start: str | float, report: Callable[[Missed], None]):
        self.r, self.stream, self.report = client, stream, report
        self.pos, self.last_n = start_id(client, stream, start), None
        self.from_start = start == "start"

    def read(self, count: int, block: float) -> Entries:
        reply = self.r.xread({self.stream: self.pos}, count=count, block=int(block * 1000))
        entries = _decoded(reply[0][1]) if reply else []
        for entry, fields in entries:
            self._check(entry, fields)
            self.pos = entry
        return entries

    def _check(self, entry: str, fields: dict[str, str]) -> None:
        n = int(fields["n"]) if fields.get("n", "").isdigit() else None
        if n is not None:
            if self.last_n is not None and n > self.last_n + 1:
                self.report(Missed(n - self.last_n - 1, self.pos, entry))
            elif self.last_n is None and self.from_start and n > 1:
                self.report(Missed(n - 1, self.pos, entry))
        self.last_n = n

    def ack(self, entry: str) -> None:
        """Alone, nothing to acknowledge: the position is this process's."""


class GroupReader:
    """Follows the stream as `consumer` of `group` (created at `start` if new)."""

    def __init__(self, client: redis.Redis, stream: str, group: str, consumer: str, start: str | float,
                 claim_idle: float, report: Callable[[Missed], None]):
        self.r, self.stream, self.group, self.consumer = client, stream, group, consumer
        self.claim_idle, self.report = claim_idle, report
        self.pending, self.pending_pos, self.claimed_at, self.reported = True, "0-0", 0.0, ""
        first = start_id(client, stream, start) if start != "new" else "$"
        try:
            client.xgroup_create(stream, group, id=first, mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def read(self, count: int, block: float) -> Entries:
        """This consumer's unacknowledged entries first (a restart resumes), then what others
        left pending too long, then new entries."""
        if self.pending:
            reply = self.r.xreadgroup(self.group, self.consumer, {self.stream: self.pending_pos}, count=count)
            got = _decoded(reply[0][1]) if reply else []
            self.pending = bool(got)
            if got:
                self.pending_pos = got[-1][0]
                return self._kept(got)
        if time.monotonic() - self.claimed_at > self.claim_idle / 2:
            self.claimed_at = time.monotonic()
            claimed = self.r.xautoclaim(self.stream, self.group, self.consumer, int(self.claim_idle * 1000),
                                        "0-0", count=count)
            gone = [g.decode() for g in (claimed[2] if len(claimed) > 2 else [])]
            self._lost(gone)
            if claimed[1]:  # claimed entries are ours now: read them as our pending ones
                self.pending, self.pending_pos = True, "0-0"
                return self.read(count, block)
        self._check_gap()
        reply = self.r.xreadgroup(self.group, self.consumer, {self.stream: ">"}, count=count, block=int(block * 1000))
        return _decoded(reply[0][1]) if reply else []

    def _kept(self, entries: Entries) -> Entries:
        """Pending entries trimmed since their delivery come back empty: reported and acknowledged."""
        gone = [e for e, f in entries if not f]
        self._lost(gone)
        return [(e, f) for e, f in entries if f]

    def _lost(self, gone: list[str]) -> None:
        if gone:
            self.report(Missed(len(gone), gone[0], _first_kept(self.r, self.stream)))
            self.r.xack(self.stream, self.group, *gone)

    def _check_gap(self) -> None:
        """Entries trimmed after the group's place before any member read them."""
        info = next((g for g in self.r.xinfo_groups(self.stream) if g["name"].decode() == self.group), None)
        stream = self.r.xinfo_stream(self.stream)
        if info is None or info.get("entries-read") is None:
            return
        before_kept = int(stream["entries-added"]) - int(stream["length"])
        last = info["last-delivered-id"].decode()
        if before_kept > int(info["entries-read"]) and last != self.reported:
            self.reported = last
            first = stream.get("first-entry")
            self.report(Missed(before_kept - int(info["entries-read"]), last, first[0].decode() if first else ""))

    def ack(self, entry: str) -> None:
        self.r.xack(self.stream, self.group, entry)
