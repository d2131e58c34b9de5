#!/usr/bin/env python3
"""newsflow's benchmark: every measurement side by side in one run, one table.

    python ops/tools/bench.py [--articles 300] [--burst 10000] [--shared ../shared] [--skip up2,watcher]

Corpus: the real pages of `<shared>/eval/maintext/txt`, cycled to the
requested size; each copy gets a unique reference line, so every file has
its own id (copies of one page are near-duplicates, as wire copy is).

Measures, in this order, on this machine, in this run:
  stages   CPU ms per article of clean, tag, fingerprint, embed (in-process, no I/O),
           and of index + store (Redis round trips, commit, result file)
  embed    the story model against the NER, CPU per article, native and AVX2-only kernels, with the
           CPU's flags (ops/tools/bench_embed.py)
  ratio    ops/tools/bench_ratio.py: stock spaCy NER on the raw pages vs NER on the clean text vs the whole
           pipeline, CPU per page, on unique pages and on a stream with wire copies
  inline   `newsflow process --inline` throughput (one process, no broker): the baseline
  up1/up2  `newsflow up` with 1 and 2 worker processes: drop -> last result throughput
  latency  drop -> result at light load (one file every 0.5 s), p50/p99, and beyond the stages' own time
  watcher  admission rate of a burst of small files (watcher alone, no workers)
  memory   PSS of a worker node with 1, 2, 4 pool processes (models loaded once per node, before
           the pool forks); peak RSS per worker process; Redis used_memory per article
Throughputs exclude start-up (model loading): a run starts once workers are online.
The index cost at 1k vs 100k articles is `ops/tools/bench_index.py` (long: ~15 min).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "ops" / "tools"))  # ops/tools/bench_ratio.py

import redis  # noqa: E402

from newsflow.valkey import EmbeddedServer  # noqa: E402
from newsflow.limits import limit_threads  # noqa: E402


def corpus(shared: Path, n: int, folder: Path) -> list[Path]:
    pages = sorted((shared / "eval" / "maintext" / "txt").glob("*.txt"))
    if not pages:
        raise SystemExit(f"no pages in {shared}/eval/maintext/txt; pass --shared")
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        data = pages[i % len(pages)].read_bytes() + f"\n\nbench reference {i}\n".encode()
        path = folder / f"b{i:06d}.txt"
        path.write_bytes(data)
        out.append(path)
    return out


def env_for(state: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    env.update(NEWSFLOW_STATE_DIR=str(state), NEWSFLOW_SUMMARY_SECONDS="0", **extra)
    return env


def events(log: Path) -> list[dict]:
    out = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def ts(event: dict) -> float:
    from datetime import datetime

    return datetime.fromisoformat(event["ts"].replace("Z", "+00:00")).timestamp()


# -- 1. stage CPU cost ----------------------------------------------------------
def bench_stages(files: list[Path], work: Path) -> dict:
    from newsflow.clean import clean
    from newsflow.embed import article_text, to_int8
    from newsflow.fingerprint import fingerprint
    from newsflow.values import Document
    from newsflow.nlp import load_models
    from newsflow.settings import Settings
    from newsflow.tag import tag

    s = Settings.from_env({})
    models = load_models(s, "bench")
    model, embedder = models.tag, models.embedder
    docs = [Document(name=p.name, data=p.read_bytes()) for p in files]
    cpu = {"clean": 0.0, "tag": 0.0, "fingerprint": 0.0, "embed": 0.0}
    outs = []
    for doc in docs:
        t = time.process_time()
        c = clean(doc, s.clean)
        cpu["clean"] += time.process_time() - t
        t = time.process_time()
        g = tag(c, model, s.tag)
        cpu["tag"] += time.process_time() - t
        t = time.process_time()
        f = fingerprint(c, g, s.fingerprint)
        cpu["fingerprint"] += time.process_time() - t
        t = time.process_time()
        f = dataclasses.replace(f, embedding=to_int8(embedder.embed(article_text(c.title or "", c.paragraphs))))
        cpu["embed"] += time.process_time() - t
        outs.append((doc, c, g, f))
    # index + store: the Redis side of one article, against a private server
    from newsflow.placement import Index
    from newsflow.keys import Keys
    from newsflow.record import ok_record, source_fields
    from newsflow.store import Source, Store
    from newsflow.connection import connect
    from newsflow.results import write_result_file

    server = EmbeddedServer(work / "stages-state")
    client = connect(server.acquire())
    keys = Keys()
    store, index = Store(client, keys), Index(client, keys, s.index)
    t = time.process_time()
    w = time.perf_counter()
    for doc, c, g, f in outs:
        src = Source(doc.name, doc.name, len(doc.data), doc.id)
        store.admit(doc.id, src, doc.data)
        placement = index.place(doc.id, f, c.published)
        record = ok_record(doc.id, source_fields({"name": doc.name}, []), c, g, f, placement)
        store.commit(record)
        write_result_file(work / "stages-results", record)
    cpu["index+store"] = time.process_time() - t
    wall_store = time.perf_counter() - w
    client.close()
    server.release()
    n = len(docs)
    out = {k: 1000 * v / n for k, v in cpu.items()}
    out["index+store wall"] = 1000 * wall_store / n
    return out


def bench_embed_engines(shared: Path) -> dict:
    """The story model's CPU against the NER's, native kernels and AVX2 kernels alone, with the
    CPU's flags (ops/tools/bench_embed.py)."""
    import bench_embed

    return bench_embed.run(shared, 102)


# -- 2. inline baseline -----------------------------------------------------------
def bench_inline(files: list[Path], work: Path) -> dict:
    log = work / "inline.log"
    with open(log, "wb") as fh:
        subprocess.run([sys.executable, "-m", "newsflow", "process", *map(str, files), "--results",
                        str(work / "inline-results"), "--inline"], cwd=work, env=env_for(work / "inline-state"),
                       stdout=fh, stderr=subprocess.STDOUT, check=False)
    ev = events(log)
    stages = [e for e in ev if e["event"] == "stage_done"]
    done = [e for e in ev if e["event"] == "article_done"]
    first_clean = min((e for e in stages if e["stage"] == "clean"), key=ts)
    start = ts(first_clean) - first_clean["duration_ms"] / 1000
    seconds = max(ts(e) for e in done) - start
    return {"articles": len(done), "seconds": seconds, "per_second": len(done) / seconds}


# -- 3. up ------------------------------------------------------------------------
class UpRun:
    def __init__(self, work: Path, name: str, workers: int):
        self.root = work / name
        self.inbox, self.results = self.root / "inbox", self.root / "results"
        self.inbox.mkdir(parents=True)
        self.log = self.root / "up.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "newsflow", "up", "--inbox", str(self.inbox), "--results", str(self.results),
             "--workers", str(workers)], cwd=self.root, env=env_for(self.root / "state"),
            stdout=open(self.log, "wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while not [e for e in events(self.log) if e["event"] == "pool_process_ready"][workers - 1:]:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit(f"up did not start: {self.log}")
            time.sleep(0.2)
        self.baseline = self.redis_memory()[0]

    def count(self) -> int:
        return sum(1 for _ in self.results.glob("*.json")) if self.results.exists() else 0

    def drop(self, files: list[Path]) -> float:
        """Move files into the inbox (atomic renames); returns the drop time."""
        staging = self.root / ".staging"
        staging.mkdir(exist_ok=True)
        for f in files:
            shutil.copy(f, staging / f.name)
        t0 = time.time()
        for f in files:
            os.rename(staging / f.name, self.inbox / f.name)
        return t0

    def wait(self, n: int, timeout: float = 3600) -> float:
        deadline = time.monotonic() + timeout
        while self.count() < n:
            if time.monotonic() > deadline:
                raise SystemExit(f"only {self.count()} of {n} results: {self.log}")
            time.sleep(0.05)
        return time.time()

    def pss_mb(self) -> dict[str, list[float]]:
        """Proportional set size (shared pages divided among their sharers) of the worker node's
        main process and of each pool process, from /proc/<pid>/smaps_rollup."""
        def pss(pid: int) -> float:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            return int(next(line for line in rollup.splitlines() if line.startswith("Pss:")).split()[1]) / 1024

        ev = events(self.log)
        pool = sorted({e["pid"] for e in ev if e["event"] == "pool_process_ready"})
        node = sorted({e["pid"] for e in ev if e["event"] == "model_loaded"})
        return {"node": [pss(p) for p in node], "pool": [pss(p) for p in pool]}

    def worker_peak_rss_mb(self) -> list[float]:
        out = []
        for e in events(self.log):
            if e["event"] == "pool_process_ready":
                try:
                    status = Path(f"/proc/{e['pid']}/status").read_text()
                except OSError:
                    continue
                hwm = next(line for line in status.splitlines() if line.startswith("VmHWM"))
                out.append(int(hwm.split()[1]) / 1024)
        return out

    def redis_memory(self) -> tuple[int, int]:
        info = json.loads((self.root / "state" / "server.json").read_text())
        client = redis.Redis(port=info["port"], password=info["password"])
        try:
            return int(client.info("memory")["used_memory"]), int(client.hget("newsflow:stats", "done") or 0)
        finally:
            client.close()

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=120)


def bench_up(files: list[Path], work: Path, workers: int) -> dict:
    run = UpRun(work, f"up{workers}", workers)
    try:
        t0 = run.drop(files)
        t1 = run.wait(len(files))
        rss = run.worker_peak_rss_mb()
        used, done = run.redis_memory()
        return {"articles": len(files), "seconds": t1 - t0, "per_second": len(files) / (t1 - t0),
                "rss_mb": rss, "redis_bytes_per_article": (used - run.baseline) / max(1, done)}
    finally:
        run.stop()


def bench_memory(files: list[Path], work: Path, sizes: tuple[int, ...] = (1, 2, 4)) -> dict:
    """PSS of a worker node with 1, 2 and 4 pool processes, after each has processed articles: per
    pool process, and the node's total (main + pool) growth per added pool process."""
    out = {}
    for n in sizes:
        run = UpRun(work, f"memory{n}", n)
        try:
            run.drop(files)
            run.wait(len(files))
            out[n] = run.pss_mb()
        finally:
            run.stop()
    total = {n: sum(v["node"]) + sum(v["pool"]) for n, v in out.items()}
    first, last = min(out), max(out)
    return {"pss": out, "total": total, "added_per_process": (total[last] - total[first]) / (last - first)}


def bench_latency(files: list[Path], work: Path, n: int = 40, gap: float = 0.5) -> dict:
    n = min(n, len(files))
    run = UpRun(work, "latency", 1)
    try:
        drops = {}
        for f in files[:n]:
            drops[f.name] = run.drop([f])
            time.sleep(gap)
        run.wait(n)
    finally:
        run.stop()
    stage_ms: dict[str, float] = {}
    done_at: dict[str, float] = {}
    for e in events(run.log):
        if e["event"] == "stage_done":
            stage_ms[e["file"]] = stage_ms.get(e["file"], 0.0) + e["duration_ms"]
        if e["event"] == "article_done":
            done_at[e["file"]] = ts(e)
    lat = sorted(done_at[name] - t for name, t in drops.items())
    beyond = sorted(done_at[name] - t - stage_ms[name] / 1000 for name, t in drops.items())
    q = lambda xs, p: xs[min(len(xs) - 1, int(p * len(xs)))]  # noqa: E731
    return {"p50": q(lat, 0.5), "p99": q(lat, 0.99), "beyond_p50": q(beyond, 0.5), "beyond_p99": q(beyond, 0.99)}


# -- 4. watcher admission ----------------------------------------------------------
def bench_watcher(n: int, work: Path) -> dict:
    root = work / "watcher"
    inbox, staging = root / "inbox", root / ".staging"
    inbox.mkdir(parents=True)
    staging.mkdir()
    for i in range(n):
        (staging / f"w{i:06d}.txt").write_bytes(f"burst article {i}\n".encode() * 20)
    log = root / "watch.log"
    proc = subprocess.Popen([sys.executable, "-m", "newsflow", "watch", "--inbox", str(inbox)], cwd=root,
                            env=env_for(root / "state", NEWSFLOW_HIGH_WATER=str(n * 2), NEWSFLOW_LOW_WATER=str(n)),
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not any(e["event"] == "watcher_started" for e in events(log)):
            if time.monotonic() > deadline:
                raise SystemExit(f"watcher did not start: {log}")
            time.sleep(0.1)
        time.sleep(0.5)
        t0 = time.time()
        for name in sorted(os.listdir(staging)):
            os.rename(staging / name, inbox / name)
        deadline = time.monotonic() + 600
        while True:
            admitted = [e for e in events(log) if e["event"] == "file_admitted"]
            if len(admitted) >= n or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        t1 = max(ts(e) for e in admitted)
        overflow = sum(1 for e in events(log) if e["event"] == "inotify_overflow")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    return {"files": len(admitted), "seconds": t1 - t0, "per_second": len(admitted) / (t1 - t0), "overflows": overflow}


def embed_rows(figures: dict) -> list[tuple[str, str]]:
    import bench_embed

    return bench_embed.rows(figures)


def memory_rows(mem: dict) -> list[tuple[str, str]]:
    rows = [(f"PSS, node with {n} pool process(es)", f"main {', '.join(f'{x:.0f}' for x in v['node'])} MB; "
                                                     f"pool {', '.join(f'{x:.0f}' for x in v['pool'])} MB")
            for n, v in mem["pss"].items()]
    return rows + [("PSS added per pool process (node total, 1 → 4)", f"{mem['added_per_process']:.0f} MB (target ≤ 120)")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--skip", default="", help="comma list of: stages,embed,ratio,inline,up1,up2,memory,latency,watcher")
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    limit_threads()  # as every newsflow process does
    skip = set(filter(None, args.skip.split(",")))
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsflow-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    files = corpus(args.shared, args.articles, work / "corpus")
    rows: list[tuple[str, str]] = []
    r: dict = {}
    print(f"# newsflow bench: {args.articles} articles, cpu count {os.cpu_count()}, load {os.getloadavg()[0]:.2f}",
          flush=True)
    if "stages" not in skip:
        r["stages"] = bench_stages(files[: min(len(files), 102)], work)
        rows += [(f"stage {k}", f"{v:.1f} ms/article" + (" (CPU)" if "wall" not in k else "")) for k, v in r["stages"].items()]
    if "embed" not in skip:
        r["embed"] = bench_embed_engines(args.shared)
        rows += embed_rows(r["embed"])
    if "ratio" not in skip:
        from bench_ratio import bench_ratio, ratio_rows  # ops/tools/bench_ratio.py

        r["ratio"] = bench_ratio(args.shared, work / "ratio")
        rows += ratio_rows(r["ratio"])
    if "inline" not in skip:
        r["inline"] = bench_inline(files, work)
        rows.append(("process --inline", f"{r['inline']['per_second']:.2f} articles/s"))
    for w in (1, 2):
        if f"up{w}" not in skip:
            r[f"up{w}"] = bench_up(files, work, w)
            rows.append((f"up, {w} worker(s)", f"{r[f'up{w}']['per_second']:.2f} articles/s"))
    if "up1" in r and "inline" in r:
        rows.append(("ratio up1 / inline", f"{r['up1']['per_second'] / r['inline']['per_second']:.2f} (target ≥ 0.95)"))
    if "up1" in r and "up2" in r:
        rows.append(("ratio up2 / up1", f"{r['up2']['per_second'] / r['up1']['per_second']:.2f} (target ≥ 1.85)"))
    if "memory" not in skip:
        r["memory"] = bench_memory(files[:40], work)
        rows += memory_rows(r["memory"])
    if "latency" not in skip:
        r["latency"] = lat = bench_latency(files, work)
        rows.append(("latency drop→result p50 / p99", f"{lat['p50']:.3f} s / {lat['p99']:.3f} s"))
        rows.append(("  beyond the stages' time p50 / p99", f"{lat['beyond_p50']:.3f} s / {lat['beyond_p99']:.3f} s (target p50 ≤ 0.5 s)"))
    if "watcher" not in skip:
        r["watcher"] = wr = bench_watcher(args.burst, work)
        rows.append((f"watcher admission ({wr['files']} files)", f"{wr['per_second']:.0f} files/s, {wr['overflows']} overflows (target ≥ 2000)"))
    for w in (1, 2):
        if f"up{w}" in r:
            rows.append((f"peak RSS per worker process (up{w})", ", ".join(f"{x:.0f} MB" for x in r[f"up{w}"]["rss_mb"])))
            rows.append((f"Redis used_memory growth per article (up{w})", f"{r[f'up{w}']['redis_bytes_per_article']:.0f} bytes (record, index, tags, stream)"))
    rows.append(("bench process peak RSS", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"))
    print("\n| measure | value |\n| --- | --- |")
    for k, v in rows:
        print(f"| {k} | {v} |")
    (work / "bench.json").write_text(json.dumps(r, indent=1))
    print(f"\nraw figures: {work / 'bench.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
