"""clean(): raw bytes of a page -> title, body paragraphs and metadata.

Formats: plain text (every visible line of a page), HTML, scraper JSON.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from newsflow.clean import lexicon as lx
from newsflow.clean.body import extract_body
from newsflow.clean.dates import merge_dates, parse_field
from newsflow.clean.decode import decode, normalise
from newsflow.clean.errors import CleanError
from newsflow.clean.header import HeaderInfo, header_info, site_suffix, split_names, strip_site_suffix
from newsflow.clean.lines import BodyResult, Line
from newsflow.clean.profile import SiteProfile
from newsflow.clean.settings import CleanSettings
from newsflow.values import Cleaned, Document

_HTML_START = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)
_HTML_TAGS = re.compile(r"</(?:p|div|span|a|li|td|h[1-6]|body|html|article|section)>", re.I)
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:\d{4}\s*(?:[-–]\s*\d{4})?)?\s*,?\s*([A-Z][\w.&' -]{1,60}?)(?:[.,|]|\s+all rights|\s*$)", re.I)

#: JSON fields, most specific first.
_TEXT_FIELDS = ("maintext", "text", "content", "body", "article", "articleBody", "article_text", "description")
_HTML_FIELDS = ("html", "raw_html", "content_html", "body_html", "page")
_TITLE_FIELDS = ("title", "headline", "title_page", "title_rss")
_DATE_FIELDS = ("date_publish", "published", "datePublished", "published_at", "publish_date", "pubDate",
                "date", "date_published", "created_at", "date_modify", "date_download")
_AUTHOR_FIELDS = ("authors", "author", "byline", "creator")
_OUTLET_FIELDS = ("outlet", "source_domain", "site_name", "sitename", "publisher", "source", "domain")
_URL_FIELDS = ("url", "link", "canonical_url", "source_url")


def sniff(name: str, text: str) -> str:
    """ "json", "html" or "text", from the file name's extension and the content."""
    lower = name.lower()
    if lower.endswith(".json"):
        return "json"
    if lower.endswith((".html", ".htm", ".xhtml")):
        return "html"
    head = text[:2000]
    if head.lstrip()[:1] in ("{", "["):
        try:
            json.loads(text)
            return "json"
        except (ValueError, RecursionError):
            pass
    if _HTML_START.match(head) or len(_HTML_TAGS.findall(text[:20000])) >= 5:
        return "html"
    return "text"


def _prose(ln: Line, s: CleanSettings) -> bool:
    """A sentence of prose: ends like one, long enough, and made with function words (a list
    of measures, "1 cup strawberries, 8 oz. almond milk.", has almost none)."""
    return ln.terminal and ln.words >= s.good_min_words and ln.stop >= s.good_min_stopword_ratio


def _dedupe(lines: list[Line], s: CleanSettings) -> list[Line]:
    """Drop a page's repeat of its own text: a sentence of prose right after its copy, or whose
    earlier copy is part of a repeated run (the line before or after it repeats the one beside
    the earlier copy: the article glued on again, paragraphs duplicated together). What recurs as part of
    the article stays: lines that are not sentences of prose (list items, table rows, labels:
    two menus share their items) and a sentence recurring on its own (an interview's question
    put to each guest). ops/tools/rules.py on the dev HTML: dropping every repeat removed 1,010 body
    shingles for 22 of furniture."""
    keys = [" ".join(ln.low.split()) for ln in lines]
    first: dict[str, int] = {}
    drop = set()
    for i, (ln, key) in enumerate(zip(lines, keys)):
        j = first.setdefault(key, i)
        if j == i or not _prose(ln, s):
            continue
        before = keys[i - 1] == key or (j > 0 and keys[i - 1] == keys[j - 1])  # right after a copy, or
        after = i + 1 < len(keys) and keys[i + 1] == keys[j + 1]        # a run that repeats
        if before or after:
            drop.add(i)
    return [ln for i, ln in enumerate(lines) if i not in drop]


def _first_str(obj: dict, fields: tuple[str, ...]) -> str | None:
    for f in fields:
        v = obj.get(f)
        if isinstance(v, str) and v.strip():
            return v.strip()
        if isinstance(v, dict):
            name = v.get("name") or v.get("title")
            if isinstance(name, str) and name.strip():
                return name.strip()
    return None


def _authors_field(value: object) -> list[str]:
    if isinstance(value, str):
        return split_names(re.sub(r"^(?:by|von|par|por)\s+", "", value.strip(), flags=re.I))
    if isinstance(value, list):
        out = []
        for v in value:
            if isinstance(v, str) and v.strip():
                out.append(" ".join(v.split()))
            elif isinstance(v, dict) and isinstance(v.get("name"), str):
                out.append(" ".join(v["name"].split()))
        return out
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return [value["name"].strip()]
    return []


def _outlet_from_text(lines_text: list[str], first_line: str) -> str | None:
    suffix = site_suffix(first_line) if first_line else None
    if suffix:
        return suffix
    for line in reversed(lines_text[-60:]):
        if len(line) > 120:
            continue
        m = _COPYRIGHT.search(line)
        if m:
            holder = m.group(1).strip(" .,-")
            if holder and not holder.lower().startswith(("all rights", "by ")) and len(holder.split()) <= 6:
                return holder
    return None


@dataclass
class _Found:
    """What reading one input found so far; later, better sources (metadata, scraper fields) overwrite."""

    paragraphs: list[str]
    title: str | None = None
    published: str | None = None
    authors: list[str] = field(default_factory=list)
    outlet: str | None = None
    dateline: str | None = None
    url: str | None = None
    page_text: str = ""


def _clean_text(text: str, s: CleanSettings, profile: SiteProfile | None, trusted: bool = False,
                wrapped: bool = True) -> _Found:
    return _text_info(extract_body(text, s, profile, trusted=trusted, wrapped=wrapped), s)


def _text_info(res: BodyResult, s: CleanSettings) -> _Found:
    """Title, date, byline, outlet and paragraphs of an extraction."""
    paragraphs = [ln.text for ln in _dedupe([res.lines[i] for i in res.body], s)]
    head = header_info(res, s)
    first = res.lines[0].text if res.lines else ""
    return _Found(paragraphs, head.title, head.published, list(head.authors),
                  _outlet_from_text([ln.text for ln in res.lines], first), head.dateline)


def _clean_html(html: str, s: CleanSettings, profile: SiteProfile | None) -> _Found:
    from newsflow.clean.html import extract_html

    r = extract_html(html, s)
    page_body = extract_body(r.page_text, s, profile, wrapped=False) if r.page_text else None
    page = header_info(page_body, s) if page_body else HeaderInfo()
    if r.fallback:  # the text is the page's visible text: its extraction above serves (not twice)
        found = _text_info(page_body or extract_body(r.text, s, profile, wrapped=False), s)
    elif s.html_paragraph_filter:
        found = _clean_text(r.text, s, profile, trusted=True, wrapped=False)
    else:
        found = _Found([p for p in r.text.split("\n") if p.strip()])
    if r.title and found.paragraphs and " ".join(found.paragraphs[0].split()) == " ".join(r.title.split()):
        found.paragraphs = found.paragraphs[1:]  # the extractor's copy of the headline
    found.title = r.title or found.title
    found.published = merge_dates(page.published, page.date_score, r.published,
                                  s.dateline_over_metadata_score, page.date_line)
    found.authors = list(r.authors) or list(page.authors) or found.authors
    found.outlet = r.outlet or found.outlet
    found.dateline = found.dateline or page.dateline
    found.url = r.url
    found.page_text = r.page_text
    return found


def _clean_json(text: str, s: CleanSettings, profile: SiteProfile | None) -> dict:
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise CleanError(f"malformed JSON ({exc}); a scraper JSON file must be one object with a text or html field") from None
    if isinstance(obj, list) and len(obj) == 1:
        obj = obj[0]
    elif isinstance(obj, list):
        raise CleanError(f"the JSON file is a list of {len(obj)} items; newsflow takes one article per file: "
                         "write each article to a file of its own")
    if not isinstance(obj, dict):
        raise CleanError("scraper JSON must be an object with a text field (maintext, text, content) or an html field")
    body = _first_str(obj, _TEXT_FIELDS)
    html = _first_str(obj, _HTML_FIELDS)
    if body and "<" in body and sniff("", body) == "html":
        html, body = html or body, None
    if body:
        found = _clean_text(normalise(body, s.repair_mojibake), s, profile, trusted=True)
    elif html:
        found = _clean_html(normalise(html, s.repair_mojibake), s, profile)
    else:
        raise CleanError(
            "scraper JSON has no text: expected a non-empty 'maintext', 'text', 'content' or 'html' field"
        )
    title = _first_str(obj, _TITLE_FIELDS)
    if title:
        found.title = normalise(title, s.repair_mojibake).strip()
    found.published = next(filter(None, (parse_field(obj.get(f), s.min_year) for f in _DATE_FIELDS)),
                           found.published)
    found.authors = next(filter(None, (_authors_field(obj.get(f)) for f in _AUTHOR_FIELDS)), found.authors)
    found.outlet = _first_str(obj, _OUTLET_FIELDS) or found.outlet
    found.url = _first_str(obj, _URL_FIELDS) or found.url
    return found


def clean(doc: Document, settings: CleanSettings = CleanSettings(), profile: SiteProfile | None = None) -> Cleaned:
    """Title, body paragraphs and metadata of one input.

    Raises CleanError (a ValueError) with an actionable message when the input
    cannot be an article; never anything else.
    """
    try:
        return _clean(doc, settings, profile)
    except CleanError:
        raise
    except RecursionError:
        raise CleanError("the input is nested too deeply to read (JSON or HTML); is it really an article?") from None
    except MemoryError:
        raise CleanError("the input is too large to clean in memory; split it or raise the worker's memory") from None
    except Exception as exc:  # a bug or an extractor failing on odd input: say so, keep the contract
        raise CleanError(f"could not read the input as an article ({type(exc).__name__}: {exc})") from None


def _clean(doc: Document, s: CleanSettings, profile: SiteProfile | None) -> Cleaned:
    data = doc.data
    if not data or not data.strip():
        raise CleanError("the file is empty; drop a text, HTML or JSON file with an article")
    raw, encoding = decode(data)
    fmt = sniff(doc.name or "", raw)
    if fmt == "json":
        found = _clean_json(raw, s, profile)
    elif fmt == "html":
        found = _clean_html(normalise(raw, s.repair_mojibake), s, profile)
    else:
        page_text = normalise(raw, s.repair_mojibake)
        found = _clean_text(page_text, s, profile)
        found.page_text = page_text
    paragraphs = tuple(found.paragraphs)
    title = found.title
    if title:
        title = " ".join(normalise(title, s.repair_mojibake).split()) or None
    if not paragraphs and not title:
        raise CleanError("no article text found: the file has no prose (only menus, links or markup?)")
    authors = tuple(dict.fromkeys(a for a in found.authors if a))
    url = found.url or (doc.hints.get("url") if doc.hints else None)
    return Cleaned(
        title=title,
        paragraphs=paragraphs,
        published=found.published,
        authors=authors,
        outlet=found.outlet,
        url=url,
        format=fmt,
        encoding=encoding,
        dateline=found.dateline,
        page_text=found.page_text,
    )


__all__ = ["clean", "sniff", "CleanError", "CleanSettings", "SiteProfile", "lx", "strip_site_suffix"]
