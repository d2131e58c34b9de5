"""Keywords: TF-IDF over the article's words, phrases and entity names.

Document frequencies blend a prior (general English word frequencies from
`wordfreq`, as `prior_docs` pseudo-documents) with the corpus statistics
newsflow keeps in Redis (`newsflow.tagindex`), which take over as articles
accumulate. The corpus statistics are a read-only argument: this module does
no I/O.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Mapping, Protocol

from newsflow.languages import UNSPACED_RUN
from newsflow.values import Entity

_CHUNK_SPLIT = re.compile(r"[.,;:!?()\[\]{}\"\u201c\u201d\u2018\u2019'|/\n\u2013\u2014]+|\s[-]\s")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_KEYWORD_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "FAC", "PRODUCT", "WORK_OF_ART", "LAW"}


class CorpusStats(Protocol):
    """Read-only corpus statistics: number of documents and document frequencies."""

    n_docs: int
    df: Mapping[str, int]


@dataclass(frozen=True)
class Stats:
    """A plain snapshot of corpus statistics (what `TagIndex.corpus_stats()` returns)."""

    n_docs: int = 0
    df: Mapping[str, int] = field(default_factory=dict)


@dataclass
class Prior:
    """General-English word frequencies and the stop words."""

    freq: dict[str, float]
    stop: frozenset[str]


def words_and_chunks(text: str, unspaced: bool = False) -> list[list[str]]:
    """Lower-case words, grouped in runs not broken by punctuation. `unspaced` (Chinese, Japanese,
    Thai): a run of such a script is read as its pairs of neighbouring characters."""
    out = []
    for chunk in _CHUNK_SPLIT.split(text.lower()):
        ws = _WORD.findall(chunk)
        if unspaced:
            ws = [p for w in ws for p in (_pairs(w) if UNSPACED_RUN.fullmatch(w) else [w])]
        if ws:
            out.append(ws)
    return out


def _pairs(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)] or [run]


def document_terms(chunks: list[list[str]], prior: Prior, min_chars: int) -> set[str]:
    """The distinct content words of an article: what corpus statistics count."""
    return {w for ws in chunks for w in ws if len(w) >= min_chars and w not in prior.stop}


class Idf:
    def __init__(self, prior: Prior, stats: CorpusStats | None, prior_docs: int, doc_words: int):
        self.prior = prior
        self.n = (stats.n_docs if stats else 0)
        self.df = stats.df if stats else {}
        self.n0 = prior_docs
        self.L = doc_words
        self.total = math.log(self.n + self.n0 + 1)
        self.cache: dict[str, float] = {}

    def __call__(self, word: str) -> float:
        v = self.cache.get(word)
        if v is None:
            f = self.prior.freq.get(word, 0.0)
            df0 = self.n0 * (1.0 - math.exp(-f * self.L))
            v = self.total - math.log(self.df.get(word, 0) + df0 + 1)
            self.cache[word] = v
        return v


def tfidf_keywords(chunks: list[list[str]], entities: tuple[Entity, ...], prior: Prior,
                   stats: CorpusStats | None, *, max_keywords: int, min_chars: int,
                   prior_docs: int, doc_words: int, phrase_boost: float,
                   min_bigram_count: int, covered: frozenset[str] = frozenset(),
                   lead_share: float = 0.0, lead_boost: float = 0.0) -> tuple[str, ...]:
    """Best-first keywords. `covered`: words already stood for by an entity
    (e.g. its aliases, "dprk" for North Korea)."""
    idf = Idf(prior, stats, prior_docs, doc_words)
    lead = _lead_weight(chunks, lead_share, lead_boost)
    uni, bi = _term_counts(chunks, prior.stop, min_chars)
    scored: list[tuple[float, str, frozenset[str]]] = []
    entity_words: set[str] = set(covered)
    for e in entities:
        if e.label not in _KEYWORD_LABELS:
            continue
        ws = [w for w in _WORD.findall(e.name.lower())]
        content = [w for w in ws if w not in prior.stop]
        if not content:
            continue
        entity_words.update(ws)
        s = (1 + math.log(e.count)) * sum(idf(w) for w in content) / len(content) * lead(content)
        if len(content) > 1:
            s *= phrase_boost
        scored.append((s, e.name, frozenset(ws)))
    for w, n in uni.items():
        if w in entity_words:
            continue
        scored.append(((1 + math.log(n)) * idf(w) * lead((w,)), w, frozenset((w,))))
    for b, n in bi.items():
        if n < min_bigram_count:
            continue
        a, c = b.split(" ")
        if a in entity_words and c in entity_words:
            continue
        scored.append(((1 + math.log(n)) * (idf(a) + idf(c)) / 2 * phrase_boost * lead((a, c)), b,
                       frozenset((a, c))))
    return _best_distinct(scored, max_keywords)


def _lead_weight(chunks: list[list[str]], lead_share: float, lead_boost: float):
    """words -> 1 + lead_boost when any of them first occurs in the text's first `lead_share`, else 1."""
    first: dict[str, int] = {}
    total_words = sum(len(ws) for ws in chunks) or 1
    pos = 0
    for ws in chunks:
        for w in ws:
            first.setdefault(w, pos)
            pos += 1
    lead_end = lead_share * total_words

    def lead(ws) -> float:
        return 1.0 + lead_boost if any(first.get(w, total_words) < lead_end for w in ws) else 1.0

    return lead


def _term_counts(chunks: list[list[str]], stop: frozenset[str], min_chars: int) -> tuple[Counter, Counter]:
    """Counts of content words, and of pairs of them next to each other within a chunk."""
    uni: Counter[str] = Counter()
    bi: Counter[str] = Counter()
    for ws in chunks:
        prev = None
        for w in ws:
            if w in stop or len(w) < min_chars:
                prev = None
                continue
            uni[w] += 1
            if prev is not None:
                bi[f"{prev} {w}"] += 1
            prev = w
    return uni, bi


def _best_distinct(scored: list[tuple[float, str, frozenset[str]]], max_keywords: int) -> tuple[str, ...]:
    """The best-scored terms, skipping one whose words hold or are held by a chosen term's."""
    scored.sort(key=lambda x: (-x[0], x[1]))
    chosen: list[tuple[str, frozenset[str]]] = []
    for _s, term, ws in scored:
        if any(ws <= cw or cw <= ws for _t, cw in chosen):
            continue
        chosen.append((term, ws))
        if len(chosen) >= max_keywords:
            break
    return tuple(t for t, _ in chosen)

