"""The line classifier's choice: a page's lines -> the article's body.

The body is the run of lines with the highest total score (prose scores its
words, furniture a penalty), not crossing the on-page headline, cut where
another article or the comments begin, keeping its prose lines, the
subheadings between them and the tables they introduce.
"""

from __future__ import annotations

from newsflow.clean import lexicon as lx
from newsflow.clean.classify import cards, classify, promo_blurbs
from newsflow.clean.containment import drop_contained
from newsflow.clean.cuts import boundaries, comment_cuts
from newsflow.clean.header import header_end, strip_site_suffix, title_like
from newsflow.clean.lines import BAD, DIGIT, FURNITURE_KINDS, GOOD, NEAR, SHORT, TABLE_KINDS, WORD, BodyResult, Line, make_lines
from newsflow.clean.profile import SiteProfile
from newsflow.clean.settings import CleanSettings


def _weights(lines: list[Line], s: CleanSettings, anchor: int | None) -> None:
    good = 0
    after_end = 1.0
    for ln in lines:
        if ln.strong_end and good >= s.boundary_min_good_lines:
            after_end = s.after_end_marker_weight
        if ln.kind == GOOD:
            good += 1
            ln.weight = float(ln.words) * after_end
            if anchor is not None and ln.pos < anchor:
                ln.weight *= s.before_headline_weight
        elif ln.kind == NEAR:
            ln.weight = ln.words * s.near_weight if ln.terminal else -s.short_penalty / 2
        elif ln.kind == SHORT:
            ln.weight = -s.short_penalty
        elif ln.strong_end:
            ln.weight = -s.strong_end_penalty
        elif ln.end_marker:
            ln.weight = -s.end_marker_penalty
        else:
            ln.weight = -s.furniture_penalty


def _best_run(lines: list[Line], lo: int, hi: int) -> tuple[int, int, float]:
    """The contiguous run of lines in [lo, hi) with the largest total weight."""
    best, best_s, best_e = float("-inf"), lo, lo - 1
    cur, cur_s = 0.0, lo
    for i in range(lo, hi):
        if cur <= 0:
            cur, cur_s = 0.0, i
        cur += lines[i].weight
        if cur > best:
            best, best_s, best_e = cur, cur_s, i
    return best_s, best_e, best


def _headline_anchor(lines: list[Line]) -> int | None:
    """Position of the on-page headline: the first later line repeating the page title's headline
    part, wherever a long menu put it, and whether or not it ends like a sentence ("...?")."""
    if len(lines) < 3:
        return None
    head = WORD.findall(strip_site_suffix(lines[0].text).lower())
    if len(head) < 2:
        return None
    want = set(head)
    for ln in lines[1:]:
        if abs(ln.words - len(head)) > 3:
            continue
        got = set(WORD.findall(ln.text.lower()))
        if got and len(want & got) / len(want | got) >= 0.8:
            return ln.pos
    return None


def extract_body(text: str, s: CleanSettings, profile: SiteProfile | None = None,
                 trusted: bool = False, wrapped: bool = True) -> BodyResult:
    """Classify the lines of `text` and pick the article's body lines.

    `trusted`: the lines are an extractor's or scraper's paragraphs (already
    mostly body): every non-furniture line of the span is kept.
    `wrapped`: the text may be hard-wrapped (join its wrapped lines first); an HTML
    extractor's lines are not (each is a paragraph or a <br> the page chose).
    """
    return select_body(make_lines(text, s if wrapped else None), s, profile, trusted)


def select_body(lines: list[Line], s: CleanSettings, profile: SiteProfile | None = None,
                trusted: bool = False) -> BodyResult:
    """extract_body() on lines already made (see make_lines)."""
    res = _select_body(lines, s, profile, trusted)
    if not res.body:
        res = _lone_paragraphs(res, s)
    return res


def _lone_paragraphs(res: BodyResult, s: CleanSettings) -> BodyResult:
    """When no body was found: the text's prose lines, and its long prose lines that merely
    carry furniture (a whole article flattened into one line, with image credits inside or a
    sign-up or copyright notice glued to it). Notices are shorter; in a paywall or sign-up form
    the promo phrases are spread through the line, not one stretch of it.
    """
    lines = res.lines
    body = []
    for i, ln in enumerate(lines):
        if ln.kind == GOOD and ln.why == "":
            body.append(i)
        elif (ln.why in ("caption", "link", "promo", "meta") and ln.words >= s.lone_paragraph_min_words
              and ln.stop >= s.good_min_stopword_ratio):
            if ln.why != "promo" or _promo_free_words(ln) >= s.lone_paragraph_prose_share * ln.words:
                body.append(i)
    if not body:
        return res
    return BodyResult(lines, body, body[0], body[-1], res.header)


def _promo_free_words(ln: Line) -> int:
    """Words in the longest stretch of a line that holds no furniture phrase."""
    spans = sorted(m.span() for w in ln.vocab & lx.PHRASE_TRIGGERS for m in lx.FURNITURE_PHRASES[w].finditer(ln.low))
    edges = [0, *(x for span in spans for x in span), len(ln.low)]
    return max(len(WORD.findall(ln.low[a:b])) for a, b in zip(edges[::2], edges[1::2]))


def _select_body(lines: list[Line], s: CleanSettings, profile: SiteProfile | None = None,
                 trusted: bool = False) -> BodyResult:
    if not lines:
        return BodyResult(lines, [], 0, -1)
    classify(lines, s, profile, trusted)
    if trusted:
        return _trusted_body(lines, s, keep=("numeric",))  # an extractor keeps tables: rows of numbers are body
    # an already clean article (wire copy, a cleaned text), perhaps under its own header
    # (headline, byline, dateline): nothing but furniture-free lines after the header
    head = header_end(lines, s)
    if not any(ln.why in FURNITURE_KINDS and ln.why != "numeric" for ln in lines[head:]):
        res = _trusted_body(lines, s, head, keep=("numeric",))  # numbers: its tables' rows
        res.header = head
        return res
    promo_blurbs(lines, s)
    cards(lines, s)
    anchor = _headline_anchor(lines)
    _weights(lines, s, anchor)
    tables = _table_rows(lines, s)
    for k in tables:
        lines[k].weight = 0.0  # a table's rows neither make nor break the span around it
    span = _span(lines, s, anchor)
    if span is None:
        return BodyResult(lines, [], len(lines), -1)
    start, end = span
    # the tables the body's own lines introduce
    rows = {k for k, lead in tables.items() if start <= lead <= end}
    if rows:
        end = max(end, max(rows))
    body = _span_lines(lines, s, start, end, rows)
    body = _no_leading_headline(lines, drop_contained(lines, body, s), s)
    return BodyResult(lines, body, body[0] if body else len(lines), end if body else -1)


def _span(lines: list[Line], s: CleanSettings, anchor: int | None) -> tuple[int, int] | None:
    """First and last line of the article's run of prose, or None when no run scores."""
    start, end, score = _best_run(lines, 0, len(lines))
    if anchor is not None and start < anchor <= end:
        # a run does not cross the on-page headline: the article is the prose under it or,
        # when that is much shorter, prose above it (another article glued on before)
        start, end, score = max(_best_run(lines, anchor, len(lines)), _best_run(lines, 0, anchor), key=lambda r: r[2])
    if score <= 0:
        return None
    cuts = sorted(set(boundaries(lines, s, start, end)) | set(comment_cuts(lines, s, start, end)))
    if cuts:
        edges = [start, *cuts, end + 1]
        segments = [(sc, sa, sb) for sa, sb, sc in (_best_run(lines, a, b) for a, b in zip(edges, edges[1:]))]
        # the first article of the page unless a later one is much longer
        first, best = segments[0], max(segments)
        _, start, end = first if first[0] >= best[0] / 2 else best
    # shrink to the first and last prose line
    while start <= end and lines[start].kind not in (GOOD, NEAR):
        start += 1
    while end >= start and lines[end].kind not in (GOOD, NEAR):
        end -= 1
    # prose that lost its full stop right at either edge of the body is part of it
    while start > 0 and _unfinished_prose(lines[start - 1], s):
        start -= 1
    while end + 1 < len(lines) and _unfinished_prose(lines[end + 1], s):
        end += 1
    return start, end


def _span_lines(lines: list[Line], s: CleanSettings, start: int, end: int, rows: set[int]) -> list[int]:
    """The span's prose lines, its tables' rows, and the subheadings between prose lines."""
    body = []
    for i in range(start, end + 1):
        ln = lines[i]
        if ln.kind in (GOOD, NEAR) or i in rows:
            body.append(i)
        elif (ln.kind == SHORT and s.keep_subheadings and 2 <= ln.words <= s.subheading_max_words
              and i > start and lines[i - 1].kind in (GOOD, NEAR) and i < end and lines[i + 1].kind == GOOD):
            body.append(i)
    return body


def _unfinished_prose(ln: Line, s: CleanSettings) -> bool:
    """A long line worded like prose that does not end like a sentence (a paragraph that lost its stop)."""
    return (ln.kind == NEAR and s.body_edge_min_words > 0 and ln.words >= s.body_edge_min_words
            and ln.stop >= s.good_min_stopword_ratio)


def _table_rows(lines: list[Line], s: CleanSettings) -> dict[int, int]:
    """Rows of the tables and data lists prose introduces ("Final standings:", "Results:"),
    each with the position of the line introducing it.

    After a prose line ending with a colon, the short lines that follow up to the next
    prose or furniture line, when most of them hold numbers (results, standings,
    schedules, ingredients), are the table it announces.
    """
    rows: dict[int, int] = {}
    if s.table_min_rows <= 0:
        return rows
    for i, ln in enumerate(lines):
        if ln.kind not in (GOOD, NEAR) or ln.text[-1] != ":" or i + 1 in rows:
            continue
        run: list[int] = []
        for j in range(i + 1, min(len(lines), i + 1 + s.table_max_rows)):
            x = lines[j]
            if x.kind == GOOD or x.words > s.table_row_max_words or (x.kind == BAD and x.why not in TABLE_KINDS):
                break
            run.append(j)
        while run and not DIGIT.search(lines[run[-1]].text):
            run.pop()  # a table ends on a row of numbers, not on the labels after it
        digits = sum(1 for k in run if DIGIT.search(lines[k].text))
        if len(run) >= s.table_min_rows and digits >= s.table_min_number_share * len(run):
            rows.update((k, i) for k in run)
    return rows


def _trusted_body(lines: list[Line], s: CleanSettings, start: int = 0, keep: tuple[str, ...] = ()) -> BodyResult:
    """Body of already extracted paragraphs: every line from `start` but furniture (other
    than the `keep` kinds), up to a strong end marker."""
    body = []
    good = 0
    for i, ln in enumerate(lines[start:], start):
        if s.trusted_cut_at_end_marker and ln.strong_end and good >= s.boundary_min_good_lines:
            break
        if ln.kind == GOOD:
            good += 1
        if ln.why not in FURNITURE_KINDS or ln.why in keep:
            body.append(i)
    body = drop_contained(lines, body, s)
    return BodyResult(lines, body, body[0] if body else len(lines), body[-1] if body else -1)


def _no_leading_headline(lines: list[Line], body: list[int], s: CleanSettings) -> list[int]:
    """A body never starts with a headline-like line (it is the title, not a paragraph)."""
    k = 0
    while k < len(body) - 1 and title_like(lines[body[k]], s) and not lines[body[k]].terminal:
        k += 1
    return body[k:]
