"""The shared Redis index: duplicates, stories, atomicity, idempotency, persistence (real Valkey)."""

from __future__ import annotations

import dataclasses
import multiprocessing as mp

import numpy as np
import pytest
import redis

from newsflow.embed import to_int8
from newsflow.valkey import EmbeddedServer
from newsflow.fingerprint import fingerprint
from newsflow.placement.layout import EMBEDDING
from newsflow.placement.settings import IndexSettings
from newsflow.placement import Index
from newsflow.keys import Keys
from newsflow.values import Cleaned, Entity, Tags, article_id

WIRE = (
    "Firefighters battled a wildfire that spread across the hills above Santa Rosa overnight, forcing "
    "thousands of residents to flee their homes as strong winds pushed the flames toward the valley.",
    "The blaze, named the Glass Fire, has burned more than 11,000 acres and destroyed at least eighty "
    "homes, the California Department of Forestry and Fire Protection said in a statement on Monday.",
    "Governor Gavin Newsom declared a state of emergency for Sonoma and Napa counties, freeing state "
    "money and resources, and asked residents to heed evacuation orders without delay.",
    "Utility Pacific Gas and Electric said it had cut power to about sixty thousand customers to "
    "reduce the risk of its lines sparking new fires in the dry and windy conditions.",
    "Winemakers in the Napa Valley reported heavy damage to several wineries, including a historic "
    "estate whose stone buildings dated to the nineteenth century.",
)
OTHER = (
    "The central bank raised interest rates by a quarter point on Wednesday, citing stubborn inflation "
    "in services and a tight labour market that has kept wages rising quickly across the economy.",
    "Economists had expected the move, and stock markets barely reacted to the announcement, while "
    "the currency strengthened slightly against the dollar in afternoon trading.",
)
FOLLOW_UP = (
    "Crews made progress against the Glass Fire near Santa Rosa on Tuesday as winds eased, but more "
    "homes were lost in Napa and Sonoma counties, fire officials said.",
    "Cal Fire said the wildfire had grown to 36,000 acres; Governor Gavin Newsom visited an evacuation "
    "centre and praised firefighters. Pacific Gas and Electric restored power to some customers.",
    "Several Napa Valley wineries were destroyed, and evacuation orders remained in place for "
    "thousands of residents of Santa Rosa.",
)
FIRE_ENTITIES = (
    Entity("Santa Rosa", "GPE", 2), Entity("Glass Fire", "EVENT", 2), Entity("Gavin Newsom", "PERSON", 1),
    Entity("Napa", "GPE", 2), Entity("Sonoma", "GPE", 1), Entity("Pacific Gas and Electric", "ORG", 1),
)


def _article(paragraphs, title, entities=(), published="2020-09-28", tag=""):
    cleaned = Cleaned(title=title, paragraphs=tuple(paragraphs), published=published)
    fp = fingerprint(cleaned, Tags(language="en", entities=tuple(entities)))
    aid = article_id(("\n".join(paragraphs) + title + tag).encode())
    return aid, fp, published


def _copy(i):
    """The i-th near copy of the wire story: another headline, a dateline, a trimmed tail."""
    paragraphs = list(WIRE)
    paragraphs[0] = f"SANTA ROSA, Calif. (Outlet {i}) - " + paragraphs[0]
    if i % 3 == 1:
        paragraphs = paragraphs[:-1]
    if i % 3 == 2:
        paragraphs = [p.replace("Defense", "Defence") for p in paragraphs]
    return _article(paragraphs, f"Headline number {i} about the fire", FIRE_ENTITIES, tag=str(i))


def test_first_article_is_original_and_starts_a_story(redis_client, keys):
    """An article into an empty index: no duplicate_of, its own id as story id, one story."""
    index = Index(redis_client, keys, IndexSettings())
    aid, fp, pub = _article(WIRE, "Wildfire forces thousands to flee", FIRE_ENTITIES)
    placement = index.place(aid, fp, pub)
    assert placement.duplicate_of is None
    assert placement.story_id == aid
    assert index.story_count() == 1
    assert index.story_members(aid) == [aid]
    assert placement.audit["story"]["method"] == "new"


def test_exact_and_near_copies_point_at_the_first_seen(redis_client, keys):
    """The same text again is an exact duplicate; an edited copy a MinHash duplicate; both of the original."""
    index = Index(redis_client, keys, IndexSettings())
    original = _article(WIRE, "Wildfire forces thousands to flee", FIRE_ENTITIES)
    exact = _article(WIRE, "Another headline entirely", FIRE_ENTITIES, tag="x")
    near = _copy(1)
    index.place(*original)
    p_exact = index.place(*exact)
    p_near = index.place(*near)
    assert p_exact.duplicate_of == original[0] and p_exact.audit["duplicate"]["method"] == "exact-sha256"
    assert p_near.duplicate_of == original[0] and p_near.audit["duplicate"]["method"] == "minhash-lsh"
    audit = p_near.audit["duplicate"]
    assert audit["similarity"] >= audit["threshold"]["containment"] and audit["jaccard"] >= audit["threshold"]["jaccard"]
    assert p_exact.story_id == p_near.story_id == original[0]
    assert index.duplicates_of(original[0]) == [exact[0], near[0]]
    assert index.story_members(original[0]) == [original[0], exact[0], near[0]]
    assert index.story_count() == 1


def test_unrelated_article_gets_another_story_and_audit(redis_client, keys):
    """A different article is neither a duplicate nor in the story; the audit says why."""
    index = Index(redis_client, keys, IndexSettings())
    fire = _article(WIRE, "Wildfire forces thousands to flee", FIRE_ENTITIES)
    bank = _article(OTHER, "Central bank raises rates", (Entity("Federal Reserve", "ORG", 1),))
    index.place(*fire)
    placement = index.place(*bank)
    assert placement.duplicate_of is None and placement.story_id == bank[0]
    assert placement.audit["story"]["method"] == "new"
    assert placement.audit["story"]["similarity"] < placement.audit["story"]["threshold"]
    assert index.story_count() == 2


def test_other_write_up_of_the_event_joins_the_story(redis_client, keys):
    """A separate write-up of the same event is not a duplicate but shares the story id."""
    index = Index(redis_client, keys, IndexSettings())
    fire = _article(WIRE, "Wildfire forces thousands to flee", FIRE_ENTITIES)
    index.place(*fire)
    index.place(*_article(OTHER, "Central bank raises rates"))
    follow = _article(FOLLOW_UP, "Glass Fire grows as Napa wineries burn", FIRE_ENTITIES, published="2020-09-29")
    placement = index.place(*follow)
    assert placement.duplicate_of is None
    assert placement.story_id == fire[0], placement.audit
    assert placement.audit["story"]["method"] == "joined"
    assert placement.audit["story"]["best_match"] == fire[0]


def test_story_time_window_is_respected(redis_client, keys):
    """The same event written up outside the configured window starts a new story."""
    settings = dataclasses.replace(IndexSettings(), story_window_days=3)
    index = Index(redis_client, keys, settings)
    fire = _article(WIRE, "Wildfire forces thousands to flee", FIRE_ENTITIES, published="2020-09-28")
    index.place(*fire)
    late = _article(FOLLOW_UP, "Glass Fire grows", FIRE_ENTITIES, published="2020-10-15")
    placement = index.place(*late)
    assert placement.story_id == late[0]
    assert placement.audit["story"]["window_days"] == 3


def test_replacing_is_idempotent(redis_client, keys):
    """Placing the same article id again returns the same Placement and changes no counter or list."""
    index = Index(redis_client, keys, IndexSettings())
    original = _article(WIRE, "Wildfire forces thousands to flee", FIRE_ENTITIES)
    copy = _copy(2)
    first = [index.place(*original), index.place(*copy)]
    snapshot = {k: redis_client.dump(k) for k in redis_client.scan_iter(f"{keys.prefix}:*")}
    again = [index.place(*original), index.place(*copy)]
    assert again == first
    assert {k: redis_client.dump(k) for k in redis_client.scan_iter(f"{keys.prefix}:*")} == snapshot
    assert index.story_count() == 1 and index.size() == 2
    assert index.duplicates_of(original[0]) == [copy[0]]


def _place_copies(url, prefix, indices, barrier, queue):
    client = redis.Redis.from_url(url)
    index = Index(client, Keys(prefix=prefix), IndexSettings())
    articles = [_copy(i) for i in indices]
    barrier.wait()
    for aid, fp, pub in articles:
        queue.put((aid, index.place(aid, fp, pub).duplicate_of))
    client.close()


@pytest.mark.slow
def test_thirty_copies_at_once_from_three_processes_give_one_original(redis_server, redis_client, keys):
    """30 near copies placed concurrently by 3 processes: exactly one original, 29 pointing at it."""
    ctx = mp.get_context("fork")
    barrier, queue = ctx.Barrier(3), ctx.Queue()
    procs = [
        ctx.Process(target=_place_copies, args=(redis_server, keys.prefix, range(w, 30, 3), barrier, queue))
        for w in range(3)
    ]
    for p in procs:
        p.start()
    results = dict(queue.get(timeout=60) for _ in range(30))
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    originals = [aid for aid, dup in results.items() if dup is None]
    assert len(originals) == 1
    assert all(dup == originals[0] for aid, dup in results.items() if aid != originals[0])
    index = Index(redis_client, keys, IndexSettings())
    assert index.story_count() == 1
    assert sorted(index.duplicates_of(originals[0])) == sorted(a for a in results if a != originals[0])


@pytest.mark.slow
def test_index_survives_a_server_restart(tmp_path):
    """Stop the embedded server (append-only file) and start it again: the index is intact."""
    keys = Keys(prefix="restart")
    server = EmbeddedServer(tmp_path / "state")
    client = redis.Redis.from_url(server.acquire())
    original = _article(WIRE, "Wildfire forces thousands to flee", FIRE_ENTITIES)
    index = Index(client, keys, IndexSettings())
    before = index.place(*original)
    client.close()
    assert server.release()
    client = redis.Redis.from_url(server.acquire())
    try:
        index = Index(client, keys, IndexSettings())
        assert index.place(*original) == before
        copy = index.place(*_copy(4))
        assert copy.duplicate_of == original[0]
        assert index.story_count() == 1
    finally:
        client.close()
        server.release()


def test_memory_per_article_is_small_and_tables_are_fixed(redis_client, keys):
    """A few hundred varied articles, each with its 512-byte embedding, cost under a kilobyte each
    besides the three tables, and the tables keep the size the settings give them however many
    articles arrive."""
    settings = IndexSettings(lsh_table_lines=4096, df_table_lines=1024, posting_table_lines=512)
    index = Index(redis_client, keys, settings)
    words = [f"w{i}" for i in range(3000)]
    rng = np.random.default_rng(3)
    for n in range(300):
        body = [" ".join(words[(n * 37 + k * 11 + j) % 3000] for j in range(40)) for k in range(5)]
        aid, fp, published = _article(body, f"title {n}", tag=str(n))
        index.place(aid, dataclasses.replace(fp, embedding=to_int8(rng.normal(size=EMBEDDING))), published)
        if n == 0:
            first = {k: redis_client.strlen(k) for k in index.tables()}
    tables = index.tables()
    assert tables == {keys.fp_lsh(): 4096 * 64, keys.fp_df(): 1024 * 64, keys.fp_postings(): 512 * 128}
    assert first == tables == {k: redis_client.strlen(k) for k in tables}
    rest = sum(redis_client.memory_usage(k) or 0 for k in redis_client.scan_iter(keys.fp_pattern())
               if k.decode() not in tables)
    assert rest / 300 < 1024


def test_top_k_candidates_match_a_full_sort(redis_client):
    """The place script keeps its best story candidates with a one-pass top-k; on 500 random inputs
    (run by the real server's Lua) it returns exactly the first k of a full sort, in order."""
    from newsflow.placement.layout import keys_of, prefixes_of, with_common

    check = redis_client.register_script(with_common("""
math.randomseed(tonumber(ARG[1]))
local hits, items = {}, {}
for _ = 1, math.random(0, 200) do
  local c = math.random(1, 300)
  if not hits[c] then hits[c] = math.random(1, 8) * 0.5; items[#items + 1] = c end
end
local k = math.random(1, 25)
local top = top_k(items, hits, k)
table.sort(items, function(a, b) if hits[a] ~= hits[b] then return hits[a] > hits[b] end return a > b end)
if #top ~= math.min(k, #items) then return 0 end
for i = 1, #top do if top[i] ~= items[i] then return 0 end end
return 1"""))
    no_prefixes = [""] * len(prefixes_of(Keys("unused")))  # ARG[1] follows the key prefixes
    unused = keys_of(Keys("unused"))  # the prelude reads the floor
    assert [seed for seed in range(1, 501) if check(keys=unused, args=[*no_prefixes, seed]) != 1] == []


def test_full_tables_recycle_and_keep_working(redis_client, keys):
    """With one line per table every line overflows at once: entries are recycled (oldest LSH
    entry, least frequent term, stalest posting list), nothing is corrupted, and a copy of the
    newest article is still found and joins its story."""
    settings = IndexSettings(lsh_table_lines=1, df_table_lines=1, posting_table_lines=1)
    index = Index(redis_client, keys, settings)
    words = [f"w{i}" for i in range(3000)]
    for n in range(60):
        body = [" ".join(words[(n * 53 + k * 17 + j) % 3000] for j in range(40)) for k in range(5)]
        assert index.place(*_article(body, f"title {n}", tag=str(n))).duplicate_of is None
    assert {k: redis_client.strlen(k) for k in index.tables()} == index.tables()
    original = _article(WIRE, "Wildfire forces thousands to flee", FIRE_ENTITIES)
    first = index.place(*original)
    copy = index.place(*_copy(1))
    assert copy.duplicate_of == original[0] and copy.story_id == first.story_id
    assert index.size() == 62


def test_table_settings_are_checked(redis_client, keys):
    """Table sizes and posting-list length out of range are refused up front, saying what is allowed."""
    with pytest.raises(ValueError, match="story_posting_size must be 1..8"):
        Index(redis_client, keys, IndexSettings(story_posting_size=9))
    with pytest.raises(ValueError, match="df_table_lines must be at least 1"):
        Index(redis_client, keys, IndexSettings(df_table_lines=0))


def _random_stream(seed: int, n: int):
    """A random stream of fingerprints with exact copies, near copies (shared LSH rows, some MinHash
    bytes changed), articles of the same topic (shared story terms) and unrelated ones, over a month."""
    import random

    from newsflow.values import Fingerprint

    rng = random.Random(seed)
    topics = [[f"topic{t}word{w}" for w in range(30)] for t in range(6)]
    centres = [[rng.gauss(0, 1) for _ in range(EMBEDDING)] for _ in topics]

    def embedding(t: int) -> bytes:  # near its topic's centre, or (one in five) none at all
        if rng.random() < 0.2:
            return b""
        spread = rng.choice((0.6, 1.0, 1.6))
        return to_int8(np.array([c + rng.gauss(0, spread) for c in centres[t]]))

    made: list = []
    for i in range(n):
        day = None if rng.random() < 0.1 else f"2024-03-{rng.randint(1, 28):02d}"
        kind = rng.random()
        if made and kind < 0.15:  # the same text again (another outlet's exact copy)
            fp = rng.choice(made)
        elif made and kind < 0.45:  # a near copy: some LSH rows and most MinHash bytes kept
            base = rng.choice(made)
            mh = bytearray(base.minhash)
            for k in rng.sample(range(len(mh)), rng.randint(0, 110)):
                mh[k] = rng.randrange(256)
            lsh = tuple(v if rng.random() < 0.5 else rng.getrandbits(32) for v in base.lsh)
            terms = dict(base.story_terms)
            terms.update({rng.choice(rng.choice(topics)): round(rng.uniform(0.5, 3), 3)})
            fp = Fingerprint(f"{rng.getrandbits(256):064x}", bytes(mh), lsh,
                             max(1, base.shingles + rng.randint(-40, 40)), terms, base.embedding)
        else:  # a new article of one topic, perhaps touching another
            t = rng.randrange(len(topics))
            words = rng.sample(topics[t], rng.randint(5, 20)) + rng.sample(rng.choice(topics), rng.randint(0, 3))
            fp = Fingerprint(f"{rng.getrandbits(256):064x}", rng.randbytes(128),
                             tuple(rng.getrandbits(32) for _ in range(16)), rng.randint(0, 600),
                             {w: round(rng.uniform(0.5, 5), 3) for w in words}, embedding(t))
        made.append(fp)
        yield f"{seed:08x}{i:024x}", fp, day


@pytest.mark.parametrize("tables,near", [((1 << 14, 1 << 13, 1 << 13), 0), ((1 << 14, 1 << 13, 1 << 13), 16),
                                        ((3, 2, 2), 16)], ids=["roomy", "roomy-nearest", "tiny-tables-nearest"])
def test_lua_and_the_python_reference_agree_on_random_streams(redis_client, keys, tables, near):
    """The placement rules in Lua (in Redis) and in plain Python (tests.reference_index) give the
    same duplicate_of and story_id for every article of random streams, with tables roomy or so
    small that every line recycles, and with candidates by embedding (nearest) off and on."""
    from tests.reference_index import ReferenceIndex

    lsh, df, post = tables
    settings = IndexSettings(lsh_table_lines=lsh, df_table_lines=df, posting_table_lines=post, nearest_candidates=near)
    seen = {"dup": 0, "joined": 0, "tfidf": 0, "embedding": 0}
    for seed in range(12):
        for k in redis_client.scan_iter(f"{keys.prefix}:*"):
            redis_client.delete(k)
        index, oracle = Index(redis_client, keys, settings), ReferenceIndex(settings)
        for aid, fp, day in _random_stream(seed, 120):
            got = index.place(aid, fp, day)
            assert (got.duplicate_of, got.story_id) == oracle.place(aid, fp, day), (seed, aid)
            seen["dup"] += got.duplicate_of is not None
            if got.audit["story"]["method"] == "joined":
                seen["joined"] += 1
                seen[got.audit["story"]["signal"]] += 1
    # the streams exercise both decisions, and stories joined by either signal
    assert seen["dup"] > 100 and seen["joined"] > 20 and seen["tfidf"] > 10 and seen["embedding"] > 10, seen


def test_every_index_key_is_in_one_cluster_slot(redis_client, keys):
    """The index's keys carry one hash tag: a Redis Cluster keeps them on one node, as the scripts need."""
    from redis.crc import key_slot

    index = Index(redis_client, keys, IndexSettings())
    for n in range(20):
        index.place(*_article([f"Paragraph {n} of a story about the harbour wall and the storm."] * 3, f"t{n}", tag=str(n)))
    names = [k for k in redis_client.scan_iter(keys.fp_pattern())]
    assert len(names) > 8 and len({key_slot(k) for k in names}) == 1
    assert not list(redis_client.scan_iter(keys.fp_pattern_before_tag()))


def test_an_index_written_before_the_hash_tag_is_renamed_and_read(redis_client, keys):
    """Keys named `<prefix>:fp:*` by an earlier version take their tagged names at the next start, and
    the articles in them are found again (their placements, copies and stories)."""
    index = Index(redis_client, keys, IndexSettings())
    original = _article(WIRE, "Wildfire forces thousands to flee", FIRE_ENTITIES)
    first = index.place(*original)
    copy = _copy(1)
    index.place(*copy)
    tagged, untagged = keys.fp_pattern()[:-1], keys.fp_pattern_before_tag()[:-1]
    for name in [k.decode() for k in redis_client.scan_iter(keys.fp_pattern())]:
        redis_client.rename(name, untagged + name[len(tagged):])  # as the earlier version left them
    again = Index(redis_client, keys, IndexSettings())
    assert not list(redis_client.scan_iter(keys.fp_pattern_before_tag()))
    assert again.placement_of(original[0]).story_id == first.story_id
    assert again.duplicates_of(original[0]) == [copy[0]]
    assert again.place(*_copy(2)).duplicate_of == original[0] and again.size() == 3


def test_original_of_finds_what_place_then_decides(redis_client, keys):
    """Probing a text (read-only) names the original that placing it then records, on random
    streams with exact and near copies: None exactly when the article is placed as an original."""
    settings = IndexSettings(lsh_table_lines=1 << 12, df_table_lines=1 << 10, posting_table_lines=1 << 10)
    agreed = {"copy": 0, "original": 0}
    for seed in range(4):
        for k in redis_client.scan_iter(f"{keys.prefix}:*"):
            redis_client.delete(k)
        index = Index(redis_client, keys, settings)
        for aid, fp, day in _random_stream(100 + seed, 120):
            if index.placement_of(aid) is not None:
                continue  # the stream repeats an id now and then: placed already
            probed = index.original_of(fp)
            placed = index.place(aid, fp, day)
            assert (probed[0] if probed else None) == placed.duplicate_of, (seed, aid)
            if probed:
                assert probed[1] == (1.0 if placed.audit["duplicate"]["method"] == "exact-sha256"
                                     else placed.audit["duplicate"]["jaccard"])
            agreed["copy" if probed else "original"] += 1
    assert agreed["copy"] > 50 and agreed["original"] > 50
