"""Entities: the statistical model's spans, made consistent.

What is added around spaCy's NER (all cheap, per article):

1. Shouted paragraphs (wire headlines, datelines, tables in capitals) are
   re-cased from the article's own vocabulary before NER: the small model
   reads "BELARUS BEAT ESTONIA" poorly and "Belarus beat Estonia" well.
2. Datelines ("LONDON 1996-08-30", "WASHINGTON (Reuters) -") give a place.
3. Spans are trimmed of numbers, punctuation, possessives and titles; spans
   without a capital letter or made of numbers are dropped, as are the
   number/date labels.
4. Known places (data tables) the model missed are added.
5. One label per name within an article (majority vote).
6. One name per person within an article: "Kim" and "Kim Jong Un" ->
   "Kim Jong Un", "President Putin"/"Putin" -> "Vladimir Putin".
7. One name per entity across articles from the alias table
   ("DPRK" -> "North Korea", "U.S." -> "United States"): the entity's
   ``canonical``; its ``text`` stays the article's own most used spelling.
8. Counts over every mention of any of an entity's spellings.

Steps 1-3 make the mentions (this module); steps 4-8 are `newsflow.tag.resolve`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from newsflow.tag.tables import AliasTable, name_key

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?")
_LETTER = re.compile(r"[^\W\d_]")
_TRIM_EDGE = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_POSSESSIVE = re.compile(r"['\u2019]s?$")
_AGENCY = r"(?:Reuters|AP|AFP|UPI|dpa|DPA|Xinhua|Bloomberg|IANS|PTI|ANI|Yonhap|Kyodo|TASS|Tass|CNN)"
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z'\u2019.\-]+(?:[ \t]+[A-Z][A-Z'\u2019.\-]+){0,3})"
    r"(?:,[ \t]+[A-Z][A-Za-z.]+)?[ \t]*"
    r"(?:\(" + _AGENCY + r"\)[ \t]*)?"
    r"(?:[-\u2013\u2014:][ \t]+(?=[\"\u201c\u2018']?[A-Z][a-z])"  # "WASHINGTON: North Korean ..."
    r"|\d{4}-\d{2}-\d{2}\b"  # "LONDON 1996-08-30"
    r"|(?:[A-Z][a-z]{2}\.?|[A-Z][a-z]+)[ \t]+\d{1,2}\b"  # "PARIS, Aug 30" / "PARIS August 30"
    r"|\d{1,2}[ \t]+[A-Z][a-z]{2}"  # "PARIS 30 Aug"
    r"|$)"
)
#: runs of words that could be names (what counting mentions scans)
_UP = "A-Z\u00c0-\u00de\u0391-\u03ab\u0400-\u042f"
CAP_RUN = re.compile(
    rf"(?<![\w'\u2019])[{_UP}][\w.&'\u2019-]*"
    rf"(?:[ ]+(?:[{_UP}][\w.&'\u2019-]*|of|the|and|de|la|le|du|van|von|der|den|al|bin|y|da|di|dos))*"
)
#: One initial and a surname ("H. Morris", "S. Jayasuriya"): how scorecards and results name people.
_INITIAL_SURNAME = re.compile(r"^[A-Z]\.[ ]?[A-Z][a-z]*[A-Z]?[a-z'\u2019-]+$")
_NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}


@dataclass
class Mention:
    start: int
    end: int
    text: str
    label: str
    source: str = "ner"  # ner, dateline, gazetteer, table, athlete
    canonical: str = ""  # a person's full name, when this mention is a short form of it


@dataclass
class Resources:
    """What entity post-processing needs besides the NER model (built once)."""

    aliases: AliasTable
    #: regex matching known place names as written (case-sensitive, whole words)
    places_re: re.Pattern[str] | None
    #: place spelling -> (label, canonical name)
    places: dict[str, tuple[str, str]]
    #: lower-case form -> preferred casing, for re-casing shouted text
    known_case: dict[str, str]
    #: lower-case word -> relative frequency in general English
    common: dict[str, float]
    #: lower-case titles stripped from the front of person names
    person_titles: frozenset[str] = field(default_factory=frozenset)
    #: lower-case single words that are countries (never re-labelled as persons)
    countries: frozenset[str] = field(default_factory=frozenset)
    #: most words in a place name
    places_max_words: int = 1
    #: canonical name -> lower-case one-word aliases ("North Korea" -> {"dprk"})
    alias_words: dict[str, frozenset[str]] = field(default_factory=dict)

    def is_common_word(self, word: str, threshold: float = 1e-5) -> bool:
        return self.common.get(word.lower(), 0.0) >= threshold


def build_resources(aliases: AliasTable, place_names: Iterable[str], common: dict[str, float],
                    person_titles: Iterable[str]) -> Resources:
    place_names = list(place_names)
    places: dict[str, tuple[str, str]] = {}
    for name in place_names:
        places.setdefault(name, ("GPE", name))
    for spelling, entry in aliases.spellings:
        if entry.kind in {"country", "state", "city", "region"} and len(spelling) >= 2:
            places.setdefault(spelling, (entry.label, entry.name))
    places_re = None
    if places:
        alternation = "|".join(re.escape(f) for f in sorted(places, key=len, reverse=True))
        places_re = re.compile(r"(?<![\w.\-'\u2019])(?:" + alternation + r")(?![\w\-]|\.\w)")
    known_case: dict[str, str] = {}
    for spelling, _entry in aliases.spellings:
        known_case.setdefault(spelling.lower(), spelling)
    for name in place_names:
        known_case.setdefault(name.lower(), name)
    titles = frozenset(t.lower().rstrip(".") for t in person_titles)
    countries = frozenset(
        spelling.lower() for spelling, e in aliases.spellings if e.kind == "country"
    )
    alias_words: dict[str, set[str]] = defaultdict(set)
    for spelling, e in aliases.spellings:
        key = name_key(spelling)
        if key and " " not in key:
            alias_words[e.name].add(key)
    return Resources(aliases, places_re, places, known_case, common, titles, countries,
                     max((len(f.split()) for f in places), default=1),
                     {k: frozenset(v) for k, v in alias_words.items()})


# -- 1. shouted paragraphs and 2. datelines -----------------------------------


def is_shouted(paragraph: str, ratio: float, min_letters: int) -> bool:
    letters = _LETTER.findall(paragraph)
    if len(letters) < min_letters:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper >= ratio * len(letters)


def case_vocabulary(paragraphs: Iterable[str]) -> dict[str, str]:
    """lower-case word -> its usual casing in the normally written paragraphs."""
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for p in paragraphs:
        for w in _WORD.findall(p):
            forms[w.lower()][w] += 1
    out = {}
    for low, c in forms.items():
        # a word seen in lower case at all is a plain word (capitalised only at sentence starts)
        out[low] = low if low in c else c.most_common(1)[0][0]
    return out


def recase(paragraph: str, vocab: dict[str, str], res: Resources) -> str:
    """A shouted paragraph re-cased word by word (same length, so offsets hold)."""

    def one(m: re.Match[str]) -> str:
        w = m.group(0)
        low = w.lower()
        form = vocab.get(low) or res.known_case.get(low)
        if form is None:
            form = low if res.is_common_word(low, 1e-6) else w[:1] + w[1:].lower()
        return form if len(form) == len(w) else w

    out = _WORD.sub(one, paragraph)
    for i, c in enumerate(out):
        if c.isalpha():
            up = c.upper()
            return out[:i] + up + out[i + 1 :] if len(up) == 1 else out
    return out


def dateline(paragraph: str, res: Resources) -> tuple[int, int, str] | None:
    """(start, end, place name) of a wire dateline opening the paragraph, if any."""
    m = _DATELINE.match(paragraph)
    if not m:
        return None
    place = m.group("place").rstrip(".-'\u2019")
    if len(place) < 3:
        return None
    low = place.lower()
    known = res.known_case.get(low)
    if known is None and all(res.is_common_word(w, 2e-5) for w in low.split()):
        return None  # "SOCCER - ...", "UPDATE - ..."
    pretty = known or " ".join(w[:1] + w[1:].lower() for w in place.split())
    return m.start("place"), m.start("place") + len(place), pretty


# -- 3. span cleaning -----------------------------------------------------------


def clean_span(span, text: str, res: Resources) -> Mention | None:
    """A spaCy entity span trimmed of what is not part of the name, or None."""
    label = span.label_
    toks = list(span)
    # never across paragraphs or lines
    for i, t in enumerate(toks):
        if "\n" in t.text or "\n" in t.whitespace_:
            toks = toks[: i + (0 if "\n" in t.text else 1)]
            break

    def junk(t) -> bool:
        # A number at a name's edge is not the name ("65" after a golfer, "3" before a team), but a
        # capitalised number word is ("First Union", "Formula One", "Big Ten"): spaCy's like_num
        # also says yes to "First" and "One".
        number = t.like_num and not (t.is_alpha and t.text[:1].isupper())
        return t.is_punct or number or t.is_digit or t.is_space or not _LETTER.search(t.text)

    while toks and (junk(toks[0]) or toks[0].lower_ == "the"):
        toks = toks[1:]
    while toks and (junk(toks[-1]) or toks[-1].lower_ in {"'s", "\u2019s", "'", "\u2019"}):
        toks = toks[:-1]
    if label == "PERSON":
        while len(toks) > 1 and (
            toks[0].lower_.rstrip(".") in res.person_titles or toks[0].text == "."
        ):
            toks = toks[1:]
        while len(toks) > 2 and f"{toks[0].lower_} {toks[1].lower_}" in res.person_titles:
            toks = toks[2:]
    if not toks:
        return None
    start, end = toks[0].idx, toks[-1].idx + len(toks[-1].text)
    text = text[start:end]
    letters = _LETTER.findall(text)
    if len(letters) < 2 or not any(c.isupper() for c in letters):
        return None
    if sum(c.isdigit() for c in text) > len(letters):
        return None
    if label == "ORG" and _INITIAL_SURNAME.match(text):  # "M. McCague": a person written as in a scorecard
        label = "PERSON"
    return Mention(start, end, text, label)


# -- sports results and standings ------------------------------------------------

_N = r"[A-Z][\w'\u2019.&-]*(?:[ ](?:[A-Z][\w'\u2019.&-]*|of|de|la|del|and|&))*(?<![ ])"
_PAREN = r"(?:[ ]\([A-Z][\w. ]*\))?"
_RESULT = re.compile(rf"^(?P<a>{_N}){_PAREN}[ ]+\d+[ ]+(?P<b>{_N}){_PAREN}[ ]+\d+\b")
_STANDING = re.compile(rf"^(?P<a>{_N})(?:[ ]+(?:\d+(?:\.\d+)?|-|\d+/\d+|\d+[ ]\d/\d)){{3,}}[ ]*$")
_FIXTURE = re.compile(rf"^(?P<a>{_N})[ ]+(?:at|AT|v|vs\.?|V|VS\.?)[ ]+(?P<b>{_N})[ ]*$")


_W = r"[A-Z][\w'\u2019.-]*"
_ATHLETE = re.compile(
    rf"(?<![\w.])(?P<name>{_W}(?:[ ](?:{_W}|van|von|de|der|den|da|di|le|la|du|dos|bin|al)){{1,4}})"
    r"[ ]\((?P<country>[A-Z][\w. ]*?)\)"
)


def athlete_mentions(text: str, res: Resources) -> list[Mention]:
    """Competitors listed with their country: "Todd Martin (U.S.) beat ...",
    "8. Inger Miller (U.S.) 11.37" -> PERSON. The parenthesis must hold a country."""
    out = []
    for m in _ATHLETE.finditer(text):
        if m.group("country").lower() not in res.countries:
            continue
        name = m.group("name")
        if name.lower() in res.countries or name.lower() in res.known_case:
            continue
        out.append(Mention(m.start("name"), m.end("name"), name, "PERSON", "athlete"))
    return out


def team_mentions(text: str, res: Resources) -> list[Mention]:
    """Team names in results ("Partick 1 St Mirren 1"), standings
    ("Fulham 4 3 0 1 5 3 9") and fixtures ("Houston at Pittsburgh") lines:
    clubs are organisations; national teams keep their country (GPE)."""
    out = []
    pos = 0
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        if len(line) > 160 or not line[:1].isupper():
            continue
        m = _RESULT.match(line) or _STANDING.match(line) or _FIXTURE.match(line)
        if not m:
            continue
        for g in ("a", "b"):
            name = m.groupdict().get(g)
            if not name:
                continue
            s, e = start + m.start(g), start + m.end(g)
            low = name.lower()
            label = "GPE" if low in res.countries else "ORG"
            out.append(Mention(s, e, name, label, "table"))
    return out


