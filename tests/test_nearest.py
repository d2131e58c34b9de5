"""newsflow.placement.nearest: the flat scan of projected embeddings (pure numpy, no Redis)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from newsflow.placement.nearest import BLOCK, Nearest, projection, top

DIM = 512


def _vectors(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.clip(np.round(rng.standard_normal((n, DIM)) * 40), -127, 127).astype(np.int8)


def _exact(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = a.astype(np.float64), b.astype(np.float64)
    return (b @ a) / (np.linalg.norm(a) * np.linalg.norm(b, axis=1))


def test_the_projection_is_pinned():
    """The projection is fixed by its seed (a golden hash), so the candidates chosen are the same
    run to run, and it keeps lengths on average (columns scaled by 1/sqrt(dimensions))."""
    m = projection(DIM, 128)
    assert m.shape == (DIM, 128) and m.dtype == np.float32
    assert hashlib.sha256(m.tobytes()).hexdigest()[:16] == "d511e18cc18ad214"
    x = np.random.default_rng(1).standard_normal((200, DIM)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    assert abs(float(np.linalg.norm(x @ m, axis=1).mean()) - 1) < 0.05


def test_the_nearest_by_exact_cosine_is_among_those_returned():
    """Over 3 blocks of random vectors with neighbours planted at cosines 0.5..0.8, the best
    earlier vector by exact int8 cosine is among the 16 returned, for every query."""
    rng = np.random.default_rng(7)
    n = 3 * BLOCK
    base = _vectors(rng, n)
    near = Nearest(DIM, 128, capacity=n)
    near.add(1, base, np.full(n, 100, np.int32))
    for _ in range(40):
        target = base[rng.integers(n)].astype(np.float64)
        noise = rng.standard_normal(DIM) * np.linalg.norm(target) / np.sqrt(DIM)
        c = rng.uniform(0.5, 0.8)
        q = np.clip(np.round(c * target + np.sqrt(1 - c * c) * noise), -127, 127).astype(np.int8)
        best = int(np.argmax(_exact(q, base))) + 1
        assert best in near.query(q.tobytes(), 100, 7, 16)


def test_only_rows_within_the_window_or_undated_are_returned():
    """Rows published more than `window` days from the query's day are never returned; undated
    rows (day 0) always may be, and an undated query sees every row."""
    rng = np.random.default_rng(2)
    v = _vectors(rng, 1)[0]
    rows = np.stack([v] * 4)
    near = Nearest(DIM, 64, capacity=100)
    near.add(1, rows, np.array([100, 109, 0, 93], np.int32))
    assert sorted(near.query(v.tobytes(), 101, 7, 10)) == [1, 3]
    assert sorted(near.query(v.tobytes(), 0, 7, 10)) == [1, 2, 3, 4]
    assert near.query(v.tobytes(), 200, 7, 10) == [3]


def test_ties_go_to_the_newest_and_order_is_best_first():
    """Equal scores are broken by the higher number, and results come best first."""
    rng = np.random.default_rng(3)
    v, other = _vectors(rng, 2)
    near = Nearest(DIM, 64, capacity=100)
    near.add(1, np.stack([v, other, v, v]), np.full(4, 5, np.int32))
    assert near.query(v.tobytes(), 5, 7, 2) == [4, 3]
    assert near.query(v.tobytes(), 5, 7, 4)[:3] == [4, 3, 1]
    assert top(np.array([3, 9, 5]), np.array([0.5, 0.5, 0.9]), 2) == [5, 9]


def test_rows_without_embedding_and_under_the_floor_are_never_returned():
    """All-zero rows (duplicates, articles without embedding) are not candidates; after
    drop_below(floor) no number under the floor is returned and whole blocks under it are freed."""
    rng = np.random.default_rng(4)
    n = 2 * BLOCK + 10
    rows = _vectors(rng, n)
    rows[5] = 0
    near = Nearest(DIM, 32, capacity=10 * BLOCK)
    near.add(1, rows, np.full(n, 9, np.int32))
    assert 6 not in near.query(rows[4].tobytes(), 9, 7, n) and 5 in near.query(rows[4].tobytes(), 9, 7, n)
    near.drop_below(BLOCK + 100)
    assert len(near.blocks) == 2 and near.lo == BLOCK + 100
    got = near.query(rows[BLOCK + 50].tobytes(), 9, 7, n)
    assert got and min(got) >= BLOCK + 100 and len(got) == n - BLOCK - 99


def test_the_capacity_keeps_the_newest_and_adds_must_adjoin():
    """Beyond its capacity the mirror keeps the newest numbers; it fills forward or backward from
    what it holds, and refuses a range that leaves a gap (it would miss articles silently)."""
    rng = np.random.default_rng(5)
    rows = _vectors(rng, 30)
    days = np.full(30, 3, np.int32)
    near = Nearest(DIM, 32, capacity=10)
    near.add(11, rows[10:20], days[10:20])
    near.add(21, rows[20:30], days[20:30])
    near.add(1, rows[:10], days[:10])
    assert (near.lo, near.hi) == (1, 30)
    near.drop_below(1)
    assert near.lo == 21 and sorted(near.query(rows[0].tobytes(), 3, 7, 30)) == list(range(21, 31))
    with pytest.raises(ValueError, match="do not adjoin"):
        near.add(40, rows[:2], days[:2])
    with pytest.raises(ValueError, match="at least 1"):
        Nearest(DIM, 0, capacity=5)
