"""What each language needs after cleaning, as data: stop words, stemmer, how words are split.

Pure: data from installed packages (spaCy's `spacy.lang.<code>.stop_words` lists need no model;
Snowball stemmers), no I/O of newsflow's own. Every lookup is cached per language; a language
with no list or no stemmer gets an empty list or none (its words are then used as written).

Chinese, Japanese and Thai are written without spaces between words: their runs of letters are
read one character at a time (`split_scripts`), so shingles, story terms and keywords see
characters and pairs of characters, not whole clauses.
"""

from __future__ import annotations

import importlib
import re
from functools import lru_cache
from typing import Callable

#: ISO 639-1 code -> Snowball algorithm (the languages Snowball covers).
SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french", "ga": "irish",
    "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian",
    "lt": "lithuanian", "ne": "nepali", "nl": "dutch", "no": "norwegian", "nb": "norwegian",
    "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "fa": "persian", "et": "estonian",
}
#: Languages written without spaces between words.
UNSPACED = frozenset({"zh", "ja", "th", "lo", "km", "my"})
#: Letters of the scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar).
_UNSPACED_CHAR = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u0e80-\u0eff\u1780-\u17ff\u1000-\u109f"
UNSPACED_RUN = re.compile(f"[{_UNSPACED_CHAR}]+")
_UNSPACED_ONE = re.compile(f"[{_UNSPACED_CHAR}]")


def split_scripts(text: str) -> str:
    """`text` with a space around every character of a script written without spaces, so a
    word pattern reads each as one word; other text is unchanged."""
    if not UNSPACED_RUN.search(text):
        return text
    return _UNSPACED_ONE.sub(lambda m: f" {m.group()} ", text)


@lru_cache(maxsize=None)
def stop_words(code: str | None) -> frozenset[str]:
    """spaCy's stop words of a language (lower case), empty when spaCy has none for it."""
    if not code or not re.fullmatch(r"[a-z]{2,3}", code):
        return frozenset()
    try:
        module = importlib.import_module(f"spacy.lang.{code}.stop_words")
    except ImportError:
        return frozenset()
    return frozenset(w.lower() for w in getattr(module, "STOP_WORDS", ()))


@lru_cache(maxsize=None)
def stemmer(code: str | None) -> Callable[[str], str] | None:
    """The Snowball stemmer of a language (a function word -> stem), None when there is none."""
    name = SNOWBALL.get(code or "")
    if name is None:
        return None
    import snowballstemmer

    return lru_cache(maxsize=100_000)(snowballstemmer.stemmer(name).stemWord)
