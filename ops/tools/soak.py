#!/usr/bin/env python3
"""Soak of retention: Redis memory stays flat once the retention window is full (issue 28, item 4a).

Commits `--articles` synthetic articles (default 1,000,000) through the real scripts, in order,
on a fresh embedded Valkey, with a simulated clock that advances 86400 / `--per-day` seconds per
article: for each one `Store.admit` (its source hash and raw bytes), `Index.place` (duplicates and
stories), `TagIndex.add` (entities, topics, keyword statistics) and `Store.commit(record, now=clock)`.
No NLP runs: the fingerprint, embedding and tags are generated, deterministically (seeded numpy,
in blocks of `BLOCK` articles):

* Fingerprint: a unique content_sha256, 128 MinHash values (the 128-byte b-bit MinHash is their
  low bytes, the 16 LSH rows their first 16, as newsflow.fingerprint makes them), ~20 story terms
  (5 of the 8 terms of the article's event, 15 drawn Zipf from a 2M-word vocabulary), an int8
  embedding (`to_int8`) of topic centroid + event vector + noise (cosine ~0.77 within an event,
  ~0.19 within a topic, ~0 across topics). An event (story) is new for 35% of articles, else one
  of the last 50,000 events picked log-uniformly (recent ones most). 3% of articles are exact
  copies (same text and content_sha256) and 2% near copies (12 of 128 MinHash values redrawn)
  of one of the previous 2,000 articles.
* Tags: 3-8 entities drawn Zipf from a pool of 200,000 names (half PERSON "First Last", ORG,
  GPE), the event's topic and sometimes a second of the 17 IPTC topics, 120-180 terms drawn Zipf
  from the 2M-word vocabulary (so the keyword statistics keep growing until trimmed).
* The record: the fields of `newsflow.record.ok_record`, with 2-4 KB of filler text and the
  placement's audit.

Every `--sweep-every` articles it does what a worker's sweeper does: `TagIndex.trim_terms()` and
`Retention.expire_due(now=clock)` (default settings: stats_kept_terms 500k). Every
`--sample-every` articles it records the clock's day, `used_memory` and the sizes of the main
structures; every `--census-every` it counts the keys of each family (SCAN). The JSON (`--out`) is
rewritten at every sample. At the end it prints a table per `--per-day` articles and whether
`used_memory` is flat over the last half of the run (its drift there: least-squares slope times
the half's length, under 2% of its mean), and bytes per held article.

The embedded server's append-only file is turned off (CONFIG SET appendonly no; `--aof` keeps it):
a million 5 KB records would write gigabytes and fork rewrites on a shared machine, and the AOF
is not what is measured (it is not part of the dataset; its buffers would add noise).

    PYTHONPATH=. python ops/tools/soak.py --articles 1000000 --out soak.json
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from newsflow.embed import to_int8  # noqa: E402
from newsflow.valkey import EmbeddedServer  # noqa: E402
from newsflow.placement import Index  # noqa: E402
from newsflow.placement.layout import ID_SHARDS  # noqa: E402
from newsflow.keys import Keys  # noqa: E402
from newsflow.values import Entity, Fingerprint, Tags, Topic  # noqa: E402
from newsflow.retention import Retention  # noqa: E402
from newsflow.settings import Settings  # noqa: E402
from newsflow.store import Source, Store  # noqa: E402
from newsflow.tagindex import TagIndex  # noqa: E402

#: Words of the vocabulary (story terms, tag terms, titles, filler).
VOCAB = 2_000_000
#: Entity names (Zipf-drawn: a few very frequent, a long tail).
ENTITIES = 200_000
#: Zipf exponent of words and entities.
ZIPF = 1.0
#: Articles generated per block (vectorised numpy).
BLOCK = 2000
#: Previous articles a copy may copy.
COPY_SPAN = 2000
#: Share of articles starting a new event (story); the others join one of the last EVENT_SPAN.
NEW_EVENT, EVENT_SPAN = 0.35, 50_000
#: Shares of exact and near copies.
EXACT, NEAR = 0.03, 0.02
#: Embedding = a * topic centroid + b * event vector + c * noise (unit vectors), then normalised.
MIX = (0.45, 0.8, 0.5)
DIM, PERM, BANDS = 512, 128, 16
#: The simulated clock's start (2024-01-01 UTC): in the past, so the stream's ids (server time)
#: are newer than any cutoff and only its MAXLEN trims it, as at a deployment's steady state.
START = 1_704_067_200.0
_SYL = [c + v for c in "bdfghjklmnprstvz" for v in "aeiou"]  # 80 syllables
_ORGS = ("Group", "Bank", "Party", "Council", "Corporation", "University", "Agency", "Union")
#: Arrays a copy takes from the article it copies (its text and everything computed from it).
_CONTENT = ("ev", "topic", "topic2", "ent", "nent", "story", "stw", "terms", "nterms", "emb", "mh", "shingles",
            "text", "tlen", "title")


def word(n: int) -> str:
    """The n-th word of the vocabulary: n in base 80 syllables, at least two (unique per n)."""
    out = [_SYL[n % 80]]
    n //= 80
    while n or len(out) < 2:
        out.append(_SYL[n % 80])
        n //= 80
    return "".join(out)


def entity(j: int) -> tuple[str, str]:
    """(name, label) of entity j: half persons (first and last name), ORG, GPE."""
    kind = j % 10
    if kind < 5:
        return f"{word(j % 3000 + 100).title()} {word(j * 7919 % 1_000_000 + 9000).title()}", "PERSON"
    if kind < 8:
        return f"{word(j * 104729 % 1_000_000 + 9000).title()} {_ORGS[j % len(_ORGS)]}", "ORG"
    return word(j * 15485863 % 1_000_000 + 9000).title(), "GPE"


def zipf_cdf(n: int, s: float = ZIPF) -> np.ndarray:
    p = np.arange(1, n + 1, dtype=np.float64) ** -s
    c = np.cumsum(p)
    return c / c[-1]


def draw(rng: np.random.Generator, cdf: np.ndarray, shape: Any) -> np.ndarray:
    """Ranks (0-based) drawn with the probabilities of `cdf`."""
    return np.minimum(np.searchsorted(cdf, rng.random(shape), side="right"), len(cdf) - 1).astype(np.int32)


def mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 of each value: a fixed hash (event -> topic, terms, vector)."""
    z = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


class Synth:
    """Deterministic synthetic articles in order (see the module docstring), a block at a time."""

    def __init__(self, seed: int, topics: tuple[str, ...]):
        self.rng = np.random.default_rng(seed)
        self.words = [word(n) for n in range(VOCAB)]
        self.entities = [entity(j) for j in range(ENTITIES)]
        self.term_cdf, self.entity_cdf = zipf_cdf(VOCAB), zipf_cdf(ENTITIES)
        self.topics = topics
        self.centroids = unit(self.rng.standard_normal((len(topics), DIM)))
        self.bank = unit(self.rng.standard_normal((4096, DIM)))
        self.filler = " ".join(self.words[k] for k in draw(self.rng, self.term_cdf, 40_000)) + ". "
        self.events = 0
        self.hist: dict[str, np.ndarray] = {}

    def block(self, n: int) -> dict[str, np.ndarray]:
        """The next `n` articles' arrays: content, then copies made of earlier rows."""
        c = self._content(n)
        kind = np.digitize(self.rng.random(n), [EXACT, EXACT + NEAR])  # 0 exact, 1 near, 2 original
        back = np.floor(np.exp(self.rng.random(n) * np.log(COPY_SPAN))).astype(np.int64) + 1
        c["sha"] = self.rng.integers(0, 256, (n, 32), dtype=np.uint8)
        c["srcsha"] = self.rng.integers(0, 256, (n, 32), dtype=np.uint8)
        h = len(self.hist.get("sha", ()))
        full = {k: np.concatenate([self.hist[k], c[k]]) if h else c[k] for k in (*_CONTENT, "sha")}
        for j in np.flatnonzero(kind < 2):
            src = h + j - back[j]
            if src < 0:
                continue
            for k in _CONTENT:
                full[k][h + j] = full[k][src]
            if kind[j] == 0:
                full["sha"][h + j] = full["sha"][src]
            else:
                redraw = self.rng.choice(PERM, 12, replace=False)
                full["mh"][h + j, redraw] = self.rng.integers(0, 2**32, 12, dtype=np.uint64).astype(np.uint32)
        self.hist = {k: v[-COPY_SPAN:].copy() for k, v in full.items()}
        out = {k: v[h:] for k, v in full.items()}
        out["srcsha"], out["copy"] = c["srcsha"], np.where(kind < 2, kind, -1)
        return out

    def _content(self, n: int) -> dict[str, np.ndarray]:
        rng = self.rng
        new = rng.random(n) < NEW_EVENT
        if self.events == 0:
            new[0] = True
        count = self.events + np.cumsum(new)
        back = np.floor(np.exp(rng.random(n) * np.log(np.minimum(count, EVENT_SPAN)))).astype(np.int64)
        ev = np.where(new, count - 1, count - np.maximum(back, 1))
        self.events = int(count[-1])
        topic = (mix(ev) % np.uint64(len(self.topics))).astype(np.int64)
        pick = np.argsort(rng.random((n, 8)), axis=1)[:, :5]  # 5 of the event's 8 terms
        own = (mix(ev[:, None] * 8 + pick + 10**9) % np.uint64(VOCAB)).astype(np.int32)
        story = np.concatenate([own, draw(rng, self.term_cdf, (n, 15))], axis=1)
        h1 = (mix(ev) % np.uint64(4096)).astype(np.int64)
        h2 = (mix(ev + 7 * 10**9) % np.uint64(4096)).astype(np.int64)
        a, b, w = MIX
        vec = (a * self.centroids[topic] + b * unit(self.bank[h1] + self.bank[h2])
               + w * unit(rng.standard_normal((n, DIM))))
        emb = np.stack([np.frombuffer(to_int8(v), dtype=np.int8) for v in unit(vec)])
        second = rng.integers(0, len(self.topics), n)
        return {
            "ev": ev, "topic": topic, "topic2": np.where(rng.random(n) < 0.35, second, -1),
            "ent": draw(rng, self.entity_cdf, (n, 8)), "nent": rng.integers(3, 9, n),
            "story": story, "stw": rng.integers(0, 4, (n, 20)),
            "terms": draw(rng, self.term_cdf, (n, 180)), "nterms": rng.integers(120, 181, n),
            "emb": emb, "mh": rng.integers(0, 2**32, (n, PERM), dtype=np.uint64).astype(np.uint32),
            "shingles": rng.integers(300, 700, n), "text": rng.integers(0, len(self.filler) - 4100, n),
            "tlen": rng.integers(2000, 4001, n), "title": draw(rng, self.term_cdf, (n, 7)),
        }


def articles(synth: Synth, b: dict[str, np.ndarray], first: int) -> Any:
    """(id, Source, raw bytes, Fingerprint, Tags, record without placement) of each row of block `b`
    (`first`: the number of its first article)."""
    mhb = (b["mh"] & 0xFF).astype(np.uint8)
    lsh = b["mh"][:, :BANDS].tolist()
    L = {k: b[k].tolist() for k in ("ev", "topic", "topic2", "ent", "nent", "story", "stw", "terms", "nterms",
                                    "shingles", "text", "tlen", "title")}
    W, weights = synth.words, (1.0, 1.693, 2.099, 2.386)
    for j in range(len(L["ev"])):
        n, srcsha = first + j, b["srcsha"][j].tobytes().hex()
        aid, text = srcsha[:32], synth.filler[L["text"][j]:L["text"][j] + L["tlen"][j]]
        story = {W[t]: weights[w] + (1.0 if k < 5 else 0.0) for k, (t, w) in enumerate(zip(L["story"][j], L["stw"][j]))}
        fp = Fingerprint(content_sha256=b["sha"][j].tobytes().hex(), minhash=mhb[j].tobytes(), lsh=tuple(lsh[j]),
                         shingles=L["shingles"][j], story_terms=story, embedding=b["emb"][j].tobytes())
        names = dict.fromkeys(L["ent"][j][:L["nent"][j]])
        ents = tuple(Entity(*synth.entities[e], count=1 + e % 4, canonical=synth.entities[e][0]) for e in names)
        second = L["topic2"][j]
        tops = dict.fromkeys([L["topic"][j]] + ([second] if second >= 0 else []))
        topics = tuple(Topic(synth.topics[t], round(0.9 - 0.3 * k, 2)) for k, t in enumerate(tops))
        terms = tuple(dict.fromkeys(W[t] for t in L["terms"][j][:L["nterms"][j]]))
        tags = Tags(language="en", entities=ents, keywords=terms[:10], topics=topics, terms=terms)
        name = f"feed{n % 40:02d}/{aid[:12]}.html"
        raw = text.encode()
        source = Source(name=name, path=f"/srv/newsflow/inbox/{name}", size=len(raw) + 900, sha256=srcsha)
        outlet = f"{W[n % 40 + 500].title()} News"
        record = {
            "id": aid, "status": "ok",
            "source": {"name": source.name, "path": source.path, "bytes": source.size, "sha256": srcsha, "aliases": []},
            "title": " ".join(W[t] for t in L["title"][j]).capitalize(), "text": text, "published": None,
            "authors": [synth.entities[(n * 10) % ENTITIES][0]], "outlet": outlet, "language": "en",
            "fingerprint": fp.to_record(), "duplicate_of": None, "story_id": "",
            "entities": [{"text": e.text, "label": e.label, "count": e.count, "canonical": e.name} for e in ents],
            "keywords": list(tags.keywords), "topics": [t.name for t in topics],
            "topic_scores": {t.name: t.score for t in topics}, "tagging": {}, "placement": {},
            "url": f"https://{outlet.split()[0].lower()}.example/{aid[:16]}", "format": "html", "encoding": "utf-8",
            "worker": "soak@localhost",
        }
        yield aid, source, raw, fp, tags, record


class Soak:
    """The real objects on one key prefix, and what the run measured."""

    def __init__(self, client: redis.Redis, args: argparse.Namespace):
        self.client, self.args = client, args
        self.keys = Keys(prefix="soak")
        self.settings = Settings(retention=f"{args.retention_days}d")
        self.store = Store(client, self.keys)
        self.index = Index(client, self.keys, self.settings.index)
        self.tags = TagIndex(client, self.keys, self.settings.tag)
        self.retention = Retention(client, self.keys, self.settings)
        self.index._allocate()  # the fixed tables (28 MB) before the baseline: they are not per article
        client.config_resetstat()
        self.baseline = self.memory()
        self.samples: list[dict[str, Any]] = []
        self.census: list[dict[str, Any]] = []
        self.sweep = {"passes": 0, "expired": 0, "trims": 0, "trimmed": 0, "seconds": 0.0, "max_pass_s": 0.0}
        self.started = time.monotonic()
        self.placed = {"exact-sha256": 0, "minhash-lsh": 0, "joined": 0, "new": 0}

    def memory(self) -> dict[str, Any]:
        info = self.client.info("memory")
        return {k: info[k] for k in ("used_memory", "used_memory_dataset", "used_memory_rss",
                                     "mem_fragmentation_ratio", "used_memory_scripts") if k in info}

    def script_usec(self) -> int:
        """Server time spent in scripts (EVALSHA: admit, place, tag_add, commit, expire...) so far."""
        return self.client.info("commandstats").get("cmdstat_evalsha", {}).get("usec", 0)

    def one(self, art: tuple, clock: float, published: str) -> None:
        """One article through admit, place, tag and commit, as a worker does."""
        aid, source, raw, fp, tags, record = art
        self.store.admit(aid, source, raw)
        placement = self.index.place(aid, fp, published)
        self.tags.add(aid, tags)
        record.update(published=published, duplicate_of=placement.duplicate_of, story_id=placement.story_id,
                      placement=dict(placement.audit))
        dup = placement.audit["duplicate"]["method"]
        self.placed[dup or placement.audit["story"]["method"]] += 1
        if not self.store.commit(record, now=clock):
            raise RuntimeError(f"article {aid} was committed before: ids must be unique")

    def sweep_pass(self, clock: float) -> None:
        """What the worker's sweeper does: trim the keyword statistics, expire what is past retention."""
        t = time.monotonic()
        trimmed = self.tags.trim_terms()
        done = self.retention.expire_due(now=clock)
        took = time.monotonic() - t
        s = self.sweep
        s["passes"] += 1
        s["expired"] += done.articles
        s["trims"] += bool(trimmed)
        s["trimmed"] += trimmed
        s["seconds"] += took
        s["max_pass_s"] = max(s["max_pass_s"], round(took, 3))

    def sample(self, n: int, clock: float) -> dict[str, Any]:
        """The clock's day, memory, and the main structures' sizes after `n` articles."""
        c, k = self.client, self.keys
        pipe = c.pipeline(transaction=False)
        for shard in range(ID_SHARDS):
            pipe.hlen(k.fp_ids(shard))
            pipe.hlen(k.fp_sha(shard))
        lens = pipe.execute()
        mem = self.memory()
        held = c.zcard(k.expiry())
        row = {
            "articles": n, "day": round((clock - START) / 86400, 3),
            "elapsed_s": round(time.monotonic() - self.started, 1),
            **mem, "held": held,
            "bytes_per_held": round((mem["used_memory"] - self.baseline["used_memory"]) / held) if held else None,
            "tag_df": c.hlen(k.tag_df()), "tag_df_bytes": c.memory_usage(k.tag_df(), samples=0) or 0,
            "floor": self.index.floor(), "seq": self.index.size(), "fp_kept": c.hlen(k.fp_kept()),
            "fp_kept_until": c.zcard(k.fp_kept_until()), "fp_ids": sum(lens[0::2]), "fp_sha": sum(lens[1::2]),
            "stream": c.xlen(k.stream()), "stream_bytes": c.memory_usage(k.stream(), samples=0) or 0,
            "tag_indexed": c.scard(k.tag_indexed()), "status": c.hlen(k.status()),
            "entities": c.zcard(k.tag_entity_counts()), "pending": c.zcard(k.pending()),
            "stories": self.index.story_count(), "dbsize": c.dbsize(), "sweep": dict(self.sweep),
            "placed": dict(self.placed), "server_script_usec": self.script_usec(),
        }
        self.samples.append(row)
        return row

    def take_census(self, n: int) -> dict[str, Any]:
        """Keys per family (the name up to its article id, chunk or shard number), by SCAN."""
        families: dict[str, int] = {}
        for key in self.client.scan_iter(match=f"{self.keys.prefix}:*", count=10_000):
            parts = key.decode("utf-8", "replace").split(":")
            fam = ":".join(parts[1:3] if parts[1] in ("{fp}", "tag") and len(parts) > 3 else parts[1:2])
            families[fam] = families.get(fam, 0) + 1
        row = {"articles": n, "keys": dict(sorted(families.items()))}
        self.census.append(row)
        return row


def run(soak: Soak, synth: Synth, args: argparse.Namespace, log: Any) -> None:
    """Every article in order, with the sweeps, samples and censuses at their cadence."""
    step, n = 86400.0 / args.per_day, 0
    days: dict[int, str] = {}
    while n < args.articles:
        block = synth.block(min(BLOCK, args.articles - n))
        for art in articles(synth, block, n):
            clock = START + n * step
            day = int(n * step // 86400)
            if day not in days:
                days[day] = dt.datetime.fromtimestamp(START + day * 86400, dt.timezone.utc).date().isoformat()
            soak.one(art, clock, days[day])
            n += 1
            if n % args.sweep_every == 0:
                soak.sweep_pass(clock)
            if n % args.sample_every == 0 or n == args.articles:
                row = soak.sample(n, clock)
                print(json.dumps({k: v for k, v in row.items() if k not in ("sweep", "placed")}), file=log, flush=True)
                if args.census_every and (n % args.census_every == 0 or n == args.articles):
                    print(json.dumps(soak.take_census(n)), file=log, flush=True)
                write(args.out, report(soak, args))


def flatness(samples: list[dict[str, Any]], field: str = "used_memory") -> dict[str, Any]:
    """Over the last half of the run: min, max, max/min, least-squares slope per 100k articles, and
    the drift (slope x the half's length) relative to the mean; flat when the drift is under 2%."""
    last = samples[-1]["articles"] if samples else 0
    half = [s for s in samples if s["articles"] >= last / 2]
    if len(half) < 3:
        return {"samples": len(half), "flat": None}
    x = np.array([s["articles"] for s in half], dtype=float)
    y = np.array([s[field] for s in half], dtype=float)
    slope = float(np.polyfit(x, y, 1)[0])
    drift = slope * (x[-1] - x[0]) / float(y.mean())
    return {"field": field, "from_articles": int(x[0]), "to_articles": int(x[-1]), "samples": len(half),
            "min": int(y.min()), "max": int(y.max()), "max_over_min": round(float(y.max() / y.min()), 4),
            "mean": int(y.mean()), "slope_per_100k_articles": round(slope * 100_000),
            "drift_over_half": round(float(drift), 4), "flat": bool(abs(drift) < 0.02)}


def table(soak: Soak, every: int) -> list[dict[str, Any]]:
    """One row per `every` articles: the sample taken there."""
    base = soak.baseline["used_memory"]
    rows = []
    for s in soak.samples:
        if s["articles"] % every == 0 or s is soak.samples[-1]:
            rows.append({"articles": s["articles"], "day": s["day"],
                         "used_memory_mb": round(s["used_memory"] / 2**20, 1),
                         "rss_mb": round(s["used_memory_rss"] / 2**20, 1), "held": s["held"],
                         "bytes_per_held": round((s["used_memory"] - base) / s["held"]) if s["held"] else None,
                         "tag_df": s["tag_df"], "fp_kept": s["fp_kept"], "floor": s["floor"], "stream": s["stream"]})
    return rows


def report(soak: Soak, args: argparse.Namespace) -> dict[str, Any]:
    last = soak.samples[-1] if soak.samples else {}
    full = args.retention_days * args.per_day
    steady = [s for s in soak.samples if s["articles"] >= last.get("articles", 0) / 2 and s["held"]]
    fixed = [(s["used_memory"] - soak.baseline["used_memory"] - s["tag_df_bytes"] - s["stream_bytes"]) / s["held"]
             for s in steady]
    return {
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "baseline": soak.baseline, "window_full_at_articles": full,
        "articles_done": last.get("articles", 0), "elapsed_s": round(time.monotonic() - soak.started, 1),
        "flat": flatness(soak.samples), "flat_rss": flatness(soak.samples, "used_memory_rss"),
        "bytes_per_held_last_half": round(float(np.mean([s["bytes_per_held"] for s in steady]))) if steady else None,
        "bytes_per_held_without_tag_df_and_stream_last_half": round(float(np.mean(fixed))) if fixed else None,
        "table": table(soak, args.per_day), "sweep": soak.sweep, "placed": soak.placed,
        "census": soak.census, "samples": soak.samples,
    }


def write(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    os.replace(tmp, path)


def print_table(data: dict[str, Any]) -> None:
    cols = ("articles", "day", "used_memory_mb", "rss_mb", "held", "bytes_per_held", "tag_df", "fp_kept", "floor",
            "stream")
    print(" ".join(f"{c:>14}" for c in cols))
    for row in data["table"]:
        print(" ".join(f"{row[c] if row[c] is not None else '-':>14}" for c in cols))
    f = data["flat"]
    print(f"baseline used_memory (fixed tables allocated): {data['baseline']['used_memory']:,} bytes")
    if f.get("flat") is not None:
        print(f"last half ({f['from_articles']:,}..{f['to_articles']:,} articles): used_memory min {f['min']:,} max "
              f"{f['max']:,} (max/min {f['max_over_min']}), slope {f['slope_per_100k_articles']:,} bytes per 100k "
              f"articles, drift {f['drift_over_half']:+.2%} of the mean: {'FLAT' if f['flat'] else 'NOT FLAT'}")
    print(f"bytes per held article (last half): {data['bytes_per_held_last_half']}; without tag:df and the stream: "
          f"{data['bytes_per_held_without_tag_df_and_stream_last_half']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1_000_000)
    ap.add_argument("--per-day", type=int, default=100_000, help="articles per simulated day (the clock's pace)")
    ap.add_argument("--retention-days", type=int, default=3,
                    help="retention (default 3: the window must fill well before the end; 1M articles at "
                         "100k a day are 10 days, so the last 7 run with the window full)")
    ap.add_argument("--sample-every", type=int, default=10_000)
    ap.add_argument("--sweep-every", type=int, default=1000, help="articles between sweeper passes")
    ap.add_argument("--census-every", type=int, default=100_000, help="articles between key censuses (0: none)")
    ap.add_argument("--seed", type=int, default=28)
    ap.add_argument("--aof", action="store_true", help="keep the embedded server's append-only file on")
    ap.add_argument("--out", type=Path, default=Path("soak.json"))
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="newsflow-soak-")
    server = EmbeddedServer(Path(tmp.name))
    client = redis.Redis.from_url(server.acquire(), socket_timeout=120)
    try:
        if not args.aof:
            client.config_set("appendonly", "no")
        t = time.monotonic()
        soak = Soak(client, args)
        synth = Synth(args.seed, soak.tags.taxonomy.names)
        print(f"setup {time.monotonic() - t:.1f} s; baseline {soak.baseline}", flush=True)
        run(soak, synth, args, sys.stdout)
        data = report(soak, args)
        write(args.out, data)
        print_table(data)
        print(f"written {args.out}")
    finally:
        client.close()
        server.release()
        tmp.cleanup()


if __name__ == "__main__":
    main()
