"""A process's `Nearest`, kept in step with the index in Redis.

Before each placement the mirror reads the index's counter and floor (one round trip). When
`sync_every` or more articles were placed since it last read them (by any worker), it reads their
embeddings and days from the index's chunk strings (a few GETRANGEs); the place script compares
the ones placed since (at most `recent` of them) exactly, so nothing placed a moment ago is
missed. A new process fills its mirror newest first, a page (`PAGE` numbers) a placement, back to
the floor or the capacity, so no one call reads the whole window.
"""

from __future__ import annotations

import time

import numpy as np
import redis

from newsflow.keys import Keys
from newsflow.logs import get_logger
from newsflow.placement.layout import EMBEDDING, OFFSETS, REC_CHUNK, RECORD, VEC_CHUNK
from newsflow.placement.nearest import Nearest
from newsflow.placement.settings import IndexSettings

log = get_logger()

#: Most numbers read in one placement while a new mirror fills (4 MB of embeddings, 2.6 MB of records).
PAGE = 8192


def _slices(first: int, last: int, per: int):
    """(chunk, first slot, last slot, position in first..last) of each chunk the numbers span."""
    n = first
    while n <= last:
        chunk, slot = (n - 1) // per, (n - 1) % per
        end = min(last, (chunk + 1) * per)
        yield chunk, slot, slot + end - n, n - first
        n = end + 1


def read_range(client: redis.Redis, keys: Keys, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
    """(int8 embeddings, publication days) of the articles numbered first..last, from the index's
    chunk strings (zeros where a chunk is gone or a slot was never written)."""
    count = last - first + 1
    pipe = client.pipeline(transaction=False)
    vec = list(_slices(first, last, VEC_CHUNK))
    rec = list(_slices(first, last, REC_CHUNK))
    for chunk, a, b, _ in vec:
        pipe.getrange(keys.fp_vectors(chunk), a * EMBEDDING, (b + 1) * EMBEDDING - 1)
    for chunk, a, b, _ in rec:
        pipe.getrange(keys.fp_records(chunk), a * RECORD, (b + 1) * RECORD - 1)
    raw = pipe.execute()
    emb, days = np.zeros((count, EMBEDDING), np.int8), np.zeros(count, np.int32)
    for (_, a, b, at), got in zip(vec, raw):
        n = b - a + 1
        emb[at:at + n] = np.frombuffer(got.ljust(n * EMBEDDING, b"\0"), np.int8).reshape(n, EMBEDDING)
    for (_, a, b, at), got in zip(rec, raw[len(vec):]):
        n = b - a + 1
        rows = np.frombuffer(got.ljust(n * RECORD, b"\0"), np.uint8).reshape(n, RECORD)
        days[at:at + n] = rows[:, OFFSETS["day"]:OFFSETS["day"] + 2].copy().view("<u2")[:, 0]
    return emb, days


class Mirror:
    """The `Nearest` of one process over one index (see the module docstring)."""

    def __init__(self, client: redis.Redis, keys: Keys, settings: IndexSettings, page: int = PAGE):
        self.client, self.keys, self.settings, self.page = client, keys, settings, page
        self.nearest = Nearest(EMBEDDING, settings.nearest_dimensions, settings.nearest_capacity)

    def candidates(self, embedding: bytes, day: int) -> tuple[list[int], int]:
        """(the numbers of the `nearest_candidates` articles nearest `embedding` within the story
        window of `day`, the number through which the mirror holds every article)."""
        seq, floor = self._counters()
        near = self.nearest
        if seq < near.hi:  # the index was emptied (a test, a flush): start again
            near.clear()
        oldest = max(floor, seq - near.capacity + 1)  # the oldest number the mirror should hold
        if seq - near.hi >= self.settings.nearest_sync_every or near.lo > oldest:
            self._sync(seq, oldest)
        found = near.query(embedding, day, self.settings.story_window_days, self.settings.nearest_candidates)
        return found, near.hi

    def _counters(self) -> tuple[int, int]:
        seq, floor = self.client.mget(self.keys.fp_seq(), self.keys.fp_floor())
        return int(seq or 0), int(floor or 1)

    def _sync(self, seq: int, oldest: int) -> None:
        """Read the articles placed since the last sync (the newest page when the mirror is new or
        far behind), then one page further back while it has not reached `oldest` (the floor, or
        the capacity)."""
        near, started = self.nearest, time.perf_counter()
        if near.lo > near.hi or seq - near.hi > self.page:  # new, or far behind: newest first
            near.clear()
            first = max(oldest, seq - self.page + 1)
            near.add(first, *read_range(self.client, self.keys, first, seq))
        elif seq > near.hi:
            near.add(near.hi + 1, *read_range(self.client, self.keys, near.hi + 1, seq))
        if near.lo > oldest:
            first = max(oldest, near.lo - self.page)
            near.add(first, *read_range(self.client, self.keys, first, near.lo - 1))
            log.info("nearest_filled", held_from=near.lo, held_to=near.hi, complete=near.lo <= oldest,
                     ms=round((time.perf_counter() - started) * 1000, 1))
        near.drop_below(oldest)
