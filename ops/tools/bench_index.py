#!/usr/bin/env python3
"""Benchmark of the shared duplicate/story index: cost per operation at 1,000 and at 100,000 articles.

Fills a fresh embedded Valkey (or NEWSFLOW_REDIS_URL, with --prefix) with synthetic fingerprints
(random MinHash values, 100 story terms drawn from a Zipf vocabulary of 200,000 words, a random
int8 embedding, one article in ten a near copy of an earlier one), then at each checkpoint measures
  * insert: Index.place of 1,000 new articles (the LSH query, verification, story search and insert),
  * query:  placement_of + story_members + duplicates_of of 1,000 random indexed articles,
  * floor:  one random stored-record read (server time), the memory hierarchy's share alone,
and reports the mean cost, the ratio 100k/1k (target <= 1.2) and the Redis memory per indexed
article (INFO used_memory growth, and the sum of MEMORY USAGE over the index's keys, the 28 MB of
fixed tables included), and what one more article adds (the keys' growth from 1k to 100k; target
<= 1 KB with its 384-byte embedding).

Read the insert ratio next to the floor ratio: an insert does a bounded amount of work (caps on
buckets, posting lists and candidates). Its LSH, document-frequency and posting lookups read one line
of a fixed-size table each, the same at any size; what it reads of the stored records (candidates)
pays what the memory hierarchy charges for a random access at that size, which the floor shows.

    python ops/tools/bench_index.py [--sizes 1000 100000] [--batch 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from newsflow.embed import to_int8  # noqa: E402
from newsflow.valkey import EmbeddedServer  # noqa: E402
from newsflow.fingerprint import FingerprintSettings  # noqa: E402
from newsflow.placement.settings import IndexSettings  # noqa: E402
from newsflow.fingerprint.signatures import NUM_PERM  # noqa: E402
from newsflow.placement import Index  # noqa: E402
from newsflow.placement.layout import EMBEDDING, REC_CHUNK, RECORD  # noqa: E402
from newsflow.keys import Keys  # noqa: E402
from newsflow.values import Fingerprint  # noqa: E402


class Synth:
    """Synthetic fingerprints: random MinHash, Zipf story terms, 10% near copies."""

    def __init__(self, seed: int = 1, vocab: int = 200_000):
        self.rng = np.random.default_rng(seed)
        ranks = np.arange(1, vocab + 1)
        p = 1 / ranks**1.05
        self.cdf = np.cumsum(p / p.sum())
        self.vocab = vocab
        self.kept: list[tuple[np.ndarray, int]] = []
        self.n = 0

    def words(self, k: int) -> list[int]:
        """k distinct words drawn one after another with Zipf probability: draws with replacement
        with repeats dropped, which is that distribution (`rng.choice(replace=False, p=...)` draws
        the same but costs O(vocabulary) a call: 75x slower, and the fill to 100k took minutes)."""
        out: dict[int, None] = {}
        while len(out) < k:
            for w in np.searchsorted(self.cdf, self.rng.random(2 * k), side="right"):
                out.setdefault(int(min(w, self.vocab - 1)), None)
                if len(out) == k:
                    break
        return list(out)

    def next(self) -> tuple[str, Fingerprint, str]:
        self.n += 1
        settings = FingerprintSettings()
        if self.kept and self.rng.random() < 0.1:  # a near copy of an earlier article
            mh, shingles = self.kept[int(self.rng.integers(len(self.kept)))]
            mh = mh.copy()
            flip = self.rng.choice(NUM_PERM, size=20, replace=False)
            mh[flip] = self.rng.integers(0, 2**32, size=20, dtype=np.uint64).astype(np.uint32)
        else:
            mh = self.rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32)
            shingles = int(self.rng.integers(150, 1500))
            if len(self.kept) < 5000:
                self.kept.append((mh, shingles))
            else:
                self.kept[int(self.rng.integers(5000))] = (mh, shingles)
        words = self.words(100)
        terms = {f"t{w}": round(float(1 + np.log1p(self.rng.integers(0, 4))), 3) for w in words}
        # an int8 embedding like the story model's (to_int8 of a unit vector): every candidate's is compared
        embedding = to_int8(self.rng.normal(size=EMBEDDING))
        fp = Fingerprint(content_sha256=os.urandom(32).hex(), minhash=(mh & 0xFF).astype(np.uint8).tobytes(),
                         lsh=tuple(int(v) for v in mh[: settings.lsh_bands]), shingles=shingles, story_terms=terms,
                         embedding=embedding)
        day = 18000 + self.n // 2000  # ~2,000 articles a day
        published = str(np.datetime64("1970-01-01") + np.timedelta64(day, "D"))
        aid = f"{self.rng.integers(0, 2**63):016x}{self.n:016x}"
        return aid, fp, published


# The memory floor: the cheapest thing an insert does, reading one stored record at random, timed
# at each size on the same server. The records are the same 316 bytes at both sizes; only the
# region they are spread over grows (0.3 MB of records at 1k, 32 MB at 100k), so the ratio is
# what the memory hierarchy alone charges for a random access, with no algorithmic growth at all.
_FLOOR = """
local REC, n = tonumber(ARGV[1]), 0
for i = 2, #ARGV - 1, 2 do
  local off = tonumber(ARGV[i + 1])
  n = n + #redis.call('GETRANGE', ARGV[i], off, off + REC - 1)
end
return n
"""


def script_usec(client: redis.Redis) -> int:
    """Server time spent in scripts (EVALSHA) since the last CONFIG RESETSTAT, in microseconds."""
    return client.info("commandstats").get("cmdstat_evalsha", {}).get("usec", 0)


def memory_floor(index: Index, reads: int = 200, calls: int = 50) -> float:
    """Server time of one random record read, in microseconds (median over `calls` scripts)."""
    client, n = index.client, index.size()
    script = client.register_script(_FLOOR)
    rng = random.Random(n)
    per = []
    for _ in range(calls):
        args: list[object] = [RECORD]
        for k in (rng.randrange(n) for _ in range(reads)):  # article numbers start at 1: k = number - 1
            args += [index.keys.fp_records(k // REC_CHUNK), (k % REC_CHUNK) * RECORD]
        client.config_resetstat()
        got = script(keys=[], args=args)
        if got != reads * RECORD:
            raise RuntimeError(f"floor read {got} bytes of records, expected {reads * RECORD}: record layout changed?")
        per.append(script_usec(client) / reads)
    return statistics.median(per)


def index_memory(client: redis.Redis, prefix: str) -> int:
    return sum(client.memory_usage(k, samples=0) or 0 for k in client.scan_iter(Keys(prefix=prefix).fp_pattern(), count=5000))


def measure(index: Index, synth: Synth, ids: list[str], batch: int, repeat: int) -> dict:
    """Median over `repeat` rounds of: `batch` inserts, then `batch` reads of random indexed articles.

    Besides the client's wall time (noisy on a shared machine) it reports the server's own time
    per place script (INFO commandstats, usec_per_call of EVALSHA) and the work done per insert
    (duplicate and story candidates examined, from the placement audit): the work is bounded by
    the caps, so it is the same at both sizes once the caps are reached.
    """
    client = index.client
    inserts, servers, queries, dup_c, story_c = [], [], [], [], []
    per = max(1, batch // repeat)
    for _ in range(repeat):
        new = [synth.next() for _ in range(per)]
        client.config_resetstat()
        t = time.perf_counter()
        placed = [index.place(aid, fp, pub) for aid, fp, pub in new]
        inserts.append((time.perf_counter() - t) / per)
        servers.append(script_usec(client) / per)
        dup_c.append(sum(p.audit["duplicate"]["candidates"] for p in placed) / per)
        story_c.append(sum(p.audit["story"]["candidates"] for p in placed) / per)
        ids.extend(a for a, _, _ in new)
        sample = random.Random(len(ids)).sample(ids, min(per, len(ids)))
        t = time.perf_counter()
        for aid in sample:
            p = index.placement_of(aid)
            index.story_members(p.story_id)
            index.duplicates_of(aid)
        queries.append((time.perf_counter() - t) / len(sample))
    med = statistics.median
    return {"insert_ms": med(inserts) * 1000, "server_us": med(servers), "query_ms": med(queries) * 1000,
            "dup_candidates": med(dup_c), "story_candidates": med(story_c)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    ap.add_argument("--batch", type=int, default=1000, help="inserts (and reads) measured at each size")
    ap.add_argument("--repeat", type=int, default=10, help="rounds the batch is split in (the median is reported)")
    ap.add_argument("--prefix", default="bench")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="newsflow-bench-")
    server = None
    url = os.environ.get("NEWSFLOW_REDIS_URL")
    if not url:
        server = EmbeddedServer(Path(tmp.name))
        url = server.acquire()
    client = redis.Redis.from_url(url)
    try:
        _clear(client, args.prefix)
        rows = run(client, args)
        if len(rows) >= 2:
            lo, hi = rows[0], rows[-1]
            print(json.dumps({
                "insert_ratio": round(hi["insert_ms"] / lo["insert_ms"], 3),
                "insert_server_ratio": round(hi["insert_server_us"] / lo["insert_server_us"], 3),
                "query_ratio": round(hi["query_ms"] / lo["query_ms"], 3),
                "floor_ratio": round(hi["floor_read_us"] / lo["floor_read_us"], 3),
                # what one more article costs: the growth of the index's keys between the two sizes
                # (the fixed tables, 28 MB at any size, are in bytes_per_article_keys, not here)
                "bytes_per_added_article": round((hi["keys_bytes"] - lo["keys_bytes"]) / (hi["indexed"] - lo["indexed"])),
                "target": "ratio <= 1.2, bytes per added article <= 1024",
            }))
    finally:
        _clear(client, args.prefix)
        client.close()
        if server is not None:
            server.release()
        tmp.cleanup()


def _clear(client: redis.Redis, prefix: str) -> None:
    for k in client.scan_iter(f"{prefix}:*", count=5000):
        client.delete(k)


def run(client: redis.Redis, args: argparse.Namespace) -> list[dict]:
    """Fill the index to each size in turn and measure there; one printed row per size."""
    index = Index(client, Keys(prefix=args.prefix), IndexSettings())
    synth = Synth()
    ids: list[str] = []
    base_mem = client.info("memory")["used_memory"]
    rows = []
    for size in sorted(args.sizes):
        t = time.perf_counter()
        for _ in range(max(0, size - index.size())):
            aid, fp, pub = synth.next()
            index.place(aid, fp, pub)
            ids.append(aid)
        fill_s = time.perf_counter() - t
        n = index.size()
        used = client.info("memory")["used_memory"] - base_mem
        keys_bytes = index_memory(client, args.prefix)
        m = measure(index, synth, ids, args.batch, args.repeat)
        floor = memory_floor(index)
        row = {
            "indexed": n, "fill_s": round(fill_s, 1), "insert_ms": round(m["insert_ms"], 3),
            "insert_server_us": round(m["server_us"], 1), "query_ms": round(m["query_ms"], 3),
            "dup_candidates": m["dup_candidates"], "story_candidates": m["story_candidates"],
            "bytes_per_article_used_memory": round(used / n),
            "bytes_per_article_keys": round(keys_bytes / n), "keys_bytes": keys_bytes, "stories": index.story_count(),
            "floor_read_us": round(floor, 3),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


if __name__ == "__main__":
    main()
