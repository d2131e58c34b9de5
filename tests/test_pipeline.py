"""Tests of newsflow.pipeline: one admitted article to its committed result, idempotently."""

import base64
import hashlib
import json

import pytest

from newsflow.values import article_id
from newsflow.pipeline import MissingInput, Pipeline
from newsflow.settings import Settings
from newsflow.store import Source


@pytest.fixture(scope="module")
def model_pipeline_settings():
    return Settings.from_env({})


def admit(store, name, data, error=None):
    aid = article_id(data)
    store.admit(aid, Source(name, name, len(data), hashlib.sha256(data).hexdigest()), data if error is None else None,
                error)
    return aid


def make(redis_client, keys, tmp_path, settings):
    import dataclasses

    s = dataclasses.replace(settings, key_prefix=keys.prefix)
    return Pipeline(s, redis_client, results_dir=tmp_path, worker="test")


def test_run_commits_and_a_second_run_only_rewrites(redis_client, keys, tmp_path, seeds, model_pipeline_settings):
    """The first run processes and counts; a redelivery finds the record and changes nothing."""
    pipe = make(redis_client, keys, tmp_path, model_pipeline_settings)
    aid = admit(pipe.store, seeds[0].name, seeds[0].read_bytes())
    record = pipe.run(aid)
    assert record["status"] == "ok" and record["entities"] and record["story_id"]
    assert json.loads((tmp_path / f"{aid}.json").read_text())["id"] == aid
    assert pipe.store.raw(aid) is None  # bytes dropped at commit
    again = pipe.run(aid)
    assert again["processed_at"] == record["processed_at"]  # not processed again
    assert pipe.store.stats()["done"] == 1 and redis_client.xlen(keys.stream()) == 1


def test_bad_input_is_a_failed_record_not_an_exception(redis_client, keys, tmp_path, model_pipeline_settings):
    """An input the cleaner refuses, or one admitted with an error, gets a failed record; its
    `article_done` is logged at error, as docs/logs.md says, so a filter on level sees it."""
    from structlog.testing import capture_logs

    pipe = make(redis_client, keys, tmp_path, model_pipeline_settings)
    empty = admit(pipe.store, "empty.txt", b"")
    with capture_logs() as logs:
        assert pipe.run(empty)["error"]["type"] == "CleanError"
    big = admit(pipe.store, "big.txt", b"x" * 10, error=("TooLarge", "over the limit"))
    assert pipe.run(big)["error"] == {"type": "TooLarge", "message": "over the limit"}
    assert pipe.store.stats()["failed"] == 2
    assert [e["log_level"] for e in logs if e["event"] == "article_done"] == ["error"]


def test_unknown_article_is_missing_input(redis_client, keys, tmp_path, model_pipeline_settings):
    """A message for bytes never admitted raises MissingInput (logged by the task, never retried)."""
    pipe = make(redis_client, keys, tmp_path, model_pipeline_settings)
    with pytest.raises(MissingInput):
        pipe.run("0" * 32)


def test_alias_arriving_after_commit_reaches_the_file(redis_client, keys, tmp_path, seeds, model_pipeline_settings):
    """Running a committed article again (the alias's message) rewrites only its result file, with
    the aliases that arrived later; the stored record holds none, reading it adds them."""
    pipe = make(redis_client, keys, tmp_path, model_pipeline_settings)
    data = seeds[1].read_bytes()
    aid = admit(pipe.store, "first.txt", data)
    pipe.run(aid)
    queued = []
    from newsflow.intake import Intake

    source = tmp_path / "second.txt"
    source.write_bytes(data)
    assert Intake(pipe.store, 1 << 20, queued.extend).admit(source, "second.txt").outcome == "alias"
    assert queued == [aid]  # committed already: queued again for its file
    pipe.run(aid)
    assert json.loads((tmp_path / f"{aid}.json").read_text())["source"]["aliases"] == ["second.txt"]
    assert "aliases" not in json.loads(redis_client.get(keys.record(aid)))["source"]
    assert pipe.store.record(aid)["source"]["aliases"] == ["second.txt"]
    assert pipe.store.stats()["done"] == 1


def test_articles_without_a_body_are_never_copies_nor_one_story(redis_client, keys, tmp_path, model_pipeline_settings):
    """Two pages that give a headline and no body text share an (empty) content hash; neither is
    a duplicate of the other, and each is a story of its own. Articles with a body still are."""
    pipe = make(redis_client, keys, tmp_path, model_pipeline_settings)
    first = admit(pipe.store, "a.json", json.dumps({"title": "Ferry timetable changes", "maintext": "Share"}).encode())
    second = admit(pipe.store, "b.json", json.dumps({"title": "Library hours extended", "maintext": "Share"}).encode())
    a, b = pipe.run(first), pipe.run(second)
    assert a["status"] == b["status"] == "ok" and a["text"] == b["text"] == ""
    assert a["duplicate_of"] is None and b["duplicate_of"] is None
    assert a["story_id"] == first and b["story_id"] == second
    body = "The council voted on Tuesday to rebuild the old harbour wall, which storms damaged last winter."
    one = admit(pipe.store, "c.json", json.dumps({"title": "Wall", "maintext": body}).encode())
    two = admit(pipe.store, "d.json", json.dumps({"title": "Harbour wall", "maintext": body}).encode())
    pipe.run(one)
    assert pipe.run(two)["duplicate_of"] == one


def test_stories_are_decided_on_embeddings(redis_client, keys, tmp_path, seeds, model_pipeline_settings):
    """The five seed articles (one event, five outlets): each original's record carries its int8
    embedding, all five share one story, and an article that joined it says so by the embedding
    signal, with the cosine at or above the threshold it names."""
    pipe = make(redis_client, keys, tmp_path, model_pipeline_settings)
    records = [pipe.run(admit(pipe.store, p.name, p.read_bytes())) for p in seeds]
    assert len({r["story_id"] for r in records}) == 1
    joined = [r["placement"]["story"] for r in records if r["placement"]["story"]["method"] == "joined"]
    assert joined, "no seed joined the story by similarity"
    for story in joined:
        assert story["signal"] == "embedding"
        assert story["similarity"] >= story["threshold"] == model_pipeline_settings.index.story_embedding_threshold
    for r in records:
        assert len(base64.b64decode(r["fingerprint"]["embedding"])) == 512


def test_without_the_story_model_stories_fall_back_to_tfidf(redis_client, keys, tmp_path, seeds,
                                                           model_pipeline_settings):
    """The model's package missing: one `story_model_missing` warning naming what to install, no
    embedding, and stories still decided, by the TF-IDF signal."""
    import dataclasses

    from structlog.testing import capture_logs

    settings = dataclasses.replace(model_pipeline_settings,
                                   embed=dataclasses.replace(model_pipeline_settings.embed, package="no_such_model"))
    pipe = make(redis_client, keys, tmp_path, settings)
    with capture_logs() as logs:
        records = [pipe.run(admit(pipe.store, p.name, p.read_bytes())) for p in seeds[:3]]
    missing = [e for e in logs if e["event"] == "story_model_missing"]
    assert len(missing) == 1 and missing[0]["log_level"] == "warning" and "pip install" in missing[0]["error"]
    assert all(r["fingerprint"]["embedding"] == "" for r in records)
    assert {r["placement"]["story"].get("signal") for r in records} <= {"tfidf", None}


def test_a_copy_reuses_its_originals_entities_and_needs_no_embedding(redis_client, keys, tmp_path, seeds,
                                                                     model_pipeline_settings):
    """A second outlet's copy of a committed article (same body, its own headline) takes the
    original's entities for the body, adds its headline's own names, says so in `placement.tags`,
    joins the original's story and runs no story model; so does a copy with a new lead paragraph."""
    from structlog.testing import capture_logs

    pipe = make(redis_client, keys, tmp_path, model_pipeline_settings)
    body = seeds[0].read_text(encoding="utf-8").split("\n", 1)[1]
    first = pipe.run(admit(pipe.store, "a.txt", seeds[0].read_bytes()))
    copy = ("Wildfire coverage from the Riverton Gazette\n" + body).encode()
    with capture_logs() as logs:
        again = pipe.run(admit(pipe.store, "b.txt", copy))
    assert again["duplicate_of"] == first["id"] and again["story_id"] == first["story_id"]
    assert again["placement"]["tags"]["reused_from"] == first["id"]
    assert again["placement"]["tags"]["jaccard"] >= 0.9
    assert again["topics"] == first["topics"]
    names = {e["canonical"] for e in again["entities"]}
    assert {e["canonical"] for e in first["entities"]} <= names and "Riverton Gazette" in names
    assert "embed" not in {e.get("stage") for e in logs if e["event"] == "stage_done"}
    assert again["fingerprint"]["embedding"] == ""
    lead = " ".join(f"A new opening sentence number {i} about the weather and the roads today." for i in range(12))
    rewritten = pipe.run(admit(pipe.store, "c.txt", (body.split("\n", 1)[0] + "\n" + lead + "\n\n" + body).encode()))
    assert rewritten["duplicate_of"] == first["id"] and rewritten["fingerprint"]["embedding"] == ""
    reused = rewritten["placement"]["tags"]
    assert reused["reused_from"] == first["id"] and reused["jaccard"] < 0.9


def test_a_time_budget_lost_to_redis_retries_is_the_deployments_fault(redis_server, keys, tmp_path,
                                                                       model_pipeline_settings):
    """Redis stops taking writes mid-article (CLIENT PAUSE) for longer than the article's budget:
    the clients' retries ate the time, so the run raises ConnectionError (the task tries again,
    never counted) instead of committing a TimeLimit failure; once Redis answers, the same
    article is processed ok."""
    import dataclasses

    import redis

    from newsflow.connection import connect

    settings = dataclasses.replace(model_pipeline_settings, key_prefix=keys.prefix, article_time_limit=1.0)
    client = connect(redis_server, socket_timeout=0.2)
    pipe = Pipeline(settings, client, results_dir=tmp_path, worker="test")
    pipe.warm()
    aid = admit(pipe.store, "a.txt", b"Harbour fire\n\n" + b"Crews fought a fire at the harbour overnight. " * 30)
    admin = redis.Redis.from_url(redis_server)
    admin.client_pause(2500, all=False)  # writes wait 2.5 s; reads (the record, the source) go on
    with pytest.raises(redis.ConnectionError, match="while Redis was being retried"):
        pipe.run(aid)
    admin.client_unpause()
    assert pipe.store.record(aid) is None and pipe.store.stats()["failed"] == 0
    assert pipe.run(aid)["status"] == "ok"


def test_one_event_in_two_languages_is_one_story(redis_client, keys, tmp_path, model_pipeline_settings):
    """A German and an English report of one event (written here) join one story by the embedding,
    the decision naming its language pair; a French and a Turkish report of unrelated events each
    start their own."""
    from tests.test_embed_engine import BRIDGE_DE, BRIDGE_EN, MATCH_TR, MUSEUM_FR

    pipe = make(redis_client, keys, tmp_path, model_pipeline_settings)

    def run(name, article):
        return pipe.run(admit(pipe.store, name, json.dumps({"title": article[0], "maintext": article[1]}).encode()))

    de, en = run("bruecke.json", BRIDGE_DE), run("bridge.json", BRIDGE_EN)
    assert (de["language"], en["language"]) == ("de", "en")
    assert en["story_id"] == de["story_id"] == de["id"]
    story = en["placement"]["story"]
    assert (story["method"], story["signal"], story["languages"]) == ("joined", "embedding", "en-de")
    fr, tr = run("musee.json", MUSEUM_FR), run("mac.json", MATCH_TR)
    assert (fr["language"], tr["language"]) == ("fr", "tr")
    assert len({de["story_id"], fr["story_id"], tr["story_id"]}) == 3


def test_a_language_the_story_model_was_not_trained_on_gets_no_embedding(redis_client, keys, tmp_path,
                                                                        model_pipeline_settings):
    """A Swedish article (written here; Swedish is not among the story model's languages) gets no
    embedding: its story is decided by its story terms, and its record says why."""
    pipe = make(redis_client, keys, tmp_path, model_pipeline_settings)
    body = ("Stockholms stad meddelade på tisdagen att kollektivtrafiken ska byggas ut under de kommande fem "
            "åren. Nya spårvagnslinjer planeras i flera stadsdelar, och bussarna ska gå oftare på kvällarna. "
            "Beslutet fattades efter en lång debatt i kommunfullmäktige.")
    record = pipe.run(admit(pipe.store, "sv.json", json.dumps({"title": "Fler spårvagnar i staden",
                                                               "maintext": body}).encode()))
    assert record["language"] == "sv" and "sv" not in model_pipeline_settings.embed.languages
    assert not record["fingerprint"].get("embedding")
    story = record["placement"]["story"]
    assert story["signal"] == "tfidf" and story["embedding"] == "no story model for sv: decided by story terms"
