"""What each cleaning rule and date override does across a whole evaluation set.

    python ops/tools/rules.py [--shared ../shared]

For every page of `maintext/txt` (plain text) and `maintext/html` (trafilatura's
paragraphs, which our filter then reads), each line the cleaner leaves out is
put down to the rule that left it out: its line class (`promo`, `caption`,
`bio`, ... as `newsflow.clean.classify` classifies), `dedupe` (a repeat of an
earlier paragraph) or `selection` (outside the body the cleaner chose). Its
four-word shingles count as *furniture removed* when the gold body does not
hold them and as *body removed* when it does (and the output does not hold
them elsewhere). A rule that removes more body than furniture is wrong more
often than right.

For the date overrides (on `dates/` and the multilingual `dates/`): each time an
override changes the date the plain library gave, whether the gold says the
override was right or wrong.

On the multilingual pages (`multilingual/maintext`, mostly German; gold as
snippets), each rule's removed lines are counted by the snippets they hold:
a `without` snippet removed is furniture rightly removed, a `with` snippet
removed (and found nowhere in the output) is body wrongly removed. Every
English-worded rule (bio, caption, promo, related lists) is audited there.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from newsflow.clean import CleanSettings
from newsflow.clean.cleaner import _dedupe, normalise
from newsflow.clean.dates import merge_dates, parse_field
from newsflow.clean.decode import decode
from newsflow.clean.html import extract_html
from newsflow.clean.body import extract_body
from newsflow.clean.header import HeaderInfo, header_info
from newsflow.clean.lines import BAD

REPO = Path(__file__).resolve().parents[2]
_WORD = re.compile(r"\w+")


def shingles(text: str) -> Counter:
    """The scorer's unit: runs of four lower-cased words, paragraph by paragraph."""
    out: Counter = Counter()
    for para in text.split("\n"):
        toks = [t.lower() for t in _WORD.findall(para)]
        if 0 < len(toks) < 4:
            out[tuple(toks)] += 1
        out.update(tuple(toks[i:i + 4]) for i in range(len(toks) - 3))
    return out


def attribute(text: str, gold_body: Counter, s: CleanSettings, trusted: bool, wrapped: bool,
              table: dict[str, list[int]]) -> None:
    """Add to `table[rule] = [furniture shingles, body shingles, lines]` what each rule removed."""
    res = extract_body(text, s, trusted=trusted, wrapped=wrapped)
    kept_lines = _dedupe([res.lines[i] for i in res.body], s)
    kept = {ln.pos for ln in kept_lines}
    output = shingles("\n".join(ln.text for ln in kept_lines))
    in_body = set(res.body)
    for ln in res.lines:
        if ln.pos in kept:
            continue
        rule = ln.why if ln.kind == BAD and ln.why else ("dedupe" if ln.pos in in_body else "selection")
        removed = shingles(ln.text)
        # as the scorer counts (multisets): body lost is what the gold holds more often than the output
        body = sum(min(n, max(0, gold_body[sh] - output[sh])) for sh, n in removed.items())
        row = table[rule]
        row[0] += sum(n for sh, n in removed.items() if sh not in gold_body)
        row[1] += body
        row[2] += 1


def clean_rules(shared: Path, s: CleanSettings) -> dict[str, dict[str, list[int]]]:
    tables: dict[str, dict[str, list[int]]] = {}
    for kind in ("txt", "html"):
        table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for page in sorted((shared / "eval" / "maintext" / kind).iterdir()):
            gold = json.loads((shared / "eval" / "maintext" / f"{kind}_gold" / f"{page.name}.gold.json").read_text())
            body = shingles("\n".join(gold["body_paragraphs"]))
            raw, _ = decode(page.read_bytes())
            if kind == "txt":
                attribute(normalise(raw, s.repair_mojibake), body, s, False, True, table)
            else:
                r = extract_html(normalise(raw, s.repair_mojibake), s)
                attribute(r.text, body, s, not r.fallback, False, table)
        tables[kind] = table
    return tables


def snippet_rules(shared: Path, s: CleanSettings) -> dict[str, list[int]]:
    """rule -> [`without` snippets it removed, `with` snippets it lost, lines] on the multilingual pages."""
    folder = shared / "eval" / "multilingual" / "maintext"
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for g in json.loads((folder / "snippets.gold.json").read_text()).values():
        page = folder / "html" / g["file"]
        if not page.exists():
            continue
        raw, _ = decode(page.read_bytes())
        r = extract_html(normalise(raw, s.repair_mojibake), s)
        res = extract_body(r.text, s, trusted=not r.fallback, wrapped=False)
        kept = {ln.pos for ln in _dedupe([res.lines[i] for i in res.body], s)}
        output = "\n".join(ln.text for ln in res.lines if ln.pos in kept)
        in_body = set(res.body)
        for ln in res.lines:
            if ln.pos in kept:
                continue
            rule = ln.why if ln.kind == BAD and ln.why else ("dedupe" if ln.pos in in_body else "selection")
            row = table[rule]
            row[0] += sum(1 for x in g.get("without", ()) if x and x in ln.text)
            row[1] += sum(1 for x in g.get("with", ()) if x and x in ln.text and x not in output)
            row[2] += 1
    return table


def date_overrides(shared: Path, s: CleanSettings, folder: str = "dates") -> dict[str, list[int]]:
    """override -> [right, wrong, no gold]: each time it changed the library's date."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    gold = json.loads((shared / "eval" / folder / "dates.gold.json").read_text())
    for name, g in gold.items():
        page = shared / "eval" / folder / "files" / name
        if not page.exists():
            continue
        raw, _ = decode(page.read_bytes())
        html = normalise(raw, s.repair_mojibake)
        r = extract_html(html, s)
        library = _library_date(html, s)
        head = header_info(extract_body(r.page_text, s, wrapped=False), s) if r.page_text else HeaderInfo()
        merged = merge_dates(head.published, head.date_score, r.published, s.dateline_over_metadata_score,
                             head.date_line)
        for override, before, after in (("json_ld_over_metadata", library, r.published),
                                         ("dateline_over_metadata", r.published, merged)):
            if before != after:
                want = g.get("published")
                out[override][0 if after == want else 1 if before == want else 2] += 1
    return out


def _library_date(html: str, s: CleanSettings) -> str | None:
    """The date trafilatura (htmldate) alone gives, as newsflow normalises it."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, date_extraction_params={
        "original_date": True, "extensive_search": s.html_extensive_date_search})
    return parse_field(doc.date, s.min_year) if doc is not None and doc.date else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()
    s = CleanSettings()
    for kind, table in clean_rules(args.shared, s).items():
        print(f"\n{kind}: rule | furniture shingles removed | body shingles removed | lines | verdict")
        print("| --- | --- | --- | --- | --- |")
        for rule, (furniture, body, lines) in sorted(table.items(), key=lambda kv: -kv[1][1]):
            verdict = "removes more body than furniture" if body > furniture else "ok"
            print(f"| {rule} | {furniture} | {body} | {lines} | {verdict} |")
    print("\nmultilingual pages: rule | `without` snippets removed (right) | `with` snippets lost (wrong) | lines | verdict")
    print("| --- | --- | --- | --- | --- |")
    for rule, (right, wrong, lines) in sorted(snippet_rules(args.shared, s).items(), key=lambda kv: -kv[1][1]):
        print(f"| {rule} | {right} | {wrong} | {lines} | {'loses more body than it removes furniture' if wrong > right else 'ok'} |")
    for folder in ("dates", "multilingual/dates"):
        print(f"\n{folder}: date override | right | wrong | neither right (both wrong) |")
        print("| --- | --- | --- | --- |")
        for override, (right, wrong, neither) in date_overrides(args.shared, s, folder).items():
            print(f"| {override} | {right} | {wrong} | {neither} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
