"""The shared duplicate and story index, in Redis: one atomic Lua script per article.

Every worker on every host calls ``Index.place(article_id, fp, published)``.
The script looks the article up and inserts it in one step, so N copies
arriving at once on N workers yield exactly one original; placing the same
article id again (a redelivered message) returns the stored placement and
changes nothing. Everything lives in Redis (AOF), so it survives restarts.

Decisions
---------
1. **Exact copy**: the first 8 bytes of ``content_sha256`` map to the first
   article with that normalised text.
2. **Near copy**: LSH with one 32-bit MinHash row per band
   (``lsh_bands`` bands); each bucket keeps the first ``lsh_bucket_size``
   articles that hashed to it, so a query reads at most bands x bucket_size
   candidates whatever the index size. Buckets live in a fixed-size table
   (see Tables below). Each candidate is verified with the
   stored 128-byte b-bit MinHash: estimated Jaccard J and containment C
   (shared shingles / shingles of the shorter text). A copy is
   ``J >= dup_jaccard_alone`` or ``C >= dup_containment and J >= dup_jaccard``;
   the best candidate's original becomes ``duplicate_of`` (copies of copies
   point at the first-seen original).
3. **Story**: a duplicate shares its original's story. Otherwise the story
   terms (words and named entities) become a TF-IDF vector with document
   frequencies kept online in Redis (``story_vector_terms`` strongest,
   L2-normalised, 1 byte a weight); its ``story_posting_terms`` strongest terms
   are looked up in capped posting lists (the most recent
   ``story_posting_size`` articles per term) for candidates inside the time
   window (the ``story_max_candidates`` sharing the most term weight). With
   ``nearest_candidates`` on (for high volumes; off by default), an
   article with an embedding also gets the ``nearest_candidates`` earlier
   articles nearest it by embedding (the process's mirror of the recent
   embeddings, newsflow.placement.nearest and .mirror) and every article placed
   since the mirror last read the index, compared by embedding only and only
   when no candidate sharing story terms reaches its threshold: posting lists
   miss articles that share no registered term (recall against brute force
   0.95 at 1M articles without them). Each is
   compared by the cosine of the two articles' int8 embeddings (the story
   model, newsflow.embed) when both have one, else by the cosine of their
   story-term vectors; the candidate furthest above its signal's threshold
   (``story_embedding_threshold``, ``story_threshold``) gives the article its
   story, else the article starts a new story whose id is its own article id.
   An original's embedding is stored beside its record (512 bytes).

Tables
------
LSH buckets, document frequencies and posting lists are three fixed-size
tables, each one Redis string of 64- or 128-byte lines: a term or bucket
value picks its line arithmetically and one GETRANGE reads it whole. So an
insert touches the same number of cache lines at 1,000 articles as at
1,000,000, and these tables never grow (their sizes are settings). A full
line recycles an entry: the LSH entry of the oldest article, the least
frequent term, the posting list whose newest article is oldest. (The sharded
hashes these replace cost a chain of dependent cache misses and a listpack
scan per lookup, growing with the index: ``ops/tools/bench_index.py``, README.)

Memory: per article one fixed 316-byte record in 64-record strings, a
512-byte embedding slot, 16 bytes of reverse id, an id-map and sha-map entry;
plus the three tables (96 MB at the default sizes, whatever the number of
articles).

Retention
---------
``forget`` marks articles past retention; a floor then passes every number
whose article is gone, oldest first, and deletes each chunk string it passes
whole, with the id-map and sha-map entries. Every script treats a number
under the floor as absent (an LSH entry of one is free, a posting of one is no
candidate). A story's first article or an original whose later members or
copies are still held is kept apart (``fp:kept``: its id and record, 332
bytes) until the floor passes its newest member: those members read its id
and update its counts.
The audit of each decision (similarities, method, thresholds, the article
matched, candidates examined) is stored in the record and returned in
``Placement.audit``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import struct
from typing import Any

import redis

from newsflow.fingerprint.signatures import NUM_PERM
from newsflow.placement.mirror import Mirror
from newsflow.placement.settings import IndexSettings
from newsflow.placement.layout import (DUP_METHODS, EMBEDDING, MAX_VECTOR, POST_MAX, STORY_METHODS, STORY_SIGNALS,
                                   decode_header, keys_of, prefixes_of, script)
from newsflow.keys import Keys
from newsflow.logs import get_logger
from newsflow.values import Fingerprint, Placement

log = get_logger()

#: Most article numbers the floor passes in one call of the forget script (bounds its run time).
FLOOR_STEPS = 10_000


def term_hash(term: str) -> int:
    """32-bit hash of a story term (fixed forever: the index stores these)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest(), "little")


def day_number(published: str | None) -> int:
    """Days since 1970-01-01 of an ISO date (0 when unknown or unparseable)."""
    if not published:
        return 0
    try:
        d = _dt.date.fromisoformat(published[:10])
    except ValueError:
        return 0
    n = (d - _dt.date(1970, 1, 1)).days
    return n if 0 < n < 65536 else 0


def _script_params(s: IndexSettings) -> dict[str, Any]:
    """The settings place.lua and probe.lua read (ARG params), by their names there."""
    return {
        "cmin": s.dup_containment, "jmin": s.dup_jaccard, "jalone": s.dup_jaccard_alone,
        "bucket": max(1, s.lsh_bucket_size), "vector": min(s.story_vector_terms, MAX_VECTOR),
        "postings": s.story_posting_terms, "postsize": s.story_posting_size,
        "maxcand": s.story_max_candidates, "lookups": s.story_lookup_terms, "theta": s.story_threshold,
        "etheta": s.story_embedding_threshold, "window": s.story_window_days,
        "lsh_lines": s.lsh_table_lines, "df_lines": s.df_table_lines, "post_lines": s.posting_table_lines,
        "recent": s.nearest_recent,
    }


def _hex(raw: bytes) -> str:
    return raw.hex() if raw else ""


class Index:
    """The shared index of every article seen: duplicates and stories. See the module docstring."""

    def __init__(self, client: redis.Redis, keys: Keys, settings: IndexSettings = IndexSettings()):
        self.client = client
        self.keys = keys
        self.settings = settings
        if not 1 <= settings.story_posting_size <= POST_MAX:
            raise ValueError(f"story_posting_size must be 1..{POST_MAX} (a posting slot holds {POST_MAX} articles), "
                             f"got {settings.story_posting_size}")
        for name in ("lsh_table_lines", "df_table_lines", "posting_table_lines"):
            if getattr(settings, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(settings, name)}")
        self._place = client.register_script(script("place"))
        self._walk = client.register_script(script("walk"))
        self._describe = client.register_script(script("describe"))
        self._probe = client.register_script(script("probe"))
        self._forget = client.register_script(script("forget"))
        self._allocate_table = client.register_script(script("allocate"))
        self._keys = keys_of(keys)
        self._prefixes = prefixes_of(keys)
        self._params = json.dumps(_script_params(settings))  # what the scripts read of the settings
        self._allocated = False
        self._mirror: Mirror | None = None  # made at the first placement with an embedding
        self._rename_untagged()

    def _rename_untagged(self) -> None:
        """An index written before its keys had a hash tag (`<prefix>:fp:*`) takes the tagged names,
        once, whichever process gets there first (a key another one renamed is skipped); the
        counter goes last, so a process that finds it renamed finds every table renamed too."""
        before, now = self.keys.fp_pattern_before_tag()[:-1], self.keys.fp_pattern()[:-1]
        if self.client.exists(self.keys.fp_seq()) or not self.client.exists(before + "seq"):
            return
        names = [k.decode() for k in self.client.scan_iter(match=before + "*", count=1000)]
        for name in sorted(names, key=lambda n: n == before + "seq"):
            try:
                self.client.rename(name, now + name[len(before):])
            except redis.ResponseError:  # no such key: renamed by another process meanwhile
                pass
        log.info("index_keys_renamed", keys=len(names), before=before + "*", now=now + "*")

    def tables(self) -> dict[str, int]:
        """Key -> full size in bytes of each fixed-size table at these settings."""
        s, k = self.settings, self.keys
        return {k.fp_lsh(): 64 * s.lsh_table_lines, k.fp_df(): 64 * s.df_table_lines,
                k.fp_postings(): 128 * s.posting_table_lines}

    def _allocate(self) -> None:
        for key, size in self.tables().items():
            self._allocate_table(keys=[key], args=[size])
        self._allocated = True

    # -- writing ------------------------------------------------------------
    def place(self, article_id: str, fp: Fingerprint, published: str | None) -> Placement:
        """Find the article's original and story and insert it, atomically; idempotent per article id."""
        sha8, minhash, lsh = self._signature(article_id, fp)
        if fp.embedding and len(fp.embedding) != EMBEDDING:
            raise ValueError(f"fingerprint of {article_id} has a {len(fp.embedding)}-byte embedding, "
                             f"expected {EMBEDDING} (int8) or none")
        terms = [[term_hash(t), float(w)] for t, w in fp.story_terms.items()]
        day = day_number(published)
        near, synced = self._nearest(fp.embedding, day)
        reply = self._place(
            keys=self._keys,
            args=[
                *self._prefixes, bytes.fromhex(article_id), sha8, minhash, fp.shingles, day,
                self._params, lsh, json.dumps(terms) if terms else "[]", fp.embedding, near, synced,
            ],
        )
        return self._placement(reply)

    def _nearest(self, embedding: bytes, day: int) -> tuple[bytes, int | str]:
        """(the numbers of the nearest earlier articles by embedding, packed <I4; the number through
        which the mirror read every article), or (b"", "") when none are sought."""
        if self.settings.nearest_candidates < 1 or not embedding.strip(b"\0"):
            return b"", ""
        if self._mirror is None:
            self._mirror = Mirror(self.client, self.keys, self.settings)
        found, synced = self._mirror.candidates(embedding, day)
        return struct.pack(f"<{len(found)}I", *found), synced

    def _signature(self, whose: str, fp: Fingerprint) -> tuple[bytes, bytes, bytes]:
        """(first 8 bytes of the sha256, MinHash, packed LSH rows) as the scripts read them, checked
        (`whose`: the fingerprint's owner, for the error); the tables allocated on first use."""
        if not self._allocated:
            self._allocate()
        minhash = fp.minhash or b"\xff" * NUM_PERM
        if len(minhash) != NUM_PERM:
            raise ValueError(f"fingerprint of {whose} has a {len(minhash)}-byte MinHash, expected {NUM_PERM}")
        return bytes.fromhex(fp.content_sha256)[:8], minhash, b"".join(struct.pack("<I", v) for v in fp.lsh)

    def forget(self, articles: list[tuple[str, str]], max_steps: int = FLOOR_STEPS) -> tuple[int, int, int]:
        """Retention: the articles (id, content_sha256 or "") are past it; their numbers leave the
        index as the floor passes them (at most `max_steps` numbers per call), with the chunks it
        passes whole. Returns (articles marked now, the floor, records kept for live stories)."""
        args: list[Any] = [max_steps]
        for article_id, sha in articles:
            args += [bytes.fromhex(article_id), bytes.fromhex(sha)[:8] if sha else b""]
        marked, floor, kept = self._forget(keys=self._keys, args=[*self._prefixes, *args])
        return int(marked), int(floor), int(kept)

    def floor(self) -> int:
        """The lowest article number the index still holds (1 until retention has removed any)."""
        return int(self.client.get(self.keys.fp_floor()) or 1)

    # -- reading ------------------------------------------------------------
    def original_of(self, fp: Fingerprint) -> tuple[str, float] | None:
        """(id of the original, estimated Jaccard: 1.0 exact) of the indexed article this text
        copies, by the same rules `place` applies, without placing it; None when it copies none."""
        sha8, minhash, lsh = self._signature(f"the text {fp.content_sha256[:16]}", fp)
        reply = self._probe(keys=self._keys, args=[*self._prefixes, sha8, minhash, fp.shingles, self._params, lsh])
        if not reply or not reply[0]:
            return None
        return reply[0].hex(), reply[1] / 10000

    def placement_of(self, article_id: str) -> Placement | None:
        """The stored placement of an indexed article, or None."""
        reply = self._describe(keys=self._keys, args=[*self._prefixes, bytes.fromhex(article_id)])
        return self._placement(reply) if reply else None

    def duplicates_of(self, article_id: str) -> list[str]:
        """Ids of the articles recorded as copies of this original, first seen first."""
        raw = self._walk(keys=self._keys, args=[*self._prefixes, bytes.fromhex(article_id), "dups"])
        return [r.hex() for r in raw]

    def story_members(self, story_id: str) -> list[str]:
        """Ids of the articles in a story (its first article first), in arrival order."""
        raw = self._walk(keys=self._keys, args=[*self._prefixes, bytes.fromhex(story_id), "story"])
        return [r.hex() for r in raw]

    def story_count(self) -> int:
        """Number of stories in the index."""
        return int(self.client.get(self.keys.fp_stories()) or 0)

    def size(self) -> int:
        """Number of articles in the index."""
        return int(self.client.get(self.keys.fp_seq()) or 0)

    # -- internals ----------------------------------------------------------
    @staticmethod
    def _placement(reply: list[Any]) -> Placement:
        _, dup, story, dup_via, story_via, raw = reply
        h = decode_header(raw)
        audit = {
            "duplicate": {
                "method": DUP_METHODS.get(h["dup_method"]),
                "similarity": h["dup_c"] / 10000,  # estimated containment of the best candidate
                "jaccard": h["dup_j"] / 10000,
                "threshold": {"containment": h["cmin"] / 10000, "jaccard": h["jmin"] / 10000,
                              "jaccard_alone": h["jalone"] / 10000},
                "rule": "exact content_sha256, or jaccard >= jaccard_alone, or containment >= containment and jaccard >= jaccard",
                "best_match": _hex(dup_via) or None,
                "candidates": h["dup_cands"],
                "signature": "b-bit MinHash (128 x 8 bit) + LSH",
                "shingles": h["shingles"],
            },
            "story": {
                "method": STORY_METHODS.get(h["story_method"]),
                # what the similarity compared (none for a copy: it takes its original's story)
                "signal": STORY_SIGNALS.get(h["story_signal"]) if h["story_method"] != 2 else None,
                "similarity": h["story_sim"] / 10000,  # cosine of the best candidate (0 if none or below 0)
                "threshold": h["theta"] / 10000,
                "best_match": _hex(story_via) or None,
                "candidates": h["story_cands"],
                "window_days": h["window"],
            },
        }
        return Placement(duplicate_of=_hex(dup) or None, story_id=_hex(story), audit=audit)
