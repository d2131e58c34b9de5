"""HTML pages: trafilatura's main text and metadata, then our paragraph filter and metadata merge."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass

from newsflow.clean.dates import parse_field
from newsflow.clean.settings import CleanSettings

_BLOCK_TAGS = {
    "p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "section", "article",
    "header", "footer", "nav", "aside", "blockquote", "pre", "figcaption", "figure", "dd", "dt", "ul", "ol",
    "table", "main", "form", "hr", "title", "address",
}
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "iframe", "head", "object", "embed", "canvas"}


@dataclass
class HtmlResult:
    text: str  # main text, one paragraph a line
    title: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    outlet: str | None = None
    url: str | None = None
    fallback: bool = False  # True: `text` is the page's visible text, not an extraction
    page_text: str = ""  # every visible line of the page (for the headline's dateline and byline)


@functools.cache
def _parser():
    """How a page is parsed: as trafilatura's own loader does, comments and processing
    instructions out (given a tree, trafilatura drops the text after a comment inside a
    paragraph, and React pages put empty `<!-- -->` markers in paragraphs); `huge_tree`:
    a page nested deeper than libxml2's 256 levels is read whole (the size cap bounds it)."""
    import lxml.html

    return lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True,
                                collect_ids=False, default_doctype=False)


def _parse(html: str):
    import lxml.html

    try:
        return lxml.html.fromstring(html, parser=_parser())
    except (ValueError, TypeError):
        # e.g. a str with an encoding declaration: parse it as bytes
        return lxml.html.fromstring(html.encode("utf-8", "surrogatepass"), parser=_parser())


_INVISIBLE = re.compile(r"<(script|style|noscript|template|svg)\b.*?</\1\s*>", re.I | re.S)


def _strip_markup(html: str) -> str:
    """Visible text by pattern (for markup lxml cannot walk): invisible blocks, then tags, dropped."""
    return re.sub(r"<[^>]+>", "\n", _INVISIBLE.sub("\n", html))


def visible_lines(tree) -> str:
    """Every visible line of a page, as a scraper that copies the page gets it."""
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        line = " ".join("".join(buf).split())
        if line:
            out.append(line)
        buf.clear()

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP_TAGS or not tag:
            if el.tail and tag:
                buf.append(el.tail)
            return
        block = tag in _BLOCK_TAGS
        if block:
            flush()
        if el.text:
            buf.append(el.text)
        for child in el:
            walk(child)
        if block:
            flush()
        if el.tail:
            buf.append(el.tail)

    body = tree.find(".//body")
    walk(body if body is not None else tree)
    flush()
    return "\n".join(out)


_LD_DATE_KEYS = ("datePublished", "dateCreated")
#: JSON-LD item types that are the page's article (an embedded video's or image's dates are not).
_LD_ARTICLE_TYPES = frozenset({"article", "newsarticle", "blogposting", "reportagenews", "analysisnewsarticle",
                               "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "report",
                               "scholarlyarticle", "techarticle", "liveblogposting", "socialmediaposting"})
#: A timestamp in UTC: its date may be a day off the publisher's own (a US evening is the next
#: day in UTC), so it fills a gap but never overrides the extractor's date.
_UTC = re.compile(r"T\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]00:?00)\s*$")


def _is_article(item: dict) -> bool:
    kinds = item.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and k.lower() in _LD_ARTICLE_TYPES for k in kinds)


def _json_ld_dates(tree, s: CleanSettings) -> tuple[str | None, bool]:
    """(date, sure) of the page's article item in JSON-LD (Article, NewsArticle, BlogPosting...):
    its datePublished (or dateCreated); `sure` unless written in UTC."""
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads((script.text or "").strip() or "null")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                for key in _LD_DATE_KEYS if _is_article(item) else ():
                    iso = parse_field(item.get(key), s.min_year)
                    if iso:
                        return iso, not _UTC.search(str(item[key]))
                stack.extend(v for v in item.values() if isinstance(v, (list, dict)))
    return None, False


def _author_list(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    parts = [p.strip() for p in re.split(r";|\band\b|,", value) if p.strip()]
    return tuple(p for p in parts if 1 <= len(p.split()) <= 5)


def extract_html(html: str, s: CleanSettings) -> HtmlResult:
    """Main text (one paragraph a line) and metadata of an HTML page."""
    import trafilatura

    tree = _parse(html)
    try:
        page_text = visible_lines(tree)
    except Exception:  # markup lxml builds but we cannot walk: strip it by pattern instead
        page_text = _strip_markup(html)
    ld_date, ld_sure = _json_ld_dates(tree, s)
    if len(html) > s.html_extractor_max_chars:
        return HtmlResult(text=page_text, published=ld_date, fallback=True, page_text=page_text)
    try:
        doc = trafilatura.bare_extraction(
            tree,
            with_metadata=True,
            include_comments=False,
            include_tables=s.html_include_tables,
            favor_recall=s.html_favor_recall,
            date_extraction_params={"original_date": True, "extensive_search": s.html_extensive_date_search},
        )
    except Exception:  # trafilatura raises assorted errors on odd markup: fall back to visible text
        doc = None
    if doc is None or not (doc.text or "").strip():
        # Nothing visible stays nothing: never fall back to script or style source.
        return HtmlResult(text=page_text, fallback=True, page_text=page_text)
    # The article item's JSON-LD date overrides the extractor's only when written in the
    # publisher's own time (an offset other than UTC); otherwise it fills a gap (ops/tools/rules.py).
    extracted = parse_field(doc.date, s.min_year) if doc.date else None
    published = (ld_date if ld_sure else None) or extracted or ld_date
    return HtmlResult(
        text=doc.text,
        title=doc.title or None,
        published=published,
        authors=_author_list(doc.author),
        outlet=doc.sitename or None,
        url=doc.url or None,
        page_text=page_text,
    )
