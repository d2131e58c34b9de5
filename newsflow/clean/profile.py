"""Site furniture learned across documents: the pure value, its line keys and the site of a document.

The Redis side (counting lines over documents, shared by every worker) lives
in newsflow.siteprofile; this module only defines what `clean` receives.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from newsflow.values import Document



_WORDS = re.compile(r"\w+")
_ZERO_DIGITS = str.maketrans("123456789", "000000000")


def words_key(words: list[str]) -> str:
    """`line_key` of a line already split into lower-cased \\w+ words."""
    norm = " ".join(words).translate(_ZERO_DIGITS)
    return hashlib.blake2b(norm.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def line_key(text: str) -> str:
    """Key of a line for repeat detection and site profiles: its lower-cased words, digits as 0, hashed.

    Stable across processes and versions of Python (it is stored in Redis).
    """
    return words_key(_WORDS.findall(text.lower()))


@dataclass(frozen=True, slots=True)
class SiteProfile:
    """Lines one site prints on many of its pages (menus, promos, footers).

    `lines` holds `line_key`s of lines seen in at least `min_docs` different
    documents of `site`; `docs` is how many documents the profile learned from.
    """

    site: str
    lines: frozenset[str] = frozenset()
    docs: int = 0


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url.strip() if "//" in url else "//" + url.strip()).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


_CANONICAL = re.compile(
    rb"""<(?:link|meta)\b[^>]{0,300}?(?:rel=["']?canonical|property=["']og:url|name=["']twitter:url)[^>]{0,300}?>""", re.I
)
_HREF = re.compile(rb"""(?:href|content)\s*=\s*["']([^"']{4,500})["']""", re.I)
_SITENAME = re.compile(rb"""<meta\b[^>]{0,200}?property=["']og:site_name["'][^>]{0,200}?>""", re.I)
_TEXT_SUFFIX = re.compile(r"\s+[|–—\-·•»]\s+([^|–—·•»]{2,60})$")
_DOMAIN = re.compile(r"\b((?:[a-z0-9-]+\.)+(?:com|org|net|co\.uk|de|fr|es|it|nl|ru|ca|au|in|za|ch|at|be|pl|br|jp|io|news|info))\b", re.I)


def site_of(doc: Document) -> str | None:
    """The site a document comes from, or None when nothing says.

    From (in order) the document's hints (`url`, `source_domain`, `site`),
    a scraper JSON's `source_domain`/`url`, an HTML page's canonical URL or
    og:site_name, or a plain-text page title's site suffix ("... - The Site").
    Cheap: reads only the first 64 KiB and never decodes the whole input.
    """
    for key in ("source_domain", "site", "url"):
        value = doc.hints.get(key) if doc.hints else None
        if value:
            host = _host(value)
            if host:
                return host
            if key == "site":
                return value.strip().lower()[:100]
    head = doc.data[:65536]
    stripped = head.lstrip()
    name = doc.name.lower()
    if name.endswith(".json") or stripped[:1] == b"{":
        try:
            obj = json.loads(doc.data)
        except (ValueError, UnicodeDecodeError, RecursionError):
            obj = None
        if isinstance(obj, dict):
            for key in ("source_domain", "url", "link", "canonical_url", "source_url"):
                value = obj.get(key)
                if isinstance(value, str) and value:
                    host = _host(value)
                    if host:
                        return host
        return None
    if stripped[:1] == b"<" or name.endswith((".html", ".htm")):
        for m in _CANONICAL.finditer(head):
            href = _HREF.search(m.group(0))
            if href:
                host = _host(href.group(1).decode("utf-8", "ignore"))
                if host:
                    return host
        m = _SITENAME.search(head)
        if m:
            content = _HREF.search(m.group(0))
            if content:
                return content.group(1).decode("utf-8", "ignore").strip().lower()[:100] or None
        return None
    first = head[:400].decode("utf-8", "ignore").strip().split("\n", 1)[0].strip()
    m = _TEXT_SUFFIX.search(first)
    if m and len(m.group(1).split()) <= 5:
        return m.group(1).strip().lower()
    m = _DOMAIN.search(first)
    return m.group(1).lower() if m else None
