"""Real news articles beyond the team's development pages, from public packages (issue 28).

The real-page memory run (`memory_real.py`) was asked for 5,000 pages; the development sets hold
3,639. Two packages reachable here ship real newswire text as example data:

* Debian's `weka` (its examples: Reuters-21578 newswire of 1987, ModApte; ReutersCorn and
  ReutersGrain hold the same texts under two labellings): 2,149 distinct articles;
* PyPI's `gensim` wheel (its test data: the Lee corpus, Australian Broadcasting Corporation news,
  one article a line): 343 distinct articles.

This fetches both (`apt-get download`, `pip download`: nothing is installed), and writes one
`.txt` per distinct article (same words, case and punctuation aside: one) into OUT.

    python ops/tools/public_news.py OUT [--cache DIR]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import zipfile
from pathlib import Path

WEKA_DEB = "weka"
WEKA_FILES = ("ReutersCorn-train.arff", "ReutersCorn-test.arff", "ReutersGrain-train.arff", "ReutersGrain-test.arff")
GENSIM = "gensim==4.4.0"
LEE_FILES = ("lee_background.cor", "lee.cor")
#: An ARFF data line: one quoted string (the article), a comma, the class label.
ARFF_RECORD = re.compile(r"^'(.*)',\s*\S+\s*$")
ARFF_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def fetch_weka(cache: Path) -> Path:
    """The unpacked `weka` package's examples folder (downloaded once)."""
    root = cache / "weka"
    if not root.exists():
        subprocess.run(["apt-get", "download", WEKA_DEB], cwd=cache, check=True)
        deb = next(cache.glob("weka_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return root / "usr" / "share" / "doc" / "weka" / "examples"


def fetch_gensim(cache: Path) -> zipfile.ZipFile:
    """The gensim wheel (downloaded once; only read, never installed)."""
    wheels = list(cache.glob("gensim-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-d",
                        str(cache), GENSIM], check=True)
        wheels = list(cache.glob("gensim-*.whl"))
    return zipfile.ZipFile(wheels[0])


def arff_strings(text: str) -> list[str]:
    """The quoted string of every data line of an ARFF file, unescaped."""
    out, data = [], False
    for line in text.splitlines():
        if not data:
            data = line.strip().lower() == "@data"
            continue
        m = ARFF_RECORD.match(line)
        if m:
            out.append(re.sub(r"\\(.)", lambda e: ARFF_ESCAPES.get(e.group(1), e.group(1)), m.group(1)))
    return out


def articles(cache: Path) -> list[tuple[str, str]]:
    """(name, text) of every article of both sources."""
    examples = fetch_weka(cache)
    out = [(f"{f.split('.')[0]}-{i:05d}", s) for f in WEKA_FILES
           for i, s in enumerate(arff_strings((examples / f).read_text(encoding="latin-1")))]
    wheel = fetch_gensim(cache)
    for name in LEE_FILES:
        lines = wheel.read(f"gensim/test/test_data/{name}").decode("latin-1").splitlines()
        out += [(f"{name.split('.')[0]}-{i:03d}", line) for i, line in enumerate(lines) if line.strip()]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/newsflow-public-news"))
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    for name, text in articles(args.cache):
        key = " ".join(re.findall(r"\w+", text.lower()))
        if key and key not in seen:
            seen.add(key)
            (args.out / f"{name}.txt").write_text(text.strip() + "\n", encoding="utf-8")
    print(f"{len(seen)} distinct articles in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
