"""Nearest earlier articles by embedding: a flat scan of random projections, in one process.

The index's posting lists find an article's story candidates through shared terms; at high
volume they miss some articles whose embeddings would match (issue 28: recall 0.95 against brute
force at 1M articles). So every process that places articles also keeps a mirror of the stored
embeddings of the most recent articles (``Nearest``), each projected to ``dimensions`` values by
one fixed random Gaussian matrix (cosines survive within a few hundredths: Johnson-Lindenstrauss)
and kept as int8 (``SCALE``: 128 bytes an article at 128 dimensions). A query scans them a block
at a time (converted to float32 in one reused buffer, then one matrix-vector product: 26 ms for
700,000 articles on one core, measured, vs 23 ms from float32 at 4x the memory), skipping blocks
outside the story window, and hands the ``k`` best article numbers to the place script, which
compares each by its exact int8 cosine like any other candidate. Offline on
``ops/tools/recall.py``'s 1M stream, the top 16 at 128 dimensions held all 284 brute-force
matches (the top 8: 283; the top 16 at 96 dimensions: 282, at 64: 259).

Pure: numpy only, no Redis (``newsflow.placement.mirror`` fills it from the index).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Article numbers per block: a block is one (BLOCK, dimensions) int8 matrix (512 KB at 128), scanned
#: through one float32 buffer of the same shape.
BLOCK = 4096
#: Seed of the projection matrix: fixed, so the candidates chosen are the same run to run.
SEED = 28
#: int8 steps per unit of a projected value: a unit vector's projected values have a standard
#: deviation of 1/sqrt(dimensions) (0.088 at 128), so +-127 covers 5.7 of them; the rounding moves
#: a dot product by ~0.0005, against the projection's own ~0.09.
SCALE = 254.0


def projection(embedding_bytes: int, dimensions: int) -> np.ndarray:
    """The fixed (embedding_bytes, dimensions) Gaussian projection, scaled to keep lengths."""
    rng = np.random.default_rng(SEED)
    return (rng.standard_normal((embedding_bytes, dimensions)) / np.sqrt(dimensions)).astype(np.float32)


@dataclass
class _Block:
    """Projected rows (int8, x SCALE) of the numbers first .. first + BLOCK - 1 (zero rows: none)."""

    first: int
    z: np.ndarray
    day: np.ndarray      # publication day of each row; 0 unknown
    present: np.ndarray  # the row holds an embedding
    span: list[int] = field(default_factory=lambda: [1 << 30, -1])  # earliest and latest known day
    undated: bool = False  # a row's day is unknown

    def note_days(self, days: np.ndarray) -> None:
        """Widen the block's day span by the days of rows just added."""
        known = days[days != 0]
        self.undated = self.undated or len(known) < len(days)
        if len(known):
            self.span = [min(self.span[0], int(known.min())), max(self.span[1], int(known.max()))]

    def in_window(self, day: int, window: int) -> bool:
        """Whether any row could be within `window` days of `day` (unknown days always are)."""
        return day == 0 or self.undated or self.span[0] - window <= day <= self.span[1] + window


class Nearest:
    """Projected embeddings of the articles numbered up to `hi`, at most `capacity` of the newest."""

    def __init__(self, embedding_bytes: int, dimensions: int, capacity: int):
        if dimensions < 1 or capacity < 1:
            raise ValueError(f"nearest needs dimensions and capacity of at least 1, got {dimensions}, {capacity}")
        self.matrix = projection(embedding_bytes, dimensions)
        self.capacity = capacity
        self.buffer = np.empty((BLOCK, dimensions), np.float32)  # a block, converted for the scan
        self.clear()

    def clear(self) -> None:
        """Hold nothing."""
        self.blocks: dict[int, _Block] = {}
        self.lo, self.hi = 1, 0  # the numbers held are lo..hi (none while lo > hi)

    def project(self, embeddings: np.ndarray) -> np.ndarray:
        """Rows of int8 embeddings, made unit length then projected (float32; zero rows stay zero)."""
        x = embeddings.astype(np.float32)
        norm = np.linalg.norm(x, axis=1, keepdims=True)
        return (x / np.where(norm > 0, norm, 1)) @ self.matrix

    def add(self, first: int, embeddings: np.ndarray, days: np.ndarray) -> None:
        """The int8 embeddings (rows; all zero: none) and days of the numbers first, first + 1, ...:
        just above the numbers held, just below them, or anywhere when none are held."""
        last = first + len(embeddings) - 1
        if last < first:
            return
        if self.lo <= self.hi and first != self.hi + 1 and last != self.lo - 1:
            raise ValueError(f"numbers {first}..{last} do not adjoin the {self.lo}..{self.hi} held")
        z = np.clip(np.round(self.project(embeddings) * SCALE), -127, 127).astype(np.int8)
        present = embeddings.any(axis=1)
        i = 0
        while i < len(z):
            b = self._block(first + i)
            off = first + i - b.first
            m = min(len(z) - i, BLOCK - off)
            b.z[off:off + m], b.day[off:off + m], b.present[off:off + m] = z[i:i + m], days[i:i + m], present[i:i + m]
            b.note_days(days[i:i + m][present[i:i + m]])
            i += m
        self.lo, self.hi = (first, last) if self.lo > self.hi else (min(self.lo, first), max(self.hi, last))

    def _block(self, n: int) -> _Block:
        start = (n - 1) // BLOCK * BLOCK + 1
        if start not in self.blocks:
            dims = self.matrix.shape[1]
            self.blocks[start] = _Block(start, np.zeros((BLOCK, dims), np.int8), np.zeros(BLOCK, np.int32),
                                        np.zeros(BLOCK, bool))
        return self.blocks[start]

    def drop_below(self, floor: int) -> None:
        """Forget the numbers under `floor` (past retention) and beyond the capacity."""
        floor = max(floor, self.hi - self.capacity + 1)
        for start in [s for s in self.blocks if s + BLOCK <= floor]:
            del self.blocks[start]
        b = self.blocks.get((floor - 1) // BLOCK * BLOCK + 1)
        if b is not None:
            b.present[: max(0, floor - b.first)] = False
        self.lo = max(self.lo, floor)

    def query(self, embedding: bytes, day: int, window: int, k: int) -> list[int]:
        """The numbers of the `k` most similar rows within the window (by projected cosine; ties:
        the higher number), best first."""
        if k < 1 or not self.blocks:
            return []
        q = self.project(np.frombuffer(embedding, np.int8)[None, :])[0]
        nums, scores = [], []
        for b in self.blocks.values():
            if not b.in_window(day, window):
                continue
            np.copyto(self.buffer, b.z, casting="unsafe")
            s = self.buffer @ q
            ok = b.present
            if day and (b.undated or b.span[0] < day - window or b.span[1] > day + window):
                ok = ok & ((b.day == 0) | (np.abs(b.day - day) <= window))
            idx = np.flatnonzero(ok)
            idx = idx[best_k(s[idx], k)]  # the block's best k and its ties: the merge picks the same
            nums.append(idx + b.first)
            scores.append(s[idx])
        return top(np.concatenate(nums), np.concatenate(scores), k) if nums else []


def best_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Which scores are among the k highest, ties at the k-th included (all when there are k or fewer)."""
    if len(scores) <= k:
        return np.ones(len(scores), bool)
    return scores >= np.partition(scores, len(scores) - k)[len(scores) - k]


def top(nums: np.ndarray, scores: np.ndarray, k: int) -> list[int]:
    """The k numbers of the highest scores, best first; ties broken by the higher number (so the
    choice does not depend on the order rows were scanned in)."""
    keep = best_k(scores, k)
    nums, scores = nums[keep], scores[keep]
    order = np.lexsort((-nums, -scores))[:k]
    return [int(n) for n in nums[order]]
