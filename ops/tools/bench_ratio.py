#!/usr/bin/env python3
"""newsflow against the model alone: CPU per page on the same pages, one process, one run.

    python ops/tools/bench_ratio.py [--shared ../shared] [--pages 100]

Columns, each CPU time per page on one core:
  stock NER     spaCy's en_core_web_sm NER alone (`nlp.pipe`, every other component excluded,
                spaCy's own ops) on the raw pages, as a user would run it without newsflow
  NER on clean  the same, on newsflow's clean text of those pages (title + body)
  newsflow      the whole pipeline in this process (`Pipeline.run`: clean, tag, fingerprint,
                embed, index, store, result file) against an embedded server
  in models     of which inside the NER model's and the story model's calls (timed around them)
Two streams: unique pages (`maintext/txt`) and a stream with wire copies (the duplicates set, its
copy rate stated). ops/tools/bench.py prints these rows in its table.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


class _Timed:
    """A callable that adds the CPU time of each call to `total` (a measurement, not a mock)."""

    def __init__(self, call: Callable[..., Any]):
        self.call, self.total = call, 0.0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        t = time.process_time()
        try:
            return self.call(*args, **kwargs)
        finally:
            self.total += time.process_time() - t


def stock_ner(model: str) -> Any:
    """spaCy's pipeline with only its NER, as spaCy ships it (loaded before newsflow's, so spaCy's own ops)."""
    import spacy

    from newsflow.tag.tagger import NON_NER

    return spacy.load(model, exclude=NON_NER)


def ner_ms(nlp: Any, texts: list[str]) -> float:
    t = time.process_time()
    for _ in nlp.pipe(texts):
        pass
    return 1000 * (time.process_time() - t) / len(texts)


def pipeline_ms(pages: list[Path], work: Path, models: Any) -> dict:
    """The pipeline over `pages` in this process: CPU ms per page, of it inside the models, the
    clean texts it produced, and the share of pages that were copies."""
    from newsflow.valkey import EmbeddedServer
    from newsflow.pipeline import Pipeline
    from newsflow.settings import Settings
    from newsflow.store import Source
    from newsflow.connection import connect

    server = EmbeddedServer(work / "state")
    client = connect(server.acquire())
    try:
        pipe = Pipeline(Settings.from_env({}), client, results_dir=work / "results", worker="bench", models=models)
        ner, embed = _Timed(models.tag.nlp), _Timed(models.embedder.network.encode)
        models.tag.nlp, models.embedder.network.encode = ner, embed
        ids = []
        for p in pages:
            data = p.read_bytes()
            aid = hashlib.sha256(data).hexdigest()[:32]
            pipe.store.admit(aid, Source(p.name, p.name, len(data), hashlib.sha256(data).hexdigest()), data)
            ids.append(aid)
        t = time.process_time()
        records = [pipe.run(aid) for aid in ids]
        total = time.process_time() - t
        models.tag.nlp, models.embedder.network.encode = ner.call, embed.call
    finally:
        client.close()
        server.release()
    n = len(pages)
    return {"ms": 1000 * total / n, "models_ms": 1000 * (ner.total + embed.total) / n,
            "ner_ms": 1000 * ner.total / n, "embed_ms": 1000 * embed.total / n,
            "copies": sum(1 for r in records if r.get("duplicate_of")) / n,
            "clean": [f"{r.get('title') or ''}\n\n{r.get('text') or ''}" for r in records]}


def bench_ratio(shared: Path, work: Path, pages: int = 100) -> dict:
    from newsflow.nlp import load_models
    from newsflow.settings import Settings

    streams = {"unique pages": sorted((shared / "eval" / "maintext" / "txt").glob("*.txt"))[:pages],
               "with wire copies": sorted((shared / "eval" / "duplicates" / "files").iterdir())}
    settings = Settings.from_env({})
    stock = stock_ner(settings.tag.model)
    out = {}
    for name, files in streams.items():
        out[name] = {"pages": len(files),
                     "stock_ms": ner_ms(stock, [f.read_text(encoding="utf-8", errors="replace") for f in files])}
    models = load_models(settings, "bench")
    for i, (name, files) in enumerate(streams.items()):
        run = pipeline_ms(files, work / f"stream{i}", models)
        out[name].update({k: v for k, v in run.items() if k != "clean"}, clean_ms=ner_ms(stock, run["clean"]))
    return out


def ratio_rows(r: dict) -> list[tuple[str, str]]:
    rows = []
    for name, v in r.items():
        ratio = v["stock_ms"] / v["ms"]
        target = "≥ 1.9" if name == "unique pages" else "≥ 2.5"
        rows += [
            (f"{name} ({v['pages']} pages, {v['copies']:.0%} copies): stock spaCy NER on the raw pages",
             f"{v['stock_ms']:.1f} ms/page (CPU)"),
            (f"{name}: spaCy NER on newsflow's clean text", f"{v['clean_ms']:.1f} ms/page"),
            (f"{name}: newsflow, whole pipeline", f"{v['ms']:.1f} ms/page, of it in the models {v['models_ms']:.1f} "
                                                 f"(NER {v['ner_ms']:.1f}, story model {v['embed_ms']:.1f})"),
            (f"{name}: pages/s per core, newsflow ÷ stock NER", f"{ratio:.2f} (target {target})"),
            (f"{name}: CPU outside the models", f"{(v['ms'] - v['models_ms']) / v['ms']:.1%} of the pipeline (target ≤ 5%)"),
        ]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args()
    from newsflow import logs
    from newsflow.limits import limit_threads

    limit_threads()
    logs.configure("json", "warning")  # the pipeline's per-article lines would drown the table
    r = bench_ratio(args.shared, Path(tempfile.mkdtemp(prefix="newsflow-ratio-")), args.pages)
    print("| measure | value |\n| --- | --- |")
    for k, v in ratio_rows(r):
        print(f"| {k} | {v} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
