"""Properties of the cleaner on arbitrary input (hypothesis): it never fails unexpectedly, invents nothing, and is idempotent."""

from __future__ import annotations

import json
import re
import textwrap

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsflow.clean import CleanError, clean
from newsflow.values import Document

WORDS = ["the", "council", "said", "on", "Tuesday", "that", "it", "would", "rebuild", "harbour", "wall", "of",
         "a", "and", "Share", "Home", "Advertisement", "By", "Jane", "Doe", "Updated", "05", "September", "2023",
         "Related", "Comments", "©", "2019", "news", "in", "to", "was", "they", "é", "ü", "—", "“", "”",
         "four-", "(three", "days)", "LONDON", "http://x.io", ","]
ENDS = ["", ".", "!", "?", ":", "”"]

line = st.builds(lambda ws, end: " ".join(ws) + end, st.lists(st.sampled_from(WORDS), min_size=0, max_size=30),
                 st.sampled_from(ENDS))
page = st.lists(line, min_size=0, max_size=40).map("\n".join)
any_text = st.one_of(page, st.text(max_size=2000))
PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _try(doc: Document):
    try:
        return clean(doc)
    except CleanError:
        return None


@PROFILE
@given(st.binary(max_size=3000), st.sampled_from(["a.txt", "a.html", "a.json", "noext", "a.md"]))
def test_never_raises_on_any_bytes(data, name):
    """Any bytes under any name give a Cleaned or a CleanError, never another exception."""
    _try(Document(name, data))


@PROFILE
@given(any_text, st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1"]))
def test_never_raises_on_any_text(text, encoding):
    """Any text in any common encoding gives a Cleaned or a CleanError, never another exception."""
    _try(Document("a.txt", text.encode(encoding, errors="replace")))


@PROFILE
@given(any_text)
def test_never_raises_on_scraper_json(text):
    """Scraper JSON with any text (or any nesting of it) gives a Cleaned or a CleanError."""
    for obj in ({"maintext": text}, {"text": text, "title": text[:30]}, {"html": text}, {"content": [text]}, [text]):
        _try(Document("a.json", json.dumps(obj).encode()))


@PROFILE
@given(page)
def test_every_paragraph_comes_from_the_input(text):
    """Nothing is invented: each output paragraph is input text (one line, or consecutive lines of a
    hard-wrapped paragraph joined), bullets removed; only whitespace may differ."""
    c = _try(Document("a.txt", text.encode()))
    if c is None:
        return
    source = "".join(text.split())
    for p in c.paragraphs:
        assert p and "".join(p.split()) in source
        assert _words(p) in _words(text)


@PROFILE
@given(page)
def test_idempotent(text):
    """Cleaning the cleaned output's text again gives the same paragraphs."""
    c = _try(Document("a.txt", text.encode()))
    if c is None or not c.paragraphs:
        return
    again = clean(Document("again.txt", c.text.encode()))
    assert again.paragraphs == c.paragraphs


@PROFILE
@given(page)
def test_idempotent_for_scraper_json(text):
    """The body cleaned from a scraper's maintext is a fixed point too (cleaned again the same way)."""
    c = _try(Document("a.json", json.dumps({"title": "A headline", "maintext": text}).encode()))
    if c is None or not c.paragraphs:
        return
    again = json.dumps({"title": "A headline", "maintext": c.text})
    assert clean(Document("again.json", again.encode())).paragraphs == c.paragraphs


@PROFILE
@given(page)
def test_output_is_normalised(text):
    """Output text is NFC with one kind of space, and no sentence of prose follows a copy of
    itself (list items may recur, and a question put to each guest)."""
    import unicodedata

    c = _try(Document("a.txt", text.replace(" ", "\u00a0", 3).encode()))
    if c is None:
        return
    for p in c.paragraphs:
        assert unicodedata.is_normalized("NFC", p)
        assert "\u00a0" not in p and "\t" not in p and "  " not in p
    from newsflow.clean.lines import make_lines

    from newsflow.clean import CleanSettings
    from newsflow.clean.cleaner import _prose

    doubled = [p for p, q in zip(c.paragraphs, c.paragraphs[1:]) if p.lower() == q.lower()]
    assert not [ln for p in doubled for ln in make_lines(p) if _prose(ln, CleanSettings())]


wrapped_page = st.builds(
    lambda paras, width: "\n\n".join(textwrap.fill(p, width) for p in paras if p.strip()),
    st.lists(line, min_size=1, max_size=8), st.integers(min_value=20, max_value=90),
)


@PROFILE
@given(wrapped_page)
def test_hard_wrapped_text_invents_nothing_and_is_idempotent(text):
    """Hard-wrapped text: joined lines are the input's words in order, and cleaning is a fixed point."""
    c = _try(Document("a.txt", text.encode()))
    if c is None or not c.paragraphs:
        return
    source = "".join(text.split())
    for p in c.paragraphs:
        assert "".join(p.split()) in source
    assert clean(Document("again.txt", c.text.encode())).paragraphs == c.paragraphs
