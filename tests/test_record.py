"""Tests of newsflow.record and newsflow.values: the contract's fields and the id of some bytes."""

import pytest

from newsflow.values import Cleaned, Entity, Fingerprint, Placement, Tags, Topic, article_id
from newsflow.record import check_id, failed_record, ok_record, status_code
from tests.helpers import CONTRACT_FIELDS, check_contract

SOURCE = {"name": "a.txt", "path": "a.txt", "bytes": 3, "sha256": "x", "aliases": []}


def test_article_id_is_pinned():
    """The id is the first 128 bits of SHA-256 of the bytes (golden value: ids must never change)."""
    assert article_id(b"") == "e3b0c44298fc1c149afbf4c8996fb924"
    assert article_id(b"abc") == "ba7816bf8f01cfea414140de5dae2223"


def test_ok_record_has_every_contract_field():
    """A processed article's record carries the contract fields with their types."""
    cleaned = Cleaned(title="T", paragraphs=("One.", "Two."), published="2023-09-05", authors=("A B",))
    tags = Tags(language="en", entities=(Entity("Kim Jong Un", "PERSON", 3), Entity("U.S.", "GPE", 2, "United States")),
                keywords=("kim",),
                topics=(Topic("politics", 0.8),))
    rec = ok_record(article_id(b"x"), SOURCE, cleaned, tags, Fingerprint("f" * 64, minhash=b"\x00"),
                    Placement(None, article_id(b"x"), {"method": "new"}))
    check_contract(rec)
    assert set(CONTRACT_FIELDS) <= set(rec)
    assert rec["text"] == "One.\n\nTwo." and rec["topics"] == ["politics"] and rec["topic_scores"] == {"politics": 0.8}
    assert status_code(rec) == "ok"
    assert rec["entities"] == [
        {"text": "Kim Jong Un", "label": "PERSON", "count": 3, "canonical": "Kim Jong Un"},
        {"text": "U.S.", "label": "GPE", "count": 2, "canonical": "United States"},
    ]


def test_failed_record_says_why():
    """A failed record has status failed, the contract fields, and error type and message."""
    rec = failed_record(article_id(b""), SOURCE, "CleanError", "the file is empty")
    check_contract(rec)
    assert rec["error"] == {"type": "CleanError", "message": "the file is empty"}
    assert status_code(rec) == "failed"
    assert status_code({**rec, "status": "ok", "duplicate_of": "a" * 32}) == "dup"


@pytest.mark.parametrize("bad", ["", "../x", "A" * 32, "a" * 31, "a" * 33, None, 5])
def test_check_id_refuses_anything_else(bad):
    """Only 32 lower-case hex digits are ids (keys and file names are built from ids only)."""
    with pytest.raises(ValueError):
        check_id(bad)
