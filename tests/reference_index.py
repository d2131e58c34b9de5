"""The placement rules of place.lua in plain Python, for one process: the test oracle.

`ReferenceIndex.place` decides `duplicate_of` and `story_id` exactly as the Lua
script does, over the same fixed-size tables (LSH buckets, document
frequencies, posting lists, with the same recycling), so a random stream placed
by both must agree on every article (tests/test_index.py). It is not used by the
service: the Lua runs inside Redis, atomically, for every worker at once.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field

import numpy as np

from newsflow.fingerprint.signatures import NUM_PERM, containment_estimate, jaccard_estimate
from newsflow.placement.index import day_number, term_hash
from newsflow.placement.settings import IndexSettings
from newsflow.placement.layout import DF_WAYS, EMBEDDING, LSH_WAYS, MAX_VECTOR, POST_MAX, POST_WAYS
from newsflow.placement.nearest import Nearest
from newsflow.values import Fingerprint

_POST_LEN = 8 + 4 * POST_MAX


def _int8(raw: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(raw)}b", raw)


def _sum_squares(raw: bytes) -> int:
    """Sum of squares of an int8 embedding (0 when absent or not EMBEDDING bytes)."""
    return sum(v * v for v in _int8(raw)) if len(raw) == EMBEDDING else 0


@dataclass
class _Record:
    root: int
    story: int
    day: int
    shingles: int
    minhash: bytes
    vector: list[tuple[int, int]] = field(default_factory=list)  # (term hash, weight 1..255)
    embedding: bytes = b""  # int8, kept for originals only (as the Lua stores it)
    story_last: int = 0


class ReferenceIndex:
    """One process's copy of the index rules (see the module docstring)."""

    def __init__(self, settings: IndexSettings = IndexSettings()):
        self.s = settings
        self.ids: dict[str, int] = {}
        self.id_of: dict[int, str] = {}
        self.sha: dict[bytes, int] = {}
        self.records: dict[int, _Record] = {}
        self.originals = 0
        self.lsh = bytearray(64 * settings.lsh_table_lines)
        self.df = bytearray(64 * settings.df_table_lines)
        self.post = bytearray(128 * settings.posting_table_lines)
        # a placing process's mirror of embeddings (newsflow.placement.mirror), read in step with it
        self.nearest = Nearest(EMBEDDING, settings.nearest_dimensions, settings.nearest_capacity)
        self.near: list[int] | None = None  # this article's nearest, or None when none were sought

    def place(self, article_id: str, fp: Fingerprint, published: str | None) -> tuple[str | None, str]:
        """(duplicate_of, story_id) of the article, inserting it; idempotent per id."""
        if article_id not in self.ids:
            self._insert(article_id, fp, published)
        rec = self.records[self.ids[article_id]]
        num = self.ids[article_id]
        return (self.id_of[rec.root] if rec.root != num else None), self.id_of[rec.story]

    def _insert(self, article_id: str, fp: Fingerprint, published: str | None) -> None:
        num = len(self.ids) + 1
        self.near = self._nearest(num, fp.embedding, day_number(published))
        self.ids[article_id], self.id_of[num] = num, article_id
        minhash = fp.minhash or b"\xff" * NUM_PERM
        root = self._duplicate(num, bytes.fromhex(fp.content_sha256)[:8], minhash, fp)
        day = day_number(published)
        story, vector = (self.records[root].story, []) if root != num else self._story(num, fp, day)
        embedding = fp.embedding if root == num else b""
        self.records[num] = _Record(root, story, day, fp.shingles, minhash, vector, embedding)
        if story != num:
            self.records[story].story_last = num

    def _nearest(self, num: int, embedding: bytes, day: int) -> list[int] | None:
        """What the mirror hands the script before article `num`: its nearest earlier articles, read
        once `nearest_sync_every` were placed since the last read (a stream shorter than a page)."""
        if self.s.nearest_candidates < 1 or not _sum_squares(embedding):
            return None
        if num - 1 - self.nearest.hi >= self.s.nearest_sync_every:
            first = self.nearest.hi + 1
            rows = [self.records[n] for n in range(first, num)]
            self.nearest.add(first, np.array([np.frombuffer(r.embedding or bytes(EMBEDDING), np.int8) for r in rows]),
                             np.array([r.day for r in rows]))
        found = self.nearest.query(embedding, day, self.s.story_window_days, self.s.nearest_candidates)
        recent = range(max(self.nearest.hi + 1, num - self.s.nearest_recent), num)
        return found + [n for n in recent if n not in found]

    # -- duplicates -----------------------------------------------------------
    def _duplicate(self, num: int, sha8: bytes, minhash: bytes, fp: Fingerprint) -> int:
        """The number of the article's original (itself when it is one); joins the LSH buckets."""
        first = self.sha.get(sha8)
        if first is None:
            self.sha[sha8] = num
        slots, order = self._lsh_candidates(fp.lsh)
        root = self.records[first].root if first is not None else num
        if first is None and fp.shingles > 0:
            best = self._best_copy(order, minhash, fp.shingles)
            if best is not None:
                c, j, cand = best
                if j >= self.s.dup_jaccard_alone or (c >= self.s.dup_containment and j >= self.s.dup_jaccard):
                    root = self.records[cand].root
        for off, tag in slots:
            struct.pack_into("<HI", self.lsh, off, tag, num)
        return root

    def _lsh_candidates(self, rows: tuple[int, ...]) -> tuple[list[tuple[int, int]], list[int]]:
        """(the LSH slots the article takes, the candidates its buckets hold, first seen first)."""
        slots, taken, seen, order = [], set(), set(), []
        for b, v in enumerate(rows):
            off = ((v + b * 2654435761) % self.s.lsh_table_lines) * 64
            tag = v // 65536
            entries = struct.unpack_from("<" + "HI" * LSH_WAYS, self.lsh, off)
            mine, free, oldest, oldest_n = 0, None, None, None
            for w in range(LSH_WAYS):
                t, c = entries[2 * w], entries[2 * w + 1]
                if c != 0 and t == tag:
                    mine += 1
                    if c not in seen:
                        seen.add(c)
                        order.append(c)
                elif off + 6 * w in taken:
                    pass
                elif c == 0:
                    free = w if free is None else free
                elif oldest_n is None or c < oldest_n:
                    oldest, oldest_n = w, c
            w = free if free is not None else oldest
            if mine < max(1, self.s.lsh_bucket_size) and w is not None:
                taken.add(off + 6 * w)
                slots.append((off + 6 * w, tag))
        return slots, order

    def _best_copy(self, order: list[int], minhash: bytes, shingles: int) -> tuple[float, float, int] | None:
        """(containment, Jaccard, number) of the most contained candidate (ties: the higher Jaccard)."""
        best_c, best_j, best = -1.0, -1.0, None
        for c in order:
            rec = self.records[c]
            j = jaccard_estimate(minhash, rec.minhash)
            cont = containment_estimate(j, shingles, rec.shingles)
            if cont > best_c or (cont == best_c and j > best_j):
                best_c, best_j, best = cont, j, c
        return (best_c, best_j, best) if best is not None else None

    # -- stories --------------------------------------------------------------
    def _story(self, num: int, fp: Fingerprint, day: int) -> tuple[int, list[tuple[int, int]]]:
        """(story number, stored vector) of an original."""
        weighted = self._weigh([(term_hash(t), float(w)) for t, w in fp.story_terms.items()])
        k = min(self.s.story_vector_terms, MAX_VECTOR, len(weighted))
        norm = math.sqrt(sum(w[1] * w[1] for w in weighted[:k]))
        vector = [(h, max(1, math.floor(w / norm * 255 + 0.5))) for h, w, _, _ in weighted[:k]]
        mine = {h: w for h, w, _, _ in weighted}
        fnorm = math.sqrt(sum(w * w for _, w, _, _ in weighted))
        hits: dict[int, float] = {}
        lists: dict[int, list[int]] = {}
        looked = 0
        for h, _, df, idf in weighted:
            if looked >= self.s.story_lookup_terms:
                break
            lists[h] = self._postings(h)
            if df > 0 or lists[h]:  # seen before, or its frequency entry recycled and its list not
                looked += 1
                for c in lists[h]:
                    hits[c] = hits.get(c, 0.0) + idf
        fields = [(h, lists[h] if h in lists else self._postings(h))
                  for h, _ in vector[: self.s.story_posting_terms]]
        story = num
        top = sorted(hits, key=lambda c: (-hits[c], -c))[: self.s.story_max_candidates]
        by_embedding = [c for c in self.near or [] if c not in top]  # by embedding only, when no
        best, best_margin = None, 0.0  # candidate sharing story terms reached its threshold
        for c in top + by_embedding:
            if c in by_embedding and best is not None and best_margin >= 0:
                break
            rec = self.records[c]
            if day == 0 or rec.day == 0 or abs(day - rec.day) <= self.s.story_window_days:
                sim, theta = self._similarity(fp.embedding, mine, fnorm, rec)
                if c in by_embedding and not _sum_squares(rec.embedding):
                    sim = None  # a candidate by embedding is compared by embedding only
                if sim is not None and (best is None or sim - theta > best_margin):
                    best, best_margin = c, sim - theta
        if best is not None and best_margin >= 0:
            story = self.records[best].story
        for h, packed in fields:
            self._add_posting(h, (packed + [num])[-self.s.story_posting_size:])
        return story, vector

    def _similarity(self, embedding: bytes, mine: dict[int, float], fnorm: float,
                    rec: _Record) -> tuple[float | None, float]:
        """(cosine, its threshold) with a candidate: of the embeddings when both have one, else of the
        story-term vectors (None when that is undefined)."""
        qn, cn = _sum_squares(embedding), _sum_squares(rec.embedding)
        if qn and cn:
            dot = sum(a * b for a, b in zip(_int8(embedding), _int8(rec.embedding)))
            return dot / math.sqrt(qn * cn), self.s.story_embedding_threshold
        vn = sum(q * q for _, q in rec.vector)
        if vn > 0 and fnorm > 0:
            return sum(mine[h] * q for h, q in rec.vector if h in mine) / (math.sqrt(vn) * fnorm), self.s.story_threshold
        return None, self.s.story_threshold

    def _weigh(self, terms: list[tuple[int, float]]) -> list[tuple[int, float, int, float]]:
        """(hash, weight x IDF, document frequency before, IDF) per term, strongest first; counts them."""
        out = []
        for h, w in terms:
            off = (h % self.s.df_table_lines) * 64
            entries = struct.unpack_from("<" + "II" * DF_WAYS, self.df, off)
            slot, df, least, least_n = None, 0, 0, None
            for k in range(DF_WAYS):
                th, c = entries[2 * k], entries[2 * k + 1]
                if c > 0 and th == h:
                    slot, df = k, c
                    break
                if least_n is None or c < least_n:
                    least, least_n = k, c
            struct.pack_into("<II", self.df, off + 8 * (slot if slot is not None else least), h, df + 1)
            idf = math.log((self.originals + 1) / (df + 1)) + 1
            out.append((h, w * idf, df, idf))
        self.originals += 1
        return sorted(out, key=lambda t: (-t[1], t[0]))

    def _post_line(self, h: int) -> tuple[int, int | None]:
        off = (h % self.s.posting_table_lines) * 128
        for k in range(POST_WAYS):
            th, n = struct.unpack_from("<II", self.post, off + k * _POST_LEN)
            if n > 0 and th == h:
                return off, k
        return off, None

    def _postings(self, h: int) -> list[int]:
        off, k = self._post_line(h)
        if k is None:
            return []
        n = struct.unpack_from("<I", self.post, off + k * _POST_LEN + 4)[0]
        return list(struct.unpack_from(f"<{n}I", self.post, off + k * _POST_LEN + 8))

    def _add_posting(self, h: int, packed: list[int]) -> None:
        """The term's slot, else an empty one, else the one whose newest article is oldest."""
        off, k = self._post_line(h)
        if k is None:
            oldest = None
            for j in range(POST_WAYS):
                n = struct.unpack_from("<I", self.post, off + j * _POST_LEN + 4)[0]
                newest = struct.unpack_from("<I", self.post, off + j * _POST_LEN + 4 + 4 * n)[0] if n > 0 else -1
                if oldest is None or newest < oldest:
                    k, oldest = j, newest
        struct.pack_into(f"<II{len(packed)}I", self.post, off + k * _POST_LEN, h, len(packed), *packed)
