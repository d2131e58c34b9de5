"""The Python API (newsflow.client) on a real Valkey: records, find, follow alone and in a group
(gaps reported, pending entries resumed and claimed), export from Redis and from files."""

from __future__ import annotations

import hashlib
import json
import time

import pytest

from newsflow.client import Client, Filter
from newsflow.settings import Settings
from newsflow.store import Store


def _id(i: int) -> str:
    return hashlib.md5(f"client {i}".encode()).hexdigest()


def _record(i: int, **extra) -> dict:
    return {"id": _id(i), "status": "ok", "source": {"name": f"{i}.txt"}, "language": "en", "topics": [],
            "entities": [], "duplicate_of": None, "story_id": _id(i), "processed_at": 1000.0 + i, **extra}


@pytest.fixture
def api(redis_client, keys):
    return Client(redis_client, Settings(key_prefix=keys.prefix))


def _commit(api: Client, i: int, **extra) -> dict:
    record = _record(i, **extra)
    Store(api.redis, api.keys).commit(record, now=1000.0 + i)
    return record


def test_filters_keep_exactly_what_they_say():
    """status, language, topic and canonical entity; all given must hold; bad ones say what to write."""
    rec = {"status": "ok", "duplicate_of": "ab", "language": "de", "topics": ["Sport"],
           "entities": [{"canonical": "Angela Merkel"}]}
    assert Filter.parse(["status=dup", "language=de", "topic=sport"]).keeps(rec, "angela merkel")
    assert Filter(status="ok").keeps(rec) and not Filter(status="failed").keeps(rec)
    assert not Filter(language="fr").keeps(rec) and not Filter(topic="politics").keeps(rec)
    assert not Filter().keeps(rec, "olaf scholz")
    with pytest.raises(ValueError, match="status=ok"):
        Filter.parse(["colour=red"])


def test_follow_alone_reports_entries_trimmed_before_they_were_read(api):
    """A follower from the start of a stream whose first entries were trimmed, and one whose next
    entries were trimmed while it was away, each hear of the gap (count, where) before going on."""
    for i in range(1, 6):
        _commit(api, i)
    api.redis.xtrim(api.keys.stream(), maxlen=3, approximate=False)
    missed = []
    got = [d.record["id"] for d in _take(api.follow(start="start", on_missed=missed.append, block=0.1), 3)]
    assert got == [_id(i) for i in (3, 4, 5)] and [m.count for m in missed] == [2]
    follower = api.follow(start="new", on_missed=missed.append, block=0.1)
    _commit(api, 6)
    assert next(follower).record["id"] == _id(6)
    for i in range(7, 11):
        _commit(api, i)
    api.redis.xtrim(api.keys.stream(), maxlen=2, approximate=False)
    assert [d.record["id"] for d in _take(follower, 2)] == [_id(9), _id(10)]
    assert missed[-1].count == 2 and missed[-1].first_kept.count("-") == 1


def _take(iterator, n):
    out = []
    for item in iterator:
        out.append(item)
        if len(out) == n:
            return out
    return out


def test_a_group_shares_the_stream_resumes_pending_and_claims_from_the_dead(api):
    """Two members split six entries without overlap; what one took and never acknowledged comes
    back to it on restart (same name) and to the other once idle past claim_idle."""
    for i in range(1, 7):
        _commit(api, i)
    a = api.follow(group="g", consumer="a", start="start", block=0.1)
    b = api.follow(group="g", consumer="b", start="start", block=0.1)
    first_a = next(a)  # "a" takes a batch (all six, as one read) and acknowledges one
    first_a.ack()
    taken_by_a = [first_a.record["id"]] + [d.record["id"] for d in _take(a, 5)]
    assert sorted(taken_by_a) == sorted(_id(i) for i in range(1, 7))
    _commit(api, 7)
    assert next(b).record["id"] == _id(7)  # nothing of a's: only what is new
    again = api.follow(group="g", consumer="a", start="start", block=0.1)  # "a" restarted
    assert [d.record["id"] for d in _take(again, 5)] == taken_by_a[1:]
    time.sleep(0.3)
    thief = api.follow(group="g", consumer="c", claim_idle=0.2, block=0.1)
    claimed = _take(thief, 5)
    assert sorted(d.record["id"] for d in claimed) == sorted(taken_by_a[1:])
    for d in claimed:
        d.ack()
    assert api.redis.xpending(api.keys.stream(), "g")["pending"] == 1  # b's entry 7, never acknowledged


def test_export_reads_redis_then_the_files_of_articles_past_retention(api, tmp_path):
    """Records committed in the range, oldest first: from the result files for those Redis no
    longer holds, from Redis for the rest; the range's end is excluded."""
    held = [_commit(api, i) for i in (3, 4)]
    for i in (1, 2, 9):
        (tmp_path / f"{_id(i)}.json").write_text(json.dumps(_record(i)))
    (tmp_path / f"{_id(3)}.json").write_text(json.dumps(_record(3, title="the file's copy")))
    got = list(api.export(since=1000.5, until=1005.0, results=tmp_path))
    assert [r["id"] for r in got] == [_id(1), _id(2), _id(3), _id(4)]
    assert got[2]["source"]["aliases"] == [] and "title" not in got[2] and got[3]["id"] == held[1]["id"]


def test_find_narrows_by_language(api):
    """find(entity/topic, language): only held articles in that language."""
    from newsflow.values import Tags, Topic

    for i, language in ((1, "de"), (2, "en")):
        _commit(api, i, language=language, topics=["sport"])
        api.tags.add(_id(i), Tags(language=language, topics=(Topic("sport", 1.0),)))
    assert api.find(topic="sport") == sorted([_id(1), _id(2)])
    assert api.find(topic="sport", language="de") == [_id(1)]
    with pytest.raises(ValueError, match="entity or a topic"):
        api.find(language="de")
