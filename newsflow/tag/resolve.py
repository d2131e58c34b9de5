"""Mentions -> entities: a short chain of named steps over one article's mentions.

Each step takes the mentions (NER spans, datelines, table names) and returns
them, added to or relabelled; the chain is a loop (steps 4-8 of
`newsflow.tag.entities`). The last step groups the mentions into entities, with
counts over every mention of any of an entity's spellings.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable

from newsflow.values import Entity
from newsflow.tag.entities import CAP_RUN, Mention, Resources, athlete_mentions, team_mentions
from newsflow.tag.tables import LABEL_CLASS, name_key

#: One step: (mentions, the article's text, resources) -> mentions.
Step = Callable[[list[Mention], str, Resources], list[Mention]]

#: Labels whose single-word mentions may be the short form of a person's full name.
_NAME_CLASSES = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})
#: Labels whose names may instead be a country's (the alias table's any-class lookup).
_PLACE_LIKE = frozenset({"ORG", "NORP", "LOC", "FAC", "GPE"})


def resolve(mentions: list[Mention], text: str, res: Resources, drop_labels: frozenset[str], *,
            persons: bool = True, aliases: bool = True, gazetteer: bool = True,
            teams: bool = True) -> tuple[Entity, ...]:
    """Mentions (NER + dateline) -> entities (text as written, canonical name) with counts over all mentions."""
    steps: list[Step] = [lambda ms, _t, _r: [m for m in ms if m.label not in drop_labels]]
    if teams:
        steps.append(sports_tables)
    if gazetteer:
        steps.append(known_places)
    steps += [in_text_order, one_label_per_name]
    if persons:
        steps.append(full_person_names)
    for step in steps:
        mentions = step(mentions, text, res)
    return entities(group(mentions, res, aliases), text, res) if mentions else ()


def _overlaps(a: Mention, spans: list[tuple[int, int]]) -> bool:
    return any(a.start < e and s < a.end for s, e in spans)


def sports_tables(mentions: list[Mention], text: str, res: Resources) -> list[Mention]:
    """Teams in results, standings and fixtures lines replace the model's spans there (a person's
    span stays); competitors listed with their country are people."""
    tm = team_mentions(text, res)
    if tm:
        spans = [(m.start, m.end) for m in tm]
        keep = [m for m in mentions if m.label == "PERSON" or not _overlaps(m, spans)]
        pspans = [(m.start, m.end) for m in keep if m.label == "PERSON"]
        mentions = keep + [m for m in tm if not _overlaps(m, pspans)]
    am = athlete_mentions(text, res)
    if am:
        tspans = [(m.start, m.end) for m in mentions if m.source == "table"]
        am = [m for m in am if not _overlaps(m, tspans)]
        spans = [(m.start, m.end) for m in am]
        mentions = [m for m in mentions if not _overlaps(m, spans)] + am
    return mentions


def known_places(mentions: list[Mention], text: str, res: Resources) -> list[Mention]:
    """Known places (the data tables) the model missed, unless part of a longer capitalised
    name ("Texas Instruments") or overlapping a mention."""
    if not res.places:
        return mentions
    taken = [(m.start, m.end) for m in mentions]
    found = []
    for run in CAP_RUN.finditer(text):
        words = [(w.start(), w.end()) for w in re.finditer(r"\S+", run.group(0))]
        base, i = run.start(), 0
        while i < len(words):
            n, hit = _place_at(text, base, words, i, res)
            if hit is not None and i + n == len(words) and not _overlaps(hit, taken):
                found.append(hit)
            i += n
    return mentions + found


def _place_at(text: str, base: int, words: list[tuple[int, int]], i: int,
              res: Resources) -> tuple[int, Mention | None]:
    """The longest known place starting at word i of a capitalised run: (words it spans, mention)."""
    for n in range(min(res.places_max_words, len(words) - i), 0, -1):
        s_, e_ = base + words[i][0], base + words[i + n - 1][1]
        form = text[s_:e_]
        hit = res.places.get(form)
        if hit is None and form[-1:] in ",;:":
            form, e_ = form[:-1], e_ - 1
            hit = res.places.get(form)
        if hit is not None:
            return n, Mention(s_, e_, form, hit[0], "gazetteer")
    return 1, None


def in_text_order(mentions: list[Mention], text: str, res: Resources) -> list[Mention]:
    return sorted(mentions, key=lambda m: m.start)


def one_label_per_name(mentions: list[Mention], text: str, res: Resources) -> list[Mention]:
    """One label per name within the article: the majority of its mentions' (the model's count once,
    datelines, tables and places twice)."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for m in mentions:
        votes[name_key(m.text)][m.label] += 1 if m.source == "ner" else 2
    for m in mentions:
        c = votes[name_key(m.text)]
        if len(c) > 1:
            m.label = c.most_common(1)[0][0]
    return mentions


def full_person_names(mentions: list[Mention], text: str, res: Resources) -> list[Mention]:
    """One name per person: a short form ("Kim", "Putin") takes the full name it abbreviates
    ("Kim Jong Un") as its canonical name, and the person label."""
    full = Counter(m.text for m in mentions if m.label == "PERSON" and len(m.text.split()) >= 2)
    if not full:
        return mentions
    by_part: dict[str, list[str]] = defaultdict(list)
    for name in sorted(full, key=lambda n: (-len(n.split()), -full[n])):
        words = name.split()
        for i in range(len(words)):
            for j in range(i + 1, len(words) + 1):
                if j - i < len(words):
                    by_part[" ".join(words[i:j])].append(name)
    canon: dict[str, str] = {}
    for m in mentions:
        cands = by_part.get(m.text) if m.label in _NAME_CLASSES else None
        if not cands:
            continue
        words = m.text.split()
        if len(words) == 1:
            if m.label != "PERSON" and m.text.lower() in res.countries:
                continue
            # single words must be the first or last word of the full name
            cands = [c for c in cands if c.split()[0] == m.text or c.split()[-1] == m.text]
            if not cands:
                continue
        canon[m.text] = max(cands, key=lambda n: (full[n], len(n)))
        m.label = "PERSON"
    for m in mentions:
        if m.label == "PERSON" and m.text in canon:
            m.canonical = canon[m.text]
    return mentions


@dataclass
class _Group:
    """The mentions of one entity: its names, spellings and labels as counted."""

    names: Counter = field(default_factory=Counter)  # canonical names given
    surfaces: Counter = field(default_factory=Counter)  # names as the article wrote them (persons: full)
    labels: Counter = field(default_factory=Counter)
    forms: set = field(default_factory=set)  # every spelling, for counting untagged repeats
    n: int = 0


def group(mentions: list[Mention], res: Resources, aliases: bool) -> dict[tuple[str, str], _Group]:
    """Mentions -> entities (label class, name key), in order of first mention; the alias table
    gives one name across articles ("DPRK" -> "North Korea")."""
    groups: dict[tuple[str, str], _Group] = {}
    for m in mentions:
        name = (m.canonical or m.text) if m.label == "PERSON" else m.text
        surface, label = name, m.label
        entry = res.aliases.lookup(label, name) if aliases else None
        if aliases and entry is None and label in _PLACE_LIKE:
            other = res.aliases.any_class.get(name_key(name))
            if other is not None and other.kind == "country":
                entry = other
        if entry is not None:
            name, label = entry.name, entry.label
        g = groups.setdefault((LABEL_CLASS.get(label, label), name_key(name)), _Group())
        g.names[name] += 1
        g.surfaces[surface] += 1
        g.labels[label] += 1
        g.forms.add(m.text)
        g.n += 1
    return groups


def entities(groups: dict[tuple[str, str], _Group], text: str, res: Resources) -> tuple[Entity, ...]:
    """Entities, most mentioned first; a count is over every mention of any of the entity's spellings,
    tagged or not (a common word counts only where tagged)."""
    counts = _count_forms(groups, text, res)
    out = []
    for i, (key, g) in enumerate(groups.items()):
        name = g.names.most_common(1)[0][0]
        written = g.surfaces.most_common(1)[0][0]  # ties: the first written
        label = g.labels.most_common(1)[0][0]
        n = max(g.n, counts[key])
        out.append((n, i, Entity(written, label, n, "" if name == written else name)))
    out.sort(key=lambda x: (-x[0], x[1]))
    return tuple(e for _, _, e in out)


def _count_forms(groups: dict[tuple[str, str], _Group], text: str, res: Resources) -> Counter:
    """Occurrences of each entity's spellings in capitalised runs of the text, longest first."""
    form_of: dict[str, tuple[str, str]] = {}
    for key, g in groups.items():
        for f in g.forms:
            if len(f.split()) == 1 and res.is_common_word(f, 5e-5):
                continue  # "Such", "Bush"? only tagged mentions count for common words
            form_of.setdefault(f, key)
    counts: Counter[tuple[str, str]] = Counter()
    if not form_of:
        return counts
    longest = max(len(f.split()) for f in form_of)
    for run in CAP_RUN.finditer(text):
        words = run.group(0).split()
        i = 0
        while i < len(words):
            for n in range(min(longest, len(words) - i), 0, -1):
                key = form_of.get(" ".join(words[i: i + n]))
                if key is not None:
                    counts[key] += 1
                    i += n
                    break
            else:
                i += 1
    return counts
