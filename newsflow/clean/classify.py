"""What each line is: prose ("good"), near-prose, short, or a kind of furniture.

Signals (all general, none per site): line length, stop-word density, sentence
shape, furniture phrases and patterns (buttons, promos, captions, bylines,
datelines, tickers, teaser cards, bios), lines repeated within the document,
lines the site repeats across documents (SiteProfile). The patterns themselves
are data, in `lexicon.py`.
"""

from __future__ import annotations

import re

from newsflow.clean import lexicon as lx
from newsflow.clean.dates import find_dates, is_date_line
from newsflow.clean.header import title_like
from newsflow.clean.lines import BAD, DIGIT, GOOD, NEAR, SHORT, Line
from newsflow.clean.profile import SiteProfile
from newsflow.clean.settings import CleanSettings


def classify(lines: list[Line], s: CleanSettings, profile: SiteProfile | None, trusted: bool) -> None:
    """Give every line its kind (and, for furniture, why), in place.

    `trusted`: the lines are an extractor's or scraper's paragraphs, where repeats are
    the article's own and some patterns (teasers, long promos) do not apply.
    """
    total_words = sum(ln.words for ln in lines)
    total_stop = sum(ln.words * ln.stop for ln in lines)
    language_known = total_words > 0 and total_stop / total_words >= s.unknown_language_max_stopword_ratio
    repeats: dict[str, int] = {}
    for ln in lines:
        repeats[ln.key] = repeats.get(ln.key, 0) + 1
    seen: set[str] = set()
    for ln in lines:
        _classify_line(ln, s, language_known, repeats, profile, seen, trusted)
    structured_data(lines, s)


def _classify_line(ln: Line, s: CleanSettings, language_known: bool, repeats: dict[str, int],
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
    # an interview's question put to each guest, the items two menus share (ops/tools/rules.py: dev
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
    ln.dates = find_dates(text) if ln.words <= 20 and DIGIT.search(text) else []
    if ln.dates and is_date_line(text, ln.dates) and not (trusted and ATTRIBUTION.search(text)):
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


#: Lines of an embedded post (tweet) rather than a page's own header.
ATTRIBUTION = re.compile(r"^\W*[—–-]|@\w|https?://|\bpic\.twitter\b|\bt\.co/")


_ISO_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d\S*$")


_BARE_URL = re.compile(r"^https?://\S+$")


def structured_data(lines: list[Line], s: CleanSettings) -> None:
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


def promo_blurbs(lines: list[Line], s: CleanSettings) -> None:
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


def cards(lines: list[Line], s: CleanSettings) -> None:
    """Inside a body, a prose line right under a repeated headline is a related-article card's standfirst."""
    good = 0
    for i, ln in enumerate(lines):
        if ln.kind == GOOD:
            if i > 1 and good >= s.boundary_min_good_lines:
                prev = lines[i - 1]
                twice = any(lines[k].text == prev.text for k in range(max(0, i - 4), i - 1))
                if twice and title_like(prev, s) and prev.text[-1] not in "?!":
                    ln.kind, ln.why = SHORT, "card"
                    continue
            good += 1
