#!/usr/bin/env python3
"""Story-candidate recall of the shared index against brute force (issue 28, item 5).

A deterministic synthetic stream (seeded numpy) is placed article by article through the real
place script (``newsflow.placement.Index.place``) on a private embedded Valkey (a free port, a temp
dir; its append-only file is switched off: the run measures the index, not the disk):

* ``--articles`` N over ``--days`` simulated publication days (N / days a day: 10,000 a day at
  100k, 100,000 a day - a realistic volume - at 1M with the default 10 days);
* ``--topics`` topics (popularity ~ 1 / rank^0.8), each a random unit centroid, a tightness
  a ~ U(0.15, 0.35) and a vocabulary of 2,000 topic terms (Zipf 1.0); an article's embedding is
  sqrt(a) * centroid + sqrt(1 - a) * (random unit vector), quantised by ``newsflow.embed.to_int8``;
* 40 story terms an article: 6 story-specific ones (names: drawn from 2^40 ids, so new to the
  index; weight U(1, 2.5)), 18 topic terms (U(1, 3)), 16 general words (Zipf 1.05 over 200,000;
  U(1, 2)); random MinHash and LSH rows (no near copies);
* planted stories: from day 1 on, ``--follow`` of the articles (20%) continue an earlier article
  published 1..6 days before (lag uniform, then the article uniform in that day; a follower can be
  followed: groups): embedding cosine ~ U(0.60, 0.85) to it, and each of its 40 term slots kept
  with a probability p ~ U(0.3, 0.6) per pair (weight x U(0.8, 1.25)), else drawn afresh.

Measured:

* pair recall: the share of planted followers B the index put in their earlier article A's story;
* brute-force recall: over a random sample of ``--sample`` articles, the best int8 cosine to ANY
  earlier article within the window (blocked numpy over all of them, exact integer dots); of those
  whose best is >= story_embedding_threshold, the share the index joined to a story (a join needs
  a candidate at >= the threshold; the candidate's cosine is checked here too);
* for one planted follower in ``--diag-every``, why a miss happened, read from the tables just
  before B is placed (the first stage no shared term of A's registered terms gets past: the term's
  document frequency recycled, not among B's looked-up terms, posting list recycled, A pushed out
  of the list, A cut from the candidates, another story won);
* time per place call (client wall time and the server's EVALSHA time) and INFO used_memory.

Every placing process also seeks story candidates by embedding (``newsflow.placement.nearest``),
a scan whose cost grows with the articles in the window (26 ms at 700,000). ``--nearest-for
sample`` lets only the sampled articles seek them, through the same Mirror and script; the
brute-force recall of the sample depends only on the sample's own candidates, so it measures the
same thing at 1M articles in under an hour (the pair recall then mixes both kinds of placement).

    python ops/tools/recall.py --articles 100000 [--set story_posting_size=8 --set posting_table_lines=65536]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core: before numpy loads

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import redis  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from newsflow.embed import to_int8  # noqa: E402
from newsflow.valkey import EmbeddedServer  # noqa: E402
from newsflow.fingerprint.signatures import NUM_PERM  # noqa: E402
from newsflow.placement import Index  # noqa: E402
from newsflow.placement.index import term_hash  # noqa: E402
from newsflow.placement.layout import DF_WAYS, EMBEDDING, HEADER, POST_MAX, POST_WAYS, REC_CHUNK, RECORD  # noqa: E402
from newsflow.placement.settings import IndexSettings  # noqa: E402
from newsflow.keys import Keys  # noqa: E402
from newsflow.values import Fingerprint  # noqa: E402

DIM = EMBEDDING
FIRST_DAY = 20_000  # 2024-10-04
#: Term slots of an article: (kind, count, weight low, weight high).
SLOTS = (("r", 6, 1.0, 2.5), ("t", 18, 1.0, 3.0), ("g", 16, 1.0, 2.0))
N_TERMS = sum(n for _, n, _, _ in SLOTS)
TOPIC_VOCAB, GENERAL_VOCAB = 2_000, 200_000


@dataclass
class Stream:
    """The synthetic articles, by stream position i (its index number is i + 1)."""

    day: np.ndarray      # publication day offset (0..days-1)
    topic: np.ndarray
    parent: np.ndarray   # the earlier article a planted follower continues, else -1
    emb: np.ndarray      # (N, DIM) int8
    terms: np.ndarray    # (N, N_TERMS) int64 ids (kind by slot, see SLOTS)
    weights: np.ndarray  # (N, N_TERMS) float32
    seed: int


def zipf_cdf(n: int, s: float) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1) ** s
    return np.cumsum(p / p.sum())


def draw(rng: np.random.Generator, cdf: np.ndarray, size) -> np.ndarray:
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), len(cdf) - 1)


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def fresh_terms(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Term ids (topic terms as ranks in their topic's vocabulary) and weights of n new articles."""
    ids, ws = [], []
    for kind, k, lo, hi in SLOTS:
        if kind == "r":
            ids.append(rng.integers(0, 2**40, size=(n, k)))
        else:
            ids.append(draw(rng, zipf_cdf(TOPIC_VOCAB, 1.0) if kind == "t" else zipf_cdf(GENERAL_VOCAB, 1.05), (n, k)))
        ws.append(rng.uniform(lo, hi, size=(n, k)))
    return np.concatenate(ids, axis=1), np.concatenate(ws, axis=1).astype(np.float32)


def block_embeddings(rng, centroids, tight, topic, parent, emb) -> np.ndarray:
    """Float embeddings of one block: topic centroid + noise, or a paraphrase of the parent."""
    n = len(topic)
    noise = unit(rng.standard_normal((n, DIM)))
    a = tight[topic][:, None]
    x = np.sqrt(a) * centroids[topic] + np.sqrt(1 - a) * noise
    fol = parent >= 0
    if fol.any():
        base = unit(emb[parent[fol]].astype(np.float64))
        orth = unit(noise[fol] - np.sum(noise[fol] * base, axis=1, keepdims=True) * base)
        c = rng.uniform(0.60, 0.85, size=(int(fol.sum()), 1))
        x[fol] = c * base + np.sqrt(1 - c * c) * orth
    return x


def block_terms(rng, parent, terms, weights) -> tuple[np.ndarray, np.ndarray]:
    """Terms of one block: fresh ones, and for a follower its parent's slots kept with p ~ U(0.3, 0.6)."""
    ids, ws = fresh_terms(rng, len(parent))
    fol = np.flatnonzero(parent >= 0)
    if len(fol):
        p = rng.uniform(0.3, 0.6, size=(len(fol), 1))
        keep = rng.random((len(fol), N_TERMS)) < p
        src = parent[fol]
        ids[fol] = np.where(keep, terms[src], ids[fol])
        ws[fol] = np.where(keep, weights[src] * rng.uniform(0.8, 1.25, size=keep.shape), ws[fol])
    return ids, ws


def choose_parents(rng, day: np.ndarray, per_day: int, follow: float) -> np.ndarray:
    """For each article, the earlier article it follows (1..6 days before), or -1."""
    n = len(day)
    parent = np.full(n, -1, dtype=np.int64)
    fol = (day >= 1) & (rng.random(n) < follow)
    lag = np.minimum(rng.integers(1, 7, size=n), day)
    start = (day - lag) * per_day
    pick = start + rng.integers(0, per_day, size=n)
    parent[fol] = pick[fol]
    return parent


def make_stream(n: int, days: int, topics: int, follow: float, seed: int) -> Stream:
    """The whole stream, generated day block by day block (a parent is always in an earlier day)."""
    rng = np.random.default_rng(seed)
    per_day = math.ceil(n / days)
    centroids = unit(rng.standard_normal((topics, DIM)))
    tight = rng.uniform(0.15, 0.35, size=topics)
    day = np.arange(n) // per_day
    topic = draw(rng, zipf_cdf(topics, 0.8), n)
    parent = choose_parents(rng, day, per_day, follow)
    topic[parent >= 0] = 0
    for i in np.flatnonzero(parent >= 0):  # in order: a parent's topic is final before its follower's
        topic[i] = topic[parent[i]]
    emb = np.zeros((n, DIM), dtype=np.int8)
    terms = np.zeros((n, N_TERMS), dtype=np.int64)
    weights = np.zeros((n, N_TERMS), dtype=np.float32)
    lo = 0
    while lo < n:
        hi = min(n, lo + 10_000, (int(day[lo]) + 1) * per_day)  # never across a day
        x = block_embeddings(rng, centroids, tight, topic[lo:hi], parent[lo:hi], emb)
        emb[lo:hi] = np.stack([np.frombuffer(to_int8(v), dtype=np.int8) for v in x])
        terms[lo:hi], weights[lo:hi] = block_terms(rng, parent[lo:hi], terms, weights)
        lo = hi
    return Stream(day, topic, parent, emb, terms, weights, seed)


# -- placing ------------------------------------------------------------------------------


def article_id(seed: int, i: int) -> str:
    """16 bytes: 8 of a hash (spreads the id map's shards) then the stream position."""
    return hashlib.blake2b(f"{seed}:{i}".encode(), digest_size=8).hexdigest() + f"{i:016x}"


def position(aid: str | None) -> int:
    return int(aid[16:], 16) if aid else -1


def story_terms(st: Stream, i: int) -> dict[str, float]:
    """The article's terms as the fingerprint gives them (term -> weight; a repeat keeps its largest)."""
    out: dict[str, float] = {}
    ids, ws, topic, j = st.terms[i], st.weights[i], int(st.topic[i]), 0
    for kind, k, _, _ in SLOTS:
        for _ in range(k):
            name = f"t{topic}_{ids[j]}" if kind == "t" else f"{kind}{ids[j]}"
            out[name] = max(out.get(name, 0.0), round(float(ws[j]), 3))
            j += 1
    return out


def article(st: Stream, i: int, sig: np.random.Generator) -> tuple[str, Fingerprint, str]:
    """(id, fingerprint, publication date) of article i: random MinHash and LSH rows (no copies)."""
    raw = sig.bytes(NUM_PERM + 64)
    fp = Fingerprint(content_sha256=hashlib.sha256(f"{st.seed}:{i}".encode()).hexdigest(), minhash=raw[:NUM_PERM],
                     lsh=struct.unpack("<16I", raw[NUM_PERM:]), shingles=300 + i % 1200,
                     story_terms=story_terms(st, i), embedding=st.emb[i].tobytes())
    published = str(np.datetime64("1970-01-01") + np.timedelta64(FIRST_DAY + int(st.day[i]), "D"))
    return article_id(st.seed, i), fp, published


@dataclass
class Placed:
    story: np.ndarray   # stream position of each article's story (its first article)
    joined: np.ndarray  # joined an earlier story
    via: np.ndarray     # best story candidate (-1 none)
    cands: np.ndarray   # story candidates compared (in window)
    diag: dict          # follower position -> diagnosis
    place_s: float      # client wall time in place calls
    nearest_s: float    # of it, in the calls that sought candidates by embedding
    server_us: float    # server time per place script (EVALSHA usec_per_call)
    seeking: int = 0    # place calls that sought candidates by embedding


def place_all(index: Index, st: Stream, diag_every: int, nearest_only: np.ndarray | None) -> Placed:
    """Every article through the real place script, by `index`; with `nearest_only`, only those
    articles seek candidates by embedding (the others by posting lists alone: `nearest_candidates=0`)."""
    n = len(st.day)
    out = Placed(np.empty(n, np.int64), np.zeros(n, bool), np.full(n, -1, np.int64), np.zeros(n, np.int16), {}, 0.0, 0.0, 0.0)
    sig = np.random.default_rng([st.seed, 1])
    plain = Index(index.client, index.keys, dataclasses.replace(index.settings, nearest_candidates=0))
    seeking = np.ones(n, bool) if nearest_only is None else np.isin(np.arange(n), nearest_only)
    seeking &= index.settings.nearest_candidates > 0
    out.seeking = int(seeking.sum())
    index.client.config_resetstat()
    t_start = time.perf_counter()
    for i in range(n):
        aid, fp, published = article(st, i, sig)
        a = int(st.parent[i])
        d = before_place(index, st, i, a, fp) if a >= 0 and diag_every and i % diag_every == 0 else None
        t = time.perf_counter()
        p = (index if seeking[i] else plain).place(aid, fp, published)
        out.place_s += time.perf_counter() - t
        out.nearest_s += (time.perf_counter() - t) if seeking[i] else 0.0
        audit = p.audit["story"]
        out.story[i], out.joined[i] = position(p.story_id), audit["method"] == "joined"
        out.via[i], out.cands[i] = position(audit["best_match"]), audit["candidates"]
        if d is not None:
            d["outcome"] = "hit" if out.story[i] == out.story[a] else ("other_story" if out.joined[i] else "none")
            out.diag[i] = d
        if (i + 1) % 50_000 == 0 or i + 1 == n:
            el = time.perf_counter() - t_start
            print(f"  placed {i + 1:,} in {el:.0f} s ({out.place_s / (i + 1) * 1000:.2f} ms a place call)",
                  file=sys.stderr, flush=True)
    out.server_us = index.client.info("commandstats").get("cmdstat_evalsha", {}).get("usec_per_call", 0.0)
    return out


# -- diagnosis of one planted follower, from the tables just before it is placed -----------------

PLEN = 8 + 4 * POST_MAX


def read_tables(index: Index, a: int, hashes: list[int]) -> tuple[int, bytes, list[bytes], list[bytes]]:
    """(documents so far, A's record vector, the df line and posting line of each hash), one round trip."""
    s, k = index.settings, index.keys
    num = a + 1
    pipe = index.client.pipeline(transaction=False)
    pipe.get(k.fp_originals())
    off = ((num - 1) % REC_CHUNK) * RECORD + HEADER + NUM_PERM
    pipe.getrange(k.fp_records((num - 1) // REC_CHUNK), off, off + 5 * 24 - 1)
    for h in hashes:
        o = (h % s.df_table_lines) * 64
        pipe.getrange(k.fp_df(), o, o + 8 * DF_WAYS - 1)
    for h in hashes:
        o = (h % s.posting_table_lines) * 128
        pipe.getrange(k.fp_postings(), o, o + POST_WAYS * PLEN - 1)
    r = pipe.execute()
    m = len(hashes)
    return int(r[0] or 0), r[1], r[2:2 + m], r[2 + m:]


def df_in(line: bytes, h: int) -> int:
    e = struct.unpack(f"<{2 * DF_WAYS}I", line.ljust(8 * DF_WAYS, b"\0"))
    return next((e[2 * w + 1] for w in range(DF_WAYS) if e[2 * w + 1] > 0 and e[2 * w] == h), 0)


def posting_in(line: bytes, h: int) -> list[int] | None:
    line = line.ljust(POST_WAYS * PLEN, b"\0")
    for w in range(POST_WAYS):
        th, n = struct.unpack_from("<II", line, w * PLEN)
        if n > 0 and th == h:
            return list(struct.unpack_from(f"<{n}I", line, w * PLEN + 8))
    return None


def before_place(index: Index, st: Stream, i: int, a: int, fp: Fingerprint) -> dict:
    """How far A's registered terms shared with B get in B's candidate search (place.lua replicated)."""
    s = index.settings
    terms = [(term_hash(t), float(w)) for t, w in fp.story_terms.items()]
    n_docs, vec, df_lines, post_lines = read_tables(index, a, [h for h, _ in terms])
    registered = [h for h, q in struct.iter_unpack("<IB", vec) if q][: s.story_posting_terms]
    weighted = []
    for (h, w), dl, pl in zip(terms, df_lines, post_lines):
        df = df_in(dl, h)
        idf = math.log((n_docs + 1) / (df + 1)) + 1
        weighted.append((w * idf, h, df, idf, pl))
    weighted.sort(key=lambda t: (-t[0], t[1]))
    looked = []  # place.lua: the strongest terms seen before, and those that look unseen (their
    for t in weighted:  # frequency entry recycled) but kept a posting list, up to the budget
        if len(looked) >= s.story_lookup_terms:
            break
        if t[2] > 0 or posting_in(t[4], t[1]):
            looked.append(t)
    hits: dict[int, float] = {}
    for _, h, _, idf, pl in looked:
        for c in posting_in(pl, h) or []:
            hits[c] = hits.get(c, 0.0) + idf
    top = set(sorted(hits, key=lambda c: (-hits[c], -c))[: s.story_max_candidates])
    stages = {}  # of each shared term, by its kind (r story-specific, t topic, g general)
    for name, (h, _) in zip(fp.story_terms, terms):
        if h in registered:
            t = next(t for t in weighted if t[1] == h)
            lst = posting_in(t[4], h) if h in looked_h(looked) else None
            known = t[2] > 0 or bool(posting_in(t[4], h))  # stage 1: unseen and listless to the tables
            st_ = 1 + known + (h in looked_h(looked)) + (lst is not None) + (lst is not None and (a + 1) in lst)
            stages[name[0]] = max(stages.get(name[0], 0), st_)
    stage = max(stages.values(), default=0)
    if stage == 5 and (a + 1) not in top:
        stage = 6  # A reached the hits but not the top candidates
    return {"stage": stage, "by_kind": stages, "in_top": (a + 1) in top, "candidates": len(hits),
            "registered": len(registered), "shared": sum(h in registered for h, _ in terms)}


def looked_h(looked: list) -> set[int]:
    return {t[1] for t in looked}


STAGES = {0: "no_registered_term_shared", 1: "df_entry_recycled", 2: "not_among_lookups",
          3: "posting_list_recycled", 4: "pushed_out_of_list", 5: "reached", 6: "cut_from_top_candidates"}


# -- brute force ------------------------------------------------------------------------------


def int_cosines(emb: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Cosines of the int8 pairs (x[k], y[k]) exactly as the Lua computes them."""
    out = np.empty(len(x))
    for lo in range(0, len(x), 50_000):
        a, b = emb[x[lo:lo + 50_000]].astype(np.int64), emb[y[lo:lo + 50_000]].astype(np.int64)
        out[lo:lo + 50_000] = (a * b).sum(1) / np.sqrt((a * a).sum(1) * (b * b).sum(1))
    return out


def brute_force(st: Stream, sample: np.ndarray, window: int, block: int = 16_384) -> tuple[np.ndarray, np.ndarray]:
    """Best cosine (and its position) of each sampled article over every earlier article within the
    window, by blocked float32 matmul of the int8 values (integer dots < 2^24: exact)."""
    q = st.emb[sample].astype(np.float32)
    qn = np.sqrt((q * q).sum(1))
    qday = st.day[sample]
    best, arg = np.full(len(sample), -2.0), np.full(len(sample), -1, np.int64)
    for lo in range(0, int(sample.max()), block):
        hi = min(lo + block, int(sample.max()))
        rows = np.flatnonzero((sample > lo) & (qday - window <= st.day[hi - 1]))
        if not len(rows):
            continue
        b = st.emb[lo:hi].astype(np.float32)
        cos = (q[rows] @ b.T) / (qn[rows, None] * np.sqrt((b * b).sum(1))[None, :])
        j = np.arange(lo, hi)
        ok = (j[None, :] < sample[rows, None]) & (st.day[lo:hi][None, :] >= qday[rows, None] - window)
        cos[~ok] = -2.0
        k = cos.argmax(1)
        c = cos[np.arange(len(rows)), k]
        better = c > best[rows]
        best[rows[better]], arg[rows[better]] = c[better], lo + k[better]
    has = arg >= 0
    best[has] = int_cosines(st.emb, sample[has], arg[has])  # exact, in float64
    return best, arg


def same_topic_cosines(st: Stream, rng: np.random.Generator, window: int, pairs: int = 20_000) -> np.ndarray:
    """Cosines of random same-topic pairs within the window, neither one's planted follower."""
    n = len(st.day)
    i = rng.integers(1, n, size=200 * pairs)
    j = (rng.random(200 * pairs) * i).astype(np.int64)
    ok = ((st.topic[i] == st.topic[j]) & (st.day[i] - st.day[j] <= window)
          & (st.parent[i] != j) & (st.parent[j] != i) & (st.parent[i] != st.parent[j]))
    i, j = i[ok][:pairs], j[ok][:pairs]
    return int_cosines(st.emb, i, j)


# -- report -------------------------------------------------------------------------------------


def sample_of(n: int, sample_n: int, seed: int) -> tuple[np.ndarray, np.random.Generator]:
    """The articles checked against brute force (sorted), and the generator that drew them."""
    rng = np.random.default_rng([seed, 2])
    return np.sort(rng.choice(n, size=min(sample_n, n), replace=False)), rng


def control_of(n: int, sample: np.ndarray, seed: int) -> np.ndarray:
    """With `--nearest-for sample`: as many other articles (sorted), placed by posting lists alone."""
    rest = np.setdiff1d(np.arange(n), sample)
    return np.sort(np.random.default_rng([seed, 3]).choice(rest, size=min(len(sample), len(rest)), replace=False))


def bf_recall(st: Stream, placed: Placed, sample: np.ndarray, theta: float, window: int) -> tuple[np.ndarray, np.ndarray]:
    """(brute-force match at >= theta, joined at >= theta by the index) of each sampled article."""
    best, _ = brute_force(st, sample, window)
    via = placed.via[sample]
    via_cos = np.full(len(sample), -1.0)
    has_via = via >= 0
    via_cos[has_via] = int_cosines(st.emb, sample[has_via], via[has_via])
    return best >= theta, placed.joined[sample] & (via_cos >= theta)


def recall_figures(st: Stream, placed: Placed, theta: float, window: int, sample_n: int, seed: int) -> dict:
    fol = np.flatnonzero(st.parent >= 0)
    pair_cos = int_cosines(st.emb, fol, st.parent[fol])
    hit = placed.story[fol] == placed.story[st.parent[fol]]
    sample, rng = sample_of(len(st.day), sample_n, seed)
    t = time.perf_counter()
    match, found = bf_recall(st, placed, sample, theta, window)
    bf_s = time.perf_counter() - t
    topic_cos = same_topic_cosines(st, rng, window)
    control = {}
    if placed.seeking < len(st.day) and placed.seeking:  # --nearest-for sample: the posting lists alone beside
        c_match, c_found = bf_recall(st, placed, control_of(len(st.day), sample, seed), theta, window)
        control = {"control_sample": int(len(c_match)), "control_brute_force_matches": int(c_match.sum()),
                   "control_brute_force_recall_posting_lists_only": round(float(c_found[c_match].mean()), 5)
                   if c_match.any() else None}
    return control | {
        "followers": int(len(fol)), "pair_cosine_min": round(float(pair_cos.min()), 4),
        "pair_cosine_ge_theta": round(float((pair_cos >= theta).mean()), 5),
        "pair_recall": round(float(hit.mean()), 5), "pair_joined_any": round(float(placed.joined[fol].mean()), 5),
        "sample": int(len(sample)), "brute_force_matches": int(match.sum()),
        "brute_force_matches_planted": int((match & (st.parent[sample] >= 0)).sum()),
        "brute_force_recall": round(float(found[match].mean()), 5) if match.any() else None,
        "index_joined_without_bf_match": int((placed.joined[sample] & ~match).sum()),
        "brute_force_seconds": round(bf_s, 1),
        "nonfollower_best_ge_theta": round(float(match[st.parent[sample] < 0].mean()), 5),
        "same_topic_cosine": {f"p{p}": round(float(np.percentile(topic_cos, p)), 4) for p in (50, 99, 99.9)}
        | {"max": round(float(topic_cos.max()), 4), "share_ge_theta": round(float((topic_cos >= theta).mean()), 6),
           "pairs": int(len(topic_cos))},
        "story_candidates_mean": round(float(placed.cands.mean()), 2),
    }


def diagnosis(st: Stream, placed: Placed) -> dict:
    """Followers diagnosed, by outcome, and the misses by the stage where A was lost."""
    d = placed.diag
    misses = Counter(STAGES[v["stage"]] for v in d.values() if v["outcome"] != "hit")
    return {"diagnosed": len(d), "outcomes": dict(Counter(v["outcome"] for v in d.values())),
            "misses_by_stage": dict(misses.most_common()),
            "hits_by_stage": dict(Counter(STAGES[v["stage"]] for v in d.values() if v["outcome"] == "hit")),
            "misses_by_story_specific_term_stage": dict(Counter(
                STAGES[v["by_kind"]["r"]] if "r" in v["by_kind"] else "no_story_specific_term_shared"
                for v in d.values() if v["outcome"] != "hit").most_common()),
            "mean_shared_registered_terms": round(float(np.mean([v["shared"] for v in d.values()])), 2) if d else None,
            "mean_candidates_hit": round(float(np.mean([v["candidates"] for v in d.values()])), 1) if d else None}


def settings_from(pairs: list[str]) -> IndexSettings:
    """IndexSettings with `field=value` overrides (typed as the field's default)."""
    base = IndexSettings()
    changes = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        changes[name] = type(getattr(base, name))(value)
    return dataclasses.replace(base, **changes)


def run(args: argparse.Namespace, url: str) -> dict:
    settings = settings_from(args.set)
    client = redis.Redis.from_url(url)
    client.config_set("appendonly", "no")
    client.flushall()
    t = time.perf_counter()
    st = make_stream(args.articles, args.days, args.topics, args.follow, args.seed)
    gen_s = time.perf_counter() - t
    print(f"  stream generated in {gen_s:.0f} s", file=sys.stderr, flush=True)
    index = Index(client, Keys(prefix="recall"), settings)
    only = sample_of(args.articles, args.sample, args.seed)[0] if args.nearest_for == "sample" else None
    placed = place_all(index, st, args.diag_every, only)
    mem = client.info("memory")
    out = {"articles": args.articles, "days": args.days, "per_day": math.ceil(args.articles / args.days),
           "topics": args.topics, "seed": args.seed, "settings": {k: v for k, v in dataclasses.asdict(settings).items()
                                                                   if v != getattr(IndexSettings(), k)},
           "nearest_for": args.nearest_for, "place_ms": round(placed.place_s / args.articles * 1000, 3),
           "place_ms_seeking_nearest": round(placed.nearest_s / placed.seeking * 1000, 3) if placed.seeking else None,
           "server_us_per_place": round(placed.server_us, 1),
           "used_memory_mb": round(mem["used_memory"] / 2**20, 1), "stories": index.story_count()}
    out |= recall_figures(st, placed, settings.story_embedding_threshold, settings.story_window_days,
                          args.sample, args.seed)
    out["diagnosis"] = diagnosis(st, placed)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--days", type=int, default=10, help="publication days the articles are spread over")
    ap.add_argument("--topics", type=int, default=300)
    ap.add_argument("--follow", type=float, default=0.2, help="share of articles (from day 1) that follow an earlier one")
    ap.add_argument("--sample", type=int, default=2000, help="articles checked against brute force")
    ap.add_argument("--diag-every", type=int, default=10, help="diagnose followers at positions divisible by this")
    ap.add_argument("--seed", type=int, default=28)
    ap.add_argument("--nearest-for", choices=("all", "sample"), default="all",
                    help="which articles seek story candidates by embedding: all (as the service does), or "
                         "only the brute-force sample (the rest by posting lists; the sample's recall is the "
                         "same, as its own candidates are, at a fraction of the time: see the docstring)")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="an IndexSettings override")
    ap.add_argument("--out", help="also write the figures (JSON) here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsflow-recall-") as tmp:
        server = EmbeddedServer(Path(tmp), maxmemory_share=0)
        url = server.acquire()
        try:
            out = run(args, url)
        finally:
            server.release()
    text = json.dumps(out, indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
