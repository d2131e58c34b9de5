"""Lines and their features (newsflow.clean.lines): hard-wrapped text joined, short lines left alone."""

from __future__ import annotations

from newsflow.clean import CleanSettings
from tests.cleaning import ARTICLE, clean_text


WIRE = """HARBOUR - COUNCIL TO REBUILD STORM-HIT WALL.
PORTSMOUTH 2023-09-05
The city council voted on Tuesday to rebuild the old
harbour wall, which storms damaged last winter, and
to open the quay to visitors again by the end of
next year.
Work will start in the spring, the council said.
Repair schedule:
Phase one (quay and slipway,
north side)
Phase two (sea wall)
Phase three (lighthouse path)
"""


def test_wrapped_wire_story_is_joined_and_keeps_its_table():
    """A wire story wrapped mid-sentence comes out as whole sentences, under its headline and
    dateline (which the body does not hold); the list the story introduces stays."""
    c = clean_text(WIRE)
    assert c.title == "COUNCIL TO REBUILD STORM-HIT WALL."
    assert c.dateline == "PORTSMOUTH 2023-09-05"
    assert c.published == "2023-09-05"
    assert c.paragraphs == (
        "The city council voted on Tuesday to rebuild the old harbour wall, which storms damaged last winter, "
        "and to open the quay to visitors again by the end of next year.",
        "Work will start in the spring, the council said.",
        "Repair schedule:",
        "Phase one (quay and slipway, north side)",
        "Phase two (sea wall)",
        "Phase three (lighthouse path)",
    )


def test_short_lines_are_not_joined():
    """Menus, labels and table rows (short lines, no sentence running on) stay apart."""
    from newsflow.clean.lines import reflow

    lines = ["Home", "News", "Sport", "Log in", "Results", "Stoke 4 3 1 0 7 4 10", "Barnsley 3 3 0 0 8 2 9",
             "1) A product name", "http://example.com/a", "Read more about", "@someone on Twitter"]
    assert reflow(lines, CleanSettings()) == lines


def test_text_wrapped_at_a_fixed_width_is_joined():
    """An e-mail wrapped at 60 columns: each paragraph becomes one line, blank lines still part them."""
    import textwrap

    from newsflow.clean.lines import reflow

    paragraphs = [" ".join(ARTICLE[:2]), " ".join(ARTICLE[2:])]
    wrapped = "\n\n".join(textwrap.fill(p, 60) for p in paragraphs)
    assert [x for x in reflow(wrapped.split("\n"), CleanSettings()) if x] == [
        # a sentence ending at a line's end is a break the classifier reads as one anyway
        *[x for p in paragraphs for x in _sentence_lines(p, 60)]
    ]
    c = clean_text(wrapped)
    assert " ".join(c.paragraphs) == " ".join(paragraphs)


def _sentence_lines(paragraph: str, width: int) -> list[str]:
    """What reflow makes of a paragraph wrapped at `width`: its lines joined, broken after
    a line that ends a sentence."""
    import textwrap

    out, cur = [], []
    for line in textwrap.wrap(paragraph, width):
        cur.append(line)
        if line.rstrip("”\"'")[-1] in ".!?":
            out.append(" ".join(cur))
            cur = []
    return out + ([" ".join(cur)] if cur else [])


def test_word_broken_at_a_hyphen_is_joined_without_a_space():
    from newsflow.clean.lines import reflow

    assert reflow(["the six-test series over a four-", "month tour of England"], CleanSettings()) == [
        "the six-test series over a four-month tour of England"]


def test_reflow_can_be_switched_off():
    c = clean_text(WIRE, reflow_hard_wraps=False)
    assert not any("voted on Tuesday" in p and "harbour wall" in p for p in c.paragraphs)
