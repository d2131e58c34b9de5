"""Where, inside a run of prose, another article or the reader comments begin."""

from __future__ import annotations

import re

from newsflow.clean import lexicon as lx
from newsflow.clean.classify import ATTRIBUTION
from newsflow.clean.dates import _MONTHS
from newsflow.clean.header import similar
from newsflow.clean.lines import GOOD, Line
from newsflow.clean.settings import CleanSettings


_MONTH_WORDS = re.compile(r"\b(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b")


def _shape(text: str) -> str:
    """A line with its numbers and month names blanked: "Updated 05 September 2023" -> "updated 0 m 0"."""
    if len(text) > 200:
        return text
    return _MONTH_WORDS.sub("m", re.sub(r"\d+", "0", text.lower()))


def boundaries(lines: list[Line], s: CleanSettings, start: int, end: int) -> list[int]:
    """Positions inside [start, end] where another article's header begins.

    A header is a cluster of non-prose lines between prose blocks that holds a
    date line or a headline repeated a few lines apart (as article pages
    print their headline twice), after enough prose of the first article.
    """
    cuts = []
    good_seen = 0
    # the first article's own date and header lines (what a glued article's header differs in / repeats)
    page_title = lines[0].text
    first_good = next((k for k in range(start, end + 1) if lines[k].kind == GOOD), start)
    header_shapes = {_shape(ln.text) for ln in lines[max(0, first_good - s.header_lines_before_body): first_good]
                     if ln.words <= s.title_max_words}
    i = start
    while i <= end:
        ln = lines[i]
        if ln.kind == GOOD:
            good_seen += 1
            i += 1
            continue
        # a cluster of non-good lines (a short caption-like good line may sit inside)
        j = i
        while j <= end and lines[j].kind != GOOD:
            j += 1
        if good_seen >= s.boundary_min_good_lines and j <= end:
            cluster = range(max(start, i - 2), j)
            # another article's header: a date line, and lines shaped like this article's own
            # header ("Updated <date>", "Follow"), not merely its headline repeated (a video or
            # photo block of the same story repeats that)
            dated = [k for k in cluster if lines[k].why == "date" and not ATTRIBUTION.search(lines[k].text)]
            if not dated:
                i = j
                continue
            same = {
                sh for k in cluster if (sh := _shape(lines[k].text)) in header_shapes
                and not similar(lines[k].text, page_title) and not similar(page_title, lines[k].text)
            }
            if len(same) >= s.boundary_min_template_lines:
                # the new article's header starts at the first title-like or repeated line
                first = i
                for k in cluster:
                    if lines[k].why in ("repeat", "date") or (lines[k].kind != GOOD and k >= i):
                        first = k
                        break
                cuts.append(first)
                good_seen = 0
        i = j
    return cuts


def comment_cuts(lines: list[Line], s: CleanSettings, start: int, end: int) -> list[int]:
    """Where reader comments begin inside [start, end]: after enough body prose, the first of
    several comment-furniture lines close together (timestamps "2 days ago", "Reply",
    "Rating: 9 votes", "Jane says:"), or a comments marker right before them."""
    if s.comment_min_meta <= 0:
        return []
    good = 0
    meta: list[tuple[int, bool]] = []
    for i in range(start, end + 1):
        ln = lines[i]
        if ln.kind == GOOD:
            good += 1
            continue
        if good < s.boundary_min_good_lines or ln.words > 12:
            continue
        strong = lx.COMMENT_META.match(ln.low) is not None
        if not strong and not lx.COMMENT_BUTTON.match(ln.low):
            continue
        meta.append((i, strong))
        while meta[0][0] < i - s.comment_window:
            meta.pop(0)
        if len(meta) >= s.comment_min_meta and sum(st for _, st in meta) >= s.comment_min_meta - 1:
            first = meta[0][0]
            # the thread's own header ("167 comments", "Top rated comments") just above it
            for k in range(first - 1, max(start, first - s.comment_window) - 1, -1):
                if lines[k].kind == GOOD:
                    break
                if lines[k].end_marker:
                    first = k
            return [first]
    return []
