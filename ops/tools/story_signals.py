#!/usr/bin/env python3
"""Does a second signal help the story decision? Cross-validated on the dev pairs.

    python ops/tools/eval.py --sets stories --keep /tmp/ev        # the records to read
    python ops/tools/story_signals.py /tmp/ev/stories/results [--shared ../shared] [--folds 5]

For every scored SemEval pair (Overall <= 1.5 same story, >= 3 different) it reads,
from the two records: the cosine of their int8 embeddings (the service's signal),
the Jaccard of their canonical entity names, and the cosine of their stored story
terms (TF-IDF). Rules compared, each with its numbers chosen on the other folds'
pairs (ops/eval.choose_by_folds: the same hash split as `eval.py --folds`), the
held-out outcomes pooled into one F1, on eval.py's split and on `--splits` other
random splits (with 36 same-story pairs one split's luck is worth a pair or two):

- the embedding alone: cosine >= t;
- with a second signal: cosine >= t, or cosine >= t2 and the second >= s (t2 < t).

A second signal earns its place only if its cross-validated F1 is above the
embedding's alone, split after split.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval import choose_by_folds, labelled_pairs, pair_f1  # noqa: E402  (ops/ is not a package)

THRESHOLDS = [round(0.36 + 0.02 * i, 2) for i in range(13)]   # the embedding's grid in eval.py
LOWER = [0.30, 0.34, 0.38, 0.42, 0.46, 0.50]                    # t2: where a second signal may decide
SECOND = {"entities": [0.05, 0.1, 0.2, 0.3], "terms": [0.1, 0.2, 0.3, 0.4]}


def features(record: dict) -> dict:
    """What the rules read of one record: unit embedding, entity names, story terms."""
    fp = record.get("fingerprint") or {}
    raw = base64.b64decode(fp["embedding"]) if fp.get("embedding") else b""
    vector = np.frombuffer(raw, dtype=np.int8).astype(np.float64)
    norm = float(np.linalg.norm(vector))
    return {"vector": vector / norm if norm else None,
            "entities": {e.get("canonical") or e["text"] for e in record.get("entities") or []},
            "terms": fp.get("story_terms") or {}}


def pair_row(a: dict, b: dict) -> dict:
    """The three signals of one pair (0 where a record has none)."""
    cosine = float(a["vector"] @ b["vector"]) if a["vector"] is not None and b["vector"] is not None else 0.0
    union = a["entities"] | b["entities"]
    shared = set(a["terms"]) & set(b["terms"])
    dot = sum(a["terms"][t] * b["terms"][t] for t in shared)
    norms = math.sqrt(sum(w * w for w in a["terms"].values()) * sum(w * w for w in b["terms"].values()))
    return {"cosine": cosine, "entities": len(a["entities"] & b["entities"]) / len(union) if union else 0.0,
            "terms": dot / norms if norms else 0.0}


def scored_pairs(shared: Path, results: Path) -> dict[str, tuple[dict, bool]]:
    """pair id -> (signals, gold same story) for every scored pair whose two records exist."""
    records = {}
    for path in results.glob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        records[record["source"]["name"]] = features(record)
    return {pair_id: (pair_row(records[a], records[b]), gold)
            for pair_id, a, b, gold in labelled_pairs(shared) if a in records and b in records}


def rules(second: str | None) -> dict[str, tuple]:
    """Rule label -> (t, t2, s); the embedding alone when `second` is None."""
    table = {f"cosine>={t}": (t, t, 0.0) for t in THRESHOLDS}
    if second:
        table.update({f"cosine>={t} or (cosine>={t2} and {second}>={s})": (t, t2, s)
                      for t in THRESHOLDS for t2 in LOWER if t2 < t for s in SECOND[second]})
    return table


def evaluate(pairs: dict, second: str | None, folds: int, salt: str = "") -> tuple[float, float, list[str]]:
    """(in-sample best F1, cross-validated F1, rule chosen per fold) on the split `salt` names."""
    table = rules(second)

    def outcome(label: str, pair_id: str) -> tuple[bool, bool]:
        signals, gold = pairs[pair_id]
        t, t2, s = table[label]
        same = signals["cosine"] >= t or (second is not None and signals["cosine"] >= t2 and signals[second] >= s)
        return same, gold

    ids, labels = sorted(pairs), list(table)
    chosen, pick = choose_by_folds(ids, labels, folds, lambda v, train: pair_f1([outcome(v, i) for i in train]), salt)
    best = max(pair_f1([outcome(v, i) for i in ids]) for v in labels)
    return best, pair_f1([outcome(pick[i], i) for i in ids]), chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", type=Path, help="the stories set's results folder (eval.py --keep)")
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[3] / "shared")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--splits", type=int, default=30, help="other random fold splits to average over")
    args = parser.parse_args()
    pairs = scored_pairs(args.shared, args.results)
    print(f"{len(pairs)} scored pairs, {sum(g for _, g in pairs.values())} same-story\n")
    print("| rule family | best in hindsight | cross-validated, eval.py's split | mean over "
          f"{args.splits} splits | splits above / below the embedding alone | chosen per fold (eval.py's split) |")
    print("| --- | --- | --- | --- | --- | --- |")
    alone = [evaluate(pairs, None, args.folds, f"{k}:")[1] for k in range(args.splits)]
    for second in (None, "entities", "terms"):
        best, held_out, chosen = evaluate(pairs, second, args.folds)
        split_f1 = alone if second is None else [evaluate(pairs, second, args.folds, f"{k}:")[1]
                                                  for k in range(args.splits)]
        above = sum(a > b for a, b in zip(split_f1, alone))
        below = sum(a < b for a, b in zip(split_f1, alone))
        name = "embedding alone" if second is None else f"embedding, or a lower cosine with {second}"
        print(f"| {name} | {best:.4f} | {held_out:.4f} | {np.mean(split_f1):.4f} ± {np.std(split_f1):.4f} | "
              f"{above} / {below} | {'; '.join(chosen)} |")


if __name__ == "__main__":
    main()
