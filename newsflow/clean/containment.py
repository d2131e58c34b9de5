"""Lines held inside a longer kept line (a teaser of a paragraph, a pull quote): found in
near-linear time through an index of a few token keys per line."""

from __future__ import annotations

import re

from newsflow.clean import lexicon as lx
from newsflow.clean.lines import Line
from newsflow.clean.settings import CleanSettings


#: Tokens of a containment key. Keys are taken inside a line, never at its first or
#: last token, which may be cut mid-word where one line sits inside another.
_KEY_TOKENS = 4


#: A token: one CJK character, or a run of other non-space characters (a boundary
#: depends only on the two characters beside it, so a line's inner tokens are the
#: same tokens wherever the line appears inside a longer one).
_TOKEN = re.compile(f"{lx.CJK_RE.pattern}|[^\\s{lx.CJK_RE.pattern[1:-1]}]+")


class _Containment:
    """Which earlier lines a line sits in, or holds, found through token keys: near-linear
    in the text (a substring test of every pair of lines was quadratic: 2 MB of HTML, 13 s).
    A line's keys (`keys()`) are (offset, text of _KEY_TOKENS tokens) at each token."""

    def __init__(self) -> None:
        self.longs: list[str] = []
        self.in_longs: dict[str, set[int]] = {}  # key -> long lines holding it
        self.parts: dict[str, list[tuple[int, str]]] = {}  # a kept line's key -> (offset, line)
        self.unkeyed: list[str] = []  # kept lines too short in tokens to key (checked directly)

    @staticmethod
    def keys(low: str) -> list[tuple[int, str]]:
        spans = [m.span() for m in _TOKEN.finditer(low)]
        n = _KEY_TOKENS - 1
        return [(spans[i][0], low[spans[i][0]:spans[i + n][1]]) for i in range(len(spans) - n)]

    def inside_a_long(self, low: str, keys: list[tuple[int, str]]) -> bool:
        """True if `low` is part of an earlier, longer line (a copy of a line is not a part of
        it: whether a recurring paragraph stays is the repeat rules' call)."""
        inner = keys[1:-1]
        bigs = self.longs if not inner else \
            [self.longs[j] for j in min((self.in_longs.get(key, set()) for _, key in inner), key=len)]
        return any(low in big and len(big) > len(low) for big in bigs)

    def held_chars(self, low: str, keys: list[tuple[int, str]]) -> int:
        """Characters of `low` made of earlier, shorter kept lines (each counted once)."""
        found: dict[str, int] = {}
        for at, key in keys:
            for offset, part in self.parts.get(key, ()):
                if at >= offset and low.startswith(part, at - offset):
                    found[part] = len(part)
        found.update((part, len(part)) for part in self.unkeyed if part in low)
        found.pop(low, None)  # a copy of the whole line is not a part of it
        return sum(found.values())

    def add_long(self, low: str, keys: list[tuple[int, str]]) -> None:
        j = len(self.longs)
        self.longs.append(low)
        for _, key in keys:
            self.in_longs.setdefault(key, set()).add(j)

    def add_kept(self, low: str, keys: list[tuple[int, str]]) -> None:
        inner = keys[1:-1]  # keys touching neither the first token nor the last
        if inner:  # the least used one, so no key gathers every line of a templated page
            offset, key = min(inner, key=lambda k: len(self.parts.get(k[1], ())))
            self.parts.setdefault(key, []).append((offset, low))
        else:
            self.unkeyed.append(low)


def drop_contained(lines: list[Line], body: list[int], s: CleanSettings) -> list[int]:
    """Drop body lines the body already holds: a page repeating its article as one block.

    A long line made mostly of earlier body lines goes; so do later lines
    found inside an earlier long one.
    """
    kept: list[int] = []
    seen = _Containment()
    for i in body:
        ln = lines[i]
        keys = seen.keys(ln.low) if ln.words >= 8 else []
        if seen.longs and ln.words >= 2 * s.good_min_words and seen.inside_a_long(ln.low, keys):
            continue
        long = ln.words >= 3 * s.good_min_words
        if long and kept and seen.held_chars(ln.low, keys) >= s.contained_share * len(ln.low):
            continue
        if long:
            seen.add_long(ln.low, keys)
        kept.append(i)
        if ln.words >= 8:
            seen.add_kept(ln.low, keys)
    return kept
