"""Topics: term evidence against a taxonomy (default: IPTC Media Topics, top level)."""

from __future__ import annotations

import math
from collections import Counter

from newsflow.model import Topic
from newsflow.tag.tables import Taxonomy


def classify(chunks: list[list[str]], title_chunks: list[list[str]], tax: Taxonomy, *,
             title_weight: float, min_share: float, min_hits: float, max_topics: int) -> tuple[Topic, ...]:
    """Topics whose terms make up at least `min_share` of the article's topic
    evidence; a term's evidence is 1 + log(its count) (headline words weigh more)."""
    heads = tax.phrase_heads
    tf: Counter[str] = Counter()
    for weight, cs in ((1.0, chunks), (title_weight, title_chunks)):
        for ws in cs:
            for i, w in enumerate(ws):
                tf[w] += weight
                if i and ws[i - 1] in heads:
                    tf[f"{ws[i - 1]} {w}"] += weight
    evidence = [0.0] * len(tax.names)
    for term, n in tf.items():
        hit = tax.topics_of(term)
        if hit:
            w = 1.0 + math.log(n)
            for t in hit:
                evidence[t] += w
    total = sum(evidence)
    if total <= 0:
        return ()
    ranked = sorted(range(len(evidence)), key=lambda t: -evidence[t])
    out = []
    for t in ranked[:max_topics]:
        share = evidence[t] / total
        if evidence[t] >= min_hits and share >= min_share:
            out.append(Topic(tax.names[t], round(share, 3)))
    return tuple(out)
