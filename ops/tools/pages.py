"""Page-by-page scores of two result folders on one evaluation set (newsflow vs a library).

Uses the team's scorers' own definitions (imported from `<shared>/eval`): a page's
cleaning F1 from `score_clean.py --json`, a date right when its first ten
characters equal the gold's, a document's entity F1 over the scorer's
normalised (type, name) pairs. A page is won or lost when the two differ by
more than TIE (F1) or when one date is right and the other not.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

#: F1 differences up to this are ties.
TIE = 0.005


def _scorer(shared: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, shared / "eval" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def clean_scores(shared: Path, gold_dir: Path, results: Path) -> dict[str, float]:
    """Page -> cleaning F1."""
    done = subprocess.run([sys.executable, str(shared / "eval" / "score_clean.py"), str(gold_dir), str(results),
                           "--json"], capture_output=True, text=True, check=True)
    return {row[0]: row[3] for row in json.loads(done.stdout)["rows"]}


def _by_name(shared: Path, scorer: str, results: Path) -> dict[str, dict]:
    names_of = _scorer(shared, scorer).names_of
    out = {}
    for path in results.rglob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        for name in names_of(record):
            out[name] = record
    return out


def date_scores(shared: Path, gold_file: Path, results: Path) -> dict[str, float]:
    """Page -> 1.0 if the date is right, else 0.0."""
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    got = _by_name(shared, "score_dates", results)
    return {name: float(str((got.get(name) or {}).get("published") or "")[:10] == g.get("published"))
            for name, g in gold.items()}


def entity_scores(shared: Path, gold_file: Path, results: Path) -> dict[str, float]:
    """Document -> F1 of its (type, normalised name) pairs."""
    scorer = _scorer(shared, "score_entities")
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    got = _by_name(shared, "score_entities", results)
    out = {}
    for name, g in gold.items():
        want = {(t, scorer.norm(x)) for t in scorer.TYPES for x in g.get(t, [])}
        have = {(scorer.MAP[str(e.get("label", "")).upper()], scorer.norm(str(e.get("text", ""))))
                for e in (got.get(name) or {}).get("entities", []) if str(e.get("label", "")).upper() in scorer.MAP}
        tp = len(want & have)
        out[name] = 1.0 if not want and not have else 2 * tp / (len(want) + len(have))
    return out


def tally(ours: dict[str, float], theirs: dict[str, float]) -> tuple[int, int, int, list[tuple[str, float, float]]]:
    """(won, lost, tied, the lost pages with both scores, worst first)."""
    won = lost = tied = 0
    losses = []
    for page, score in ours.items():
        diff = score - theirs.get(page, 0.0)
        if diff > TIE:
            won += 1
        elif diff < -TIE:
            lost += 1
            losses.append((page, score, theirs.get(page, 0.0)))
        else:
            tied += 1
    return won, lost, tied, sorted(losses, key=lambda x: x[1] - x[2])
