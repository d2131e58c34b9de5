"""Tag stage: entities, keywords, topics and language of cleaned articles."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from newsflow.values import Cleaned, Tags
from newsflow.tag import TagSettings, load_model, tag


from tests.conftest import SEEDS  # the seeds with their gold, copied into tests/data

NUMERIC_LABELS = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"}


@pytest.fixture(scope="module")
def model():
    """The tag model, loaded once for the module as a worker loads it once per process."""
    return load_model(TagSettings())


def _by_name(tags: Tags) -> dict[str, tuple[str, int]]:
    """label and count of each entity, by its name across articles (canonical, else text)."""
    return {e.name: (e.label, e.count) for e in tags.entities}


def _seed_articles() -> list[tuple[str, Cleaned]]:
    out = []
    for path in sorted(SEEDS.glob("*.gold.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        out.append((path.name, Cleaned(title=gold.get("title"), paragraphs=tuple(gold["body_paragraphs"]))))
    if not out:
        raise AssertionError(f"no seeds at {SEEDS}")
    return out


def test_pipeline_is_ner_only(model):
    """The model runs NER alone: no tagger, parser, lemmatizer or shared tok2vec."""
    assert model.nlp.pipe_names == ["ner"]


def test_seed_golden(model):
    """Each seed: Putin and Kim as PERSON, Russia and North Korea as GPE, English,
    and one topic (war and diplomacy) shared by all five."""
    shared = None
    for name, cleaned in _seed_articles():
        tags = tag(cleaned, model)
        ents = _by_name(tags)
        assert tags.language == "en", name
        for text, label in [("Vladimir Putin", "PERSON"), ("Kim Jong Un", "PERSON"),
                            ("Russia", "GPE"), ("North Korea", "GPE")]:
            assert ents.get(text, ("-",))[0] == label, (name, text, ents.get(text))
        # one name per person: no stray "Putin" or "Kim"
        assert "Putin" not in ents and "Kim" not in ents, name
        assert len(tags.keywords) >= 5, name
        names = {t.name for t in tags.topics}
        shared = names if shared is None else shared & names
    assert "conflict, war and peace" in shared
    assert "politics" in shared


ARTICLE = Cleaned(
    title="Kim meets Putin",
    paragraphs=(
        "North Korean leader Kim Jong Un arrived in Vladivostok on Tuesday for talks with "
        "President Vladimir Putin, the Kremlin said on 12 September 2023.",
        "Kim, who travelled by armoured train, is expected to discuss arms supplies. "
        "Putin said the DPRK was a close partner. Officials in the U.S. said 2,000 shells "
        "had already been sent, and the US warned of sanctions.",
        "Mr Putin and Mr Kim last met in 2019. The United States has urged North Korea to stop.",
    ),
)


def test_canonical_names_and_counts(model):
    """Short forms join the full name within an article, counting every mention."""
    ents = _by_name(tag(ARTICLE, model))
    assert ents["Kim Jong Un"][0] == "PERSON" and ents["Kim Jong Un"][1] >= 4
    assert ents["Vladimir Putin"][0] == "PERSON" and ents["Vladimir Putin"][1] >= 4
    assert not {"Kim", "Putin", "Mr Putin"} & set(ents)


def test_alias_table_across_articles(model):
    """DPRK and North Korea are one entity; U.S., US and United States are one entity."""
    ents = _by_name(tag(ARTICLE, model))
    assert ents["North Korea"] == ("GPE", ents["North Korea"][1]) and ents["North Korea"][1] >= 2
    assert ents["United States"][0] == "GPE" and ents["United States"][1] >= 3
    assert not {"DPRK", "U.S.", "US"} & set(ents)


def test_text_is_as_written_canonical_is_shared(model):
    """An entity's text is the article's own most used spelling; its canonical name is the table's."""
    c = Cleaned(title=None, paragraphs=(
        "Officials in the U.S. said on Monday that the U.S. would send more aid.",
        "The United States and Britain agreed. A U.S. envoy will travel to London.",
    ))
    by_name = {e.name: e for e in tag(c, model).entities}
    us = by_name["United States"]
    assert (us.text, us.canonical, us.label) == ("U.S.", "United States", "GPE") and us.count >= 4
    uk = by_name["United Kingdom"]
    assert (uk.text, uk.canonical) == ("Britain", "United Kingdom")
    london = by_name["London"]
    assert london.text == "London" and london.canonical == ""  # its own name: nothing to add


def test_no_dates_or_numbers(model):
    """Dates and numbers never pose as entities; every entity has letters and no line break."""
    for e in tag(ARTICLE, model).entities:
        assert e.label not in NUMERIC_LABELS
        assert any(c.isalpha() for c in e.text) and "\n" not in e.text
        assert e.count >= 1


def test_dateline_and_shouted_headline(model):
    """A wire dateline gives its place; a headline in capitals is read re-cased."""
    c = Cleaned(title=None, paragraphs=(
        "SOCCER - BELARUS BEAT ESTONIA IN WORLD CUP QUALIFIER.",
        "MINSK 1996-08-31",
        "Belarus beat Estonia 1-0 in a World Cup qualifier on Saturday.",
    ))
    ents = _by_name(tag(c, model))
    assert ents["Minsk"][0] == "GPE"
    assert ents["Belarus"][0] == "GPE" and ents["Belarus"][1] >= 2
    assert ents["Estonia"][0] == "GPE"


def test_results_table_teams(model):
    """Clubs in a results line are organisations; a country in parentheses marks a person."""
    c = Cleaned(title=None, paragraphs=(
        "Scottish league results on Saturday:",
        "Partick 1 St Mirren 1",
        "Dumbarton 1 Brechin 1",
        "Women's 100 metres: 1. Merlene Ottey (Jamaica) 10.94",
    ))
    ents = _by_name(tag(c, model))
    for club in ("Partick", "St Mirren", "Dumbarton", "Brechin"):
        assert ents[club][0] == "ORG", (club, ents.get(club))
    assert ents["Merlene Ottey"][0] == "PERSON"


def test_a_capitalised_number_word_is_part_of_a_name(model):
    """"First", "One" are words of names (spaCy calls them numbers), kept at a name's edge; figures
    at an edge (a golfer's score) are still cut off, and ordinary names are unchanged."""
    c = Cleaned(title=None, paragraphs=(
        "First Harbour Bank said on Tuesday it would buy Lakeshore Trust for $40 million.",
        "The deal was announced after Formula One officials met in Monza, and Air Force One landed in Denver.",
        "Jesper Holm shot 65 to lead, two strokes ahead of Karl Brandt 67.",
    ))
    names = {e.text for e in tag(c, model).entities}
    assert {"First Harbour Bank", "Formula One", "Air Force One"} <= names
    assert {"Lakeshore Trust", "Denver", "Jesper Holm", "Karl Brandt"} <= names
    assert not {"Harbour Bank", "Formula", "Air Force"} & names
    assert not any(ch.isdigit() for name in names for ch in name)


@pytest.mark.parametrize("name, person", [
    ("H. Morris", True), ("S. Jayasuriya", True), ("M. McCague", True),
    ("U.S. Steel", False), ("J.P. Morgan", False), ("Manchester United", False),
])
def test_initial_and_surname_is_a_person(name, person):
    """A name written as one initial and a surname (as scorecards do) is a person even where the
    model says organisation; initials-only and ordinary names are left to the model."""
    from newsflow.tag.entities import _INITIAL_SURNAME

    assert bool(_INITIAL_SURNAME.match(name)) is person


def test_keywords_best_first(model):
    """At least five distinct keywords for an article of normal length, best first."""
    _name, cleaned = _seed_articles()[0]
    kws = tag(cleaned, model).keywords
    assert len(kws) >= 5 and len(set(kws)) == len(kws)
    assert kws[0] in {"Vladimir Putin", "Kim Jong Un"}


@pytest.mark.parametrize("text,code", [
    ("Der Bundestag hat am Donnerstag das neue Gesetz beschlossen.", "de"),
    ("Le gouvernement a annoncé une réforme des retraites.", "fr"),
    ("El presidente viajará a México la próxima semana.", "es"),
    ("North Korea fired two missiles on Sunday.", "en"),
])
def test_language_on_short_texts(model, text, code):
    """One sentence is enough to tell the language (ISO 639-1)."""
    assert tag(Cleaned(title=None, paragraphs=(text,)), model).language == code


def test_empty_article(model):
    """An article with no text has no language (the record says why) and no tags."""
    assert tag(Cleaned(title=None, paragraphs=()), model) == Tags(language=None, skipped=(("language", "no text"),))


def test_custom_taxonomy(model, tmp_path):
    """The topic taxonomy is data: a user's own file replaces the IPTC default."""
    path = tmp_path / "topics.json"
    path.write_text(json.dumps({"topics": [
        {"name": "korea watch", "terms": ["pyongyang", "korea*"]},
        {"name": "gardening", "terms": ["tulip*", "compost"]},
    ]}))
    s = TagSettings(topics_path=str(path), topic_min_hits=1.0)
    m = load_model(s)
    topics = tag(ARTICLE, m, s).topics
    assert [t.name for t in topics] == ["korea watch"] and 0 < topics[0].score <= 1


def test_corpus_stats_change_keywords(model):
    """Keywords are TF-IDF: a term every article has loses to rarer ones."""
    from newsflow.tag import Stats

    _name, cleaned = _seed_articles()[0]
    first = tag(cleaned, model).keywords[0]
    word = first.lower().split()[-1]
    stats = Stats(n_docs=100_000, df={word: 100_000, first.lower(): 100_000})
    assert tag(cleaned, model, stats=stats).keywords[0] != first


def test_settings_from_environment():
    """Every scalar TagSettings field can be set as NEWSFLOW_TAG_<FIELD>."""
    from newsflow.settings import Settings

    s = Settings.from_env({"NEWSFLOW_TAG_MAX_KEYWORDS": "7", "NEWSFLOW_TAG_NER_ONLY": "0"})
    assert s.tag.max_keywords == 7 and s.tag.ner_only is False
    assert all(f.default is not dataclasses.MISSING for f in dataclasses.fields(TagSettings))


def test_stage_imports_no_service_code():
    """newsflow.tag (model loaded and run) imports nothing of celery, redis, kombu or watchdog."""
    code = (
        "import sys; from newsflow.values import Cleaned; from newsflow.tag import tag, load_model;"
        "m = load_model(); tag(Cleaned(title='t', paragraphs=('Putin met Kim in Moscow.',)), m);"
        "print(sorted({n.split('.')[0] for n in sys.modules} & {'celery','redis','kombu','watchdog'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


words = st.sampled_from(["Putin", "Kim", "said", "the", "North", "Korea", "U.S.", "DPRK", "1996",
                         "MOSCOW", "-", "(Reuters)", "3-1", "Mr", "'s", "\n", "Ã©", "東京", "..."])


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(words, max_size=25).map(" ".join), max_size=5),
       st.one_of(st.none(), st.text(max_size=40)))
def test_tag_total_on_any_text(model, paragraphs, title):
    """Any text gets well-formed tags: entities unique, counted, with letters; topics scored in (0, 1]."""
    tags = tag(Cleaned(title=title, paragraphs=tuple(paragraphs)), model)
    keys = [(e.text, e.label) for e in tags.entities]
    assert len(keys) == len(set(keys))
    for e in tags.entities:
        assert e.count >= 1 and e.text.strip() == e.text and any(c.isalpha() for c in e.text)
        assert e.label not in NUMERIC_LABELS
    assert all(0 < t.score <= 1 for t in tags.topics)
    assert tags.language is None or len(tags.language) == 2


class _Reading:
    """The real NER model, noting every text it is given (what it read, not what it returns)."""

    def __init__(self, nlp):
        self.nlp, self.read = nlp, []

    def __call__(self, text):
        self.read.append(text)
        return self.nlp(text)


PARTIAL = Cleaned(title="Flooding closes Marrow Bridge", paragraphs=(
    "Engineers from Halden County closed the Marrow Bridge on Tuesday after the river rose overnight.",
    "Mayor Petra Lindqvist said repairs would take a week and thanked the crews from Oakvale.",
    "Residents of Oakvale were told to use the ferry, which the Halden County council will run for free.",
))


def _record(cleaned: Cleaned, tags: Tags) -> dict:
    """The parts of a result record `Known.of` reads."""
    return {"text": "\n\n".join(cleaned.paragraphs),
            "entities": [{"text": e.text, "label": e.label, "count": e.count, "canonical": e.name}
                         for e in tags.entities]}


def test_a_copy_in_part_has_the_model_read_only_its_new_paragraphs(model):
    """A copy with a new lead and the original's other paragraphs: the model reads its headline and
    the new lead only, and the entities (names, labels, counts) are those of reading it whole."""
    from newsflow.tag import Known

    original = tag(PARTIAL, model)
    copy = Cleaned(title="Governor visits flooded towns", paragraphs=(
        "Governor Amos Kettering toured Oakvale on Wednesday, two days after the bridge closed.",
        *PARTIAL.paragraphs[1:]))
    reading = _Reading(model.nlp)
    got = tag(copy, dataclasses.replace(model, nlp=reading), known=Known.of(_record(PARTIAL, original)))
    assert len(reading.read) == 1 and "Amos Kettering" in reading.read[0]
    assert "Lindqvist" not in reading.read[0] and "ferry" not in reading.read[0]
    assert _by_name(got) == _by_name(tag(copy, model))
    assert {"Amos Kettering", "Petra Lindqvist", "Oakvale"} <= set(_by_name(got))


def test_an_article_sharing_no_paragraph_is_read_whole(model):
    """Known paragraphs that the article does not contain change nothing: the model reads it all."""
    from newsflow.tag import Known

    other = Known(frozenset({"A paragraph of some other article about Lake Varne."}), (("Lake Varne", "LOC"),))
    reading = _Reading(model.nlp)
    got = tag(PARTIAL, dataclasses.replace(model, nlp=reading), known=other)
    assert all(p in reading.read[0] for p in PARTIAL.paragraphs)
    assert got == tag(PARTIAL, model) and "Lake Varne" not in _by_name(got)


def test_a_whole_copy_under_its_own_headline_has_the_model_read_the_headline_only(model):
    """Every paragraph shared: the model reads the copy's headline (the names only it has) and
    nothing else; the entities are those of reading the copy whole."""
    from newsflow.tag import Known

    copy = dataclasses.replace(PARTIAL, title="Harbour closures: Mayor Dana Whitcombe praises crews")
    reading = _Reading(model.nlp)
    got = tag(copy, dataclasses.replace(model, nlp=reading), known=Known.of(_record(PARTIAL, tag(PARTIAL, model))))
    assert len(reading.read) == 1 and "Dana Whitcombe" in reading.read[0]
    assert not any(p in reading.read[0] for p in PARTIAL.paragraphs)
    assert _by_name(got) == _by_name(tag(copy, model)) and "Dana Whitcombe" in _by_name(got)
