#!/usr/bin/env python3
"""Benchmark of the clean stage alone: pages per second on one core.

Usage: python ops/tools/bench_clean.py [DIR] [--repeat N]

DIR defaults to ../shared/eval/maintext/txt (the plain-text article pages the
issue's speed target is stated on: >= 200 pages/s). Every file is read into
memory first; only `clean()` is timed, in this one process (one core). Prints
pages/s by CPU time of this process (what one core does, even when other
processes share the machine) and by wall-clock time, MB/s, and the per-page
median and 95th percentile. A benchmark, not a test: it measures and never fails.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from newsflow.clean import CleanError, CleanSettings, clean  # noqa: E402
from newsflow.values import Document  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", default=str(REPO.parent / "shared" / "eval" / "maintext" / "txt"))
    ap.add_argument("--repeat", type=int, default=5, help="passes over the files (best pass is reported)")
    args = ap.parse_args()
    paths = sorted(p for p in Path(args.dir).rglob("*") if p.is_file() and not p.name.endswith(".gold.json"))
    if not paths:
        sys.exit(f"no files under {args.dir}")
    docs = [Document(p.name, p.read_bytes()) for p in paths]
    settings = CleanSettings()
    for d in docs[:3]:  # warm up: imports, compiled patterns
        try:
            clean(d, settings)
        except CleanError:
            pass
    best = best_cpu = float("inf")
    per_page: list[float] = []
    for _ in range(max(1, args.repeat)):
        times = []
        c0 = time.process_time()
        t0 = time.perf_counter()
        for d in docs:
            t = time.perf_counter()
            try:
                clean(d, settings)
            except CleanError:
                pass
            times.append(time.perf_counter() - t)
        total = time.perf_counter() - t0
        best_cpu = min(best_cpu, time.process_time() - c0)
        if total < best:
            best, per_page = total, times
    size = sum(len(d.data) for d in docs) / 1e6
    per_page.sort()
    print(f"clean stage: {len(docs)} pages from {args.dir}")
    print(f"  {len(docs) / best_cpu:.0f} pages/s by CPU time on one core, {size / best_cpu:.1f} MB/s "
          f"(best of {args.repeat} passes)")
    print(f"  {len(docs) / best:.0f} pages/s by wall clock (lower when other processes share the cores)")
    print(f"  per page: median {1000 * statistics.median(per_page):.2f} ms, "
          f"p95 {1000 * per_page[int(0.95 * (len(per_page) - 1))]:.2f} ms")


if __name__ == "__main__":
    main()
