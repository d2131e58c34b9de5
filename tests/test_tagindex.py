"""The Redis tag index: entity -> articles, topic -> articles, corpus statistics (real server)."""

from __future__ import annotations

import dataclasses

from newsflow.values import Entity, Tags, Topic
from newsflow.tag import TagSettings
from newsflow.tagindex import TagIndex

A = Tags(
    language="en",
    entities=(Entity("Vladimir Putin", "PERSON", 5), Entity("North Korea", "GPE", 4),
              Entity("Kim Jong Un", "PERSON", 3)),
    keywords=("Vladimir Putin",),
    topics=(Topic("politics", 0.6), Topic("conflict, war and peace", 0.3)),
    terms=("arms", "summit", "munitions"),
)
B = Tags(
    language="en",
    entities=(Entity("United States", "GPE", 2), Entity("Vladimir Putin", "PERSON", 1)),
    topics=(Topic("economy, business and finance", 0.7),),
    terms=("arms", "tariffs"),
)


def test_find_by_entity_alias_and_surname(redis_client, keys):
    """Entities are found by canonical name, by an alias from the table, and a person by surname."""
    index = TagIndex(redis_client, keys)
    index.add("a" * 32, A)
    index.add("b" * 32, B)
    assert index.find(entity="Vladimir Putin") == ["a" * 32, "b" * 32]
    assert index.find(entity="Putin") == ["a" * 32, "b" * 32]
    assert index.find(entity="vladimir putin") == ["a" * 32, "b" * 32]
    assert index.find(entity="DPRK") == ["a" * 32]
    assert index.find(entity="U.S.") == ["b" * 32]
    assert index.find(entity="Kim") == ["a" * 32]
    assert index.find(entity="Nobody") == []


def test_find_by_topic_and_both(redis_client, keys):
    """Topics are found by name, slug or IPTC code; entity and topic together intersect."""
    index = TagIndex(redis_client, keys)
    index.add("a" * 32, A)
    index.add("b" * 32, B)
    assert index.find(topic="politics") == ["a" * 32]
    assert index.find(topic="conflict") == ["a" * 32]
    assert index.find(topic="medtop:04000000") == ["b" * 32]
    assert index.find(entity="Putin", topic="economy") == ["b" * 32]
    assert index.find() == []


def test_redelivery_counts_once(redis_client, keys):
    """Adding the same article twice changes nothing the second time."""
    index = TagIndex(redis_client, keys)
    assert index.add("a" * 32, A) is True
    assert index.add("a" * 32, A) is False
    index.add("b" * 32, B)
    assert index.indexed() == 2
    assert index.top_entities(1) == [("Vladimir Putin", "PERSON", 2)]
    assert dict(index.top_topics()) == {"politics": 1, "conflict, war and peace": 1,
                                       "economy, business and finance": 1}
    stats = index.count_terms(min_df=1)
    assert stats.n_docs == 2 and stats.df["arms"] == 2 and stats.df["summit"] == 1
    assert "summit" not in index.count_terms(min_df=2).df


def test_keys_live_under_the_prefix(redis_client, keys):
    """Every key the index writes is under the deployment's prefix."""
    TagIndex(redis_client, keys).add("a" * 32, A)
    assert all(k.decode().startswith(keys.prefix + ":tag:") for k in redis_client.keys("*"))


def test_corpus_stats_are_one_bounded_snapshot_for_every_worker(redis_client, keys):
    """The first reader counts and stores a snapshot of the most frequent terms; other readers get
    that snapshot (later counts wait for it to expire); it never holds more than stats_max_terms."""
    settings = dataclasses.replace(TagSettings(), stats_max_terms=2, stats_min_df=1, stats_snapshot_seconds=60)
    first, other = TagIndex(redis_client, keys, settings), TagIndex(redis_client, keys, settings)
    for i, terms in enumerate([("arms", "summit"), ("arms", "tariffs", "summit"), ("arms", "steel")]):
        first.add(f"{i:032x}", Tags(language="en", terms=terms))
    stats = first.corpus_stats()
    assert stats.n_docs == 3 and stats.df == {"arms": 3, "summit": 2}  # the two most frequent
    assert 0 < redis_client.ttl(keys.tag_df_snapshot()) <= 60
    first.add("f" * 32, Tags(language="en", terms=("steel",)))
    assert other.corpus_stats() == stats  # served from the snapshot, not counted again
    redis_client.delete(keys.tag_df_snapshot())  # as when it expires
    assert other.corpus_stats().n_docs == 4


def test_keyword_statistics_are_trimmed_to_their_bound_without_changing_the_snapshot(redis_client, keys):
    """600 terms with counts 1..6 (100 each): under a quarter over the bound nothing leaves; past it
    the least frequent leave until the bound holds, ties at the cut kept as the snapshot keeps
    them, so the snapshot of the top terms is the same before and after."""
    index = TagIndex(redis_client, keys, TagSettings(stats_kept_terms=500))
    redis_client.hset(keys.tag_df(), mapping={f"w{c}x{i:03d}": c for c in range(1, 7) for i in range(100)})
    assert index.trim_terms(kept=480) == 0  # 600 <= 480 * 5 / 4
    before = index.count_terms(min_df=1, max_terms=250)
    assert index.trim_terms() == 0 and index.trim_terms(kept=250) == 350
    assert redis_client.hlen(keys.tag_df()) == 250
    assert index.count_terms(min_df=1, max_terms=250) == before
    left = {t.decode() for t in redis_client.hkeys(keys.tag_df())}
    assert min(int(t[1]) for t in left) == 4 and sum(t.startswith("w4") for t in left) == 50
