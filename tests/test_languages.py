"""Every stage after cleaning in the article's language (issue 27): pages written here in German,
French, Spanish, Russian and Chinese get their own language's stop words, NER model (or none, said
so), topics and duplicates; the English NER model never reads them."""

from __future__ import annotations

import json

import pytest

from newsflow.languages import split_scripts, stemmer, stop_words
from newsflow.settings import Settings
from tests.test_pipeline import admit, make

FOOTBALL_DE = ("Bayern gewinnt das Spitzenspiel gegen Dortmund",
               "Der FC Bayern München hat am Samstag das Spitzenspiel der Bundesliga gegen Borussia Dortmund "
               "mit 3:1 gewonnen. Vor 75.000 Zuschauern erzielte der Stürmer zwei Tore in der ersten Halbzeit. "
               "Der Trainer lobte nach dem Spiel die Mannschaft und sagte, der Sieg sei verdient gewesen. "
               "Dortmund bleibt nach der Niederlage auf dem dritten Platz der Tabelle, die Bayern führen die "
               "Liga weiterhin an. Das Rückspiel findet im April statt.")
BUDGET_ES = ("El Congreso debate los presupuestos del Estado para el próximo año",
             "El Congreso de los Diputados comenzó el martes el debate de los presupuestos generales del Estado. "
             "El ministro de Hacienda defendió un aumento del gasto en sanidad y educación y una rebaja de los "
             "impuestos para las rentas más bajas. La oposición criticó el déficit y pidió reducir la deuda "
             "pública. La votación final está prevista para diciembre, y el Gobierno necesita el apoyo de los "
             "partidos regionales para aprobar las cuentas.")
VISIT_FR = ("Emmanuel Macron reçu à Berlin par le chancelier",
            "Le président Emmanuel Macron a été reçu mardi à Berlin par le chancelier allemand. Les deux "
            "dirigeants ont discuté de la défense européenne et de l'avenir de l'Union européenne. Selon "
            "l'Élysée, une nouvelle rencontre aura lieu à Paris au printemps.")
FLOOD_RU = ("Наводнение в Сибири: эвакуированы тысячи жителей",
            "Из-за сильных дождей в нескольких районах Сибири вышли из берегов реки. По данным спасателей, "
            "из затопленных домов эвакуированы более трёх тысяч человек. Власти региона объявили режим "
            "чрезвычайной ситуации, в пострадавшие сёла направлены лодки и вертолёты.")
ELECTION_RU = ("В городе выбрали нового мэра",
               "Жители города в воскресенье выбрали нового мэра. По предварительным данным избирательной "
               "комиссии, победу одержал бывший заместитель главы администрации, набравший больше половины "
               "голосов. Явка составила около сорока процентов, сообщили в комиссии.")
RAIL_ZH = ("新高铁线路正式开通运营",
           "连接两座城市的新高铁线路于周一正式开通运营，全程运行时间缩短至一个半小时。铁路部门表示，"
           "开通初期每天将开行四十对列车，票价与现有线路基本持平。沿线居民表示，新线路将方便出行，"
           "并带动当地旅游业和经济发展。专家认为，这条线路是区域交通网络的重要组成部分。")


@pytest.fixture(scope="module")
def settings():
    return Settings.from_env({})


def _run(pipe, name, article):
    data = json.dumps({"title": article[0], "maintext": article[1]}, ensure_ascii=False).encode()
    return pipe.run(admit(pipe.store, name, data))


def test_german_page_gets_no_english_entities_and_german_keywords(redis_client, keys, tmp_path, settings):
    """A German football report: language de; no NER model for German, so no entities and the
    record says so (never the English model's "Samstag" as a person); no German stop word among
    the keywords; the sport topic, from the embedding."""
    record = _run(make(redis_client, keys, tmp_path, settings), "fussball.json", FOOTBALL_DE)
    assert record["language"] == "de"
    assert record["entities"] == [] and record["tagging"]["entities"] == "no model for de"
    assert record["keywords"] and not set(record["keywords"]) & stop_words("de")
    assert record["topics"][0] == "sport" and "embedding" in record["tagging"]["topics"]


def test_spanish_budget_debate_gets_politics_or_economy(redis_client, keys, tmp_path, settings):
    """A Spanish budget debate: language es, keywords free of Spanish stop words ("que", "una"),
    and the politics or the economy topic first."""
    record = _run(make(redis_client, keys, tmp_path, settings), "presupuestos.json", BUDGET_ES)
    assert record["language"] == "es"
    assert record["keywords"] and not set(record["keywords"]) & stop_words("es")
    assert record["topics"][0] in {"politics", "economy, business and finance"}


def test_french_page_is_read_by_the_french_model(redis_client, keys, tmp_path, settings):
    """A French report: the French pipeline finds its people and places (labels as the record names
    them), nothing is skipped for entities."""
    record = _run(make(redis_client, keys, tmp_path, settings), "visite.json", VISIT_FR)
    assert record["language"] == "fr" and "entities" not in record["tagging"]
    found = {(e["text"], e["label"]) for e in record["entities"]}
    assert ("Emmanuel Macron", "PERSON") in found and any(t == "Berlin" for t, _ in found)
    assert not set(record["keywords"]) & stop_words("fr")


def test_russian_articles_on_different_events_are_not_copies(redis_client, keys, tmp_path, settings):
    """Two Russian articles on different events: neither a copy of the other nor one story; a copy
    of the first with a new headline is found as its copy."""
    pipe = make(redis_client, keys, tmp_path, settings)
    flood, election = _run(pipe, "flood.json", FLOOD_RU), _run(pipe, "mayor.json", ELECTION_RU)
    assert flood["language"] == election["language"] == "ru"
    assert election["duplicate_of"] is None and election["story_id"] != flood["story_id"]
    copy = _run(pipe, "flood2.json", ("Тысячи эвакуированы из-за наводнения", FLOOD_RU[1]))
    assert copy["duplicate_of"] == flood["id"]


def test_chinese_wire_copy_with_new_headline_and_trimmed_tail_is_found(redis_client, keys, tmp_path, settings):
    """A Chinese wire copy with another headline and its last sentence cut is found as a copy
    (characters are the shingles' words); the keywords are pairs of characters, no stop word alone."""
    pipe = make(redis_client, keys, tmp_path, settings)
    first = _run(pipe, "rail.json", RAIL_ZH)
    assert first["language"] == "zh" and first["keywords"]
    trimmed = RAIL_ZH[1][: RAIL_ZH[1].rindex("专家")]
    copy = _run(pipe, "rail2.json", ("两城高铁今日通车", trimmed))
    assert copy["duplicate_of"] == first["id"]


def test_language_helpers_know_their_languages():
    """Stop lists and stemmers per language; an unspaced script read a character at a time, other
    text unchanged."""
    assert {"und", "sich", "den"} <= stop_words("de") and {"que", "una"} <= stop_words("es")
    assert stop_words("xx") == frozenset() and stop_words(None) == frozenset()
    assert stemmer("de")("verhandlungen") == "verhandl" and stemmer("xx") is None
    assert split_scripts("铁路 rail") == " 铁  路  rail" and split_scripts("plain prose") == "plain prose"


def test_country_names_join_across_languages():
    """The alias table's countries take their names in other languages ("Deutschland", "Allemagne"
    -> "Germany"); a translation that is an English word ("Island", German for Iceland) is not one."""
    from newsflow.tag.tables import AliasTable

    table = AliasTable.load().with_country_names(("de", "fr", "es", "ru"))
    assert {table.resolve(n) for n in ("Deutschland", "Allemagne", "Alemania", "Германия")} == {"Germany"}
    assert table.resolve("États-Unis") == "United States"
    assert table.resolve("Island") == "Island" and table.resolve("Iceland") == "Iceland"


def test_known_places_can_stand_in_for_a_missing_model(settings):
    """With known_places_without_model on, a German page gets the places the data tables know
    (Germany by its German name, as Germany) and nothing the English model would say; off (the
    default), none, and the record says there is no model."""
    import dataclasses

    from newsflow.values import Cleaned
    from newsflow.nlp import load_models
    from newsflow.tag import tag

    model = load_models(settings, "test").tag
    page = Cleaned(title="Hochwasser in Deutschland", paragraphs=(
        "In Deutschland und in Polen sind nach tagelangem Regen mehrere Flüsse über die Ufer getreten. "
        "Am Samstag wurden Tausende Menschen in Sicherheit gebracht.",))
    on = tag(page, model, dataclasses.replace(settings.tag, known_places_without_model=True))
    assert {(e.name, e.label) for e in on.entities} == {("Germany", "GPE"), ("Poland", "GPE")}
    assert dict(on.skipped)["entities"] == "no model for de: known places only"
    off = tag(page, model, settings.tag)
    assert off.entities == () and dict(off.skipped)["entities"] == "no model for de"
