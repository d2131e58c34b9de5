"""A page's visible lines and their features: words, stop-word share, sentence shape.

`make_lines` turns text into `Line`s (hard-wrapped lines joined first, see
`reflow`); the classes a line can be given and the result of choosing a body
(`BodyResult`) live here too, so every other module of the classifier reads
one vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsflow.clean import lexicon as lx
from newsflow.clean.profile import words_key
from newsflow.clean.settings import CleanSettings


GOOD, NEAR, SHORT, BAD = 3, 2, 1, 0


WORD = re.compile(r"\w+")


DIGIT = re.compile(r"\d")


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


#: Classes of lines that may be rows of a table (a row of numbers, a date in a schedule).
TABLE_KINDS = frozenset({"numeric", "date"})


#: Line classes that are page furniture (a text holding none of them is already clean).
FURNITURE_KINDS = frozenset({"furniture", "promo", "end", "comment", "caption", "link", "byline", "date", "site", "numeric", "bio"})


#: Line classes of an article's own header (its dateline and byline under the headline).
HEADER_KINDS = frozenset({"date", "byline"})


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
    if len(words) < s.reflow_min_words or len(WORD.findall(a)) < s.reflow_min_words:
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
        toks = WORD.findall(low)
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
