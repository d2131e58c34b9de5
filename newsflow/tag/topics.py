"""Topics: term evidence against a taxonomy (default: IPTC Media Topics, top level), or, in a
language the taxonomy's terms are not written in, the article's multilingual embedding against
each topic's description."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from newsflow.values import Topic
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


def nearest_topics(vector: np.ndarray, topic_vectors: np.ndarray, names: tuple[str, ...], *,
                   min_cosine: float, margin: float, max_topics: int) -> tuple[Topic, ...]:
    """The topics whose description's embedding (rows of `topic_vectors`, unit length) is nearest
    the article's: at or above `min_cosine` and within `margin` of the nearest, best first, each
    scored by its cosine."""
    if not len(names) or vector.size == 0:
        return ()
    cosines = topic_vectors @ vector
    order = np.argsort(-cosines, kind="stable")[:max_topics]
    best = float(cosines[order[0]])
    return tuple(Topic(names[i], round(float(cosines[i]), 3)) for i in order
                 if cosines[i] >= min_cosine and cosines[i] >= best - margin)
