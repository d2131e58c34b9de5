"""newsflow's Python API: read the results of a deployment and follow them as they commit.

    from newsflow.client import Client

    with Client.from_env() as nf:             # NEWSFLOW_REDIS_URL, or the embedded server running here
        nf.record("3f2a...")                   # the contract record, aliases included; None if not held
        nf.find(entity="Angela Merkel", language="de")
        for delivery in nf.follow(group="search-index", consumer="indexer-1"):
            load(delivery.record)              # your side: a search index, a warehouse, a queue
            delivery.ack()                     # at least once: ack only once the record is safe

`follow` reads the results stream (`Keys.stream`): each entry names one committed article, and
the record is read from Redis with its aliases. Without a group it starts at new entries (or
`start="start"`, or a time); with a group, Redis keeps the group's place and each entry goes to
one member. A member that restarts under the same consumer name first gets again what it had
not acknowledged; what a dead member left pending is claimed after `claim_idle` seconds.
Entries trimmed from the stream before they were read are reported to `on_missed` (default: a
`follow_missed` log line), never skipped in silence. `show`, `story`, `find`, `follow` and
`export` of the command line are this class.
"""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import redis

from newsflow.follow import GroupReader, Missed, PlainReader
from newsflow.placement import Index
from newsflow.keys import Keys
from newsflow.logs import get_logger
from newsflow.record import check_id, status_code
from newsflow.results import RESULT_FILE_MAX
from newsflow.settings import Settings
from newsflow.store import Store
from newsflow.connection import connect
from newsflow.tag.tables import name_key
from newsflow.tagindex import TagIndex

#: Entries one read of the stream takes.
BATCH = 100
#: Seconds a follower waits before reading again when Redis did not answer.
RETRY_SECONDS = 1.0


@dataclass(frozen=True)
class Delivery:
    """One committed article from `follow`: its record and stream entry; `ack()` it once handled
    (in a group; a no-op without one)."""

    entry: str
    record: dict[str, Any]
    _ack: Callable[[], None] = field(repr=False, default=lambda: None)

    def ack(self) -> None:
        self._ack()


@dataclass(frozen=True)
class Filter:
    """What `follow` keeps: every field given must match (None: any)."""

    status: str | None = None  # ok, dup or failed
    language: str | None = None
    topic: str | None = None
    entity: str | None = None  # canonical name (aliases resolve: "DPRK" -> North Korea)

    def keeps(self, record: Mapping[str, Any], entity_key: str | None = None) -> bool:
        """`entity_key`: the entity's name key through the alias table (`Client.entity_key`)."""
        if self.status and status_code(record) != self.status and record.get("status") != self.status:
            return False
        if self.language and record.get("language") != self.language:
            return False
        if self.topic and name_key(self.topic) not in {name_key(t) for t in record.get("topics") or []}:
            return False
        if entity_key and entity_key not in {name_key(e.get("canonical") or "") for e in record.get("entities") or []}:
            return False
        return True

    @classmethod
    def parse(cls, items: list[str]) -> "Filter":
        """From `field=value` items (`status=ok`, `language=de`, `topic=sport`, `entity=Angela Merkel`)."""
        values: dict[str, str] = {}
        for item in items:
            name, sep, value = item.partition("=")
            if not sep or name not in ("status", "language", "topic", "entity") or not value:
                raise ValueError(f"bad filter {item!r}: write status=ok|dup|failed, language=CODE, topic=NAME "
                                 "or entity=NAME")
            values[name] = value
        return cls(**values)


class Client:
    """Reads one deployment's results (see the module docstring)."""

    def __init__(self, client: redis.Redis, settings: Settings = Settings()):
        self.redis = client
        self.settings = settings
        self.keys = Keys(settings.key_prefix)
        self.store = Store(client, self.keys)
        self._index: Index | None = None
        self._tags: TagIndex | None = None
        self._deployment: Any = None

    @classmethod
    def from_url(cls, url: str, settings: Settings | None = None) -> "Client":
        return cls(connect(url), settings or Settings())

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Client":
        """The deployment the environment names: NEWSFLOW_REDIS_URL, else the embedded server
        running in NEWSFLOW_STATE_DIR (never one started for the asking)."""
        from newsflow.connection import Deployment

        settings = Settings.from_env(env)
        deployment = Deployment(settings, start=False)
        client = cls(connect(deployment.url), settings)
        client._deployment = deployment
        return client

    def close(self) -> None:
        self.redis.close()
        if self._deployment is not None:
            self._deployment.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = Index(self.redis, self.keys, self.settings.index)
        return self._index

    @property
    def tags(self) -> TagIndex:
        if self._tags is None:
            self._tags = TagIndex(self.redis, self.keys, self.settings.tag)
        return self._tags

    # -- reading -------------------------------------------------------------
    def record(self, article_id: str) -> dict[str, Any] | None:
        """The committed record with its aliases; None when Redis does not hold it."""
        return self.store.record(check_id(article_id))

    def records(self, ids: list[str]) -> list[dict[str, Any] | None]:
        return self.store.records([check_id(i) for i in ids])

    def story_members(self, story_id: str) -> list[str]:
        """Ids of the story's articles still held, first first."""
        return self.index.story_members(check_id(story_id))

    def story(self, story_id: str) -> list[dict[str, Any]]:
        """The records of the story's articles still held, first first."""
        return [r for r in self.records(self.story_members(story_id)) if r is not None]

    def duplicates(self, article_id: str) -> list[str]:
        return self.index.duplicates_of(check_id(article_id))

    def find(self, entity: str | None = None, topic: str | None = None, language: str | None = None) -> list[str]:
        """Ids of held articles with the entity and/or topic, in `language` if given."""
        if entity is None and topic is None:
            raise ValueError("find needs an entity or a topic (a language narrows them)")
        ids = self.tags.find(entity=entity, topic=topic)
        if language is None or not ids:
            return ids
        return [i for i, r in zip(ids, self.records(ids)) if r is not None and r.get("language") == language]

    def entity_key(self, entity: str | None) -> str | None:
        """The name key an entity filter compares (its canonical name through the alias table)."""
        return name_key(self.tags.aliases.resolve(entity)) if entity else None

    # -- following -----------------------------------------------------------
    def follow(self, *, group: str | None = None, consumer: str | None = None, start: str | float = "new",
               claim_idle: float = 60.0, block: float = 2.0, on_missed: Callable[[Missed], None] | None = None,
               running: Callable[[], bool] = lambda: True) -> Iterator[Delivery]:
        """Committed articles as they come (see the module docstring). `start`: "new", "start"
        (every entry the stream still holds) or a Unix time; for a group, only where a new group
        starts. Runs while `running()` is true. The place to start from is taken now, at the
        call, not at the first record asked for."""
        report = on_missed or log_missed
        if group is None:
            reader: Any = PlainReader(self.redis, self.keys.stream(), start, report)
        else:
            reader = GroupReader(self.redis, self.keys.stream(), group, consumer or socket.gethostname(),
                                 start, claim_idle, report)
        return self._deliveries(reader, block, running)

    def _deliveries(self, reader: Any, block: float, running: Callable[[], bool]) -> Iterator[Delivery]:
        while running():
            try:
                batch = reader.read(BATCH, block)
            except (redis.ConnectionError, redis.TimeoutError) as exc:  # Redis restarting: the place is kept
                get_logger().warning("follow_retry", error=str(exc) or type(exc).__name__)
                time.sleep(RETRY_SECONDS)
                continue
            records = self.store.records([fields["id"] for _, fields in batch])  # one round trip a batch
            for (entry, fields), record in zip(batch, records):
                yield Delivery(entry, record or _past_retention(fields), lambda entry=entry: reader.ack(entry))

    # -- export --------------------------------------------------------------
    def export(self, since: float, until: float | None = None, results: Path | None = None) -> Iterator[dict[str, Any]]:
        """Records committed in [since, until), oldest first: from Redis for the articles it holds,
        from the result files in `results` for older ones."""
        until = time.time() + 1 if until is None else until
        held = [i.decode() for i in self.redis.zrangebyscore(self.keys.expiry(), since, f"({until}")]
        if results is not None:  # the older ones first: past retention, in files only
            yield from _from_files(results, since, until, set(held))
        for i in range(0, len(held), BATCH):
            yield from (r for r in self.records(held[i:i + BATCH]) if r is not None)


def _past_retention(fields: dict[str, str]) -> dict[str, Any]:
    """The record of an entry whose article left Redis before it was read: what the stream says."""
    return {"id": fields.get("id"), "status": "failed" if fields.get("status") == "failed" else "ok",
            "story_id": fields.get("story_id"), "duplicate_of": fields.get("duplicate_of") or None,
            "past_retention": True}


def _from_files(results: Path, since: float, until: float, skip: set[str]) -> Iterator[dict[str, Any]]:
    """Result files committed in [since, until) not in `skip`, oldest first (a file is written at
    its commit and rewritten only later, so its mtime is never before it)."""
    found = []
    for path in results.glob("*.json"):
        try:
            stat = path.stat()
            if stat.st_mtime < since or stat.st_size > RESULT_FILE_MAX or path.stem in skip:
                continue
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # being replaced, or not a result file
        at = record.get("processed_at") or 0
        if since <= at < until:
            found.append((at, record))
    for _, record in sorted(found, key=lambda item: item[0]):
        yield record


def log_missed(missed: Missed) -> None:
    """The default report of a gap: a `follow_missed` log line."""
    get_logger().warning("follow_missed", count=missed.count, after=missed.after, first_kept=missed.first_kept)
