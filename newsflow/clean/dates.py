"""Publication dates from text lines and scraper fields.

A date is only taken from where a page states its own date: a dateline or
byline near the headline ("Updated 05 September 2023", "date 2023-09-05 1h
ago", "Chris Davies - Nov 19, 2019, 10:31 pm CST"), or a scraper's date field.
Never from body prose, captions, related-link lists, or a masthead's "today"
(a bare "Sunday, April 28, 2024" above the headline).
"""

from __future__ import annotations

import datetime as dt
import re

_MONTHS: dict[str, int] = {}
for _n, _names in enumerate(
    [
        "january jan januar janvier enero janeiro gennaio januari январь января jänner janv ene gen",
        "february feb februar février fevrier febrero fevereiro febbraio februari февраль февраля févr fev fév febr",
        "march mar märz maerz mars marzo março marco maart март марта mär",
        "april apr avril abril aprile апрель апреля avr abr",
        "may mai mayo maio maggio mei май мая mag",
        "june jun juni juin junio junho giugno июнь июня",
        "july jul juli juillet julio julho luglio июль июля juil lug",
        "august aug août aout agosto augustus август августа ago",
        "september sep sept septembre septiembre setiembre setembro settembre сентябрь сентября set",
        "october oct oktober octobre octubre outubro ottobre октябрь октября okt out ott",
        "november nov novembre noviembre novembro ноябрь ноября",
        "december dec dezember décembre decembre diciembre dezembro dicembre декабрь декабря dez dic déc",
    ],
    start=1,
):
    for _w in _names.split():
        _MONTHS.setdefault(_w, _n)

_MONTH_RE = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
_WEEKDAY_RE = (
    r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?"
    r"|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    r"|lunes|martes|miércoles|jueves|viernes|sábado|domingo|segunda|terça|quarta|quinta|sexta"
    r"|lunedì|martedì|mercoledì|giovedì|venerdì|sabato"
)

# Each pattern names its groups y, m (number or month name as `mon`), d.
_PATTERNS = [
    # 2023-09-05, 2023/09/05, 2023.09.05 (optionally with a time)
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"),
    # 05 September 2023, 5. September 2023, 5 de setembro de 2023, 5th Sep. 2023
    re.compile(
        rf"(?<!\w)(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|º)?\.?\s*(?:de\s+)?(?P<mon>{_MONTH_RE})\.?,?\s*(?:de\s+)?(?P<y>(?:19|20)\d\d)(?!\d)",
        re.I,
    ),
    # September 5, 2023 / Sep. 5th 2023 / Nov 19, 2019
    re.compile(
        rf"(?<!\w)(?P<mon>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)(?!\d)", re.I
    ),
    # 05.09.2023 (day first), 5/9/2023 (read month first unless impossible); see also `ambiguous`
    re.compile(r"(?<!\d)(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>(?:19|20)\d\d)(?!\d)"),
]

#: Words that say a date is the article's own: publication or update.
_PUBLISHED = re.compile(
    r"\b(?:published|posted|date|dated|on|veröffentlicht|erschienen|erstellt|publiziert|publié|publié le|publicado|pubblicato|gepubliceerd|publicerad|opublikowano|diterbitkan|опубликовано)\b",
    re.I,
)
_UPDATED = re.compile(
    r"\b(?:updated|modified|last updated|aktualisiert|geändert|stand|mis à jour|actualizado|atualizado|aggiornato|bijgewerkt|uppdaterad|обновлено)\b",
    re.I,
)
_TIME = re.compile(r"(?<![\d.])\d{1,2}[:.h]\d\d\b(?![.:]?\d)|\b\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.|uhr)\b|\b\d+\s*(?:h|hrs?|hours?|min|mins|minutes?)\s+ago\b", re.I)
_WEEKDAY = re.compile(rf"^\W*(?:{_WEEKDAY_RE})\b", re.I)


def _valid(y: int, m: int, d: int, min_year: int, today: dt.date | None) -> str | None:
    try:
        day = dt.date(y, m, d)
    except ValueError:
        return None
    if y < min_year or (today is not None and day > today + dt.timedelta(days=1)):
        return None
    return day.isoformat()


def find_dates(text: str, min_year: int = 1995, today: dt.date | None = None) -> list[tuple[int, int, str]]:
    """Every calendar date in `text`: (start, end, "YYYY-MM-DD"), in order of position."""
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for i, pat in enumerate(_PATTERNS):
        for m in pat.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            g = m.groupdict()
            y = int(g["y"])
            if i == 3:
                a, b = int(g["a"]), int(g["b"])
                if g["sep"] == "/" and a <= 12 and b <= 31:
                    mo, d = a, b
                    if b <= 12 < a:
                        mo, d = b, a
                else:
                    d, mo = a, b
                    if d <= 12 < mo:
                        d, mo = mo, d
            else:
                mo = int(g["m"]) if g.get("m") else _MONTHS[g["mon"].lower()]
                d = int(g["d"])
            iso = _valid(y, mo, d, min_year, today)
            if iso:
                found.append((m.start(), m.end(), iso))
                taken.append((m.start(), m.end()))
    found.sort()
    return found


def date_line_score(line: str, dates: list[tuple[int, int, str]], before_title: bool) -> int:
    """How surely a short line states the article's own date (0: not at all).

    3: says "published"/"posted"/"date", or carries a time of day or "... ago"
    under the headline; 2: says "updated"; 1: a bare date; 0: a bare weekday
    date above the headline (a masthead's "today"). Above the headline a time
    of day says nothing (a site header's clock, a list of other stories).
    """
    if not dates:
        return 0
    if _PUBLISHED.search(line) or (_TIME.search(line) and not before_title):
        return 3
    if _UPDATED.search(line):
        return 2
    if before_title and _WEEKDAY.search(line):
        return 0
    return 1


def is_date_line(line: str, dates: list[tuple[int, int, str]], max_other_words: int = 6) -> bool:
    """A line that is mostly a date (with a label, time, or a short byline)."""
    if not dates:
        return False
    rest = line
    for a, b, _ in reversed(dates):
        rest = rest[:a] + " " + rest[b:]
    rest = _TIME.sub(" ", rest)  # "at 11:30 p.m." belongs to the dateline
    return len(re.findall(r"\w+", rest)) <= max_other_words


_ISO_LIKE = re.compile(r"^\s*((?:19|20)\d\d)-(\d\d)-(\d\d)")


def parse_field(value: object, min_year: int = 1995, today: dt.date | None = None) -> str | None:
    """A scraper's date field ("2023-09-05 10:31:00", "2023-09-05T10:31:00Z", "Sep 5, 2023", epoch seconds)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e11 else value
        try:
            day = dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc).date()
        except (OverflowError, OSError, ValueError):
            return None
        return _valid(day.year, day.month, day.day, min_year, today)
    if isinstance(value, list) and value:
        return parse_field(value[0], min_year, today)
    if isinstance(value, dict):
        for key in ("$date", "date", "value", "published"):
            if key in value:
                return parse_field(value[key], min_year, today)
        return None
    if not isinstance(value, str):
        return None
    m = _ISO_LIKE.match(value)
    if m:
        return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)), min_year, today)
    found = find_dates(value[:200], min_year, today)
    return found[0][2] if found else None


def _swapped(iso: str) -> str | None:
    y, m, d = iso.split("-")
    if int(d) > 12 or d == m:
        return None
    return f"{y}-{d}-{m}"


def ambiguous(line: str) -> bool:
    """The line's first slash or dash date has day and month both <= 12 (02/11/2023, 02-11-2023):
    either way round is a date. Dots (02.11.2023) are day first wherever they are used."""
    for m in _PATTERNS[3].finditer(line):
        if m["sep"] != ".":
            return int(m["a"]) <= 12 and int(m["b"]) <= 12
    return False


def merge_dates(page: str | None, page_score: int, meta: str | None, min_score: int = 2,
                page_line: str | None = None) -> str | None:
    """One publication date from a page's visible dateline and its metadata (htmldate).

    When the two are one date read two ways round (day and month of
    "02/11/2023"), the reading of whichever is written unambiguously wins: the
    dateline's if `page_line` writes it with a month name, in ISO order or with
    dots, else the metadata's. Otherwise the visible dateline wins when it is
    explicit (says published/updated or gives a time: score >= min_score);
    else the metadata's date, else the dateline.
    """
    if page and meta and page != meta:
        if _swapped(page) == meta:
            return page if page_line and not ambiguous(page_line) else meta
        return page if page_score >= min_score else meta
    return meta or page
