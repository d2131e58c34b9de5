"""Reading and writing newsflow's state in Redis (clients: newsflow.connection; result files:
newsflow.results).

Two Lua scripts make the two state changes atomic:

- `admit`: the first arrival of some bytes stores them once (under their id)
  with their source; a later arrival of the same bytes only adds an alias.
- `commit`: writes the record, keeps the counters exact and adds one stream
  entry the first time an article is committed. A redelivered task commits the
  same record again: no second stream entry, no double count.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Iterable

import redis

from newsflow import lua
from newsflow.keys import Keys
from newsflow.record import check_id, status_code

#: Entries kept in the results stream (approximate trimming).
STREAM_MAXLEN = 100_000
#: Names kept per article in its alias list.
MAX_ALIASES = 1000


class Admitted(IntEnum):
    """What admitting some bytes under a name did (the codes admit.lua returns)."""

    KNOWN = 0  # this name was admitted before and its result is committed: nothing to do
    NEW = 1  # first arrival of these bytes: stored, to be queued
    ALIAS_PENDING = 2  # same bytes under a new name, result not yet committed: the name joins it
    ALIAS_COMMITTED = 3  # same bytes under a new name, result committed: its result file learns the name
    UNFINISHED = 4  # this name was admitted but never finished: queue it again (idempotent)


@dataclass(frozen=True)
class Source:
    """Where and how some bytes arrived: the fields of the record's `source`."""

    name: str
    path: str
    size: int
    sha256: str


class Store:
    """newsflow's Redis state, with the key layout of `Keys`."""

    def __init__(self, client: redis.Redis, keys: Keys):
        self.r = client
        self.keys = keys
        self._admit = client.register_script(lua.source("admit"))
        self._commit = client.register_script(lua.source("commit"))
        self._sweep = client.register_script(lua.source("sweep"))

    # -- intake ---------------------------------------------------------
    def admit(
        self,
        article_id: str,
        source: Source,
        data: bytes | None,
        error: tuple[str, str] | None = None,
        client: Any = None,
    ) -> Admitted:
        """Store the first arrival of these bytes; what that did (on a pipeline `client`, the
        pipeline answers on execute()).

        `data` None with an `error` admits an input that could not be read
        (too large, unreadable): the worker turns it into a failed record.
        """
        check_id(article_id)
        k = self.keys
        error_type, error_message = error or ("", "")
        result = self._admit(
            keys=[k.source(article_id), k.raw(article_id), k.aliases(article_id), k.stats(),
                  k.record(article_id), k.pending()],
            args=[
                source.name,
                source.path,
                source.size,
                source.sha256,
                f"{time.time():.3f}",
                "1" if data is not None else "0",
                data if data is not None else b"",
                error_type,
                error_message,
                MAX_ALIASES,
                article_id,
            ],
            client=client,
        )
        return result if client is not None else Admitted(int(result))

    def admit_many(
        self, items: list[tuple[str, Source, bytes | None, tuple[str, str] | None]]
    ) -> list[Admitted]:
        """`admit` for many inputs in one round trip (a pipeline of the same script)."""
        if len(items) == 1:
            return [self.admit(*items[0])]
        pipe = self.r.pipeline(transaction=False)
        for article_id, source, data, error in items:
            self.admit(article_id, source, data, error, client=pipe)
        return [Admitted(int(x)) for x in pipe.execute()]

    def source(self, article_id: str) -> dict[str, str]:
        raw = self.r.hgetall(self.keys.source(article_id))
        return {k.decode(): v.decode("utf-8", "replace") for k, v in raw.items()}

    def raw(self, article_id: str) -> bytes | None:
        return self.r.get(self.keys.raw(article_id))

    def aliases(self, article_id: str) -> list[str]:
        return [a.decode("utf-8", "replace") for a in self.r.lrange(self.keys.aliases(article_id), 0, -1)]

    def block_results(self, article_id: str) -> None:
        """Note that this article's result file could not be written (until it commits)."""
        self.r.zadd(self.keys.results_blocked(), {article_id: time.time()})

    def count_attempt(self, article_id: str, ttl: int) -> int:
        """Count one more delivery of this article's task (the count lives `ttl` seconds); a sign
        of life if it is still pending (a committed article is not made pending again)."""
        key = self.keys.attempts(article_id)
        pipe = self.r.pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl)
        pipe.zadd(self.keys.pending(), {article_id: time.time()}, xx=True)
        return int(pipe.execute()[0])

    def claim_silent(self, cutoff: float, now: float, limit: int, held: Iterable[str] = (),
                     held_cutoff: float | None = None) -> dict[str, float]:
        """Pending articles with no sign of life since `cutoff` (since `held_cutoff`, an earlier
        time, for the ids in `held`), at most `limit`, each marked alive `now` so no other sweeper
        claims it this period: id -> its last sign of life."""
        held_cutoff = cutoff if held_cutoff is None else min(cutoff, held_cutoff)
        found = self._sweep(keys=[self.keys.pending(), self.keys.stats()],
                            args=[cutoff, held_cutoff, now, limit, *sorted(held)])
        return {found[i].decode(): float(found[i + 1]) for i in range(0, len(found), 2)}

    def drop_pending(self, article_id: str) -> None:
        """Stop looking after an article that can never be processed (its input is gone)."""
        self.r.zrem(self.keys.pending(), article_id)

    # -- results --------------------------------------------------------
    def commit(self, record: dict[str, Any], now: float | None = None) -> bool:
        """Store the record, count it, announce it; True the first time this id is committed
        (`now`: the commit's time, from which its retention counts; default the clock's).

        The stored record holds no aliases: they live in their list only, and reading a
        record (`record`, `records`) adds the current ones.
        """
        article_id = check_id(record["id"])
        k = self.keys
        stored = {**record, "source": {f: v for f, v in record.get("source", {}).items() if f != "aliases"}}
        return bool(
            self._commit(
                keys=[
                    k.record(article_id),
                    k.stats(),
                    k.stream(),
                    k.raw(article_id),
                    k.failed(),
                    k.attempts(article_id),
                    k.status(),
                    k.results_blocked(),
                    k.pending(),
                    k.expiry(),
                ],
                args=[
                    article_id,
                    json.dumps(stored, ensure_ascii=False),
                    status_code(record),
                    record.get("story_id") or "",
                    record.get("duplicate_of") or "",
                    f"{time.time() if now is None else now:.3f}",
                    STREAM_MAXLEN,
                ],
            )
        )

    def record(self, article_id: str) -> dict[str, Any] | None:
        """The committed record, with the article's current aliases; None if not committed."""
        return self.records([article_id])[0]

    def records(self, ids: list[str]) -> list[dict[str, Any] | None]:
        """`record` for many ids in one round trip."""
        if not ids:
            return []
        pipe = self.r.pipeline(transaction=False)
        for i in ids:
            pipe.get(self.keys.record(check_id(i)))
            pipe.lrange(self.keys.aliases(i), 0, -1)
        replies = pipe.execute()
        out = []
        for raw, aliases in zip(replies[::2], replies[1::2]):
            record = json.loads(raw) if raw is not None else None
            if record is not None:
                record.setdefault("source", {})["aliases"] = [a.decode("utf-8", "replace") for a in aliases]
            out.append(record)
        return out

    def stats(self) -> dict[str, int]:
        raw = self.r.hgetall(self.keys.stats())
        out = {"admitted": 0, "done": 0, "failed": 0, "duplicates": 0, "requeued": 0}
        out.update({k.decode(): int(v) for k, v in raw.items()})
        return out
