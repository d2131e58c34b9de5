"""Thresholds and table sizes of the shared index (data, not code).

Any field can be overridden as ``NEWSFLOW_INDEX_<FIELD>`` (the earlier
``NEWSFLOW_FINGERPRINT_<FIELD>`` names of these fields are still read).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IndexSettings:
    """How the index decides duplicates and stories, and how big its fixed tables are."""

    #: Article ids kept per LSH bucket (first seen win); bounds the candidates per query at bands x this.
    lsh_bucket_size: int = 3
    #: A copy must contain at least this share of the shorter text's shingles (estimated containment).
    dup_containment: float = 0.7
    #: ... and have at least this Jaccard similarity (guards against a short text inside a long page).
    dup_jaccard: float = 0.25
    #: Jaccard similarity at or above which two texts are copies whatever their lengths.
    dup_jaccard_alone: float = 0.5
    #: Terms in an article's stored story vector (TF-IDF, strongest first).
    story_vector_terms: int = 24
    #: Of these, the strongest ones under which the article is registered for later articles to find.
    story_posting_terms: int = 12
    #: Strongest already-seen terms of an article whose posting lists are read (bounds the query cost).
    story_lookup_terms: int = 24
    #: Articles kept per posting list (most recent); bounds the candidates per query.
    story_posting_size: int = 8
    #: Candidates (by number of shared posting terms) whose full vectors are compared.
    story_max_candidates: int = 20
    #: Cosine similarity of TF-IDF vectors at or above which an article joins an earlier article's story
    #: (the signal when either article has no embedding).
    story_threshold: float = 0.2
    #: Cosine similarity of the articles' embeddings (newsflow.embed) at or above which an article joins an
    #: earlier article's story, in every language and across languages: one rule. Chosen by 5-fold
    #: cross-validation over the English and multilingual SemEval-2022 Task 8 dev pairs together
    #: (0.46..0.62, step 0.04): 0.50 in four folds of five, 0.54 in one; held-out F1 0.904 English,
    #: 0.766 the other languages (`ops/tools/eval.py --sets stories,multilingual-stories --folds 5`; issue 26).
    story_embedding_threshold: float = 0.50
    #: Days within which two articles can share a story (by publication date; unknown dates always can).
    story_window_days: int = 7
    # Story candidates by embedding (newsflow.placement.nearest): each placing process mirrors the
    # embeddings of the most recent articles as random projections and hands the place script the
    # nearest ones, which it compares exactly when no posting-list candidate reaches its threshold.
    # Off at this sizing (~10,000 articles a day), where the posting lists alone already find
    # 0.9918 of the brute-force matches (100k synthetic articles) and the dev story pairs score
    # better without them: cross-validated F1 0.9041 English either way, 0.7660 vs 0.7575 the other
    # languages (the extra joins, mostly across languages, made 2 false pairs and no true one).
    # At ~100,000 a day the posting lists miss more (1M articles: 0.9531 of the matches; 0.9970 with
    # these): set 16 there, with a larger capacity (docs/operations.md, sizing).
    #: Nearest articles by projected cosine handed to the script (0: none, posting lists only).
    nearest_candidates: int = 0
    #: Dimensions of the random projection (int8: a byte each per mirrored article).
    nearest_dimensions: int = 128
    #: Most recent articles a process mirrors (133 bytes each at 128 dimensions: 13 MB): the story
    #: window at ~10,000 articles a day with room; scale with the articles a day like the tables.
    nearest_capacity: int = 100_000
    #: The mirror reads what was placed since its last read once this many articles were placed;
    #: the script compares those placed since exactly (at most nearest_recent, the newest).
    nearest_sync_every: int = 1
    nearest_recent: int = 64
    # Fixed-size index tables (newsflow.placement): an insert reads one line of each per lookup, so it
    # costs the same at any index size; memory is fixed (96 MB at these sizes), never growing.
    # Sized for ~10,000 articles a day: story-candidate recall against brute force 0.9945 on a
    # synthetic 100k-article stream over 10 days; at the earlier 4 and 8 MB tables it was 0.81, as
    # the tables recycled the rare, story-specific terms of a story before its next article came
    # (ops/tools/recall.py; issue 28). Scale both with the articles a day (see docs/operations.md).
    #: 64-byte lines of LSH buckets, 10 entries each (16 MB): room for 16 bands x ~160k articles
    #: at 60% fill; beyond, a full line recycles the entry of its oldest article.
    lsh_table_lines: int = 262_144
    #: 64-byte lines of story-term document frequencies, 8 terms each (16 MB, ~2M terms);
    #: a full line recycles its least frequent term.
    df_table_lines: int = 262_144
    #: 128-byte lines of posting lists, 3 terms each (64 MB, ~1.5M terms); a full line
    #: recycles the list whose newest article is oldest.
    posting_table_lines: int = 524_288
