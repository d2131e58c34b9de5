#!/usr/bin/env python3
"""Tag-stage benchmark: articles per second per core, overhead around the model, RSS.

    python ops/tools/bench_tag.py [--corpus DIR] [--repeat N] [--limit N]

Reads the gold bodies of the main-text set (`shared/eval/maintext/txt_gold/*.json`,
field body_paragraphs; title too) as cleaned articles. Each configuration runs in
its own process (thinc's ops and OpenBLAS threads are per process) and reports
CPU time (process_time, so per core) for:

  model   spaCy alone on the text `tag` gives it
  tag     the whole stage (re-casing, language, NER, entity resolution, keywords, topics)

Configurations: the full small pipeline vs NER only, BLIS vs NumPy's BLAS for
thinc's matrix products, OPENBLAS_NUM_THREADS=1 or not, and NER over batches
(nlp.pipe) vs one article at a time. It also checks that NER-only gives the
same entities as the full pipeline. Not a timed test: numbers vary by machine.
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
SHARED = Path(os.environ.get("NEWSFLOW_SHARED", REPO.parent / "shared"))

CONFIGS = {
    # name: (TagSettings overrides, extra environment)
    "full pipeline, BLIS": ({"ner_only": False, "numpy_blas": False}, {}),
    "NER only, BLIS": ({"ner_only": True, "numpy_blas": False}, {}),
    "NER only, NumPy BLAS": ({"ner_only": True, "numpy_blas": True}, {}),
    "NER only, NumPy BLAS, OPENBLAS_NUM_THREADS=1": ({"ner_only": True, "numpy_blas": True},
                                                     {"OPENBLAS_NUM_THREADS": "1"}),
}


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load_corpus(corpus: Path, limit: int):
    sys.path.insert(0, str(REPO))
    from newsflow.values import Cleaned

    out = []
    for p in sorted(corpus.glob("*.json"))[:limit]:
        g = json.loads(p.read_text(encoding="utf-8"))
        paras = tuple(x for x in g.get("body_paragraphs", []) if x.strip())
        if paras:
            out.append(Cleaned(title=g.get("title"), paragraphs=paras))
    return out


def child(args) -> None:
    sys.path.insert(0, str(REPO))
    overrides = json.loads(args.child)
    from newsflow.tag import TagSettings, load_model, tag
    from newsflow.tag.tagger import _prepare

    rss0 = rss_mib()
    settings = TagSettings(**overrides)
    t0 = time.perf_counter()
    model = load_model(settings)
    load_s = time.perf_counter() - t0
    articles = load_corpus(Path(args.corpus), args.limit)
    texts = [_prepare(a, model.resources, settings)[0] for a in articles]
    words = sum(len(t.split()) for t in texts)
    # warm up
    for a in articles[:3]:
        tag(a, model, settings)
    best_model = best_tag = best_pipe = float("inf")
    for _ in range(args.repeat):
        c = time.process_time()
        for t in texts:
            model.nlp(t)
        best_model = min(best_model, time.process_time() - c)
        c = time.process_time()
        for _d in model.nlp.pipe(texts, batch_size=16):
            pass
        best_pipe = min(best_pipe, time.process_time() - c)
        c = time.process_time()
        for a in articles:
            tag(a, model, settings)
        best_tag = min(best_tag, time.process_time() - c)
    ents = [[(e.start_char, e.end_char, e.label_) for e in model.nlp(t).ents] for t in texts]
    print(json.dumps({
        "articles": len(articles), "words": words, "load_s": load_s,
        "model_s": best_model, "pipe_s": best_pipe, "tag_s": best_tag,
        "rss_before_mib": rss0, "rss_loaded_mib": rss_mib(), "ents": ents,
    }))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(SHARED / "eval" / "maintext" / "txt_gold"))
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--limit", type=int, default=10_000)
    ap.add_argument("--only", default="", help="comma-separated config numbers (1-based)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)
    chosen = [int(x) for x in args.only.split(",") if x] or list(range(1, len(CONFIGS) + 1))
    rows, results = [], {}
    for i, (name, (overrides, env)) in enumerate(CONFIGS.items(), 1):
        if i not in chosen:
            continue
        e = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"} | env
        out = subprocess.run(
            [sys.executable, __file__, "--child", json.dumps(overrides), "--corpus", args.corpus,
             "--repeat", str(args.repeat), "--limit", str(args.limit)],
            env=e, capture_output=True, text=True, check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results[name] = r
        n = r["articles"]
        rows.append((
            name, f"{n / r['model_s']:.1f}", f"{r['words'] / r['model_s']:.0f}",
            f"{n / r['pipe_s']:.1f}", f"{n / r['tag_s']:.1f}",
            f"{100 * (r['tag_s'] - r['model_s']) / r['model_s']:.1f}%",
            f"{r['rss_loaded_mib']:.0f}", f"{r['load_s']:.1f}",
        ))
    head = ("configuration", "model art/s", "model words/s", "model batched art/s",
            "tag art/s/core", "tag overhead", "RSS MiB", "load s")
    widths = [max(len(str(x[i])) for x in [head, *rows]) for i in range(len(head))]
    for row in [head, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
    names = list(results)
    if "full pipeline, BLIS" in results:
        base = results["full pipeline, BLIS"]["ents"]
        for name in names[1:]:
            same = results[name]["ents"] == base
            print(f"entities identical to the full pipeline: {name}: {same}")
    if names:
        r = results[names[0]]
        print(f"corpus: {r['articles']} articles, {r['words']} words "
              f"({r['words'] / r['articles']:.0f} words/article); CPU time, best of {args.repeat}")


if __name__ == "__main__":
    main()
