"""Data tables of the tag stage: aliases, place names, the topic taxonomy.

Loaded once (with the model); all lookups afterwards are plain dict/regex work.
These are also what `newsflow.tagindex` uses to resolve a query such as
"DPRK" to the canonical "North Korea".
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

#: spaCy labels grouped into classes that may share a name.
LABEL_CLASS = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "PLACE",
    "LOC": "PLACE",
    "FAC": "PLACE",
    "NORP": "NORP",
}

_PUNCT = re.compile(r"[^\w\s&+-]")
_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """The key two spellings of one name share: case-folded, accents and
    punctuation removed, a leading "the" dropped ("U.S." -> "us", "The Kremlin" -> "kremlin")."""
    s = unicodedata.normalize("NFKD", name.translate(_QUOTES))
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = _PUNCT.sub("", s.replace("-", " "))
    s = _SPACE.sub(" ", s).strip()
    if s.startswith("the "):
        s = s[4:]
    return s


def _read_text(path: str, package_name: str) -> str:
    if path:
        return Path(path).expanduser().read_text(encoding="utf-8")
    return resources.files("newsflow.data").joinpath(package_name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class AliasEntry:
    label: str  # spaCy label of the canonical entity
    kind: str  # country, state, city, region, org, person, group
    name: str  # canonical name


@dataclass
class AliasTable:
    """Canonical names across articles: (label class, name key) -> entry."""

    by_key: dict[tuple[str, str], AliasEntry] = field(default_factory=dict)
    #: name key -> entry, for any label class (used to resolve queries).
    any_class: dict[str, AliasEntry] = field(default_factory=dict)
    #: every spelling as written in the table, with its entry
    spellings: list[tuple[str, AliasEntry]] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> "AliasTable":
        table = cls()
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3:
                raise ValueError(f"aliases line {lineno}: need label, kind, name[, aliases]: {line!r}")
            label, kind, name = (p.strip() for p in parts[:3])
            aliases = [a.strip() for a in (parts[3] if len(parts) > 3 else "").split("|") if a.strip()]
            entry = AliasEntry(label, kind, name)
            klass = LABEL_CLASS.get(label, label)
            for alias in [name, *aliases]:
                table.spellings.append((alias, entry))
                key = name_key(alias)
                if key:
                    table.by_key.setdefault((klass, key), entry)
                    table.any_class.setdefault(key, entry)
        return table

    @classmethod
    def load(cls, path: str = "") -> "AliasTable":
        return cls.parse(_read_text(path, "aliases.tsv"))

    def add(self, alias: str, entry: AliasEntry) -> None:
        """One more spelling of an entry (a spelling the table already gives keeps its entry)."""
        key = name_key(alias)
        if not key or key in self.any_class:
            return
        self.spellings.append((alias, entry))
        self.by_key.setdefault((LABEL_CLASS.get(entry.label, entry.label), key), entry)
        self.any_class[key] = entry

    def with_country_names(self, languages: tuple[str, ...]) -> "AliasTable":
        """The table with each of its countries' names in `languages` ("Deutschland", "Allemagne" ->
        "Germany"), from the ISO 3166 translations pycountry ships (iso-codes); an official form
        written inverted ("Russie, Fédération de") is left out, and so is a name that is also an
        English word or name (German "Island", French "Maurice": wordfreq frequency >= 1e-6), which
        would make a place of it in English text."""
        import gettext

        import pycountry
        import wordfreq

        books = [gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[code], fallback=True)
                 for code in languages]
        countries = {entry.name: entry for _, entry in self.spellings if entry.kind == "country"}
        for name, entry in countries.items():
            country = _country(pycountry, [alias for alias, e in self.spellings if e is entry])
            if country is None:
                continue
            for book in books:
                for english in {country.name, getattr(country, "common_name", country.name)}:
                    local = book.gettext(english)
                    if (local != english and not re.search(r"[,(]", local)
                            and wordfreq.word_frequency(local.lower(), "en") < ENGLISH_WORD):
                        self.add(local, entry)
        return self

    def lookup(self, label: str, name: str) -> AliasEntry | None:
        return self.by_key.get((LABEL_CLASS.get(label, label), name_key(name)))

    def resolve(self, name: str) -> str:
        """A query's canonical name, whatever its class ("DPRK" -> "North Korea")."""
        entry = self.any_class.get(name_key(name))
        return entry.name if entry else name



#: Frequency in English (wordfreq) from which a translated country name is also an English word.
ENGLISH_WORD = 1e-6


def _country(pycountry, spellings: list[str]):
    """The pycountry country one of `spellings` names, or None."""
    for spelling in spellings:
        try:
            return pycountry.countries.lookup(spelling)
        except LookupError:
            continue
    return None


def load_places(path: str = "") -> list[str]:
    """Place names, one a line ("#" comments)."""
    names = []
    for line in _read_text(path, "tag_places.txt").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(line)
    return names


@dataclass(frozen=True)
class Taxonomy:
    """Topic names and their descriptive terms, compiled for fast matching."""

    names: tuple[str, ...]
    #: topic slug / code / name key -> name, for queries.
    lookup: dict[str, str]
    #: exact word or phrase -> topic indexes
    exact: dict[str, tuple[int, ...]]
    #: word prefix -> topic indexes (terms written with a trailing *)
    prefix: dict[str, tuple[int, ...]]
    min_prefix: int
    max_prefix: int
    #: first words of multi-word terms (only those pairs are looked up)
    phrase_heads: frozenset[str] = frozenset()
    #: each topic's name and terms, as written (no trailing *): what the multilingual embedding of
    #: an article is compared with (the centroid of their embeddings)
    phrases: tuple[tuple[str, ...], ...] = ()
    #: word -> topic indexes it is evidence for (filled as words are seen)
    cache: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False, hash=False)

    def topics_of(self, term: str) -> tuple[int, ...]:
        hit = self.cache.get(term)
        if hit is not None:
            return hit
        found = set(self.exact.get(term, ()))
        for k in range(self.min_prefix, min(self.max_prefix, len(term)) + 1):
            ts = self.prefix.get(term[:k])
            if ts:
                found.update(ts)
        hit = tuple(sorted(found))
        if len(self.cache) < 500_000:
            self.cache[term] = hit
        return hit

    @classmethod
    def parse(cls, text: str) -> "Taxonomy":
        data = json.loads(text)
        topics = data["topics"] if isinstance(data, dict) else data
        names, lookup, phrases = [], {}, []
        exact: dict[str, set[int]] = {}
        prefix: dict[str, set[int]] = {}
        for i, t in enumerate(topics):
            name = str(t["name"]).strip()
            names.append(name)
            phrases.append((name, *(str(term).rstrip("*") for term in t.get("terms", ()))))
            for alias in (name, t.get("slug"), t.get("code"), *t.get("aliases", ())):
                if alias:
                    lookup[name_key(str(alias))] = name
            for term in t.get("terms", ()):
                term = " ".join(str(term).lower().split())
                if term.endswith("*"):
                    prefix.setdefault(term[:-1], set()).add(i)
                elif term:
                    exact.setdefault(term, set()).add(i)
            # the topic's own name words are evidence too
            for w in re.findall(r"[a-z]{4,}", name.lower()):
                if w not in {"and", "with"}:
                    exact.setdefault(w, set()).add(i)
        lens = [len(p) for p in prefix] or [0]
        heads = frozenset(t.split()[0] for t in [*exact, *prefix] if " " in t)
        return cls(
            names=tuple(names),
            lookup=lookup,
            exact={k: tuple(sorted(v)) for k, v in exact.items()},
            prefix={k: tuple(sorted(v)) for k, v in prefix.items()},
            min_prefix=min(lens),
            max_prefix=max(lens),
            phrase_heads=heads,
            phrases=tuple(phrases),
        )

    @classmethod
    def load(cls, path: str = "") -> "Taxonomy":
        return cls.parse(_read_text(path, "topics_iptc.json"))

    def resolve(self, query: str) -> str:
        """A topic query ("politics", "medtop:11000000", the full name) -> the topic's name."""
        return self.lookup.get(name_key(query), query)
