"""Synthetic news articles for load and fault tests: distinct, deterministic, prose-shaped.

Each article is a headline and a few paragraphs of sentences built from
templates and word lists with a seeded RNG, so article i always has the same
bytes and no two articles are alike. They are not meant to be good news; they
are meant to be many, small and cheap to process.
"""

from __future__ import annotations

import random
from pathlib import Path

PEOPLE = ["Maria Lopez", "Chen Wei", "Amara Okafor", "Jonas Berg", "Priya Nair", "Tomas Novak",
          "Sara Haddad", "Kenji Sato", "Ana Costa", "Liam Walsh", "Fatima Zahra", "Oleg Petrov"]
PLACES = ["Lisbon", "Nairobi", "Osaka", "Toronto", "Krakow", "Santiago", "Hanoi", "Dublin",
          "Accra", "Tbilisi", "Perth", "Bergen"]
ORGS = ["the city council", "the port authority", "the national rail operator", "the health ministry",
        "a regional water utility", "the central bank", "a farmers' cooperative", "the teachers' union"]
NOUNS = ["budget", "bridge", "harvest", "strike", "election", "flood", "festival", "tariff", "vaccine",
         "pipeline", "stadium", "library", "reservoir", "ferry", "archive", "airport"]
VERBS = ["approved", "delayed", "criticised", "announced", "reviewed", "expanded", "suspended", "defended"]
TEMPLATES = [
    "{person} said on {day} that {org} had {verb} the {noun} plan after weeks of debate in {place}.",
    "Officials in {place} expect the {noun} to cost about {n} million, according to {org}.",
    "The decision by {org} to {verb_base} the {noun} drew {n} complaints from residents, {person} told reporters.",
    "In a statement, {org} said the {noun} would be {verb} by the end of the year, despite concerns in {place}.",
    "{person}, who has followed the {noun} dispute for {n} months, called the outcome a turning point for {place}.",
    "Critics argue that the {noun} was {verb} too quickly, while supporters in {place} point to {n} new jobs.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def article(i: int, paragraphs: int = 4, sentences: int = 3) -> bytes:
    """Article number `i` as UTF-8 plain text."""
    rng = random.Random(i)
    place = rng.choice(PLACES)
    noun = rng.choice(NOUNS)
    lines = [f"{place} {noun} {rng.choice(VERBS)} as {rng.choice(ORGS)} weighs next steps (report {i})", ""]
    for _ in range(paragraphs):
        sents = []
        for _ in range(sentences):
            verb = rng.choice(VERBS)
            sents.append(rng.choice(TEMPLATES).format(
                person=rng.choice(PEOPLE), org=rng.choice(ORGS), verb=verb, verb_base=verb[:-1].rstrip("e") or verb,
                noun=rng.choice(NOUNS) if rng.random() < 0.3 else noun, place=rng.choice(PLACES) if rng.random() < 0.2 else place,
                day=rng.choice(DAYS), n=rng.randint(2, 900)))
        lines.append(" ".join(sents))
        lines.append("")
    lines.append(f"Reference number {i}-{rng.randint(10**6, 10**7)}.")
    return "\n".join(lines).encode()


def drop(folder: Path, start: int, count: int, *, prefix: str = "a") -> list[Path]:
    """Write articles start..start+count-1 into `folder`, each complete before it appears (rename)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + count):
        final = folder / f"{prefix}{i:06d}.txt"
        tmp = folder / f".{prefix}{i:06d}.txt.tmp"
        tmp.write_bytes(article(i))
        tmp.rename(final)
        paths.append(final)
    return paths


def html_page(megabytes: float) -> bytes:
    """An HTML page of distinct synthetic news paragraphs, about `megabytes` long."""
    parts, size, i = ["<html><head><title>A long page</title></head><body><article><h1>A long page</h1>"], 0, 0
    while size < megabytes * 1_000_000:
        for para in article(i).decode().split("\n\n")[1:]:
            parts.append(f"<p>{para}</p>\n")
            size += len(parts[-1])
        i += 1
    return ("".join(parts) + "</article></body></html>").encode()
