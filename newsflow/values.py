"""The small frozen values that flow between the stages.

Nothing here imports Celery, Redis, watchdog or touches the filesystem: a
stage is a pure function from one of these values to another.

    Document --clean--> Cleaned --tag--> Tags
                          \\--fingerprint--> Fingerprint
"""

from __future__ import annotations

import base64

import hashlib
from dataclasses import dataclass, field
from typing import Any, Mapping

#: Length of an article id in hex characters (128 bits of the raw bytes' SHA-256).
ID_HEX_CHARS = 32


def article_id(data: bytes) -> str:
    """The stable id of an input: the first 128 bits of the SHA-256 of its raw bytes."""
    return hashlib.sha256(data).hexdigest()[:ID_HEX_CHARS]


@dataclass(frozen=True, slots=True)
class Document:
    """One input file as dropped: its bytes and the name it arrived under.

    `name` is only a format hint (extension); it is never used to build a path.
    `hints` carries optional metadata known from outside the bytes
    (e.g. a URL), never required.
    """

    name: str
    data: bytes
    hints: Mapping[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return article_id(self.data)


@dataclass(frozen=True, slots=True)
class Cleaned:
    """What the clean stage found: the article body as paragraphs, and its metadata."""

    title: str | None
    paragraphs: tuple[str, ...]
    published: str | None = None  # ISO 8601, YYYY-MM-DD at least
    authors: tuple[str, ...] = ()
    outlet: str | None = None
    url: str | None = None
    #: Format the input was read as: "text", "html" or "json".
    format: str = "text"
    #: Encoding the raw bytes were decoded from.
    encoding: str = "utf-8"
    #: The dateline the cleaner took out of the body ("LONDON 1996-08-30"), if any: not
    #: part of `text`, but its place is news (the tag stage reads it).
    dateline: str | None = None
    #: Every visible line of the page as the cleaner read it (decoded, normalised; for
    #: HTML the visible text). Input to site learning, so it never decodes or parses the
    #: page a second time; not part of the result record. Empty for scraper JSON.
    page_text: str = ""

    @property
    def text(self) -> str:
        """The body as the contract wants it: paragraphs separated by a blank line."""
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True, slots=True)
class Entity:
    #: The name as this article writes it (its most used spelling; a person's fullest form).
    text: str
    label: str
    count: int
    #: The name across articles, from the alias table ("U.S." -> "United States");
    #: "" when it is the text itself.
    canonical: str = ""

    @property
    def name(self) -> str:
        """The entity's name across articles: what stories, keywords and the tag index use."""
        return self.canonical or self.text


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    score: float


@dataclass(frozen=True, slots=True)
class Tags:
    """What the tag stage found."""

    language: str | None
    entities: tuple[Entity, ...] = ()
    keywords: tuple[str, ...] = ()
    topics: tuple[Topic, ...] = ()
    #: The article's distinct content words, for the corpus statistics kept by
    #: newsflow.tagindex (document frequencies); not part of the result record.
    terms: tuple[str, ...] = ()
    #: (field, why) for each field a stage left empty or could not decide in this article's
    #: language: ("entities", "no model for de"); the record's `tagging`.
    skipped: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Signatures of the clean text, typed as the index reads them.

    `content_sha256` identifies the normalised text exactly; `minhash` is the
    b-bit MinHash (the low byte of each permutation's minimum), `lsh` the full
    32-bit values of its first rows (one LSH band each), `shingles` how many
    word shingles the text has, `story_terms` the weighted words and entities a
    story is recognised by. `to_record()` is what the result record shows.
    """

    content_sha256: str
    minhash: bytes = b""
    lsh: tuple[int, ...] = ()
    shingles: int = 0
    story_terms: Mapping[str, float] = field(default_factory=dict)
    #: The article's sentence embedding as int8 (newsflow.embed.to_int8), b"" when none was computed.
    embedding: bytes = b""
    shingle_words: int = 4
    version: int = 1  # of this layout: stored in the result so old records can be told apart
    method: str = "minhash"

    def to_record(self) -> dict[str, Any]:
        """JSON-ready: hex for bytes and LSH values, base64 for the int8 embedding ("" when none)."""
        return {"content_sha256": self.content_sha256, "version": self.version, "method": self.method,
                "shingle_words": self.shingle_words, "shingles": self.shingles, "minhash": self.minhash.hex(),
                "lsh": [f"{v:08x}" for v in self.lsh], "story_terms": dict(self.story_terms),
                "embedding": base64.b64encode(self.embedding).decode("ascii")}


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the shared index placed an article: its original (if a copy) and its story."""

    duplicate_of: str | None
    story_id: str
    #: Audit trail of the decision: similarity, method, threshold, ...
    audit: Mapping[str, Any] = field(default_factory=dict)
