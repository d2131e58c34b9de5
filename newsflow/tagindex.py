"""Redis index of the tag stage: entity -> articles, topic -> articles, and the
corpus statistics (document frequencies) that make keywords TF-IDF.

    index = TagIndex(client, keys)
    index.add(article_id, tags)               # idempotent: a redelivery counts once
    index.find(entity="Putin")                # -> ids; aliases resolve ("DPRK" -> North Korea)
    index.find(topic="politics")              # slug, IPTC code or full topic name
    index.top_entities(10), index.top_topics()
    stats = index.corpus_stats()              # shared, bounded snapshot for tag(..., stats=stats)

Every key is in newsflow.keys (section "tag index").
"""

from __future__ import annotations

import heapq
import json
import zlib
from typing import Any

import redis

from newsflow import lua
from newsflow.keys import Keys
from newsflow.values import Tags
from newsflow.tag.keywords import Stats
from newsflow.tag.settings import TagSettings
from newsflow.tag.tables import AliasTable, Taxonomy, name_key


class TagIndex:
    def __init__(self, client: redis.Redis, keys: Keys, settings: TagSettings = TagSettings()):
        self.client = client
        self.keys = keys
        self.settings = settings
        self.aliases = AliasTable.load(settings.aliases_path)
        self.taxonomy = Taxonomy.load(settings.topics_path)
        self._add = client.register_script(lua.source("tag_add"))

    # -- writing -------------------------------------------------------------
    def add(self, article_id: str, tags: Tags) -> bool:
        """Index one article's entities, topics and terms. Idempotent: returns
        False (and changes nothing) when the article was already indexed."""
        entities = [(e.name, e.label) for e in tags.entities]
        args = self._membership_args(article_id, entities, [t.name for t in tags.topics], meta=True)
        args += list(tags.terms)
        k = self.keys
        keys = [k.tag_indexed(), k.tag_entities(), k.tag_entity_counts(), k.tag_topic_counts(),
                k.tag_df(), k.tag_docs()]
        return bool(self._add(keys=keys, args=args))

    def expire_args(self, record: dict[str, Any]) -> list[str]:
        """ARGV of expire.lua for a committed record: the memberships `add` gave its tags."""
        entities = [(e.get("canonical") or e.get("text") or "", e.get("label") or "")
                    for e in record.get("entities") or []]
        return self._membership_args(record["id"], entities, list(record.get("topics") or []), meta=False)

    def _membership_args(self, article_id: str, entities: list[tuple[str, str]], topics: list[str],
                         meta: bool) -> list[str]:
        """[id, n entities, n topics, per entity (set key, name key, [JSON,] n parts, part keys...),
        per topic (set key, name)]: what tag_add.lua adds and expire.lua removes."""
        k = self.keys
        args: list[str] = [article_id, "0", str(len(topics))]
        seen: set[str] = set()
        for name, label in entities:
            nkey = name_key(name)
            if not nkey or nkey in seen:
                continue
            seen.add(nkey)
            words = nkey.split()
            parts = sorted({words[0], words[-1]}) if label == "PERSON" and len(words) > 1 else []
            args += [k.tag_entity(nkey), nkey, *([json.dumps([name, label])] if meta else []), str(len(parts))]
            args += [k.tag_person_part(w) for w in parts]
        args[1] = str(len(seen))
        for topic in topics:
            args += [k.tag_topic(name_key(topic)), topic]
        return args

    def trim_terms(self, kept: int | None = None, count: int = 5000) -> int:
        """Bound the keyword statistics: past a quarter over `kept` (default stats_kept_terms)
        terms, the least frequent leave until `kept` remain; at the cut, ties keep the terms the
        snapshot would (`count_terms`: the greater term first), so a trim never changes the
        snapshot while `kept` >= stats_max_terms. Returns how many left. One HLEN when there is
        nothing to do."""
        kept = self.settings.stats_kept_terms if kept is None else kept
        key = self.keys.tag_df()
        if self.client.hlen(key) <= kept * 5 // 4:
            return 0
        by_count: dict[int, list[bytes]] = {}
        for term, value in self.client.hscan_iter(key, count=count):
            by_count.setdefault(int(value), []).append(term)
        leave, held = [], 0
        for c in sorted(by_count, reverse=True):
            room = max(0, kept - held)
            terms = by_count[c] if len(by_count[c]) <= room else sorted(by_count[c], reverse=True)
            held += min(room, len(terms))
            leave += terms[room:]
        for i in range(0, len(leave), count):
            self.client.hdel(key, *leave[i:i + count])
        return len(leave)

    # -- reading -------------------------------------------------------------
    def entity_keys(self, entity: str) -> list[str]:
        """Name keys an entity query stands for: its canonical name via the alias
        table, else every person with this first or last name ("Putin")."""
        canonical = name_key(self.aliases.resolve(entity))
        if self.client.exists(self.keys.tag_entity(canonical)):
            return [canonical]
        words = canonical.split()
        if len(words) == 1:
            members = self.client.smembers(self.keys.tag_person_part(words[0]))
            return sorted(m.decode() for m in members)
        return [canonical]

    def find(self, entity: str | None = None, topic: str | None = None) -> list[str]:
        """Ids of articles with the entity and/or the topic (both: the intersection)."""
        sets: list[set[str]] = []
        if entity is not None:
            ids: set[str] = set()
            for key in self.entity_keys(entity):
                ids |= {m.decode() for m in self.client.smembers(self.keys.tag_entity(key))}
            sets.append(ids)
        if topic is not None:
            name = self.taxonomy.resolve(topic)
            sets.append({m.decode() for m in self.client.smembers(self.keys.tag_topic(name_key(name)))})
        if not sets:
            return []
        return sorted(set.intersection(*sets))

    def _top(self, zkey: str, n: int) -> list[tuple[str, int]]:
        return [(m.decode(), int(s)) for m, s in self.client.zrevrange(zkey, 0, n - 1, withscores=True)]

    def top_entities(self, n: int = 20) -> list[tuple[str, str, int]]:
        """(canonical name, label, articles) of the most mentioned entities."""
        top = self._top(self.keys.tag_entity_counts(), n)
        if not top:
            return []
        metas = self.client.hmget(self.keys.tag_entities(), [k for k, _ in top])
        out = []
        for (key, count), meta in zip(top, metas):
            name, label = json.loads(meta) if meta else (key, "")
            out.append((name, label, count))
        return out

    def top_topics(self, n: int = 20) -> list[tuple[str, int]]:
        """(topic, articles), most frequent first."""
        return self._top(self.keys.tag_topic_counts(), n)

    def indexed(self) -> int:
        """Number of articles in the index."""
        return int(self.client.scard(self.keys.tag_indexed()))

    def corpus_stats(self) -> Stats:
        """The deployment's keyword statistics for `tag(..., stats=...)`: a shared snapshot.

        One GET for every worker. The first reader after the snapshot expires
        (every `stats_snapshot_seconds`) counts the terms itself and stores what
        it counted for the others (SET NX: one copy, whoever finishes first).
        The snapshot holds the `stats_max_terms` most frequent terms seen in at
        least `stats_min_df` articles, so its size is bounded.
        """
        key = self.keys.tag_df_snapshot()
        blob = self.client.get(key)
        if blob is not None:
            data = json.loads(zlib.decompress(blob))
            return Stats(n_docs=data["n_docs"], df=data["df"])
        s = self.settings
        stats = self.count_terms(s.stats_min_df, s.stats_max_terms)
        payload = zlib.compress(json.dumps({"n_docs": stats.n_docs, "df": stats.df}).encode(), 6)
        self.client.set(key, payload, ex=max(1, s.stats_snapshot_seconds), nx=True)
        return stats

    def count_terms(self, min_df: int = 2, max_terms: int | None = None, count: int = 5000) -> Stats:
        """Document frequencies counted now from the index: terms in at least `min_df`
        articles, the `max_terms` most frequent (all if None)."""
        n = int(self.client.get(self.keys.tag_docs()) or 0)
        df: dict[str, int] = {}
        for term, value in self.client.hscan_iter(self.keys.tag_df(), count=count):
            v = int(value)
            if v >= min_df:
                df[term.decode()] = v
        if max_terms is not None and len(df) > max_terms:
            df = dict(heapq.nlargest(max_terms, df.items(), key=lambda kv: (kv[1], kv[0])))
        return Stats(n_docs=n, df=df)
