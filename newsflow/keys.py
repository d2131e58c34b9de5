"""Every Redis key newsflow reads or writes, in one place.

The layout is part of the public interface (documented in the README) and is
stable. All keys live under one prefix (`NEWSFLOW_KEY_PREFIX`, default
`newsflow`). Article ids are hex digests, so no key is ever built from an
input's file name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    prefix: str = "newsflow"

    def _k(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # -- intake ---------------------------------------------------------
    def raw(self, article_id: str) -> str:
        """STRING: the raw bytes of an admitted input, until its result is committed."""
        return self._k("raw", article_id)

    def source(self, article_id: str) -> str:
        """HASH: name, path, bytes, sha256, admitted_at of the first arrival of these bytes."""
        return self._k("source", article_id)

    def aliases(self, article_id: str) -> str:
        """LIST: later names under which the same bytes arrived again."""
        return self._k("aliases", article_id)

    def attempts(self, article_id: str) -> str:
        """STRING counter: deliveries of this article's task (poison-message cap)."""
        return self._k("attempts", article_id)

    def seen_files(self) -> str:
        """HASH: inbox-relative path -> "size:mtime_ns:id" of files already admitted (rescans skip them)."""
        return self._k("seen")

    # -- results --------------------------------------------------------
    def record(self, article_id: str) -> str:
        """STRING: the result record (contract JSON) of one article."""
        return self._k("record", article_id)

    def stats(self) -> str:
        """HASH: counters done, failed, duplicates, stories, admitted."""
        return self._k("stats")

    def stream(self) -> str:
        """STREAM: one entry per committed result (fields id, status, story_id, duplicate_of)."""
        return self._k("stream", "results")

    def status(self) -> str:
        """HASH: article id -> ok | dup | failed, for every committed record (keeps counters exact)."""
        return self._k("status")

    def failed(self) -> str:
        """ZSET: ids of failed articles, scored by time."""
        return self._k("failed")

    # -- Celery's broker keys (kombu Redis transport, under our prefix) --
    def celery_prefix(self) -> str:
        """kombu's `global_keyprefix`: every broker key starts with this."""
        return self._k("celery") + ":"

    def queue(self, name: str) -> str:
        """LIST: the Celery queue (pending task messages)."""
        return self.celery_prefix() + name

    def unacked(self) -> str:
        """HASH: messages delivered to a worker and not yet acknowledged."""
        return self.celery_prefix() + "unacked"

    # -- workers --------------------------------------------------------
    def worker(self, node: str) -> str:
        """STRING with TTL: heartbeat of a worker node (JSON: pid, host, started)."""
        return self._k("worker", node)

    def worker_pattern(self) -> str:
        return self._k("worker", "*")

    # -- fingerprint index (duplicates and stories) ---------------------
    # (keys of newsflow.index; added by the fingerprint work)

    # -- tag index (entities and topics) --------------------------------
    # (keys of the entity/topic index; added by the tagging work)

    # -- clean: site furniture learned across documents -----------------
    # (keys of the site profile; added by the cleaning work)
