"""Every Redis key newsflow reads or writes, in one place.

The layout is part of the public interface (documented in the README) and is
stable. All keys live under one prefix (`NEWSFLOW_KEY_PREFIX`, default
`newsflow`). Article ids are hex digests, so no key is ever built from an
input's file name.
"""

from __future__ import annotations

from dataclasses import dataclass


#: The hash tag of the index's keys (one cluster slot for all of them).
FP_TAG = "{fp}"


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

    def pending(self) -> str:
        """ZSET: ids admitted and not yet committed, scored by their last sign of life (a message
        queued, a delivery started); the sweep queues again the ones silent too long."""
        return self._k("pending")

    def seen_files(self) -> str:
        """HASH: inbox-relative path -> "size:mtime_ns" of files already admitted (rescans skip them)."""
        return self._k("seen")

    # -- results --------------------------------------------------------
    def record(self, article_id: str) -> str:
        """STRING: the result record (contract JSON) of one article."""
        return self._k("record", article_id)

    def stats(self) -> str:
        """HASH: counters done, failed, duplicates, stories, admitted."""
        return self._k("stats")

    def stream(self) -> str:
        """STREAM: one entry per committed result (fields id, status, story_id, duplicate_of); at most
        STREAM_MAXLEN entries, none older than the retention."""
        return self._k("stream", "results")

    def status(self) -> str:
        """HASH: article id -> ok | dup | failed, for every committed record (keeps counters exact)."""
        return self._k("status")

    def expiry(self) -> str:
        """ZSET: id of every committed article -> time of its commit; an article leaves Redis
        whole once its time is older than the retention (newsflow.retention)."""
        return self._k("expiry")

    def failed(self) -> str:
        """ZSET: ids of failed articles, scored by time."""
        return self._k("failed")

    def results_blocked(self) -> str:
        """ZSET: ids whose result file could not be written (disk full...), scored by time;
        an id leaves it when its result commits."""
        return self._k("results", "blocked")

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
    # All under `<prefix>:{fp}:`: the hash tag puts every key of the index in one Redis
    # Cluster slot, as its scripts (which touch the shared tables and any candidate's
    # record) need. The scripts get these names from here: the single keys as KEYS, the
    # sharded families as prefixes (newsflow.placement.layout).
    def _fp(self, *parts: str) -> str:
        return self._k(FP_TAG, *parts)

    def fp_pattern(self) -> str:
        """Glob of every key of the index."""
        return self._fp("*")

    def fp_pattern_before_tag(self) -> str:
        """Glob of the index's keys as versions before the hash tag named them (`<prefix>:fp:*`)."""
        return self._k("fp", "*")

    def fp_seq(self) -> str:
        """STRING counter: the last internal article number (1, 2, ...) handed out by the index."""
        return self._fp("seq")

    def fp_originals(self) -> str:
        """STRING counter: indexed articles that are not duplicates (the N of the story IDF)."""
        return self._fp("n")

    def fp_stories(self) -> str:
        """STRING counter: stories (articles that started a new story)."""
        return self._fp("stories")

    def fp_floor(self) -> str:
        """STRING: the lowest article number the index still holds; every number under it is past
        retention (its records, embeddings and reverse ids are deleted chunk by chunk)."""
        return self._fp("floor")

    def fp_kept(self) -> str:
        """HASH: number -> 16-byte raw id + record of a story's first article or an original past
        retention whose story or copies live on (the id and counts later members read)."""
        return self._fp("kept")

    def fp_kept_until(self) -> str:
        """ZSET: number of a kept record -> number of its newest story member or copy; the record
        leaves when that number falls under the floor."""
        return self._fp("kept_until")

    def fp_ids(self, shard: int) -> str:
        """HASH: raw 16-byte article id -> internal number (shard = first two id bytes mod 4096);
        negative once the article is past retention, until the floor passes it."""
        return self._fp("id", str(shard))

    def fp_numbers(self, chunk: int) -> str:
        """STRING: 16-byte raw article ids of numbers 256*chunk+1 .. 256*(chunk+1), fixed slots."""
        return self._fp("num", str(chunk))

    def fp_records(self, chunk: int) -> str:
        """STRING: fixed-size binary records (placement, MinHash, story vector) of 64 numbers."""
        return self._fp("rec", str(chunk))

    def fp_vectors(self, chunk: int) -> str:
        """STRING: int8 article embeddings (512 bytes each, zeros when none) of 63 numbers, fixed slots."""
        return self._fp("vec", str(chunk))

    def fp_sha(self, shard: int) -> str:
        """HASH: first 8 bytes of content_sha256 -> number of its first article (exact duplicates)."""
        return self._fp("sha", str(shard))

    def fp_lsh(self) -> str:
        """STRING table of 64-byte lines: LSH buckets (16-bit tag, uint32 number) x 10, first seen."""
        return self._fp("lsh")

    def fp_df(self) -> str:
        """STRING table of 64-byte lines: (story-term hash, document frequency) x 8."""
        return self._fp("df")

    def fp_postings(self) -> str:
        """STRING table of 128-byte lines: (term hash, length, 8 uint32 numbers of its most recent articles) x 3."""
        return self._fp("post")

    # -- tag index (entities and topics) --------------------------------
    # (keys of the entity/topic index; added by the tagging work)
    def tag_entity(self, name_key: str) -> str:
        """SET: ids of articles mentioning the entity (canonical name, case-folded)."""
        return self._k("tag", "entity", name_key)

    def tag_entities(self) -> str:
        """HASH: entity name key -> JSON [canonical name, label]."""
        return self._k("tag", "entities")

    def tag_entity_counts(self) -> str:
        """ZSET: entity name key scored by the number of articles mentioning it."""
        return self._k("tag", "entity_counts")

    def tag_person_part(self, word_key: str) -> str:
        """SET: name keys of persons whose first or last name is this word ("putin")."""
        return self._k("tag", "person_part", word_key)

    def tag_topic(self, name_key: str) -> str:
        """SET: ids of articles tagged with the topic (topic name, case-folded)."""
        return self._k("tag", "topic", name_key)

    def tag_topic_counts(self) -> str:
        """ZSET: topic name scored by the number of articles tagged with it."""
        return self._k("tag", "topic_counts")

    def tag_indexed(self) -> str:
        """SET: ids of articles already in the tag index (a redelivery counts once)."""
        return self._k("tag", "indexed")

    def tag_df(self) -> str:
        """HASH: content word -> number of indexed articles containing it (keyword IDF)."""
        return self._k("tag", "df")

    def tag_df_snapshot(self) -> str:
        """STRING (zlib-compressed JSON, with a TTL): the shared snapshot of tag_df workers read."""
        return self._k("tag", "df", "snapshot")

    def tag_docs(self) -> str:
        """STRING counter: number of articles counted in tag_df."""
        return self._k("tag", "docs")

    # -- clean: site furniture learned across documents -----------------
    def site_lines(self, site_id: str) -> str:
        """ZSET with TTL: line key -> number of a site's documents that printed the line (newsflow.siteprofile)."""
        return self._k("site", site_id, "lines")

    def site_docs(self, site_id: str) -> str:
        """ZSET with TTL: signatures of the documents a site profile learned from -> time (each counted once)."""
        return self._k("site", site_id, "docs")
