"""Retention: articles past it leave Redis whole; the index's floor, chunks and kept story heads
(real Valkey, synthetic fingerprints written here)."""

from __future__ import annotations

import hashlib
import json
import time

import numpy as np
import pytest

from newsflow.embed import to_int8
from newsflow.placement import Index
from newsflow.placement.layout import NUM_CHUNK, REC_CHUNK, VEC_CHUNK
from newsflow.placement.settings import IndexSettings
from newsflow.values import Entity, Fingerprint, Tags, Topic
from newsflow.retention import Retention
from newsflow.settings import Settings, parse_duration
from newsflow.store import Store
from newsflow.tagindex import TagIndex


def _id(i: int) -> str:
    return hashlib.md5(f"article {i}".encode()).hexdigest()


def _fp(i: int, topic: int, text: int | None = None) -> Fingerprint:
    """A synthetic original of `topic` (its own text `text`, default `i`): shared topic terms and a
    topic embedding with a little noise, so articles of one topic join one story, others never."""
    rng = np.random.default_rng(1000 + (i if text is None else text))
    base = np.random.default_rng(topic).standard_normal(512)
    vec = base / np.linalg.norm(base) + 0.05 * rng.standard_normal(512) / np.sqrt(512)
    terms = {f"topic{topic}word{k}": 1.0 for k in range(6)} | {f"own{i}": 0.5}
    return Fingerprint(content_sha256=hashlib.sha256(f"text {i if text is None else text}".encode()).hexdigest(),
                       minhash=rng.integers(0, 256, 128, dtype=np.uint8).tobytes(),
                       lsh=tuple(int(v) for v in rng.integers(0, 2**32, 16)), shingles=200,
                       story_terms=terms, embedding=to_int8(vec / np.linalg.norm(vec)))


def _place(index: Index, i: int, topic: int, text: int | None = None):
    return index.place(_id(i), _fp(i, topic, text), "2024-05-01")


def _index_keys(client, keys) -> set[str]:
    return {k.decode() for k in client.scan_iter(match=keys.fp_pattern(), count=1000)}


def test_durations_are_read_with_their_unit_and_bad_ones_say_what_to_write():
    """30d, 12h, 90s, 15m, 2w and bare seconds; 0 is for ever; anything else is refused early."""
    assert [parse_duration(t) for t in ("30d", "12h", "90s", "15m", "2w", "45", "0")] == \
        [2_592_000, 43_200, 90, 900, 1_209_600, 45, 0]
    assert Settings.from_env({"NEWSFLOW_RETENTION": "20s"}).retention_seconds == 20
    assert Settings().retention_seconds == 30 * 86400
    with pytest.raises(ValueError, match="NEWSFLOW_RETENTION.*30d"):
        Settings.from_env({"NEWSFLOW_RETENTION": "a month"})


def test_the_floor_passes_forgotten_articles_and_deletes_whole_chunks(redis_client, keys):
    """300 articles of their own stories; the first 130 forgotten: the floor moves to 131 and the
    record and vector chunks wholly under it go, the rest stay; once all are forgotten nothing of
    any article remains but the fixed tables and counters."""
    index = Index(redis_client, keys, IndexSettings())
    for i in range(1, 301):
        _place(index, i, topic=i)
    before = _index_keys(redis_client, keys)
    assert index.forget([(_id(i), _fp(i, i).content_sha256) for i in range(1, 131)]) == (130, 131, 0)
    gone = {k for k in before - _index_keys(redis_client, keys) if k.split(":")[2] in ("rec", "vec", "num")}
    assert gone == {keys.fp_records(c) for c in range(130 // REC_CHUNK)} | \
        {keys.fp_vectors(c) for c in range(130 // VEC_CHUNK)}
    assert index.placement_of(_id(131)).story_id == _id(131)
    index.forget([(_id(i), _fp(i, i).content_sha256) for i in range(131, 301)])
    left = _index_keys(redis_client, keys)
    families = ("rec", "vec", "num", "id", "sha", "kept")
    assert [k for k in left if k.split(":")[2] in families] == []
    assert index.floor() == 301


def test_the_floor_stops_at_an_article_still_held(redis_client, keys):
    """Forgetting every article but the oldest moves nothing: the floor waits for it."""
    index = Index(redis_client, keys, IndexSettings())
    for i in range(1, 11):
        _place(index, i, topic=i)
    assert index.forget([(_id(i), "") for i in range(2, 11)])[1] == 1
    assert index.placement_of(_id(5)) is not None
    assert index.forget([(_id(1), "")])[1] == 11


def test_a_story_outlives_its_first_article(redis_client, keys):
    """A story whose first article is past retention keeps its id: a later article joining through
    a held member gets it, the members listed are the held ones, and the kept head leaves once
    its newest member is past retention too."""
    index = Index(redis_client, keys, IndexSettings())
    first = _place(index, 1, topic=7)
    assert _place(index, 2, topic=7).story_id == first.story_id == _id(1)
    index.forget([(_id(1), _fp(1, 7).content_sha256)])
    assert index.floor() == 2 and redis_client.hlen(keys.fp_kept()) == 1
    assert _place(index, 3, topic=7).story_id == _id(1)
    assert index.story_members(_id(1)) == [_id(2), _id(3)]
    index.forget([(_id(2), ""), (_id(3), "")])
    assert redis_client.hlen(keys.fp_kept()) == 0 and redis_client.zcard(keys.fp_kept_until()) == 0
    assert index.story_members(_id(1)) == []
    assert _place(index, 4, topic=7).story_id == _id(4)  # nothing held to join: a new story


def test_an_article_past_retention_is_no_candidate(redis_client, keys):
    """An exact copy of an article past retention (same text) is an original, and a same-topic
    article starts its own story: neither the sha map, the LSH table nor a posting list names it."""
    index = Index(redis_client, keys, IndexSettings())
    _place(index, 1, topic=3)
    assert _place(index, 2, topic=9, text=1).duplicate_of == _id(1)  # while held: a copy
    index.forget([(_id(1), _fp(1, 3).content_sha256), (_id(2), "")])
    again = _place(index, 3, topic=3, text=1)
    assert again.duplicate_of is None and again.story_id == _id(3)


def _commit(store: Store, tags: TagIndex, index: Index, i: int, entities, topics) -> dict:
    fp = _fp(i, topic=i)
    placement = index.place(_id(i), fp, None)
    t = Tags(language="en", entities=tuple(entities), topics=tuple(Topic(n, 0.5) for n in topics))
    tags.add(_id(i), t)
    record = {"id": _id(i), "status": "ok", "source": {"name": f"{i}.txt"}, "fingerprint": fp.to_record(),
              "duplicate_of": None, "story_id": placement.story_id, "topics": list(topics),
              "entities": [{"text": e.name, "label": e.label, "count": 1, "canonical": e.name} for e in entities]}
    store.commit(record)
    return record


def test_expiry_removes_every_key_of_an_article_and_keeps_counts_right(redis_client, keys):
    """Three committed articles; the two oldest are past retention: no key and no hash field names
    them any more, and entity and topic counts are those of the one held."""
    settings = Settings(retention="60s")
    store, tags, index = Store(redis_client, keys), TagIndex(redis_client, keys), Index(redis_client, keys)
    ada, bob = Entity("Ada Lovelace", "PERSON", 1), Entity("Bob Marley", "PERSON", 1)
    _commit(store, tags, index, 1, [ada, bob], ["politics"])
    _commit(store, tags, index, 2, [ada], ["politics", "sport"])
    _commit(store, tags, index, 3, [bob], ["sport"])
    store.r.zadd(keys.expiry(), {_id(1): 1000, _id(2): 1001})
    done = Retention(redis_client, keys, settings).expire_due(now=1000 + 61)
    assert done.articles == 2
    for i in (1, 2):
        assert [k for k in redis_client.scan_iter(match=f"*{_id(i)}*")] == []
        for key in redis_client.scan_iter(match=f"{keys.prefix}:*"):
            kind = redis_client.type(key)
            members = (redis_client.hkeys(key) if kind == b"hash" else redis_client.smembers(key) if kind == b"set"
                       else redis_client.zrange(key, 0, -1) if kind == b"zset" else [])
            assert _id(i).encode() not in members and bytes.fromhex(_id(i)) not in members, key
    assert tags.top_entities() == [("Bob Marley", "PERSON", 1)]
    assert tags.top_topics() == [("sport", 1)]
    assert tags.find(entity="Lovelace") == [] and tags.find(entity="Marley") == [_id(3)]
    assert store.record(_id(3))["id"] == _id(3) and store.record(_id(1)) is None


def test_retention_zero_keeps_everything_and_a_backfill_covers_older_commits(redis_client, keys):
    """Retention 0 removes nothing; articles committed before retention existed get one from now."""
    store, tags, index = Store(redis_client, keys), TagIndex(redis_client, keys), Index(redis_client, keys)
    _commit(store, tags, index, 1, [], [])
    _commit(store, tags, index, 2, [], [])
    assert Retention(redis_client, keys, Settings(retention="0")).expire_due(now=time.time() + 1e9).articles == 0
    redis_client.delete(keys.expiry())
    retention = Retention(redis_client, keys, Settings(retention="60s"))
    assert retention.backfill(now=5000) == 2 and retention.backfill(now=6000) == 0
    assert retention.expire_due(now=5000 + 59).articles == 0
    assert retention.expire_due(now=5000 + 61).articles == 2
    assert json.loads(json.dumps(store.stats()))["done"] == 2  # the counters are totals since the start


def _everything_naming(client, ids: set[str]) -> list[str]:
    """Keys whose name, members, fields or values name one of `ids` (hex or raw 16 bytes)."""
    needles = [i.encode() for i in ids] + [bytes.fromhex(i) for i in ids]
    found = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        if kind == b"string":
            parts = [client.get(key) or b""]
        elif kind == b"hash":
            parts = [b for kv in client.hgetall(key).items() for b in kv]
        elif kind in (b"set", b"zset", b"list"):
            parts = list(client.smembers(key) if kind == b"set" else client.zrange(key, 0, -1)
                         if kind == b"zset" else client.lrange(key, 0, -1))
        else:  # a stream: every field and value of every entry
            parts = [b for _, entry in client.xrange(key) for kv in entry.items() for b in kv]
        if any(n in key or any(n in p for p in parts) for n in needles):
            found.append(key.decode("utf-8", "replace"))
    return found


def _counts_of(records: list[dict]) -> tuple[dict[str, int], dict[str, int]]:
    from newsflow.tag.tables import name_key

    entities: dict[str, int] = {}
    topics: dict[str, int] = {}
    for r in records:
        for key in {name_key(e["canonical"]) for e in r["entities"]} - {""}:
            entities[key] = entities.get(key, 0) + 1
        for t in r["topics"]:
            topics[t] = topics.get(t, 0) + 1
    return entities, topics


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_up_removes_articles_past_retention_and_keeps_their_files(tmp_path):
    """`up` with NEWSFLOW_RETENTION=20s, real processes: ten articles committed, then past retention,
    leave no key, field, member or stream entry naming their id; ten committed later are held, and
    the entity and topic counts are exactly theirs; every result file remains, and `show` on an
    expired id says so and prints its file."""
    from tests.corpus import drop
    from tests.helpers import newsflow, results, wait_until
    from tests.service import Up

    up = Up(tmp_path, workers=2, NEWSFLOW_RETENTION="20s")
    try:
        up.start()
        drop(up.inbox, 1, 10, prefix="old")
        assert up.wait_results(10, 240) == 10
        old = {r["id"] for r in results(up.results).values()}
        client = up.client()
        assert wait_until(lambda: not client.exists(*[up.keys.record(i) for i in old]), 120), up.log.read_text()[-2000:]
        drop(up.inbox, 101, 10, prefix="new")
        assert up.wait_results(20, 240) == 20
        shown = newsflow("show", sorted(old)[0], cwd=tmp_path, env=up.env)
        assert up.stop() == 0
    finally:
        if up.proc is not None:
            up.stop()
    assert shown.returncode == 0 and "past retention" in shown.stderr
    assert json.loads(shown.stdout)["id"] == sorted(old)[0]
    files = {r["id"] for r in results(up.results).values()}
    assert old < files and len(files) == 20
    from newsflow.valkey import EmbeddedServer

    server = EmbeddedServer(up.state)
    client = __import__("redis").Redis.from_url(server.acquire())
    try:
        assert _everything_naming(client, old) == []
        assert len(_everything_naming(client, {min(files - old)})) >= 5  # the search sees a held one
        held = [json.loads(client.get(up.keys.record(i))) for i in files - old]
        entities, topics = _counts_of(held)
        k = up.keys
        assert {m.decode(): int(s) for m, s in client.zrange(k.tag_entity_counts(), 0, -1, withscores=True)} == entities
        assert {m.decode(): int(s) for m, s in client.zrange(k.tag_topic_counts(), 0, -1, withscores=True)} == topics
        assert client.scard(k.tag_indexed()) == 10 == client.zcard(k.expiry())
    finally:
        client.close()
        server.release()
