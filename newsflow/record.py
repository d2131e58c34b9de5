"""The result record: the contract's fields, built from the stages' values.

Plain functions over plain values; the field names are the public contract
(shared/CONTRACT.md) and must not be renamed. Extra fields extend it.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from newsflow.values import Cleaned, Fingerprint, Placement, Tags

_ID = re.compile(r"^[0-9a-f]{32}$")


def check_id(article_id: str) -> str:
    """Return `article_id` if it is a well-formed id (32 lower-case hex digits), else raise ValueError."""
    if not isinstance(article_id, str) or not _ID.match(article_id):
        raise ValueError(f"not an article id (32 hex digits): {article_id!r}")
    return article_id


def source_fields(source: Mapping[str, Any], aliases: list[str]) -> dict[str, Any]:
    """The record's `source` object from the stored source hash."""
    return {
        "name": source.get("name", ""),
        "path": source.get("path", ""),
        "bytes": int(source.get("bytes", 0)),
        "sha256": source.get("sha256", ""),
        "aliases": list(aliases),
    }


def ok_record(
    article_id: str,
    source: dict[str, Any],
    cleaned: Cleaned,
    tags: Tags,
    fp: Fingerprint,
    placement: Placement,
    **extra: Any,
) -> dict[str, Any]:
    """The record of an article that went through every stage."""
    return {
        "id": article_id,
        "status": "ok",
        "source": source,
        "title": cleaned.title,
        "text": cleaned.text,
        "published": cleaned.published,
        "authors": list(cleaned.authors),
        "outlet": cleaned.outlet,
        "language": tags.language,
        "fingerprint": fp.to_record(),
        "duplicate_of": placement.duplicate_of,
        "story_id": placement.story_id,
        "entities": [{"text": e.text, "label": e.label, "count": e.count, "canonical": e.name} for e in tags.entities],
        "keywords": list(tags.keywords),
        "topics": [t.name for t in tags.topics],
        # extensions of the contract
        "topic_scores": {t.name: round(t.score, 4) for t in tags.topics},
        # what a stage left empty (or could not decide) in the article's language, and why
        "tagging": dict(tags.skipped),
        "placement": dict(placement.audit),
        "url": cleaned.url,
        "format": cleaned.format,
        "encoding": cleaned.encoding,
        **extra,
    }


def failed_record(
    article_id: str, source: dict[str, Any], error_type: str, message: str, **extra: Any
) -> dict[str, Any]:
    """The record of an input that could not be processed, saying why."""
    return {
        "id": article_id,
        "status": "failed",
        "source": source,
        "title": None,
        "text": "",
        "published": None,
        "authors": [],
        "outlet": None,
        "language": None,
        "fingerprint": {},
        "duplicate_of": None,
        "story_id": "",
        "entities": [],
        "keywords": [],
        "topics": [],
        "error": {"type": error_type, "message": message},
        **extra,
    }


def status_code(record: Mapping[str, Any]) -> str:
    """The short status the counters use: ok, dup or failed."""
    if record["status"] != "ok":
        return "failed"
    return "dup" if record.get("duplicate_of") else "ok"
