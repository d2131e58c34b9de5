"""Retention: an article leaves Redis whole once it is older than `NEWSFLOW_RETENTION`.

Every commit scores the article's id by its time in one sorted set (`Keys.expiry`). A pass
(`Retention.expire_due`, run by every worker node's sweeper) takes the ids past retention,
oldest first, and removes all of each article: record, source, aliases, status entry, its
memberships in the tag index with the counts kept right, and its place in the fingerprint index
(newsflow.placement: a floor passes its number, and the chunks the floor passes whole are deleted).
The result files stay: they are the permanent copy. Nothing an article still being processed
needs is touched: only committed articles are in the set, and the index's floor stops at the
oldest number whose article is still held. Passes on several nodes at once are harmless: every
step is idempotent.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import redis

from newsflow import lua
from newsflow.placement import Index
from newsflow.keys import Keys
from newsflow.settings import Settings
from newsflow.tagindex import TagIndex

#: Articles one batch of a pass removes (a pass takes batches until none is due or time is up).
BATCH = 500
#: Seconds one pass may take before it leaves the rest to the next one.
PASS_SECONDS = 5.0


@dataclass(frozen=True)
class Expired:
    """What one pass removed: articles, and the index's floor and kept records after it."""

    articles: int
    floor: int
    kept: int


class Retention:
    """Removes the articles past retention of one deployment (see the module docstring)."""

    def __init__(self, client: redis.Redis, keys: Keys, settings: Settings):
        self.client = client
        self.keys = keys
        self.seconds = settings.retention_seconds
        self.index = Index(client, keys, settings.index)
        self.tags = TagIndex(client, keys, settings.tag)
        self._expire = client.register_script(lua.source("expire"))

    def expire_due(self, now: float | None = None, budget: float = PASS_SECONDS) -> Expired:
        """Remove every article committed before `now` minus the retention (at most `budget`
        seconds of batches; the next pass takes the rest). Retention 0: nothing leaves."""
        if self.seconds <= 0:
            return Expired(0, self.index.floor(), 0)
        cutoff = (time.time() if now is None else now) - self.seconds
        self.client.xtrim(self.keys.stream(), minid=f"{max(0, int(cutoff * 1000))}-0")  # ids are ms times
        deadline, total = time.monotonic() + budget, 0
        while True:
            ids = [i.decode() for i in self.client.zrangebyscore(self.keys.expiry(), "-inf", cutoff, 0, BATCH)]
            _, floor, kept = self._remove(ids)
            total += len(ids)
            if len(ids) < BATCH or time.monotonic() > deadline:
                return Expired(total, floor, kept)

    def _remove(self, ids: list[str]) -> tuple[int, int, int]:
        """The index first (a pass cut short here finds the ids again), then the rest of each."""
        raws = self.client.mget([self.keys.record(i) for i in ids]) if ids else []
        records = [json.loads(r) if r else {"id": i} for i, r in zip(ids, raws)]
        done = self.index.forget([(r["id"], (r.get("fingerprint") or {}).get("content_sha256") or "")
                                  for r in records])
        pipe = self.client.pipeline(transaction=False)
        for record in records:
            self._expire(keys=self._keys_of(record["id"]), args=self.tags.expire_args(record), client=pipe)
        pipe.execute()
        return done

    def _keys_of(self, article_id: str) -> list[str]:
        k = self.keys
        return [k.expiry(), k.record(article_id), k.source(article_id), k.aliases(article_id), k.status(),
                k.failed(), k.tag_indexed(), k.tag_entities(), k.tag_entity_counts(), k.tag_topic_counts()]

    def backfill(self, now: float | None = None) -> int:
        """Give every committed article the set has not yet (committed before retention existed)
        a retention counted from `now`. Returns how many were added."""
        if self.client.zcard(self.keys.expiry()) >= self.client.hlen(self.keys.status()):
            return 0
        stamp, added = time.time() if now is None else now, 0
        for ids in _chunks((k for k, _ in self.client.hscan_iter(self.keys.status(), count=1000)), 1000):
            added += self.client.zadd(self.keys.expiry(), {i: stamp for i in ids}, nx=True)
        return added


def _chunks(items: Any, size: int) -> Any:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
