"""newsflow.placement.mirror: a process's mirror of the index's embeddings, and the story
candidates it adds to the place script's (real Valkey)."""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np

from newsflow.placement import Index
from newsflow.placement.layout import EMBEDDING
from newsflow.placement.mirror import Mirror, read_range
from newsflow.placement.settings import IndexSettings
from newsflow.values import Fingerprint

DAY0 = "2024-05-01"
#: Candidates by embedding on (off by default at the default sizing).
NEAR = IndexSettings(nearest_candidates=16)


def _embedding(rng: np.random.Generator, like: np.ndarray | None = None, cosine: float = 0.7) -> np.ndarray:
    """A random int8 embedding, or one at about `cosine` to `like`."""
    noise = rng.standard_normal(EMBEDDING)
    if like is not None:
        base = like / np.linalg.norm(like)
        noise -= (noise @ base) * base
        noise = cosine * base + np.sqrt(1 - cosine**2) * noise / np.linalg.norm(noise)
    return np.clip(np.round(noise / np.abs(noise).max() * 127), -127, 127).astype(np.int8)


def _fingerprint(n: int, emb: np.ndarray | None, *, copy_of: int | None = None) -> Fingerprint:
    """Article n: its own words (no term shared with any other article) and MinHash; a copy of
    article `copy_of` has that article's text hash instead (an exact copy)."""
    sha = hashlib.sha256(str(copy_of if copy_of is not None else n).encode()).hexdigest()
    rng = np.random.default_rng(1000 + (copy_of if copy_of is not None else n))
    return Fingerprint(sha, rng.bytes(128), tuple(int(v) for v in rng.integers(0, 2**32, 16)), 400,
                       {f"word{n}x{k}": 1.0 + k / 10 for k in range(12)},
                       emb.tobytes() if emb is not None else b"")


def _aid(n: int) -> str:
    return f"{n:032x}"


def test_read_range_returns_the_embeddings_and_days_the_index_stored(redis_client, keys):
    """Across several vector chunks (47) and record chunks (64): an original's embedding and day
    come back as placed; a copy, an article without embedding and an undated one read as zeros."""
    rng = np.random.default_rng(1)
    index = Index(redis_client, keys, IndexSettings(nearest_candidates=0))
    want_emb, want_day = np.zeros((150, EMBEDDING), np.int8), np.zeros(150, np.int32)
    for n in range(150):
        emb = None if n % 10 == 3 else _embedding(rng)
        day = None if n % 10 == 7 else f"2024-05-{1 + n % 28:02d}"
        fp = _fingerprint(n, emb, copy_of=n - 1 if n % 10 == 5 else None)
        index.place(_aid(n), fp, day)
        if emb is not None and n % 10 != 5:
            want_emb[n] = emb
        if day:
            want_day[n] = (np.datetime64(day) - np.datetime64("1970-01-01")).astype(int)
    emb, days = read_range(redis_client, keys, 1, 150)
    assert np.array_equal(emb, want_emb) and np.array_equal(days, want_day)
    emb, days = read_range(redis_client, keys, 40, 70)
    assert np.array_equal(emb, want_emb[39:70]) and np.array_equal(days, want_day[39:70])


def test_a_new_mirror_fills_newest_first_a_page_a_placement(redis_client, keys):
    """A process's first placements read the index a page at a time, the newest first, until the
    mirror reaches the floor; then only what was placed since is read."""
    rng = np.random.default_rng(2)
    settings = dataclasses.replace(NEAR, nearest_sync_every=1)
    index = Index(redis_client, keys, dataclasses.replace(settings, nearest_candidates=0))
    for n in range(70):
        index.place(_aid(n), _fingerprint(n, _embedding(rng)), DAY0)
    mirror = Mirror(redis_client, keys, settings, page=20)
    held = []
    for _ in range(5):
        mirror.candidates(_embedding(rng).tobytes(), 0)
        held.append((mirror.nearest.lo, mirror.nearest.hi))
    assert held == [(31, 70), (11, 70), (1, 70), (1, 70), (1, 70)]
    index.place(_aid(70), _fingerprint(70, _embedding(rng)), DAY0)
    mirror.candidates(_embedding(rng).tobytes(), 0)
    assert (mirror.nearest.lo, mirror.nearest.hi) == (1, 71)


def _story_of_a_late_follower(redis_client, keys, settings: IndexSettings) -> tuple[str, str]:
    """(story of article 0, story of a follower placed after 60 unrelated articles): the follower
    shares no word with article 0, only an embedding at cosine ~0.7."""
    rng = np.random.default_rng(3)
    index = Index(redis_client, keys, settings)
    first = _embedding(rng)
    story = index.place(_aid(0), _fingerprint(0, first), DAY0).story_id
    for n in range(1, 61):
        index.place(_aid(n), _fingerprint(n, _embedding(rng)), DAY0)
    return story, index.place(_aid(61), _fingerprint(61, _embedding(rng, first)), "2024-05-03").story_id


def test_an_article_linked_only_by_its_embedding_joins_the_story(redis_client, keys):
    """Posting lists cannot find an earlier article that shares no term; the mirror's nearest
    candidates can, and the article joins its story (with none sought, it starts its own)."""
    story, follower = _story_of_a_late_follower(redis_client, keys, NEAR)
    assert follower == story
    for k in redis_client.scan_iter(f"{keys.prefix}:*"):
        redis_client.delete(k)
    story, follower = _story_of_a_late_follower(redis_client, keys, IndexSettings(nearest_candidates=0))
    assert follower != story


def _placed_by_another_process(redis_client, keys, settings: IndexSettings) -> bool:
    """Whether B's article joins the story of one A placed after B's mirror last read the index."""
    rng = np.random.default_rng(4)
    a, b = Index(redis_client, keys, settings), Index(redis_client, keys, settings)
    for n in range(5):
        b.place(_aid(n), _fingerprint(n, _embedding(rng)), DAY0)
    assert b._mirror.nearest.hi == 4  # read at B's fifth placement (4 placed since: nearest_sync_every)
    first = _embedding(rng)
    story = a.place(_aid(5), _fingerprint(5, first), DAY0).story_id
    return b.place(_aid(6), _fingerprint(6, _embedding(rng, first)), DAY0).story_id == story


def test_an_article_another_process_placed_since_the_last_read_is_compared(redis_client, keys):
    """The script compares every article placed since the mirror last read the index (here one
    another process placed): none is missed for being recent; with no recent articles compared,
    the same one is missed."""
    assert _placed_by_another_process(redis_client, keys, dataclasses.replace(NEAR, nearest_sync_every=4))
    for k in redis_client.scan_iter(f"{keys.prefix}:*"):
        redis_client.delete(k)
    assert not _placed_by_another_process(redis_client, keys, dataclasses.replace(NEAR, nearest_sync_every=4,
                                                                                  nearest_recent=0))


def _unit_mix(parts: list[tuple[float, np.ndarray]], rng: np.random.Generator) -> np.ndarray:
    """An int8 embedding at the given cosines to (nearly orthogonal) random vectors, the rest noise."""
    x = sum(c * v / np.linalg.norm(v) for c, v in parts)
    noise = rng.standard_normal(EMBEDDING)
    x = x + np.sqrt(1 - sum(c * c for c, _ in parts)) * noise / np.linalg.norm(noise)
    return np.clip(np.round(x / np.abs(x).max() * 127), -127, 127).astype(np.int8)


def test_a_candidate_sharing_story_terms_comes_before_one_found_by_embedding_alone(redis_client, keys):
    """An article sharing story terms with A (embedding cosine ~0.55, over the 0.50 threshold) and
    sharing none with B (cosine ~0.75) joins A's story: candidates by embedding alone are a
    fallback, compared only when no candidate sharing terms reaches its threshold."""
    rng = np.random.default_rng(5)
    index = Index(redis_client, keys, NEAR)
    a, b = rng.standard_normal(EMBEDDING), rng.standard_normal(EMBEDDING)
    story_a = index.place(_aid(0), _fingerprint(0, _unit_mix([(1.0, a)], rng)), DAY0).story_id
    story_b = index.place(_aid(1), _fingerprint(1, _unit_mix([(1.0, b)], rng)), DAY0).story_id
    query = dataclasses.replace(_fingerprint(2, _unit_mix([(0.55, a), (0.75, b)], rng)),
                                story_terms=_fingerprint(0, None).story_terms)
    placed = index.place(_aid(2), query, DAY0)
    assert placed.story_id == story_a != story_b
    assert 0.5 <= placed.audit["story"]["similarity"] < 0.6 and placed.audit["story"]["candidates"] == 1
