"""Smoke tests of the real libraries, installed the way a user installs them.

One real page per input kind (plain text, HTML, scraper JSON), with the known
text of its article: through `clean`, and through `newsflow process --inline`,
each must come out `ok` with a body overlapping the article (four-word
shingles, F1 >= 0.9). A library that cannot import (lxml_html_clean, which
jusText imports through trafilatura, was once dropped by pip 23) fails them.
And every module imports in a fresh interpreter without doing any I/O.
`make test-latest` runs these alone against the newest versions the ranges allow.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from newsflow.clean import clean
from newsflow.values import Document
from tests.conftest import DATA, REPO, SEEDS
from tests.helpers import newsflow, results

pytestmark = pytest.mark.smoke

PAGES = DATA / "pages"
_HTML = "aeb_833caf3bdba53dcf48de273cf646370eebe9ac565744b0d0e941e298e1b79730.html"
#: kind -> (page, gold file with its article's `body_paragraphs`)
KINDS = {
    "text": (SEEDS / "000_0605cb55bcd40926.txt", SEEDS / "000_0605cb55bcd40926.gold.json"),
    "html": (PAGES / _HTML, PAGES / f"{_HTML}.gold.json"),
    "json": (PAGES / "scraper_page.json", PAGES / "scraper_page.gold.json"),
}
MIN_F1 = 0.9


def shingles(text: str) -> Counter:
    """Runs of four lower-cased words, paragraph by paragraph (the benchmark's unit)."""
    out: Counter = Counter()
    for para in text.split("\n"):
        words = re.findall(r"\w+", para.lower())
        out.update(tuple(words[i:i + 4]) for i in range(len(words) - 3))
    return out


def overlap_f1(text: str, gold: Path) -> float:
    """F1 of the shingles of `text` against the article body in `gold`."""
    got = shingles(text)
    want = shingles("\n".join(json.loads(gold.read_text(encoding="utf-8"))["body_paragraphs"]))
    common = sum((got & want).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def test_overlap_f1_tells_the_article_from_other_text():
    """The measure itself: the gold scores 1, unrelated text 0."""
    gold = KINDS["text"][1]
    body = "\n".join(json.loads(gold.read_text())["body_paragraphs"])
    assert overlap_f1(body, gold) == 1.0
    assert overlap_f1("An unrelated paragraph about the weather in a small town by the sea.", gold) == 0.0


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_input_kind_cleans_to_its_article(kind):
    """clean() reads each kind as that kind and finds its article."""
    page, gold = KINDS[kind]
    cleaned = clean(Document(page.name, page.read_bytes()))
    assert cleaned.format == kind
    assert overlap_f1("\n".join(cleaned.paragraphs), gold) >= MIN_F1


def test_each_input_kind_through_process_inline(tmp_path):
    """`newsflow process --inline` on the three pages: three ok records with their articles."""
    out = tmp_path / "R"
    pages = [page for page, _ in KINDS.values()]
    done = newsflow("process", "--inline", *map(str, pages), "--results", str(out), cwd=tmp_path, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    got = results(out)
    for kind, (page, gold) in KINDS.items():
        record = got[page.name]
        assert record["status"] == "ok" and record["format"] == kind
        assert overlap_f1(record["text"], gold) >= MIN_F1, kind


#: Run in a fresh interpreter: import every module of the packages, and report any
#: I/O an import did (an audit hook sees connections, processes and folders made).
_IMPORT_ALL = r"""
import importlib, json, pkgutil, sys
events = []
WATCH = {"socket.connect", "subprocess.Popen", "os.fork", "os.posix_spawn", "os.exec", "os.mkdir"}
sys.addaudithook(lambda event, args: events.append([event, repr(args)[:200]]) if event in WATCH else None)
names = []
for package in ("newsflow", "tasks", "workers"):
    module = importlib.import_module(package)
    names.append(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        if info.name != "newsflow.__main__":
            importlib.import_module(info.name)
            names.append(info.name)
print(json.dumps({"modules": names, "events": events}))
"""


def test_every_module_imports_in_a_fresh_interpreter_without_io(tmp_path):
    """Each module imports on its own install; none connects, spawns or creates a folder doing so."""
    done = subprocess.run([sys.executable, "-c", _IMPORT_ALL], cwd=tmp_path, capture_output=True, text=True,
                          timeout=180, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO),
                                            "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    expected = {".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
                for folder in ("newsflow", "tasks", "workers") for p in (REPO / folder).rglob("*.py")}
    expected.discard("newsflow.__main__")
    assert expected <= set(report["modules"])
    assert report["events"] == []
    assert list(tmp_path.iterdir()) == []  # no state folder, no inbox, nothing
