"""Differences between two result folders of the same inputs (before and after a change).

    python ops/tools/compare.py BEFORE AFTER [--fields id,text,...]

Records are matched by `source.name`; each field the two records hold differently
is printed (timestamps and timings are not compared: they differ on every run).
`ops/tools/eval.py --keep DIR` leaves one results folder per set under DIR/<set>/results;
given two such DIRs, every set is compared. Exit status 1 when anything differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

#: What a refactoring must leave unchanged: the article's identity, text, metadata and tags.
FIELDS = ("id", "status", "source", "title", "text", "published", "authors", "outlet", "language", "duplicate_of",
          "story_id", "entities", "keywords", "topics", "topic_scores", "error", "fingerprint", "placement",
          "url", "format", "encoding")


def records(folder: Path) -> dict[str, dict]:
    out = {}
    for path in sorted(folder.rglob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(record, dict) and "source" in record:
            out[record["source"].get("name") or path.name] = record
    return out


def differences(before: Path, after: Path, fields: tuple[str, ...]) -> list[str]:
    """One line per differing (record, field), and one per record only one side has."""
    a, b = records(before), records(after)
    lines = [f"only before: {name}" for name in sorted(a.keys() - b.keys())]
    lines += [f"only after: {name}" for name in sorted(b.keys() - a.keys())]
    for name in sorted(a.keys() & b.keys()):
        for field in fields:
            if a[name].get(field) != b[name].get(field):
                lines.append(f"{name}: {field}: {_short(a[name].get(field))} -> {_short(b[name].get(field))}")
    return lines


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def _pairs(before: Path, after: Path) -> list[tuple[str, Path, Path]]:
    """(label, before results, after results): one pair, or one per set of two `eval.py --keep` folders."""
    sets = sorted(p.name for p in before.iterdir() if (p / "results").is_dir()) if before.is_dir() else []
    if sets:
        return [(s, before / s / "results", after / s / "results") for s in sets]
    return [("results", before, after)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--fields", default=",".join(FIELDS))
    args = parser.parse_args()
    fields = tuple(f for f in args.fields.split(",") if f)
    changed = 0
    for label, before, after in _pairs(args.before, args.after):
        lines = differences(before, after, fields)
        print(f"{label}: {len(records(before))} records, {len(lines)} differences")
        for line in lines:
            print(f"  {line}")
        changed += len(lines)
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
