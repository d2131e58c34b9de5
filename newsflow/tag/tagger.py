"""Tag stage: cleaned article -> language, entities, keywords, topics.

Pure given the loaded model: `tag(cleaned, model, settings, stats=None)`.
`load_model(settings)` loads spaCy (NER only), the language model and the data
tables once per worker process, before the first task.
"""

from __future__ import annotations

import bisect
import dataclasses
import os
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from newsflow.languages import UNSPACED, stop_words
from newsflow.values import Cleaned, Tags
from newsflow.tag import entities as ents
from newsflow.tag import keywords as kw
from newsflow.tag import language as lang
from newsflow.tag.resolve import resolve
from newsflow.tag.settings import TagSettings
from newsflow.tag.tables import AliasTable, Taxonomy, load_places
from newsflow.tag.topics import classify

#: Every component of spaCy's small pipelines except NER (which has its own tok2vec).
NON_NER = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer", "textcat", "morphologizer"]
#: Labels of other languages' spaCy pipelines (WikiNER's PER, LOC, ORG, MISC) as the record names them.
LABELS = {"PER": "PERSON"}


@dataclass
class TagModel:
    """Everything `tag` needs, loaded once per process."""

    nlp: Any  # the English NER pipeline
    detector: Any
    resources: ents.Resources
    prior: kw.Prior  # English keyword prior
    taxonomy: Taxonomy
    settings: TagSettings
    #: NER pipelines of the other languages, by code (TagSettings.models).
    others: dict[str, Any] = field(default_factory=dict)
    #: Keyword priors of the other languages, built on first use (a cache, not state).
    priors: dict[str, kw.Prior] = field(default_factory=dict)

    def ner_for(self, language: str | None) -> Any | None:
        """The NER pipeline of a language; None when it has none (or the language is unknown)."""
        return self.nlp if language == "en" else self.others.get(language or "")

    def prior_for(self, language: str | None) -> kw.Prior:
        """The keyword prior of a language (English for an unknown one)."""
        if language in (None, "en"):
            return self.prior
        if language not in self.priors:
            self.priors[language] = load_prior(language, self.settings.prior_words)
        return self.priors[language]


def model_packages(settings: TagSettings) -> dict[str, str]:
    """Language code -> spaCy package of every NER pipeline the settings name."""
    out = {"en": settings.model}
    for entry in settings.models:
        code, sep, package = (part.strip() for part in entry.partition(":"))
        if not sep or not re.fullmatch(r"[a-z]{2,3}", code) or not package:
            raise ValueError(f"NEWSFLOW_TAG_MODELS entry {entry!r}: write code:package, e.g. fr:fr_core_news_sm")
        out[code] = package
    return out


def _use_numpy_blas() -> None:
    """Make thinc's matrix products go through NumPy (OpenBLAS) instead of BLIS."""
    from thinc.api import NumpyOps, set_current_ops

    set_current_ops(NumpyOps(use_blis=False))


def load_spacy(settings: TagSettings, package: str | None = None) -> Any:
    """A spaCy pipeline, NER only: `package`, or the English one of the settings."""
    import spacy

    if settings.numpy_blas:
        _use_numpy_blas()
    exclude = NON_NER if settings.ner_only else ["lemmatizer", "textcat"]
    model = package or settings.model
    names = [model] + (["en_core_web_sm"] if package is None and model != "en_core_web_sm" else [])
    last: Exception | None = None
    for name in names:
        try:
            nlp = spacy.load(name, exclude=exclude)
            break
        except OSError as exc:
            last = exc
    else:
        raise OSError(f"spaCy model {model!r} is not installed ({last}): install it (python -m spacy download "
                      f"{model}) or leave it out of NEWSFLOW_TAG_MODELS") from last
    if settings.numpy_blas:
        from thinc.api import get_current_ops

        ops = get_current_ops()
        for _name, proc in nlp.pipeline:
            model = getattr(proc, "model", None)
            if model is not None:
                for node in model.walk():
                    node.ops = ops
    nlp.max_length = max(nlp.max_length, settings.max_chars + 1000)
    return nlp


#: A word this frequent in its language (wordfreq) is a stop word for keywords.
STOP_FREQUENCY = 3e-4


def load_prior(language: str = "en", words: int = 50_000) -> kw.Prior:
    """The keyword prior of a language: wordfreq's word frequencies (English whole, another
    language its `words` most frequent) and the stop words (spaCy's list, the most frequent words)."""
    import wordfreq

    if language == "en":
        freq = wordfreq.get_frequency_dict("en", wordlist="best")
        extra = {"said", "says", "say", "told", "according", "also", "would", "could", "one", "two",
                 "new", "year", "years", "time", "per", "cent", "percent", "mr", "mrs", "ms", "including"}
    else:
        freq = _top_frequencies(language, words)
        extra = set()
    stop = set(stop_words(language)) | {w for w, f in freq.items() if f >= STOP_FREQUENCY} | extra
    return kw.Prior(freq=freq, stop=frozenset(stop))


def _top_frequencies(language: str, words: int) -> dict[str, float]:
    """The `words` most frequent words of a language (empty when wordfreq has no list for it);
    wordfreq's cache of the whole list is dropped after (a few MB per language)."""
    import wordfreq

    if language not in wordfreq.available_languages("best"):
        return {}
    out: dict[str, float] = {}
    for index, bucket in enumerate(wordfreq.get_frequency_list(language, "best")):
        for word in bucket:
            out[word] = wordfreq.cB_to_freq(-index)
        if len(out) >= words:
            break
    wordfreq.get_frequency_list.cache_clear()
    return out


def load_model(settings: TagSettings = TagSettings()) -> TagModel:
    """Load the NER model, the language model and the data tables (once per process)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # no effect once NumPy is loaded; see bench
    packages = model_packages(settings)
    nlp = load_spacy(settings, None if packages["en"] == settings.model else packages["en"])
    others = {code: load_spacy(settings, package) for code, package in packages.items() if code != "en"}
    aliases = AliasTable.load(settings.aliases_path).with_country_names(settings.alias_languages)
    prior = load_prior()
    resources = ents.build_resources(
        aliases, load_places(settings.places_path), prior.freq, settings.person_titles
    )
    return TagModel(
        nlp=nlp,
        detector=lang.load_detector(),
        resources=resources,
        prior=prior,
        taxonomy=Taxonomy.load(settings.topics_path),
        settings=settings,
        others=others,
    )


#: Separators between a headline's parts (section slug, headline, site name).
_TITLE_PARTS = re.compile(r"\s+[-\u2013\u2014|:\u00b7\u2022\u00bb]\s+")


def _section_label(part: str, res: ents.Resources) -> bool:
    """A headline part of one or two common words ("SOCCER", "World news"): a section label."""
    words = _LABEL_WORD.findall(part)
    return 0 < len(words) <= 2 and all(
        res.is_common_word(w, 1e-6) and w.lower() not in res.known_case for w in words)


#: The first word of a paragraph or sentence (its capital says nothing about the word).
_SENTENCE_START = re.compile(r"(?:^|(?<=[.!?:;])\s+)[\"'\u201c\u2018(]*\w+")
_LABEL_WORD = re.compile(r"[^\W\d_]+")


def _prepare(cleaned: Cleaned, res: ents.Resources, settings: TagSettings):
    """The text NER reads (shouted paragraphs re-cased) and the datelines found."""
    paragraphs = [p for p in cleaned.paragraphs if p.strip()]
    # the dateline the cleaner took out of the body, when it is shaped like a wire dateline
    # ("LONDON 1996-08-30", "NEW YORK, Aug 30"): its place is news
    line = (cleaned.dateline or "").strip()
    if line and ents._DATELINE.match(line):
        paragraphs.insert(0, line)
    if settings.include_title and cleaned.title and cleaned.title.strip():
        # a headline's parts ("CRICKET - ENGLAND NAME SQUAD", "Headline | Site") are read apart, so
        # a name never runs across the separator; a section label of common words names nothing
        parts = [t for t in _TITLE_PARTS.split(cleaned.title.strip()) if t.strip()]
        if len(parts) > 1:
            parts = [t for t in parts if not _section_label(t, res)] or parts
        paragraphs[0:0] = parts
    shouted = [ents.is_shouted(p, settings.shout_ratio, settings.shout_min_letters) for p in paragraphs]
    # a word's usual casing, from the normally written paragraphs; a sentence's first word is
    # capitalised whatever it is, so it does not count
    vocab = ents.case_vocabulary(_SENTENCE_START.sub(" ", p) for p, s in zip(paragraphs, shouted)
                                 if not s) if any(shouted) else {}
    out, datelines, offset = [], [], 0
    budget = settings.max_chars
    for p, s in zip(paragraphs, shouted):
        if offset >= budget:
            break
        p = p[: max(0, budget - offset)]
        d = ents.dateline(p, res)
        if d is not None:
            datelines.append(ents.Mention(offset + d[0], offset + d[1], d[2], "GPE", "dateline"))
        out.append(ents.recase(p, vocab, res) if s else p)
        offset += len(out[-1]) + 2
    return "\n\n".join(out), datelines


@dataclass(frozen=True)
class Known:
    """What the model already read in an original a copy shares paragraphs with: its paragraphs
    and the entities found in them (spelling, label)."""

    paragraphs: frozenset[str]
    entities: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> "Known":
        """From the original's result record."""
        return cls(frozenset(p for p in (record.get("text") or "").split("\n\n") if p.strip()),
                   tuple((e["text"], e["label"]) for e in record.get("entities", [])))


def _read_spans(text: str, known: Known | None) -> list[tuple[int, int]]:
    """(start, end) in `text` of the paragraphs the model must read: all of them, or those the
    original did not have (a headline's parts, a dateline and a re-cased paragraph never match)."""
    spans, pos = [], 0
    for part in text.split("\n\n"):
        if known is None or part not in known.paragraphs:
            spans.append((pos, pos + len(part)))
        pos += len(part) + 2
    return spans


#: Below this frequency in general English a person's surname alone is searched for as a
#: mention of them, and a name's every occurrence stands for a tagged mention at or above it
#: (the bound under which resolve counts a one-word spelling wherever it is written).
SURNAME_MAX_FREQUENCY = 5e-5


def _known_mentions(text: str, spans: list[tuple[int, int]], known: Known,
                    res: ents.Resources) -> list[ents.Mention]:
    """The original's entities where they are written in the shared paragraphs (the parts of `text`
    outside `spans`), found by their exact spelling between word boundaries, and a person's by
    their surname alone (unless it is a common word), as the model finds short mentions."""
    labels = dict(known.entities)
    for name, label in known.entities:
        surname = name.split()[-1]
        if label == "PERSON" and surname != name and not res.is_common_word(surname, SURNAME_MAX_FREQUENCY):
            labels.setdefault(surname, label)
    if not labels:
        return []
    pattern = re.compile(r"(?<!\w)(?:%s)(?!\w)" % "|".join(map(re.escape, sorted(labels, key=len, reverse=True))))
    out, seen, pos = [], set(), 0
    for start, end in [*spans, (len(text) + 2, len(text) + 2)]:
        for m in pattern.finditer(text, pos, max(pos, start - 2)):
            # one mention of a name (resolve counts its spellings in the text), each of a common
            # word, which resolve counts only where tagged ("Senate")
            if m.group() not in seen or res.is_common_word(m.group(), SURNAME_MAX_FREQUENCY):
                seen.add(m.group())
                out.append(ents.Mention(m.start(), m.end(), m.group(), labels[m.group()]))
        pos = end + 2
    return out


def _model_mentions(text: str, model: TagModel, known: Known | None, nlp: Any) -> list[ents.Mention]:
    """Entity mentions in `text`: the pipeline `nlp` reads the paragraphs `known` does not cover
    (all of them without it), as one document; the original's entities stand for its in the rest."""
    spans = _read_spans(text, known)
    read = "\n\n".join(text[s:e] for s, e in spans)
    starts, pos = [], 0  # where each read paragraph starts in `read`
    for s, e in spans:
        starts.append(pos)
        pos += e - s + 2
    out = []
    for span in nlp(read).ents if read.strip() else ():
        m = ents.clean_span(span, read, model.resources)
        if m is not None:
            i = bisect.bisect_right(starts, m.start) - 1
            shift = spans[i][0] - starts[i]
            out.append(dataclasses.replace(m, start=m.start + shift, end=m.end + shift,
                                           label=LABELS.get(m.label, m.label)))
    return out + (_known_mentions(text, spans, known, model.resources) if known is not None else [])


def tag(cleaned: Cleaned, model: TagModel, settings: TagSettings = TagSettings(), *,
        stats: kw.CorpusStats | None = None, known: Known | None = None) -> Tags:
    """Tags of one cleaned article, each stage in the article's language. `stats`: read-only corpus
    statistics for keywords (from `newsflow.tagindex.TagIndex.corpus_stats()`); None uses the prior
    alone. `known`: an original this article copies in part; the model reads only the paragraphs it
    lacks. A stage with nothing for the language leaves its field empty and says why (`skipped`)."""
    res = model.resources
    text, datelines = _prepare(cleaned, res, settings)
    if not text.strip():
        return Tags(language=None, skipped=(("language", "no text"),))
    language, why = lang.detect_why(model.detector, text[: settings.language_sample_chars],
                                    min_letters=settings.language_min_letters,
                                    min_confidence=settings.language_min_confidence)
    skipped = [("language", why)] if why else []
    nlp = model.ner_for(language)
    if nlp is None:
        entities: tuple = ()
        if language and settings.known_places_without_model:  # language-independent: the data tables
            entities = resolve([], text, res, frozenset(settings.drop_labels), persons=False,
                               aliases=settings.canonical_aliases, gazetteer=True, teams=False)
        why = f"no model for {language}" if language else "language unknown"
        skipped.append(("entities", f"{why}: known places only" if entities else why))
    else:
        entities = _entities(text, datelines, model, settings, known, nlp)
    prior = model.prior_for(language)
    unspaced = language in UNSPACED
    chunks = kw.words_and_chunks(text, unspaced)
    min_chars = 2 if unspaced else settings.min_keyword_chars
    terms = kw.document_terms(chunks, prior, min_chars)
    covered = frozenset().union(*(res.alias_words.get(e.name, frozenset()) for e in entities))
    keywords = kw.tfidf_keywords(
        chunks, entities, prior, stats,
        max_keywords=settings.max_keywords, min_chars=min_chars,
        prior_docs=settings.prior_docs, doc_words=settings.prior_doc_words,
        phrase_boost=settings.phrase_boost, min_bigram_count=settings.min_bigram_count,
        covered=covered, lead_share=settings.lead_share, lead_boost=settings.lead_boost,
    )
    topics: tuple = ()
    if language in (None, "en"):  # the taxonomy's terms are English
        title_chunks = kw.words_and_chunks(cleaned.title) if cleaned.title else []
        topics = classify(chunks, title_chunks, model.taxonomy, title_weight=settings.title_weight,
                          min_share=settings.topic_min_share, min_hits=settings.topic_min_hits,
                          max_topics=settings.max_topics)
    else:
        skipped.append(("topics", f"no topic terms for {language}"))
    return Tags(language=language, entities=entities, keywords=keywords, topics=topics,
                terms=tuple(sorted(terms)), skipped=tuple(skipped))


def _entities(text: str, datelines: list[ents.Mention], model: TagModel, settings: TagSettings,
              known: Known | None, nlp: Any) -> tuple:
    """The article's entities, by the NER pipeline of its language, resolved to canonical names."""
    mentions = list(datelines)
    taken = [(m.start, m.end) for m in datelines]
    for m in _model_mentions(text, model, known, nlp):
        if not any(m.start < e and s < m.end for s, e in taken):
            mentions.append(m)
    return resolve(mentions, text, model.resources, frozenset(settings.drop_labels),
                   persons=settings.canonical_persons, aliases=settings.canonical_aliases,
                   gazetteer=settings.gazetteer, teams=settings.teams)
