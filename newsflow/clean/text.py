"""The line and block classifier: a page's visible lines -> the article's body.

Signals (all general, none per site): line length, stop-word density,
sentence shape (does it end like a sentence), furniture patterns (buttons,
promos, captions, bylines, datelines, tickers, teaser cards), lines repeated
within the document, lines the site repeats across documents (SiteProfile),
markers that open the post-article zone, and headers of another article glued
after the real one.

The body is the run of lines with the highest total score (prose scores its
words, furniture a penalty), cut where another article begins, keeping its
prose lines and the subheadings between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsflow.clean import lexicon as lx
from newsflow.clean.dates import _MONTHS, date_line_score, find_dates, is_date_line
from newsflow.clean.profile import SiteProfile, words_key
from newsflow.clean.settings import CleanSettings

GOOD, NEAR, SHORT, BAD = 3, 2, 1, 0
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")


@dataclass(slots=True)
class Line:
    """One non-empty line with its features."""

    pos: int
    text: str  # whitespace-normalised, leading bullet removed
    words: int
    stop: float
    terminal: bool
    kind: int = SHORT
    why: str = ""
    end_marker: bool = False
    strong_end: bool = False
    dates: list = field(default_factory=list)
    weight: float = 0.0
    low: str = ""
    vocab: frozenset = frozenset()
    key: str = ""


def _tokens(low: str, words: list[str]) -> tuple[int, float, frozenset[str]]:
    """Word count, stop-word share and word set of a lower-cased line (CJK: by characters)."""
    vocab = frozenset(words)
    if not words:
        return 0, 0.0, vocab
    if not low.isascii():
        cjk = len(lx.CJK_RE.findall(low))
        if cjk > 4:
            func = sum(1 for ch in low if ch in lx.CJK_FUNCTION_CHARS)
            return max(1, cjk // 2) + len(re.findall(r"[a-z]+", low)), min(1.0, 2 * func / cjk), vocab
    stop = sum(1 for w in words if w in lx.STOPWORDS)
    return len(words), stop / len(words), vocab


_BULLET_START = frozenset("•·▪▫◦‣●■□►▶➤→*+>-#")


def _ends_sentence(line: str) -> bool:
    t = line.rstrip(lx.CLOSERS)
    return not t or t[-1] in lx.SENTENCE_END


def wrap_width(lines: list[str], s: CleanSettings) -> int | None:
    """The width a text was hard-wrapped at, or None when its line lengths show none.

    A wrapped text's lines cluster just under one width (most paragraph lines
    are full); a page dump's or one-paragraph-a-line text's do not.
    """
    lens = sorted(len(x) for x in lines if x)
    n = len(lens)
    if n < s.reflow_width_min_lines:
        return None
    width = lens[int(0.9 * (n - 1))]
    if not s.reflow_width_min_chars <= width <= s.reflow_width_max_chars:
        return None
    full = n - next((i for i, x in enumerate(lens) if x >= s.reflow_width_band * width), n)
    return width if full >= s.reflow_width_min_share * n else None


#: The first word of a line that may continue a sentence: letters (or a number) followed by
#: a space, punctuation or the line's end; not a link, an address or a handle.
_CONTINUATION_WORD = re.compile(r"(?:[^\W_]+[-'’]?)+(?:[\s,.;:!?)\]]|$)")

_LINKISH = re.compile(r"\S*(?:://|@|www\.)", re.I)


def _continues(a: str, b: str, width: int | None, s: CleanSettings) -> bool:
    """Does line `b` continue the sentence that line `a` broke off (a hard wrap)?"""
    if b[0] in _BULLET_START or _ends_sentence(a):
        return False
    words = a.split()
    if len(words) < s.reflow_min_words or len(_WORD.findall(a)) < s.reflow_min_words:
        return False  # a label, a menu item, a table cell
    head = b.lstrip(lx.OPENERS)
    if not _CONTINUATION_WORD.match(head) or _LINKISH.match(head):
        return False  # a link, an address, a handle: not the sentence's next word
    if head[0].islower():
        # the sentence goes on; a lone lower-case word goes on only to end it (not a user name)
        return " " in head.strip() or _ends_sentence(head)
    last = words[-1]
    if a.count("(") > a.count(")"):
        return True  # a bracket left open: "beat Dinamo 92-90 (halftime" / "47-47)"
    if last[-1] in ",&(/" or (last[-1] == "-" and len(last) > 1):
        return True  # broken off after a comma, an ampersand, a hyphen
    if last in lx.DANGLING_WORDS:
        return True  # "... matches against" / "English county sides"
    # wrapped at a fixed width: the next line's first word did not fit on this one
    return width is not None and len(a) + 1 + len(head.split(None, 1)[0]) > width


def reflow(lines: list[str], s: CleanSettings) -> list[str]:
    """Stripped lines with every hard-wrapped paragraph joined into one line.

    Lines are joined with one space (after a hyphen broken off a word, with
    none); blank lines, list items and lines that end a sentence always break.
    """
    width = wrap_width(lines, s)
    out: list[str] = []
    prev = ""
    for line in lines:
        if prev and line and _continues(prev, line, width, s):
            glue = "" if prev[-1] == "-" and prev[-2:-1].isalpha() and line[0].isalpha() else " "
            out[-1] = out[-1] + glue + line
        else:
            out.append(line)
        prev = line
    return out


def make_lines(text: str, s: CleanSettings | None = None) -> list[Line]:
    """The non-empty lines of `text` (leading bullets removed, hard wraps joined when `s`
    says so), with their features."""
    out = []
    raw_lines = [raw.strip() for raw in text.split("\n")]
    if s is not None and s.reflow_hard_wraps:
        raw_lines = reflow(raw_lines, s)
    for s in raw_lines:
        if not s:
            continue
        if s[0] in _BULLET_START:
            s = lx.BULLET.sub("", s).strip()
        if not s:
            continue
        low = s.lower()
        toks = _WORD.findall(low)
        words, stop, vocab = _tokens(low, toks)
        if not words:
            continue
        out.append(Line(len(out), s, words, stop, s[-1] in lx.TERMINAL, low=low, vocab=vocab, key=words_key(toks)))
    return out


@dataclass
class BodyResult:
    """What the classifier found: body line positions, the lines, and the header zone."""

    lines: list[Line]
    body: list[int]
    start: int  # first body line (or len(lines))
    end: int  # last body line (or -1)
    #: Lines of the text's own header above the body (headline, byline, dateline) when the
    #: text is a clean article under one; 0 otherwise.
    header: int = 0


def _classify(ln: Line, s: CleanSettings, language_known: bool, repeats: dict[str, int],
              profile: SiteProfile | None, seen: set[str], trusted: bool) -> None:
    text = ln.text
    low = ln.low
    key = ln.key
    vocab = ln.vocab
    if profile is not None and key in profile.lines:
        ln.kind, ln.why = BAD, "site"
        return
    if ln.words <= 6 and lx.END_MARKER.match(low.lstrip("[( ")):
        ln.end_marker = True
        ln.strong_end = bool(lx.STRONG_END.match(low.lstrip("[( ")))
        ln.kind, ln.why = BAD, "end"
        return
    if ln.words <= 20 and text[-1] == ":" and lx.COMMENT_HEADER.match(text):
        ln.end_marker = ln.strong_end = True
        ln.kind, ln.why = BAD, "comment"
        return
    if trusted and lx.COPYRIGHT.search(low):
        ln.kind = GOOD if ln.terminal else SHORT  # kept: the extractor found it inside the article
        return
    if ln.words <= s.furniture_max_words and lx.FURNITURE_LINE.match(low):
        ln.kind, ln.why = BAD, "furniture"
        return
    if all(w.isdigit() for w in vocab) and lx.NUMERIC.match(text):
        ln.kind, ln.why = BAD, "numeric"
        return
    why = _pattern_kind(ln, s, trusted) if ln.words <= s.pattern_max_words else None
    if why:
        ln.kind, ln.why = BAD, why
        return
    count = repeats.get(key, 1)
    # In an extractor's or scraper's paragraphs (trusted) a recurring line is the article's own:
    # an interview's question put to each guest, the items two menus share (ops/rules.py: dev
    # HTML lost 319 body shingles to it, no furniture).
    if count >= s.repeat_min_count and not trusted:
        prose = ln.terminal and ln.words >= s.good_min_words and ln.stop >= s.good_min_stopword_ratio
        if (ln.words < s.repeat_keep_min_words and not prose) or key in seen:
            # never prose: menus, tickers, labels repeated; a subheading at most
            ln.kind, ln.why = SHORT, "repeat"
            seen.add(key)
            return
        seen.add(key)
    stop_ok = ln.stop >= s.good_min_stopword_ratio or not language_known
    ends_ok = ln.terminal or not s.good_needs_terminal or ln.words >= s.good_unterminated_min_words
    if ln.words >= s.good_min_words and stop_ok and ends_ok:
        ln.kind = GOOD
    elif ln.words >= s.near_min_words and (ln.stop >= s.near_min_stopword_ratio or not language_known):
        ln.kind = NEAR
    else:
        ln.kind = SHORT


def _pattern_kind(ln: Line, s: CleanSettings, trusted: bool) -> str | None:
    """The furniture class a phrase or pattern in the line gives it, if any."""
    text, low, vocab = ln.text, ln.low, ln.vocab
    if (not trusted or ln.words <= s.trusted_promo_max_words) and lx.furniture_phrase(low, vocab):
        return "promo"
    if vocab & lx.CAPTION_TRIGGERS and (lx.CAPTION.search(text) or (
            ln.words <= lx.CAPTION_SHORT_MAX_WORDS and lx.CAPTION_SHORT.search(text))):
        return "caption"
    if (vocab & lx.LINK_TRIGGERS) and lx.INLINE_LINK.match(text):
        return "link"
    if ln.words <= 12 and lx.BYLINE.match(text) and not ln.terminal:
        return "byline"
    ln.dates = find_dates(text) if ln.words <= 20 and _DIGIT.search(text) else []
    if ln.dates and is_date_line(text, ln.dates) and not (trusted and _ATTRIBUTION.search(text)):
        return "date"
    if not trusted and ((not ln.terminal and lx.GLUED.search(text))
                        or (ln.words >= s.near_min_words and text[0].isupper() and _headline_case(text, s))
                        or (ln.words >= s.good_min_words and ":" in text and lx.INLINE_DATELINE.search(text))):
        return "teaser"
    if ln.words < 80 and vocab & lx.BIO_TRIGGERS and lx.BIO.search(text):
        return "bio"
    return None


def _headline_case(text: str, s: CleanSettings) -> bool:
    """A line that opens in headline case ("Police Say Man In Custody After Crash The man ...").

    Counts capitalised function words among the first words (not the first
    word, nor after sentence punctuation): prose does not capitalise them.
    """
    toks = text.split()[: s.headline_case_window]
    n = 0
    for prev, tok in zip(toks, toks[1:]):
        if prev[-1] in ".!?:;\"”" or not tok[:1].isupper():
            continue
        if tok.lower().strip(",;:'\"‘’“”") in lx.HEADLINE_CASE_WORDS:
            n += 1
    if n >= s.headline_case_min_words:
        return True
    # or a long run of capitalised words opening the line (a headline glued to its standfirst)
    run = 0
    for tok in toks:
        if tok in ("—", "–", "-", "|") or tok[-1] in ":),;" or tok[0] == "(":
            break
        if tok[:1].isupper():
            run += 1
        elif tok[:1].isalpha():
            break
    return run >= s.headline_caps_run


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


#: Lines of an embedded post (tweet) rather than a page's own header.
_ATTRIBUTION = re.compile(r"^\W*[—–-]|@\w|https?://|\bpic\.twitter\b|\bt\.co/")


_MONTH_WORDS = re.compile(r"\b(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b")


def _shape(text: str) -> str:
    """A line with its numbers and month names blanked: "Updated 05 September 2023" -> "updated 0 m 0"."""
    if len(text) > 200:
        return text
    return _MONTH_WORDS.sub("m", re.sub(r"\d+", "0", text.lower()))


def _cards(lines: list[Line], s: CleanSettings) -> None:
    """Inside a body, a prose line right under a repeated headline is a related-article card's standfirst."""
    good = 0
    for i, ln in enumerate(lines):
        if ln.kind == GOOD:
            if i > 1 and good >= s.boundary_min_good_lines:
                prev = lines[i - 1]
                twice = any(lines[k].text == prev.text for k in range(max(0, i - 4), i - 1))
                if twice and _title_like(prev, s) and prev.text[-1] not in "?!":
                    ln.kind, ln.why = SHORT, "card"
                    continue
            good += 1


def _boundaries(lines: list[Line], s: CleanSettings, start: int, end: int) -> list[int]:
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
            dated = [k for k in cluster if lines[k].why == "date" and not _ATTRIBUTION.search(lines[k].text)]
            if not dated:
                i = j
                continue
            same = {
                sh for k in cluster if (sh := _shape(lines[k].text)) in header_shapes
                and not _similar(lines[k].text, page_title) and not _similar(page_title, lines[k].text)
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


_ISO_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d\S*$")
_BARE_URL = re.compile(r"^https?://\S+$")


def _structured_data(lines: list[Line], s: CleanSettings) -> None:
    """Prose right after a page's structured-data values (ISO 8601 timestamps and bare URLs: what
    a page dump copies of its JSON-LD or meta tags) is a description or articleBody field, not the
    visible article: a copy of it at best, another article's at worst."""
    if s.structured_data_window <= 0:
        return
    for i, ln in enumerate(lines):
        if ln.kind in (GOOD, NEAR) and i >= 2:
            near = lines[max(0, i - s.structured_data_window): i]
            stamps = sum(1 for x in near if _ISO_TIMESTAMP.match(x.text))
            urls = sum(1 for x in near if _BARE_URL.match(x.text))
            if stamps and stamps + urls >= 2:
                ln.kind, ln.why = BAD, "meta"


def _promo_blurbs(lines: list[Line], s: CleanSettings) -> None:
    """Short prose lines standing alone among furniture are part of it (promo blurbs, teasers)."""
    if s.promo_relative_length <= 0:
        return
    goods = sorted(ln.words for ln in lines if ln.kind == GOOD)
    if len(goods) < 3:
        return
    limit = s.promo_relative_length * goods[len(goods) // 2]
    for i, ln in enumerate(lines):
        if ln.kind != GOOD or ln.words >= limit:
            continue
        prev = lines[i - 1] if i > 0 else None
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if (prev is None or prev.kind != GOOD) and (nxt is None or nxt.kind != GOOD):
            near = lines[max(0, i - 2): i + 3]
            if any(x.kind == BAD and x.why in ("furniture", "promo", "end", "link", "site") for x in near):
                ln.kind, ln.why = SHORT, "blurb"


def _end_cuts(lines: list[Line], s: CleanSettings, start: int, end: int) -> list[int]:
    """Strong end markers ("You may also like", "Comments") after enough body prose."""
    good = 0
    for i in range(start, end + 1):
        if lines[i].kind == GOOD:
            good += 1
        elif lines[i].strong_end and good >= s.boundary_min_good_lines:
            return [i]
    return []


def _comment_cuts(lines: list[Line], s: CleanSettings, start: int, end: int) -> list[int]:
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


def _headline_anchor(lines: list[Line]) -> int | None:
    """Position of the on-page headline: the first later line repeating the page title's headline
    part, wherever a long menu put it, and whether or not it ends like a sentence ("...?")."""
    if len(lines) < 3:
        return None
    head = _WORD.findall(strip_site_suffix(lines[0].text).lower())
    if len(head) < 2:
        return None
    want = set(head)
    for ln in lines[1:]:
        if abs(ln.words - len(head)) > 3:
            continue
        got = set(_WORD.findall(ln.text.lower()))
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


def fresh(lines: list[Line]) -> list[Line]:
    """Unclassified copies of `lines`, renumbered: what make_lines gives for their texts joined."""
    return [Line(i, ln.text, ln.words, ln.stop, ln.terminal, low=ln.low, vocab=ln.vocab, key=ln.key)
            for i, ln in enumerate(lines)]


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
    return max(len(_WORD.findall(ln.low[a:b])) for a, b in zip(edges[::2], edges[1::2]))


def _select_body(lines: list[Line], s: CleanSettings, profile: SiteProfile | None = None,
                 trusted: bool = False) -> BodyResult:
    if not lines:
        return BodyResult(lines, [], 0, -1)
    total_words = sum(ln.words for ln in lines)
    total_stop = sum(ln.words * ln.stop for ln in lines)
    language_known = total_words > 0 and total_stop / total_words >= s.unknown_language_max_stopword_ratio
    repeats: dict[str, int] = {}
    for ln in lines:
        repeats[ln.key] = repeats.get(ln.key, 0) + 1
    seen: set[str] = set()
    for ln in lines:
        _classify(ln, s, language_known, repeats, profile, seen, trusted)
    _structured_data(lines, s)
    if not trusted:
        # an already clean article (wire copy, a cleaned text), perhaps under its own header
        # (headline, byline, dateline): nothing but furniture-free lines after the header
        head = _header_end(lines, s)
        if not any(ln.why in FURNITURE_KINDS and ln.why != "numeric" for ln in lines[head:]):
            res = _trusted_body(lines, s, head, keep=("numeric",))  # numbers: its tables' rows
            res.header = head
            return res
    if trusted:
        return _trusted_body(lines, s, keep=("numeric",))  # an extractor keeps tables: rows of numbers are body
    _promo_blurbs(lines, s)
    _cards(lines, s)
    anchor = _headline_anchor(lines)
    _weights(lines, s, anchor)
    tables = _table_rows(lines, s)
    for k in tables:
        lines[k].weight = 0.0  # a table's rows neither make nor break the span around it
    start, end, score = _best_run(lines, 0, len(lines))
    if anchor is not None and start < anchor <= end:
        # a run does not cross the on-page headline: the article is the prose under it or,
        # when that is much shorter, prose above it (another article glued on before)
        start, end, score = max(_best_run(lines, anchor, len(lines)), _best_run(lines, 0, anchor), key=lambda r: r[2])
    if score <= 0:
        return BodyResult(lines, [], len(lines), -1)
    cuts = sorted(set(_boundaries(lines, s, start, end)) | set(_comment_cuts(lines, s, start, end)))
    if cuts:
        segments = []
        edges = [start, *cuts, end + 1]
        for a, b in zip(edges, edges[1:]):
            sa, sb, sc = _best_run(lines, a, b)
            segments.append((sc, sa, sb))
        # the first article of the page unless a later one is much longer
        first = segments[0]
        best = max(segments)
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
    # the tables the body's own lines introduce
    rows = {k for k, lead in tables.items() if start <= lead <= end}
    if rows:
        end = max(end, max(rows))
    body = []
    for i in range(start, end + 1):
        ln = lines[i]
        if ln.kind in (GOOD, NEAR) or i in rows:
            body.append(i)
        elif ln.kind == SHORT and (trusted or s.keep_subheadings) and ln.words <= s.subheading_max_words:
            prev_ok = i > start and lines[i - 1].kind in (GOOD, NEAR)
            next_ok = i < end and lines[i + 1].kind == GOOD
            if trusted or (prev_ok and next_ok and ln.words >= 2):
                body.append(i)
    body = _no_leading_headline(lines, _drop_contained(lines, body, s), s)
    return BodyResult(lines, body, body[0] if body else len(lines), end if body else -1)


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
        while run and not _DIGIT.search(lines[run[-1]].text):
            run.pop()  # a table ends on a row of numbers, not on the labels after it
        digits = sum(1 for k in run if _DIGIT.search(lines[k].text))
        if len(run) >= s.table_min_rows and digits >= s.table_min_number_share * len(run):
            rows.update((k, i) for k in run)
    return rows


#: Classes of lines that may be rows of a table (a row of numbers, a date in a schedule).
TABLE_KINDS = frozenset({"numeric", "date"})

#: Line classes that are page furniture (a text holding none of them is already clean).
FURNITURE_KINDS = frozenset({"furniture", "promo", "end", "comment", "caption", "link", "byline", "date", "site", "numeric", "bio"})


#: Line classes of an article's own header (its dateline and byline under the headline).
HEADER_KINDS = frozenset({"date", "byline"})


def _header_end(lines: list[Line], s: CleanSettings) -> int:
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
    body = _drop_contained(lines, body, s)
    return BodyResult(lines, body, body[0] if body else len(lines), body[-1] if body else -1)


def _no_leading_headline(lines: list[Line], body: list[int], s: CleanSettings) -> list[int]:
    """A body never starts with a headline-like line (it is the title, not a paragraph)."""
    k = 0
    while k < len(body) - 1 and _title_like(lines[body[k]], s) and not lines[body[k]].terminal:
        k += 1
    return body[k:]


#: Tokens of a containment key. Keys are taken inside a line, never at its first or
#: last token, which may be cut mid-word where one line sits inside another.
_KEY_TOKENS = 4
#: A token: one CJK character, or a run of other non-space characters (a boundary
#: depends only on the two characters beside it, so a line's inner tokens are the
#: same tokens wherever the line appears inside a longer one).
_TOKEN = re.compile(f"{lx.CJK_RE.pattern}|[^\\s{lx.CJK_RE.pattern[1:-1]}]+")


class _Containment:
    """Which earlier lines a line sits in, or holds, found through token keys: near-linear
    in the text (a substring test of every pair of lines was quadratic: 2 MB of HTML, 13 s).
    A line's keys (`keys()`) are (offset, text of _KEY_TOKENS tokens) at each token."""

    def __init__(self) -> None:
        self.longs: list[str] = []
        self.in_longs: dict[str, set[int]] = {}  # key -> long lines holding it
        self.parts: dict[str, list[tuple[int, str]]] = {}  # a kept line's key -> (offset, line)
        self.unkeyed: list[str] = []  # kept lines too short in tokens to key (checked directly)

    @staticmethod
    def keys(low: str) -> list[tuple[int, str]]:
        spans = [m.span() for m in _TOKEN.finditer(low)]
        n = _KEY_TOKENS - 1
        return [(spans[i][0], low[spans[i][0]:spans[i + n][1]]) for i in range(len(spans) - n)]

    def inside_a_long(self, low: str, keys: list[tuple[int, str]]) -> bool:
        """True if `low` is part of an earlier, longer line (a copy of a line is not a part of
        it: whether a recurring paragraph stays is the repeat rules' call)."""
        inner = keys[1:-1]
        bigs = self.longs if not inner else \
            [self.longs[j] for j in min((self.in_longs.get(key, set()) for _, key in inner), key=len)]
        return any(low in big and len(big) > len(low) for big in bigs)

    def held_chars(self, low: str, keys: list[tuple[int, str]]) -> int:
        """Characters of `low` made of earlier, shorter kept lines (each counted once)."""
        found: dict[str, int] = {}
        for at, key in keys:
            for offset, part in self.parts.get(key, ()):
                if at >= offset and low.startswith(part, at - offset):
                    found[part] = len(part)
        found.update((part, len(part)) for part in self.unkeyed if part in low)
        found.pop(low, None)  # a copy of the whole line is not a part of it
        return sum(found.values())

    def add_long(self, low: str, keys: list[tuple[int, str]]) -> None:
        j = len(self.longs)
        self.longs.append(low)
        for _, key in keys:
            self.in_longs.setdefault(key, set()).add(j)

    def add_kept(self, low: str, keys: list[tuple[int, str]]) -> None:
        inner = keys[1:-1]  # keys touching neither the first token nor the last
        if inner:  # the least used one, so no key gathers every line of a templated page
            offset, key = min(inner, key=lambda k: len(self.parts.get(k[1], ())))
            self.parts.setdefault(key, []).append((offset, low))
        else:
            self.unkeyed.append(low)


def _drop_contained(lines: list[Line], body: list[int], s: CleanSettings) -> list[int]:
    """Drop body lines the body already holds: a page repeating its article as one block.

    A long line made mostly of earlier body lines goes; so do later lines
    found inside an earlier long one.
    """
    kept: list[int] = []
    seen = _Containment()
    for i in body:
        ln = lines[i]
        keys = seen.keys(ln.low) if ln.words >= 8 else []
        if seen.longs and ln.words >= 2 * s.good_min_words and seen.inside_a_long(ln.low, keys):
            continue
        long = ln.words >= 3 * s.good_min_words
        if long and kept and seen.held_chars(ln.low, keys) >= s.contained_share * len(ln.low):
            continue
        if long:
            seen.add_long(ln.low, keys)
        kept.append(i)
        if ln.words >= 8:
            seen.add_kept(ln.low, keys)
    return kept


def header_info(res: BodyResult, s: CleanSettings) -> dict:
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
        if _title_like(ln, s, in_header) and _similar(ln.text, top):
            title, title_pos = ln.text, k
            break
    if title is None:
        for k in range(first_body - 1, lo - 1, -1):
            if _title_like(lines[k], s, in_header):
                title, title_pos = lines[k].text, k
                break
    if title is None and lines and _title_like(lines[0], s, in_header):
        title, title_pos = lines[0].text, 0
    if title is not None and title_pos == 0:
        title = strip_site_suffix(title)
    # Where the headline stands on the page: the title's line, or else a headline-like
    # first body line (a date above it is the site's, not the article's).
    headline_pos = title_pos
    if headline_pos is None and res.body and _title_like(lines[first_body], s, in_header) \
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
    return {"title": title, "published": best[1] if best else None, "date_score": best[0] if best else 0,
            "date_line": best[2] if best else None, "authors": authors,
            # the dateline line the body does not hold (the tag stage reads its place)
            "dateline": best[2] if best and best[3] not in res.body else None}


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


def _title_like(ln: Line, s: CleanSettings, header: bool = False) -> bool:
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


def _similar(a: str, b: str) -> bool:
    ta, tb = set(_WORD.findall(a.lower())), set(_WORD.findall(b.lower()))
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
