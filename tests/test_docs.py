"""The README and docs/: the README stays short (at most 250 lines), and every relative link in
them names a file that exists (and, with an anchor, a heading in it)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: Markdown links: [text](target); external (scheme://) and mail links are not checked.
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _broken(page: Path) -> list[str]:
    out = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if "://" in target or target.startswith("mailto:"):
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            out.append(target)
        elif anchor and file.suffix == ".md":
            headings = {_anchor(h) for h in re.findall(r"^#+ (.+)$", file.read_text(encoding="utf-8"), re.M)}
            if anchor not in headings:
                out.append(target)
    return out


def test_the_readme_is_read_in_one_sitting():
    """At most 250 lines, with the two set-up commands and links into docs/."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    assert "make run" in text and "make test" in text and "](docs/" in text


def test_every_link_in_the_readme_and_docs_resolves(tmp_path):
    """Each relative link of README.md and docs/*.md names an existing file (and heading); a page
    written here with a dead link is caught, so the check is not vacuous."""
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    assert len(pages) > 5
    assert {str(p.relative_to(REPO)): _broken(p) for p in pages if _broken(p)} == {}
    dead = tmp_path / "dead.md"
    dead.write_text("# Title\n\n[gone](nowhere.md) [here](#title) [not here](#nope) [web](https://x.org)\n")
    assert _broken(dead) == ["nowhere.md", "#nope"]
