"""Tests of newsflow.store: admission, exact counters, one stream entry, atomic result files."""

import json
import os

import pytest

from newsflow.values import article_id
from newsflow.record import failed_record
from newsflow.store import Admitted, Source, Store
from newsflow.results import write_result_file


def _source(name, data=b"x"):
    import hashlib

    return Source(name=name, path=name, size=len(data), sha256=hashlib.sha256(data).hexdigest())


def _record(aid, status="ok", duplicate_of=None):
    if status == "failed":
        return failed_record(aid, {"name": "a"}, "CleanError", "empty")
    return {"id": aid, "status": "ok", "source": {"name": "a", "aliases": []},
            "duplicate_of": duplicate_of, "story_id": aid}


def test_admit_outcomes(redis_client, keys):
    """First arrival is new; the same name again is re-queued until done, then nothing;
    another name is an alias, once."""
    store = Store(redis_client, keys)
    data = b"article bytes"
    aid = article_id(data)
    assert store.admit(aid, _source("a.txt", data), data) is Admitted.NEW
    assert store.raw(aid) == data
    assert store.admit(aid, _source("a.txt", data), data) is Admitted.UNFINISHED  # queue again
    assert store.admit(aid, _source("b.txt", data), data) is Admitted.ALIAS_PENDING
    assert store.admit(aid, _source("b.txt", data), data) is Admitted.KNOWN
    store.commit(_record(aid))
    assert store.admit(aid, _source("a.txt", data), data) is Admitted.KNOWN  # done: nothing to do
    assert store.admit(aid, _source("c.txt", data), data) is Admitted.ALIAS_COMMITTED
    assert store.aliases(aid) == ["b.txt", "c.txt"]
    assert store.stats()["admitted"] == 1


def test_commit_is_idempotent(redis_client, keys):
    """Committing the same record twice counts it once and announces it once."""
    store = Store(redis_client, keys)
    aid = article_id(b"one")
    assert store.commit(_record(aid)) is True
    assert store.commit(_record(aid)) is False
    assert store.stats()["done"] == 1
    assert redis_client.xlen(keys.stream()) == 1
    assert store.record(aid)["id"] == aid


def test_counters_follow_status_changes(redis_client, keys):
    """A record rewritten with another status moves between counters; totals stay exact."""
    store = Store(redis_client, keys)
    a, b = article_id(b"a"), article_id(b"b")
    store.commit(_record(a, "failed"))
    store.commit(_record(b, duplicate_of=a))
    s = store.stats()
    assert (s["done"], s["failed"], s["duplicates"]) == (1, 1, 1)
    assert redis_client.zscore(keys.failed(), a) is not None
    store.commit(_record(a))  # reprocessed successfully
    s = store.stats()
    assert (s["done"], s["failed"], s["duplicates"]) == (2, 0, 1)
    assert redis_client.zscore(keys.failed(), a) is None
    assert redis_client.xlen(keys.stream()) == 2


def test_commit_drops_raw_bytes(redis_client, keys):
    """The raw bytes are deleted once the result is committed (Redis memory stays bounded)."""
    store = Store(redis_client, keys)
    data = b"bytes"
    aid = article_id(data)
    store.admit(aid, _source("x", data), data)
    store.commit(_record(aid))
    assert store.raw(aid) is None


def test_ids_are_checked(redis_client, keys):
    """Keys are never built from anything but a well-formed id."""
    store = Store(redis_client, keys)
    with pytest.raises(ValueError, match="article id"):
        store.record("../../etc/passwd")


def test_result_file_is_atomic_and_named_by_id(tmp_path):
    """The file is <id>.json, complete JSON, world-readable, no temporary left behind."""
    aid = article_id(b"z")
    path = write_result_file(tmp_path / "out", {"id": aid, "status": "ok", "text": "é"})
    assert path.name == f"{aid}.json"
    assert json.loads(path.read_text(encoding="utf-8"))["text"] == "é"
    assert os.listdir(tmp_path / "out") == [path.name]
    assert path.stat().st_mode & 0o777 == 0o644
    with pytest.raises(ValueError):
        write_result_file(tmp_path, {"id": "../evil"})
