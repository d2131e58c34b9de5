"""Same-story F1 by language pair: newsflow, plain batch TF-IDF over the same files, an earlier run.

Used by ops/tools/eval.py for the story sets. Plain TF-IDF is what a user would run with no model: every
file's words (lower-cased runs of letters and digits), sublinear term frequency, smoothed inverse
document frequency over the whole batch, unit-length vectors; two files are one story when their
cosine is at or above the threshold (0.2, the best on the English dev set, and 0.3: the shared
README's two). English stop words are dropped on the English set, as the shared README did; no
list on the multilingual set (no one list fits every language).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from pathlib import Path

_WORD = re.compile(r"\w+")
THRESHOLDS = (0.2, 0.3)


def gold_pairs(pairs_file: Path) -> list[tuple[str, str, str, bool, str]]:
    """(pair id, file a, file b, same story, language pair) of every scored pair."""
    out = []
    for line in pairs_file.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if 1.5 < row["Overall"] < 3:
            continue
        a, b = (f"{x}.txt" for x in row["pair_id"].split("_"))
        out.append((row["pair_id"], a, b, row["Overall"] <= 1.5, f"{row.get('lang1', 'en')}-{row.get('lang2', 'en')}"))
    return out


def tfidf_vectors(files: list[Path], stop: frozenset[str] = frozenset()) -> dict[str, dict[str, float]]:
    """File name -> its unit-length TF-IDF vector (sparse), over the batch `files`."""
    counts = {f.name: Counter(w for w in _WORD.findall(f.read_text(encoding="utf-8", errors="replace").lower())
                              if w not in stop) for f in files}
    df = Counter(w for c in counts.values() for w in c)
    n = len(counts)
    out = {}
    for name, c in counts.items():
        v = {w: (1 + math.log(k)) * (math.log((1 + n) / (1 + df[w])) + 1) for w, k in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        out[name] = {w: x / norm for w, x in v.items()}
    return out


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(w, 0.0) for w, x in a.items())


def stories_of(results: Path) -> dict[str, str | None]:
    """Input name (and alias) -> story id, from a results folder."""
    out = {}
    for path in results.glob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        for name in [record["source"]["name"], *(record["source"].get("aliases") or [])]:
            out[name] = record.get("story_id")
    return out


def prf(outcomes: list[tuple[bool, bool]]) -> tuple[float, float, float]:
    tp = sum(p and g for p, g in outcomes)
    fp = sum(p and not g for p, g in outcomes)
    fn = sum(g and not p for p, g in outcomes)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def table(pairs_file: Path, files: Path, results: Path, before: Path | None, english: bool) -> list[str]:
    """Markdown rows, one per language pair and one for all: newsflow F1 (P, R), plain TF-IDF F1 at
    each of THRESHOLDS, and the earlier run's F1 when `before` is given."""
    from spacy.lang.en.stop_words import STOP_WORDS

    pairs = gold_pairs(pairs_file)
    vectors = tfidf_vectors(sorted(files.glob("*.txt")), frozenset(STOP_WORDS) if english else frozenset())
    runs = {"newsflow": stories_of(results), **({"before": stories_of(before)} if before else {})}
    by_pair: dict[str, dict[str, list[tuple[bool, bool]]]] = defaultdict(lambda: defaultdict(list))
    for _, a, b, gold, langs in pairs:
        for key in (langs, "all"):
            for run, story in runs.items():
                by_pair[key][run].append((bool(story.get(a)) and story.get(a) == story.get(b), gold))
            sim = cosine(vectors[a], vectors[b]) if a in vectors and b in vectors else 0.0
            for t in THRESHOLDS:
                by_pair[key][f"tfidf {t}"].append((sim >= t, gold))
    rows = []
    for key in sorted(by_pair, key=lambda k: (k == "all", k)):
        got = by_pair[key]
        p, r, f = prf(got["newsflow"])
        cells = [f"{f:.3f} (P {p:.2f} R {r:.2f})", *(f"{prf(got[f'tfidf {t}'])[2]:.3f}" for t in THRESHOLDS)]
        if before:
            cells.append(f"{prf(got['before'])[2]:.3f}")
        same = sum(g for _, g in got["newsflow"])
        rows.append(f"| {key} | {len(got['newsflow'])} ({same} same) | " + " | ".join(cells) + " |")
    head = "| language pair | pairs | newsflow F1 | plain TF-IDF 0.2 | plain TF-IDF 0.3 |" + (" before |" if before else "")
    return [head, "|" + " --- |" * (head.count("|") - 1), *rows]
