"""Fingerprint stage: the exact hash, the near-duplicate MinHash and the story terms of an article.

Pure: no Celery, Redis, watchdog or filesystem; numpy and hashlib only.

* ``content_sha256``: SHA-256 of the normalised word sequence (NFKC, case-folded,
  punctuation dropped, British spellings folded to American ones), so the same
  article inside different page chrome or typography hashes the same.
* ``minhash``: 128 MinHash values over word ``shingle_words``-grams of that
  sequence.  The index keeps the low byte of each (b-bit MinHash, Li & König
  2010: 128 bytes per article) to estimate Jaccard similarity and, with the
  shingle count, containment; the full 32-bit values of the first
  ``lsh_bands`` permutations are the LSH bucket keys (one row per band).
* ``story_terms``: content words (stop words dropped, light stemming) and the
  tagger's named entities, weighted by log term frequency; entities and title
  words count more.  The index turns them into TF-IDF vectors with document
  frequencies it keeps online.

Why MinHash and not a 64-bit SimHash (measured on the duplicates set, cleaned
text): copies there differ by page chrome, trimmed tails and cut paragraphs,
so true copies have Jaccard similarities down to ~0.2 and containment down to
~0.4; a SimHash at Hamming distance <= 3 only finds copies above ~0.9
similarity. See the module docstring of ``newsflow.placement`` for the index.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from newsflow.languages import UNSPACED, UNSPACED_RUN, split_scripts, stemmer, stop_words
from newsflow.values import Cleaned, Fingerprint, Tags

#: Version of the signature layout; stored in the result so old records can be told apart.
SIGNATURE_VERSION = 1
#: Number of MinHash permutations (fixed: the index stores one byte of each).
NUM_PERM = 128

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_APOS = re.compile(r"['’]")


@dataclass(frozen=True)
class FingerprintSettings:
    """Thresholds of the fingerprint stage (data, not code); the index's are `IndexSettings`.

    Any scalar field can be overridden as ``NEWSFLOW_FINGERPRINT_<FIELD>``.
    """

    #: Words per shingle for the MinHash (4: robust to one-word spelling edits, still specific).
    shingle_words: int = 4
    #: LSH bands (one 32-bit MinHash row each) looked up per article; more bands, more recall, more memory.
    lsh_bands: int = 16
    #: Story terms sent to the index per article (the strongest by weight).
    max_story_terms: int = 120
    #: Weight multiplier of a named entity (PERSON, ORG, GPE, ...) as a story term. Its words
    #: already count as words, so a whole name adds half a word's weight (measured on the stories
    #: set: 1.0 double-counts names and 2.0 merges unrelated stories about one person; 0.5-0.75 best).
    entity_boost: float = 0.5
    #: Weight multiplier of a word that appears in the headline.
    title_boost: float = 1.5


# -- text normalisation -----------------------------------------------------

#: British -> American spellings that suffix rules below do not catch.
_SPELLING = {
    "programme": "program", "programmes": "programs", "grey": "gray", "greys": "grays",
    "tyre": "tire", "tyres": "tires", "kerb": "curb", "cheque": "check", "cheques": "checks",
    "aluminium": "aluminum", "mum": "mom", "jewellery": "jewelry", "plough": "plow",
    "pyjamas": "pajamas", "storey": "story", "storeys": "stories", "sceptic": "skeptic",
    "sceptical": "skeptical", "manoeuvre": "maneuver", "manoeuvres": "maneuvers",
    "paediatric": "pediatric", "anaemia": "anemia", "oestrogen": "estrogen", "foetus": "fetus",
    "draught": "draft", "gaol": "jail", "whilst": "while", "amongst": "among", "towards": "toward",
}
_SUFFIX_RULES = (  # applied to words longer than 5 characters; folding both sides is harmless
    (re.compile(r"isation(s?)$"), r"ization\1"),
    (re.compile(r"is(e|es|ed|ing|er|ers)$"), r"iz\1"),
    (re.compile(r"ys(e|es|ed|ing)$"), r"yz\1"),
    (re.compile(r"our(s|ed|ing|ite|ites|able|ful|less)?$"), r"or\1"),
    (re.compile(r"tre(s?)$"), r"ter\1"),
    (re.compile(r"ogue(s?)$"), r"og\1"),
    (re.compile(r"ence(s?)$"), r"ense\1"),
    (re.compile(r"ll(ed|ing|er|ers)$"), r"l\1"),
    (re.compile(r"ae"), "e"),
)


@lru_cache(maxsize=200_000)
def _fold_spelling(word: str) -> str:
    if word in _SPELLING:
        return _SPELLING[word]
    if len(word) > 5:
        for pattern, repl in _SUFFIX_RULES:
            word = pattern.sub(repl, word)
    return word


def normalised_words(text: str) -> list[str]:
    """The word sequence both hashes are computed on: NFKC, case-folded, no punctuation, US spelling;
    a script written without spaces (Chinese, Japanese, Thai) read one character a word."""
    text = split_scripts(unicodedata.normalize("NFKC", text).casefold())
    return [_fold_spelling(_APOS.sub("", w)) for w in _WORD.findall(text)]


# -- MinHash -------------------------------------------------------------------

_MASK64 = (1 << 64) - 1


def _u64(label: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(label, digest_size=8).digest(), "little")


@lru_cache(maxsize=200_000)
def _word_hash(word: str) -> int:
    return _u64(word.encode("utf-8"))


# Multiply-shift hash family (odd multipliers), fixed forever: the index stores these values.
_PERM_A = np.array([_u64(b"newsflow-minhash-a-%d" % i) | 1 for i in range(NUM_PERM)], dtype=np.uint64)
_PERM_B = np.array([_u64(b"newsflow-minhash-b-%d" % i) for i in range(NUM_PERM)], dtype=np.uint64)
_SHINGLE_MULT = np.uint64(0x9E3779B97F4A7C15)


def shingle_hashes(words: list[str], n: int) -> np.ndarray:
    """Distinct 64-bit hashes of the word n-grams of `words` (the whole text when shorter than n)."""
    if not words:
        return np.zeros(0, dtype=np.uint64)
    h = np.fromiter((_word_hash(w) for w in words), dtype=np.uint64, count=len(words))
    n = max(1, min(n, len(h)))
    acc = h[: len(h) - n + 1].copy()
    with np.errstate(over="ignore"):
        for k in range(1, n):
            acc = acc * _SHINGLE_MULT + h[k : len(h) - n + 1 + k]
            acc ^= acc >> np.uint64(29)
    return np.unique(acc)


def minhash(hashes: np.ndarray) -> np.ndarray:
    """128 MinHash values (uint32) of a set of 64-bit shingle hashes; all 0xFFFFFFFF for an empty set."""
    if hashes.size == 0:
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    out = np.empty(NUM_PERM, dtype=np.uint32)
    step = max(1, 2_000_000 // hashes.size)  # bound the temporary matrix to ~16 MB
    with np.errstate(over="ignore"):
        for i in range(0, NUM_PERM, step):
            a = _PERM_A[i : i + step, None]
            b = _PERM_B[i : i + step, None]
            values = (a * hashes[None, :] + b) >> np.uint64(32)
            out[i : i + step] = values.min(axis=1).astype(np.uint32)
    return out


def jaccard_estimate(sig_a: bytes, sig_b: bytes) -> float:
    """Jaccard similarity estimated from two b-bit (8-bit) MinHash signatures (place.lua's arithmetic:
    tests.reference_index uses this, and a test holds the two in agreement)."""
    a = np.frombuffer(sig_a, dtype=np.uint8)
    b = np.frombuffer(sig_b, dtype=np.uint8)
    match = float(np.mean(a == b))
    return max(0.0, (match - 1 / 256) / (1 - 1 / 256))


def containment_estimate(jaccard: float, size_a: int, size_b: int) -> float:
    """|A ∩ B| / min(|A|, |B|) from the Jaccard similarity and the two set sizes."""
    if min(size_a, size_b) <= 0:
        return 0.0
    inter = jaccard * (size_a + size_b) / (1 + jaccard)
    return min(1.0, inter / min(size_a, size_b))


# -- story terms ---------------------------------------------------------------

_STOP = frozenset(
    """a about above across after afterwards again against ago all almost alone along already also
    although always am among amongst an and another any anybody anyone anything anyway anywhere are
    around as at back be became because become becomes been before being below beside besides between
    beyond both but by can cannot could did do does doing done down due during each either else
    elsewhere enough etc even ever every everyone everything everywhere except few for former formerly
    from further get gets getting give given go goes going gone got had has have having he her here
    hers herself him himself his how however if in indeed instead into is it its itself just last
    later least less like likely made make makes making many may me meanwhile might mine more
    moreover most mostly much must my myself neither never nevertheless next no nobody none noone nor
    not nothing now nowhere of off often on once one only onto or other others otherwise our ours
    ourselves out over own per perhaps please put quite rather really said same say says saying see
    seem seemed seems several she should show since so some somehow someone something sometime
    sometimes somewhere still such take than that the their theirs them themselves then thence there
    thereafter thereby therefore these they this those though through throughout thus to together too
    toward towards under until up upon us use used using very via was we well were what whatever when
    whenever where whereas wherever whether which while who whoever whole whom whose why will with
    within without would yet you your yours yourself yourselves
    told according told tell tells asked added including include includes new year years time times
    day days week weeks month months today yesterday tomorrow monday tuesday wednesday thursday friday
    saturday sunday people thing things way ways lot lots part number want wanted know known think
    thought going come came comes took look looking looked set told report reported reports news
    statement statements official officials percent first second third two three four five six seven
    eight nine ten hundred thousand million billion dont doesnt didnt isnt wasnt cant wont its im ive
    youre theyre hes shes thats theres whats mr mrs ms dr st per cent via read more click share
    """.split()
)

#: Entity labels that identify an event (people, places, organisations, named things).
_ENTITY_LABELS = frozenset(
    {"PERSON", "PER", "ORG", "GPE", "LOC", "NORP", "EVENT", "FAC", "PRODUCT", "WORK_OF_ART", "LAW", "MISC"}
)


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """Porter2 (Snowball English) stem, after dropping possessives and apostrophes."""
    if word.endswith(("’s", "'s")):
        word = word[:-2]
    return stemmer("en")(_APOS.sub("", word))


def _content_terms(text: str, language: str | None = None) -> list[str]:
    """An article's content words as story terms, in its language: English (and an unknown
    language) with newsflow's stop list, spelling folds and Porter2 stems; another language with
    spaCy's stop list for it and its Snowball stemmer (words as written where there is none); a
    language written without spaces as pairs of characters within each run of its script."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if language in UNSPACED or (language not in (None, "en") and UNSPACED_RUN.search(text)):
        return _character_pairs(text, stop_words(language))
    if language in (None, "en"):
        fold, stop, stem = _fold_spelling, _STOP, _stem
    else:
        fold, stop, stem = _as_written, stop_words(language), stemmer(language) or _as_written
    words = (fold(_APOS.sub("", w)) for w in _WORD.findall(text))
    return [stem(w) for w in words if _is_content(w, stop)]


def _as_written(word: str) -> str:
    return word


def _is_content(word: str, stop: frozenset[str]) -> bool:
    """A story term: three characters or more, a letter among them, not a stop word."""
    return len(word) >= 3 and word not in stop and any(c.isalpha() for c in word)


def _character_pairs(text: str, stop: frozenset[str]) -> list[str]:
    """Pairs of neighbouring characters in each run of an unspaced script (a pair holding a
    one-character stop word, or itself a stop word, left out), then the other words of 3+ letters."""
    out = []
    for run in UNSPACED_RUN.findall(text):
        for i in range(len(run) - 1):
            pair = run[i:i + 2]
            if pair not in stop and pair[0] not in stop and pair[1] not in stop:
                out.append(pair)
    return out + [w for w in _WORD.findall(UNSPACED_RUN.sub(" ", text)) if _is_content(w, stop)]


def story_terms(cleaned: Cleaned, tags: Tags, settings: FingerprintSettings) -> dict[str, float]:
    """Weighted terms for story matching: log-TF of content words, boosted entities and headline words."""
    language = tags.language
    counts = Counter(_content_terms(cleaned.text, language))
    title_words = set(_content_terms(cleaned.title or "", language))
    for w in title_words:
        counts[w] += 1  # a headline word counts even if the body never repeats it
    weights = {w: (1.0 + math.log(c)) * (settings.title_boost if w in title_words else 1.0) for w, c in counts.items()}
    for ent in tags.entities:
        if ent.label not in _ENTITY_LABELS:
            continue
        name = " ".join(_content_terms(ent.name, language))
        if not name:
            continue
        key = "e:" + name
        weights[key] = max(weights.get(key, 0.0), (1.0 + math.log(max(1, ent.count))) * settings.entity_boost)
    best = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[: settings.max_story_terms]
    return {term: round(weight, 3) for term, weight in best}


# -- the stage -------------------------------------------------------------------


def fingerprint(cleaned: Cleaned, tags: Tags, settings: FingerprintSettings = FingerprintSettings()) -> Fingerprint:
    """Exact hash, near-duplicate MinHash and story terms of one cleaned article (pure)."""
    return with_story_terms(signature(cleaned, settings), cleaned, tags, settings)


def with_story_terms(fp: Fingerprint, cleaned: Cleaned, tags: Tags,
                     settings: FingerprintSettings = FingerprintSettings()) -> Fingerprint:
    """`fp` with the story terms of the article and its tags."""
    return dataclasses.replace(fp, story_terms=story_terms(cleaned, tags, settings))


def signature(cleaned: Cleaned, settings: FingerprintSettings = FingerprintSettings()) -> Fingerprint:
    """Exact hash and near-duplicate MinHash of one cleaned article, no story terms (pure): what
    finding its original needs, before it is tagged."""
    words = normalised_words(cleaned.text)
    content = hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()
    hashes = shingle_hashes(words, settings.shingle_words)
    mh = minhash(hashes)
    bands = max(1, min(settings.lsh_bands, NUM_PERM))
    return Fingerprint(
        content_sha256=content,
        # b-bit MinHash: the low byte of each of the 128 values (what the index stores)
        minhash=(mh & 0xFF).astype(np.uint8).tobytes(),
        lsh=tuple(int(v) for v in mh[:bands]),  # full 32-bit values of the LSH rows
        shingles=int(hashes.size),
        shingle_words=settings.shingle_words,
        version=SIGNATURE_VERSION,
    )
