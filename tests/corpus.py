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


#: Twelve short articles about twelve unrelated events (written for the tests): far apart in
#: meaning, so no story decision between them depends on the order they arrive in.
EVENTS = (
    ("New bridge opens over the Alder river after four years of work",
     "The four-lane bridge linking the two halves of Millbrook opened to traffic on Saturday morning, "
     "ending a detour that had added twenty minutes to the daily commute of thousands of drivers.",
     "Engineers said the steel arch span was designed to last a century. The city council approved a "
     "toll-free policy for the first year, and cyclists get a separate lane on the eastern side."),
    ("Teenager wins national chess championship with a round to spare",
     "A sixteen-year-old student from Harwick clinched the national chess title on Thursday after "
     "beating the defending champion in a tense endgame that lasted more than six hours.",
     "She finished the tournament unbeaten, with seven wins and three draws, and qualifies for the "
     "world junior championship next spring. Her coach said she studies openings every evening."),
    ("Trial finds new malaria vaccine cuts infections in young children",
     "A vaccine given in three doses reduced malaria infections by more than half among children "
     "under five, according to results of a two-year trial published by researchers on Monday.",
     "Health officials said production could begin next year if regulators approve it. The study "
     "followed eight thousand children in rural clinics and reported no serious side effects."),
    ("Striker completes record transfer to league champions",
     "The league champions signed a twenty-three-year-old striker for a club record fee on Friday, "
     "handing him a five-year contract after a season in which he scored thirty-one goals.",
     "Supporters gathered outside the stadium to see him hold up his new shirt. The manager said "
     "the forward would make his debut in the opening match of the season next weekend."),
    ("Storm brings floods and power cuts to coastal towns",
     "Heavy rain and gale-force winds swept along the coast overnight, flooding low-lying streets "
     "and leaving about forty thousand homes without electricity by Tuesday morning.",
     "Emergency crews rescued residents from cars stranded in rising water. Forecasters expect the "
     "storm to weaken as it moves inland, but warned of more rain over the weekend."),
    ("Opposition leader concedes after close parliamentary election",
     "The opposition leader conceded defeat late on Sunday as final results gave the governing "
     "coalition a narrow majority of four seats in the new parliament.",
     "Turnout reached seventy-one percent, the highest in two decades. The prime minister promised "
     "to form a cabinet within a fortnight and to put the budget to a vote before the summer."),
    ("Two grocery chains agree to merge in deal worth billions",
     "Two of the country's largest grocery chains announced on Wednesday that they will merge, "
     "creating a company with more than nine hundred stores and two hundred thousand employees.",
     "The competition authority said it would review the deal closely. Shareholders of both firms "
     "must approve the merger, which the companies expect to complete by the end of next year."),
    ("Thieves take medieval manuscripts from city museum",
     "Police are searching for thieves who broke into the city museum overnight and stole three "
     "illuminated manuscripts from the fourteenth century, the museum director said on Saturday.",
     "The alarm system had been switched off for repairs. Detectives asked dealers and collectors "
     "to report any offer of rare books, and the museum will stay closed while the inquiry goes on."),
    ("Rocket carries weather satellite into orbit",
     "A rocket lifted off from the northern launch site on Thursday evening and placed a new weather "
     "satellite into orbit about an hour later, the space agency said.",
     "The satellite will measure sea temperatures and cloud cover to improve forecasts. It joins two "
     "older craft and should start sending data after a month of tests."),
    ("Supreme court strikes down surveillance law",
     "The supreme court ruled on Tuesday that a law allowing police to collect phone location data "
     "without a warrant breaches the constitutional right to privacy.",
     "The judges gave parliament six months to pass a new law. Civil liberties groups welcomed the "
     "decision, while the interior ministry said it would study the ruling carefully."),
    ("Folk festival draws record crowds to hillside village",
     "More than thirty thousand visitors came to the annual folk festival in the hillside village "
     "of Brenmoor over the weekend, the largest attendance in its forty-year history.",
     "Bands played on five stages, and local farms sold cheese and cider from wooden stalls. "
     "Organisers plan to add a camping field next year to cope with demand."),
    ("Rail workers strike over pay, halting trains across the region",
     "Train services across the region stopped on Monday as rail workers began a forty-eight-hour "
     "strike over pay, leaving commuters to crowd onto buses and into cars.",
     "The union said its members had been offered a raise below inflation. The rail operator called "
     "the strike unnecessary and said talks could resume as soon as Wednesday."),
)


def event(i: int) -> bytes:
    """Event article `i` (of EVENTS) as UTF-8 plain text: headline, blank line, paragraphs."""
    title, *paragraphs = EVENTS[i]
    return "\n\n".join([title, *paragraphs]).encode()
