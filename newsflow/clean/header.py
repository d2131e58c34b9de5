"""The article's own header around the body: headline, dateline, byline; page-title helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsflow.clean import lexicon as lx
from newsflow.clean.dates import date_line_score, find_dates, is_date_line
from newsflow.clean.lines import BAD, FURNITURE_KINDS, GOOD, HEADER_KINDS, WORD, BodyResult, Line
from newsflow.clean.settings import CleanSettings


def header_end(lines: list[Line], s: CleanSettings) -> int:
    """Lines of a text's own header: headline, byline and dateline lines above the first prose.

    The header ends after its last dateline or byline among the first few lines; 0 when the
    text opens with no such header (or with prose, or with other furniture).
    """
    end = 0
    for i, ln in enumerate(lines[: s.header_max_lines]):
        if ln.why in HEADER_KINDS:
            end = i + 1
        elif ln.why in FURNITURE_KINDS:
            return 0
    return end


@dataclass(frozen=True, slots=True)
class HeaderInfo:
    """What the lines around a body's start say about the article."""

    title: str | None = None
    published: str | None = None  # ISO date of the best date line
    date_score: int = 0  # how explicit that line is (dates.date_line_score)
    date_line: str | None = None  # the line itself
    authors: tuple[str, ...] = ()
    dateline: str | None = None  # the date line when the body does not hold it (the tag stage reads its place)


def header_info(res: BodyResult, s: CleanSettings) -> HeaderInfo:
    """Headline, dateline and byline from the lines around the body's start."""
    lines = res.lines
    first_body = res.start if res.body else len(lines)
    lo = max(0, first_body - s.header_lines_before_body)
    hi = min(len(lines), first_body + s.header_lines_after_body)
    title_pos = None
    title = None
    # the page title (first line) names the headline; a later line equal to its
    # headline part is the on-page headline.
    top = lines[0].text if lines else ""
    in_header = res.header > 0
    for k in range(first_body - 1, lo - 1, -1):
        ln = lines[k]
        if title_like(ln, s, in_header) and similar(ln.text, top):
            title, title_pos = ln.text, k
            break
    if title is None:
        for k in range(first_body - 1, lo - 1, -1):
            if title_like(lines[k], s, in_header):
                title, title_pos = lines[k].text, k
                break
    if title is None and lines and title_like(lines[0], s, in_header):
        title, title_pos = lines[0].text, 0
    if title is not None and title_pos == 0:
        title = strip_site_suffix(title)
    # Where the headline stands on the page: the title's line, or else a headline-like
    # first body line (a date above it is the site's, not the article's).
    headline_pos = title_pos
    if headline_pos is None and res.body and title_like(lines[first_body], s, in_header) \
            and not lines[first_body].terminal:
        headline_pos = first_body
    best = None
    authors: list[str] = []
    prose_above = 0
    for k in range(lo, hi):
        ln = lines[k]
        if k in res.body and ln.kind == GOOD:
            prose_above += 1
            continue
        if prose_above >= 2 and any(lines[j].kind == GOOD for j in range(k + 1, min(len(lines), k + 3))):
            continue  # between paragraphs of prose: an embedded post's date ("Posted by X on <date>")
        if ln.why == "byline" or (ln.why == "date" and lx.BYLINE.match(ln.text)):
            authors.extend(split_names(lx.BYLINE.match(ln.text).group("names")))
        dates = ln.dates if ln.dates else (find_dates(ln.text) if ln.words <= 20 else [])
        if not dates or not is_date_line(ln.text, dates, max_other_words=10):
            continue
        before_title = headline_pos is not None and k < headline_pos
        score = date_line_score(ln.text, dates, before_title)
        if score and (best is None or score > best[0]):
            best = (score, dates[0][2], ln.text, k)
    if best is None:
        return HeaderInfo(title, authors=tuple(authors))
    score, published, line, pos = best
    return HeaderInfo(title, published, score, line, tuple(authors), line if pos not in res.body else None)


_TITLE_SEP = re.compile(r"\s+[|–—\-:·•»]\s+")


def strip_site_suffix(title: str) -> str:
    """ "Headline - The Site" -> "Headline" (the longest part of a page title)."""
    parts = _TITLE_SEP.split(title)
    if len(parts) < 2:
        return title
    return max(parts, key=len)


def site_suffix(title: str) -> str | None:
    """The site part of a page title ("Headline - The Site" -> "The Site"), if it has one."""
    parts = _TITLE_SEP.split(title)
    if len(parts) < 2:
        return None
    head = max(parts, key=len)
    rest = [p for p in parts if p is not head and 0 < len(p.split()) <= 5]
    return rest[-1].strip() if rest else None


def title_like(ln: Line, s: CleanSettings, header: bool = False) -> bool:
    """Could the line be a headline? `header`: it sits in a clean article's own header
    (above its byline or dateline), where a headline may end with a period (wire style)
    and be in headline case."""
    if ln.kind == BAD and ln.why not in (("repeat", "teaser") if header else ("repeat",)):
        return False
    if ln.words < 3 or ln.words > s.title_max_words:
        return False
    if ln.text[0].islower():
        return False
    if ln.text[-1] in ".:;," and not (header and ln.text[-1] == "." and ln.text[-2:-1] != "."):
        return False
    return True


def similar(a: str, b: str) -> bool:
    ta, tb = set(WORD.findall(a.lower())), set(WORD.findall(b.lower()))
    if not ta or not tb:
        return False
    return len(ta & tb) / len(ta) >= 0.7


_NAME_SPLIT = re.compile(r"\s*(?:,|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bwith\b|\bmit\b)\s*", re.I)


def split_names(names: str) -> list[str]:
    """ "Jane Doe and John Roe, Reuters" -> ["Jane Doe", "John Roe", "Reuters"] (cleaned of dates and roles)."""
    names = re.split(r"\s+(?:-|–|—|\||·)\s+|\s*\d", names)[0]
    out = []
    for part in _NAME_SPLIT.split(names):
        part = part.strip(" .,;:|")
        if 1 <= len(part.split()) <= 4 and part[:1].isupper():
            out.append(part)
    return out
