"""Do bounded keyword statistics change the keywords? (issue 28)

Streams every development text (English and multilingual stories, entities, dates, duplicates,
main text) through the tag index's real counting (`TagIndex.add` of each text's content words, on
the embedded Valkey) twice: untrimmed, and trimmed every `--every` texts as the worker sweep does
(`TagIndex.trim_terms`). Both snapshots read the `--snapshot` most frequent terms; the trim keeps
`--kept` terms, in the defaults' proportion (500k kept for a 200k snapshot) unless told. Then every
text's keywords (the tag stage's TF-IDF with its settings; entities left out, as the trim changes
only the statistics) are computed from each snapshot and compared: identical lists, and the mean
overlap of the keyword sets. The snapshot is scaled to a tenth of the vocabulary the stream
reaches, so the trim bites on a few thousand texts as the defaults bite on millions.

    python ops/tools/keyword_trim.py [--shared ../shared] [--every 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import redis  # noqa: E402

from newsflow.valkey import EmbeddedServer  # noqa: E402
from newsflow.keys import Keys  # noqa: E402
from newsflow.values import Tags  # noqa: E402
from newsflow.tag import TagSettings  # noqa: E402
from newsflow.tag import keywords as kw  # noqa: E402
from newsflow.tag.tagger import load_prior  # noqa: E402
from newsflow.tag.language import detect, load_detector  # noqa: E402
from newsflow.tagindex import TagIndex  # noqa: E402

#: Folders of development texts (plain text files), under <shared>/eval.
TEXT_DIRS = ("stories/files", "multilingual/stories/files", "entities/files", "dates/files",
             "duplicates/files", "multilingual/entities/de/files", "multilingual/entities/es/files",
             "multilingual/entities/nl/files", "multilingual/dates/files")
#: Largest text read, in characters.
MAX_CHARS = 200_000


def texts(shared: Path) -> list[str]:
    """Every development text, in a fixed order."""
    out = []
    for folder in TEXT_DIRS:
        for path in sorted((shared / "eval" / folder).glob("*")):
            if path.is_file() and path.suffix not in (".json",):
                out.append(path.read_text(encoding="utf-8", errors="replace")[:MAX_CHARS])
    return out


def prepared(items: list[str], s: TagSettings) -> list[tuple[list[list[str]], kw.Prior, int]]:
    """(word chunks, the language's prior, min chars) of every text, as the tag stage reads it."""
    detector, priors, out = load_detector(), {}, []
    for text in items:
        language = detect(detector, text[: s.language_sample_chars], min_letters=s.language_min_letters,
                          min_confidence=s.language_min_confidence) or "en"
        if language not in priors:
            priors[language] = load_prior(language)
        unspaced = language in ("zh", "ja", "th")
        out.append((kw.words_and_chunks(text, unspaced), priors[language], 2 if unspaced else s.min_keyword_chars))
    return out


def counted(client: redis.Redis, docs, every: int, kept: int | None, snapshot: int) -> kw.Stats:
    """The snapshot after streaming every text's terms into a fresh tag index (trimmed or not)."""
    client.flushdb()
    index = TagIndex(client, Keys("kwtrim"), TagSettings())
    for i, (chunks, prior, min_chars) in enumerate(docs, 1):
        index.add(f"{i:032x}", Tags(language=None, terms=tuple(sorted(kw.document_terms(chunks, prior, min_chars)))))
        if kept is not None and i % every == 0:
            index.trim_terms(kept=kept)
    return index.count_terms(TagSettings().stats_min_df, snapshot)


def keywords(docs, stats: kw.Stats, s: TagSettings) -> list[tuple[str, ...]]:
    return [kw.tfidf_keywords(chunks, (), prior, stats, max_keywords=s.max_keywords, min_chars=min_chars,
                              prior_docs=s.prior_docs, doc_words=s.prior_doc_words, phrase_boost=s.phrase_boost,
                              min_bigram_count=s.min_bigram_count, lead_share=s.lead_share,
                              lead_boost=s.lead_boost) for chunks, prior, min_chars in docs]


def compare(a: list[tuple[str, ...]], b: list[tuple[str, ...]]) -> tuple[float, float]:
    """(share of identical keyword lists, mean Jaccard overlap of the keyword sets)."""
    same = sum(x == y for x, y in zip(a, b)) / len(a)
    overlap = sum(len(set(x) & set(y)) / max(1, len(set(x) | set(y))) for x, y in zip(a, b)) / len(a)
    return same, overlap


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--every", type=int, default=100, help="texts between two trims")
    parser.add_argument("--ratio", type=float, default=None,
                        help="terms kept per snapshot term (default the settings': stats_kept_terms / stats_max_terms)")
    args = parser.parse_args()
    s = TagSettings()
    docs = prepared(texts(args.shared), s)
    server = EmbeddedServer(Path(tempfile.mkdtemp(prefix="kwtrim-")))
    client = redis.Redis.from_url(server.acquire())
    try:
        counted(client, docs, args.every, None, None)
        vocabulary = client.hlen(Keys("kwtrim").tag_df())
        snapshot = max(1, vocabulary // 10)
        kept = int(snapshot * (args.ratio or s.stats_kept_terms / s.stats_max_terms))
        plain = keywords(docs, counted(client, docs, args.every, None, snapshot), s)
        trimmed = keywords(docs, counted(client, docs, args.every, kept, snapshot), s)
        left = client.hlen(Keys("kwtrim").tag_df())
    finally:
        client.close()
        server.release()
    same, overlap = compare(plain, trimmed)
    print(f"texts {len(docs)}, vocabulary {vocabulary} terms; snapshot {snapshot}, kept {kept} "
          f"(trim every {args.every} texts; {left} terms held at the end)")
    print(f"keyword lists identical: {same:.4f}; mean keyword-set overlap: {overlap:.4f} "
          f"(change {1 - overlap:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
