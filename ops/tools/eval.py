#!/usr/bin/env python3
"""Run every shared scorer on newsflow's output and print one table.

    python ops/tools/eval.py [--shared ../shared] [--sets seeds,txt,html,dates,dup,stories,multilingual-stories,entities]
                       [--keep DIR] [--env NEWSFLOW_X=VALUE ...] [--tune NEWSFLOW_X=V1,V2,...] [--folds 5]
                       [--before DIR]

Beside each newsflow figure: the plain library's figure on the same pages
(ops/tools/baselines.py) and the pages newsflow wins / loses / ties against it.
`--tune` cross-validates one setting: chosen on four fifths of the pages,
scored on the fifth, five times; the held-out figure is the one to quote
(stories: folds of the labelled pairs, the held-out pairs pooled into one F1).
`--folds N` alone adds to the table the cross-validated figure of each set
that has a DEFAULT_TUNE setting (stories: the embedding threshold, one value
chosen over the English and the multilingual story pairs together).

The story sets also get a table by language pair (ops/tools/storypairs.py): newsflow
beside plain batch TF-IDF over the same files and, with `--before DIR` (an
earlier `--keep` folder), the earlier run's results.

Each set goes through `newsflow process --inline` (the same stages, index and
records as the service) in a fresh state folder with its own embedded Valkey,
so no set sees another's index. The scorers are the team's, in
`<shared>/eval`; this script only runs them and collects their summary lines.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "ops" / "tools"))  # ops/tools/pages.py

#: name -> (input folder or glob under shared, scorer argv after the script, summary regex, needed, reference)
SETS = {
    "seeds": ("seeds/*.txt", ["score_clean.py", "{shared}/seeds"], r"^macro .*", "F1 ≥ 0.98, dates 2/2", "jusText 0.844"),
    "txt": ("eval/maintext/txt", ["score_clean.py", "{eval}/maintext/txt_gold"], r"^macro .*", "F1 ≥ 0.92", "jusText 0.785"),
    "html": ("eval/maintext/html", ["score_clean.py", "{eval}/maintext/html_gold"], r"^macro .*", "F1 ≥ 0.96", "trafilatura 0.957"),
    "dates": ("eval/dates/files", ["score_dates.py", "{eval}/dates/dates.gold.json"], r"^date accuracy.*", "≥ 0.92", "htmldate 0.907"),
    "dup": ("eval/duplicates/files", ["score_groups.py", "dup", "{eval}/duplicates/labels.json"], r"^(dup P|same-bytes).*", "F1 ≥ 0.97", "MinHashLSH 0.704"),
    "stories": ("eval/stories/files", ["score_groups.py", "story", "{eval}/stories/pairs.jsonl"], r"^story P.*", "F1 ≥ 0.90", "TF-IDF batch 0.833"),
    "multilingual-stories": ("eval/multilingual/stories/files",
                             ["score_groups.py", "story", "{eval}/multilingual/stories/pairs.jsonl"], r"^story P.*",
                             "above TF-IDF", "TF-IDF batch 0.717 (at 0.3)"),
    "entities": ("eval/entities/files", ["score_entities.py", "{eval}/entities/entities.gold.json"], r"^entities .*", "F1 ≥ 0.75", "spaCy sm 0.668"),
    # the multilingual dev sets (issue 27); each beside the plain library a user would run
    "ml-maintext": ("eval/multilingual/maintext/html",
                    ["score_snippets.py", "{eval}/multilingual/maintext/snippets.gold.json", "{results}",
                     "--langs", "{eval}/multilingual/maintext/langs.json"],
                    r"^(snippets .*|  \w\w: .*)", "≥ trafilatura", "trafilatura 0.9275"),
    "ml-dates": ("eval/multilingual/dates/files", ["score_dates.py", "{eval}/multilingual/dates/dates.gold.json"],
                 r"^date accuracy.*", "≥ htmldate", "htmldate 0.906"),
    **{f"ml-entities-{code}": (f"eval/multilingual/entities/{code}/files",
                               ["score_entities.py", f"{{eval}}/multilingual/entities/{code}/entities.gold.json"],
                               r"^entities .*", "≥ spaCy English", "spaCy sm (English)") for code in ("de", "es", "nl")},
}


def score(shared: Path, scorer: list[str], results: Path) -> subprocess.CompletedProcess:
    """Run a shared scorer on a results folder (placed at "{results}", or last)."""
    args = [a.format(shared=shared, eval=shared / "eval", results=results) for a in scorer]
    if "{results}" not in scorer:
        args.append(str(results))
    return subprocess.run([sys.executable, str(shared / "eval" / args[0]), *args[1:]],
                          capture_output=True, text=True, check=True)


def run_set(name: str, shared: Path, out_root: Path, overrides: dict[str, str]) -> tuple[list[str], float, int]:
    pattern, scorer, summary, _, _ = SETS[name]
    inputs = sorted(shared.glob(pattern)) if "*" in pattern else [shared / pattern]
    work = out_root / name
    results = work / "results"
    work.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    env.update(overrides)  # only what --env names: the shell's NEWSFLOW_* never leak into a score
    env.update(NEWSFLOW_STATE_DIR=str(work / "state"), NEWSFLOW_LOG_LEVEL="warning")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "newsflow", "process", *map(str, inputs), "--results", str(results), "--inline"],
        cwd=REPO, env=env, capture_output=True, text=True,
    )
    seconds = time.monotonic() - started
    (work / "process.stderr").write_text(done.stderr)
    scored = score(shared, scorer, results)
    (work / "score.txt").write_text(scored.stdout)
    lines = [line for line in scored.stdout.splitlines() if re.match(summary, line)]
    return lines, seconds, len(list(results.glob("*.json")))


#: The setting `--folds` cross-validates for a set when no --tune is given: (variable, values).
_STORY_TUNE = ("NEWSFLOW_INDEX_STORY_EMBEDDING_THRESHOLD", "0.46,0.50,0.54,0.58,0.62")
DEFAULT_TUNE = {"stories": _STORY_TUNE, "multilingual-stories": _STORY_TUNE}

#: How a set's pages are scored one by one (ops/tools/pages.py), for the sets with a plain library.
PAGE_SCORES = {"seeds": "clean", "txt": "clean", "html": "clean", "dates": "date", "entities": "entity",
               "ml-dates": "date", **{f"ml-entities-{c}": "entity" for c in ("de", "es", "nl")}}
#: The sets with a plain library (ops/tools/baselines.py) but no page-by-page score.
LIBRARY_ONLY = ("ml-maintext",)


def run_library(name: str, shared: Path, out_root: Path) -> tuple[list[str], str]:
    """The plain library alone on the same pages (ops/tools/baselines.py): its summary line, and
    newsflow's pages won / lost / tied against it (the lost ones listed in `losses.txt`)."""
    import pages

    pattern, scorer, summary, _, _ = SETS[name]
    inputs = sorted(shared.glob(pattern)) if "*" in pattern else sorted((shared / pattern).iterdir())
    work = out_root / name
    lib = work / "library"
    subprocess.run([sys.executable, str(REPO / "ops" / "tools" / "baselines.py"), name, *map(str, inputs),
                    "--results", str(lib)], cwd=REPO, check=True, capture_output=True, text=True)
    scored = score(shared, scorer, lib)
    lines = [line for line in scored.stdout.splitlines() if re.match(summary, line)]
    if name not in PAGE_SCORES:  # scored as a whole only
        return lines, "–"
    gold = Path(scorer[1].format(shared=shared, eval=shared / "eval"))
    page_score = {"clean": lambda r: pages.clean_scores(shared, gold, r), "date": lambda r: pages.date_scores(shared, gold, r),
             "entity": lambda r: pages.entity_scores(shared, gold, r)}[PAGE_SCORES[name]]
    won, lost, tied, losses = pages.tally(page_score(work / "results"), page_score(lib))
    (work / "losses.txt").write_text("".join(f"{page}\tnewsflow {ours:.3f}\tlibrary {theirs:.3f}\n"
                                             for page, ours, theirs in losses))
    return lines, f"{won} / {lost} / {tied}"


def page_scores(name: str, shared: Path, results: Path) -> dict[str, float]:
    """Each page's score in a results folder (ops/tools/pages.py)."""
    import pages

    _, scorer, _, _, _ = SETS[name]
    gold = Path(scorer[1].format(shared=shared, eval=shared / "eval"))
    kind = PAGE_SCORES[name]
    if kind == "clean":
        return pages.clean_scores(shared, gold, results)
    return pages.date_scores(shared, gold, results) if kind == "date" else pages.entity_scores(shared, gold, results)


def choose_by_folds(items: list[str], values: list[str], folds: int,
                    score: Callable[[str, list[str]], float], salt: str = "") -> tuple[list[str], dict[str, str]]:
    """For each of `folds` folds (items split by a hash of their names: stable, unrelated to
    content; another `salt`, another split), the value with the best `score(value, other folds'
    items)` (ties: the first listed). Returns the value chosen per fold, and item -> the value
    chosen for its fold."""
    fold_of = {i: int(hashlib.sha256((salt + i).encode()).hexdigest(), 16) % folds for i in items}
    chosen, pick = [], {}
    for k in range(folds):
        train = [i for i in items if fold_of[i] != k]
        best = max(values, key=lambda v: (score(v, train), -values.index(v)))
        chosen.append(best)
        pick.update({i: best for i in items if fold_of[i] == k})
    return chosen, pick


def cross_validate(name: str, setting: str, values: list[str], shared: Path, out_root: Path,
                   overrides: dict[str, str], folds: int) -> list[str]:
    """Choose `setting` among `values` on (folds-1)/folds of the pages, score the rest; each page
    once (choose_by_folds). Returns table lines: every value's mean page score on all pages, and
    the cross-validated figure."""
    scores = {}
    for value in values:
        run_set(name, shared, out_root / f"{setting}={value}", {**overrides, setting: value})
        scores[value] = page_scores(name, shared, out_root / f"{setting}={value}" / name / "results")
    names = sorted(scores[values[0]])
    chosen, pick = choose_by_folds(names, values, folds, lambda v, train: sum(scores[v][n] for n in train))
    held_out = [scores[pick[n]][n] for n in names]
    lines = [f"| {name} | {setting}={v} | {sum(scores[v].values()) / len(names):.4f} |" for v in values]
    lines.append(f"| {name} | cross-validated ({folds} folds; chosen per fold: {', '.join(chosen)}) | "
                 f"{sum(held_out) / len(held_out):.4f} |")
    return lines


def labelled_pairs(shared: Path, name: str = "stories") -> list[tuple[str, str, str, bool]]:
    """(pair id, file a, file b, gold same story) of every scored dev pair of a story set, as
    score_groups.py counts them (ratings between 1.5 and 3 are not scored)."""
    from storypairs import gold_pairs

    return [pair[:4] for pair in gold_pairs((shared / SETS[name][0]).parent / "pairs.jsonl")]


def story_pairs(shared: Path, results: Path, name: str = "stories") -> dict[str, tuple[bool, bool]]:
    """pair id -> (predicted same story, gold same story) for the scored dev pairs of a story set."""
    from storypairs import stories_of

    story_of = stories_of(results)
    return {pair_id: (bool(story_of.get(a) and story_of.get(a) == story_of.get(b)), gold)
            for pair_id, a, b, gold in labelled_pairs(shared, name)}


def pair_f1(outcomes: list[tuple[bool, bool]]) -> float:
    """Pairwise F1 of (predicted, gold) outcomes."""
    tp = sum(p and g for p, g in outcomes)
    wrong = sum(p != g for p, g in outcomes)
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


def cross_validate_pairs(names: list[str], setting: str, values: list[str], shared: Path, out_root: Path,
                         overrides: dict[str, str], folds: int) -> list[str]:
    """`cross_validate` for the story sets (`names`, scored together: one value for every language),
    whose score is a pairwise F1: the value is chosen by F1 on the other folds' pairs, the held-out
    pairs' outcomes are pooled into one F1, reported per set."""
    outcomes: dict[str, dict[str, tuple[bool, bool]]] = {}
    for value in values:
        outcomes[value] = {}
        for name in names:
            run_set(name, shared, out_root / f"{setting}={value}", {**overrides, setting: value})
            found = story_pairs(shared, out_root / f"{setting}={value}" / name / "results", name)
            outcomes[value].update({f"{name}:{i}": o for i, o in found.items()})
    ids = sorted(outcomes[values[0]])
    chosen, pick = choose_by_folds(ids, values, folds, lambda v, train: pair_f1([outcomes[v][i] for i in train]))
    lines = []
    for name in names:
        mine = [i for i in ids if i.startswith(name + ":")]
        lines += [f"| {name} | {setting}={v} | F1 {pair_f1([outcomes[v][i] for i in mine]):.4f} |" for v in values]
        lines.append(f"| {name} | cross-validated ({folds} folds of {len(ids)} pairs of {' + '.join(names)}; chosen "
                     f"per fold: {', '.join(chosen)}) | F1 {pair_f1([outcomes[pick[i]][i] for i in mine]):.4f} |")
    return lines


#: How each set with per-page or per-pair scores is cross-validated.
CROSS_VALIDATE = {**{name: cross_validate for name in PAGE_SCORES}, "stories": cross_validate_pairs,
                  "multilingual-stories": cross_validate_pairs}
#: The sets whose scores are same-story pairs (cross-validated together, reported by language pair).
STORY_SETS = ("stories", "multilingual-stories")


def story_tables(names: list[str], args: argparse.Namespace, out_root: Path, overrides: dict[str, str],
                 folds: int) -> None:
    """For the story sets run: F1 by language pair beside plain TF-IDF (and `--before`), then with
    --folds the one threshold cross-validated over every story set run."""
    from storypairs import table

    stories = [n for n in names if n in STORY_SETS]
    for name in stories:
        folder = args.shared / SETS[name][0]
        before = args.before / name / "results" if args.before else None
        print(f"\n{name}, by language pair:\n")
        print("\n".join(table(folder.parent / "pairs.jsonl", folder, out_root / name / "results", before,
                               english=name == "stories")), flush=True)
    if args.folds and stories:
        setting, values = DEFAULT_TUNE[stories[0]]
        print("\n| set | value | F1 |\n| --- | --- | --- |")
        print("\n".join(cross_validate_pairs(stories, setting, values.split(","), args.shared, out_root / "folds",
                                             overrides, folds)), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--keep", type=Path, default=None, help="keep results and scorer output here")
    parser.add_argument("--env", action="append", default=[], metavar="NEWSFLOW_X=VALUE",
                        help="a setting for the run (repeatable), e.g. NEWSFLOW_CLEAN_HEADER_LINES_AFTER_BODY=5")
    parser.add_argument("--tune", default=None, metavar="NEWSFLOW_X=V1,V2,...",
                        help="cross-validate a setting over these values on each set (--folds)")
    parser.add_argument("--folds", type=int, default=None,
                        help="folds of --tune (5); without --tune, adds each set's cross-validated figure "
                             "over its DEFAULT_TUNE setting to the table")
    parser.add_argument("--before", type=Path, default=None,
                        help="an earlier run's --keep folder: its story results are shown beside newsflow's")
    args = parser.parse_args()
    overrides = dict(e.split("=", 1) for e in args.env)
    if any(not k.startswith("NEWSFLOW_") for k in overrides):
        parser.error("--env takes NEWSFLOW_<NAME>=<value>")
    names = [n.strip() for n in args.sets.split(",") if n.strip()]
    unknown = set(names) - set(SETS)
    if unknown:
        parser.error(f"unknown sets {sorted(unknown)}; choose from {', '.join(SETS)}")
    if not (args.shared / "eval").is_dir():
        parser.error(f"no evaluation data at {args.shared}/eval; pass --shared")
    out_root = args.keep or Path(tempfile.mkdtemp(prefix="newsflow-eval-"))
    folds = args.folds or 5
    if args.tune:
        setting, values = args.tune.split("=", 1)
        print("| set | value | mean page score |\n| --- | --- | --- |")
        stories = [n for n in names if n in STORY_SETS]
        for name in [n for n in names if n not in STORY_SETS] + stories[:1]:
            if name not in CROSS_VALIDATE:
                parser.error(f"--tune needs page or pair scores; {name} has neither")
            which = stories if name in STORY_SETS else name
            lines = CROSS_VALIDATE[name](which, setting, values.split(","), args.shared, out_root, overrides, folds)
            print("\n".join(lines), flush=True)
        return 0
    print("| set | newsflow | plain library, same pages | pages won / lost / tied | needed | results | seconds |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in names:
        lines, seconds, count = run_set(name, args.shared, out_root, overrides)
        _, _, _, needed, reference = SETS[name]
        library, tally = (run_library(name, args.shared, out_root) if name in PAGE_SCORES or name in LIBRARY_ONLY
                          else ([f"{reference} (shared README)"], "–"))
        print(f"| {name} | {'; '.join(lines)} | {'; '.join(library)} | {tally} | {needed} | {count} | "
              f"{seconds:.0f} |", flush=True)
        if args.folds and name in DEFAULT_TUNE and name not in STORY_SETS:
            setting, values = DEFAULT_TUNE[name]
            cv = CROSS_VALIDATE[name](name, setting, values.split(","), args.shared, out_root / "folds", overrides, folds)
            _, how, figure = cv[-1].strip("| ").split(" | ")
            print(f"| {name}, {how} | {figure} | | | | | |", flush=True)
    story_tables(names, args, out_root, overrides, folds)
    print(f"\nscorer output and results: {out_root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
