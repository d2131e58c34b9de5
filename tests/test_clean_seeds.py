"""Golden tests on the five seed articles: body, headline and the known dates, scored like the shared scorer."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from newsflow.clean import clean
from newsflow.values import Document

TOKEN = re.compile(r"\w+")


def _shingles(paragraphs) -> Counter:
    out: Counter = Counter()
    for para in paragraphs:
        toks = [t.lower() for t in TOKEN.findall(para)]
        if 0 < len(toks) < 4:
            out[tuple(toks)] += 1
        for i in range(len(toks) - 3):
            out[tuple(toks[i:i + 4])] += 1
    return out


def _score(cleaned, gold) -> tuple[float, float]:
    body = _shingles(gold["body_paragraphs"])
    allowed = body + _shingles(gold.get("optional_paragraphs", [])) + _shingles([gold.get("title", "")])
    out = _shingles(cleaned.paragraphs)
    p = sum((out & allowed).values()) / max(1, sum(out.values()))
    r = sum((out & body).values()) / max(1, sum(body.values()))
    return p, r


def test_seeds_golden(seeds):
    """Every seed is cleaned to its gold body (F1 >= 0.98 over the set), with both known dates right."""
    ps, rs = [], []
    for path in seeds:
        gold = json.loads(path.with_name(path.stem + ".gold.json").read_text(encoding="utf-8"))
        c = clean(Document(path.name, path.read_bytes()))
        p, r = _score(c, gold)
        ps.append(p)
        rs.append(r)
        assert p >= 0.95 and r >= 0.95, (path.name, p, r)
        if gold.get("published"):
            assert c.published == gold["published"], path.name
        else:
            assert c.published is None, path.name
        assert c.title and c.title.lower() in gold["title"].lower() + " " + path.read_text(encoding="utf-8").lower()
    mp, mr = sum(ps) / len(ps), sum(rs) / len(rs)
    assert 2 * mp * mr / (mp + mr) >= 0.98


@pytest.mark.parametrize("stem, first, last", [
    ("000", "WASHINGTON: North Korean leader", "handed in his resignation to parliament"),
    ("001", "North Korean leader Kim Jong Un is preparing", "John Everard, a former British ambassador"),
])
def test_seed_boundaries(seeds, stem, first, last):
    """The body starts at the lede and ends before what follows it (another article, promos, a bio, teasers)."""
    path = next(p for p in seeds if p.name.startswith(stem))
    c = clean(Document(path.name, path.read_bytes()))
    assert c.paragraphs[0].startswith(first)
    assert last in c.paragraphs[-1]
