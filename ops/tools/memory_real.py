"""Redis bytes per article on real pages, through a real `newsflow up` (issue 28).

Drops every development page under <shared>/eval (English and multilingual main text, dates,
duplicates, entities, stories: 3,639 pages), and every file of each `--extra` folder (real
newswire from public packages: `public_news.py`, 2,492 articles), into the inbox of `newsflow up`
on the embedded server, waits for every result, then reports `used_memory` and `MEMORY USAGE` summed by key
kind, per article held. The index's fixed tables (allocated once, the same at any volume) are
shown apart.

    python ops/tools/public_news.py /tmp/public-news
    python ops/tools/memory_real.py [--shared ../shared] [--extra /tmp/public-news] [--workers 2] [--out memory.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import redis  # noqa: E402

from newsflow.keys import Keys  # noqa: E402

#: The folders of development pages (inputs only: no gold files), under <shared>/eval.
PAGE_DIRS = ("maintext/html", "maintext/txt", "dates/files", "duplicates/files", "entities/files",
             "stories/files", "multilingual/dates/files", "multilingual/entities/de/files",
             "multilingual/entities/es/files", "multilingual/entities/nl/files", "multilingual/maintext/html",
             "multilingual/stories/files")
#: Key kinds whose name has a second part worth keeping apart (tag:entity, {fp}:rec, ...).
GROUPED = {"tag", "{fp}", "site", "celery", "results", "stream"}


def pages(shared: Path, extra: list[Path]) -> list[Path]:
    folders = [shared / "eval" / d for d in PAGE_DIRS] + extra
    return [p for d in folders for p in sorted(d.iterdir()) if p.is_file()]


def start_up(root: Path, workers: int) -> tuple[subprocess.Popen, redis.Redis]:
    """`newsflow up` in `root`, and a client of its server once a worker is online."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    env.update(NEWSFLOW_SUMMARY_SECONDS="30", PYTHONPATH=str(REPO))
    log = open(root / "up.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "newsflow", "up", "--workers", str(workers)], cwd=root,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        time.sleep(1)
        try:
            info = json.loads((root / ".newsflow" / "server.json").read_text())
            client = redis.Redis(port=info["port"], password=info["password"])
            if any(True for _ in client.scan_iter(match=Keys().worker_pattern())):
                return proc, client
        except (OSError, ValueError, KeyError, redis.RedisError):
            continue
    raise SystemExit(f"newsflow up did not come online; see {root / 'up.log'}")


def drop(files: list[Path], inbox: Path) -> None:
    """Each page into the inbox under a unique name, complete before it appears (rename)."""
    inbox.mkdir(exist_ok=True)
    for i, path in enumerate(files):
        tmp = inbox / f".{i:05d}.tmp"
        shutil.copyfile(path, tmp)
        tmp.rename(inbox / f"{i:05d}-{path.name}")


def wait_results(client: redis.Redis, n: int, timeout: float) -> int:
    """Committed articles once every dropped page was admitted (the same bytes twice are one
    article: its alias) and none is pending; or at the timeout."""
    keys, deadline = Keys(), time.monotonic() + timeout
    done = 0
    while time.monotonic() < deadline:
        stats = {k.decode(): int(v) for k, v in client.hgetall(keys.stats()).items()}
        done = stats.get("done", 0) + stats.get("failed", 0)
        seen = int(client.hlen(keys.seen_files()))
        if seen >= n and done >= stats.get("admitted", 0) and not client.zcard(keys.pending()):
            break
        print(f"  {done} committed, {seen}/{n} files taken", flush=True)
        time.sleep(30)
    return done


def kind(key: bytes) -> str:
    """A key's family: `record`, `tag:entity`, `{fp}:rec`, `site:*:lines` (ids, numbers and site
    names dropped)."""
    parts = key.decode("utf-8", "replace").split(":")
    if len(parts) > 3 and parts[1] == "site":
        return f"site:*:{parts[3]}"
    if len(parts) > 2 and parts[1] in GROUPED:
        return ":".join(parts[1:3]) if not parts[2].isdigit() else parts[1]
    return parts[1] if len(parts) > 1 else parts[0]


def usage_by_kind(client: redis.Redis) -> dict[str, list[int]]:
    """Kind -> [keys, bytes] over every key (MEMORY USAGE, every element sampled)."""
    out: dict[str, list[int]] = {}
    for key in client.scan_iter(count=1000):
        row = out.setdefault(kind(key), [0, 0])
        row[0] += 1
        row[1] += int(client.memory_usage(key, samples=0) or 0)
    return out


def report(used0: int, used: int, held: int, kinds: dict[str, list[int]], tables: int) -> dict:
    keys = sum(size for _, size in kinds.values())
    print(f"articles held {held}; used_memory {used:,} (empty deployment {used0:,}); fixed tables {tables:,}")
    print(f"per article: {(used - used0) / held:,.0f} bytes of used_memory; {(keys - tables) / held:,.0f} bytes of "
          "keys (MEMORY USAGE) without the fixed tables")
    print(f"{'kind':28} {'keys':>8} {'bytes':>14} {'per article':>12}")
    for name, (n, size) in sorted(kinds.items(), key=lambda kv: -kv[1][1]):
        print(f"{name:28} {n:>8} {size:>14,} {size / held:>12,.0f}")
    return {"held": held, "used_memory": used, "used_memory_empty": used0, "fixed_tables": tables, "keys": keys,
            "per_article": (used - used0) / held, "per_article_without_tables": (used - used0 - tables) / held,
            "kinds": kinds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--extra", type=Path, action="append", default=[], help="another folder of real pages")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    files = pages(args.shared, args.extra)
    root = Path(tempfile.mkdtemp(prefix="memory-real-"))
    proc, client = start_up(root, args.workers)
    try:
        used0 = int(client.info("memory")["used_memory"])
        started = time.monotonic()
        drop(files, root / "inbox")
        done = wait_results(client, len(files), 3 * 3600)
        print(f"{done} of {len(files)} pages committed in {time.monotonic() - started:.0f} s")
        keys = Keys()
        tables = sum(int(client.strlen(k)) for k in (keys.fp_lsh(), keys.fp_df(), keys.fp_postings()))
        out = report(used0, int(client.info("memory")["used_memory"]), int(client.zcard(keys.expiry())),
                     usage_by_kind(client), tables)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=300)
    if args.out:
        args.out.write_text(json.dumps({"pages": len(files), **out}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
