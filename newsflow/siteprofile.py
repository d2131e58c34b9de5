"""Site furniture learned across documents, kept in Redis so every worker shares it.

Lines a site prints on many of its pages (menus, promos, newsletter boxes,
footers) are furniture even when nothing else gives them away. For every
document of a site, `learn` counts each distinct short line once; a line seen
in at least `site_min_docs` different documents becomes part of the site's
`SiteProfile`, which `clean` then treats as furniture.

    site = site_of(doc)                       # once per document
    cleaned = clean(doc, settings, store.profile_for(site))
    store.learn(site, cleaned)

Bounded: per site at most `site_max_lines` lines (the least frequent are
evicted) and `site_max_docs` document signatures, every key expiring
`site_ttl_days` after the site was last seen. The same article counted twice
(a re-drop, an update) is learned once: documents are signed by their body.
Key names come from newsflow.keys (`site_lines`, `site_docs`); the site part
is a hash, never the raw host name.
"""

from __future__ import annotations

import hashlib
import re
import time

import redis

from newsflow.clean import CleanSettings, SiteProfile, line_key
from newsflow import lua
from newsflow.keys import Keys
from newsflow.values import Cleaned

_WORD = re.compile(r"\w+")


def _site_id(site: str) -> str:
    return hashlib.blake2b(site.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _signature(cleaned: Cleaned) -> str:
    """One article's signature: its first body words (an update or re-drop signs the same)."""
    words = _WORD.findall(" ".join(cleaned.paragraphs[:3]).lower())[:60]
    text = " ".join(words) or (cleaned.title or "")
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()


def document_lines(cleaned: Cleaned, settings: CleanSettings) -> set[str]:
    """Keys of the distinct short lines of a page (what a site may repeat), from the text
    the cleaner already decoded and read (`Cleaned.page_text`): nothing is parsed twice."""
    out = set()
    for line in cleaned.page_text.split("\n"):
        line = line.strip()
        if not line:
            continue
        n = len(_WORD.findall(line))
        if 0 < n <= settings.site_learn_max_words:
            out.add(line_key(line))
    return out


class SiteProfileStore:
    """Reads and updates the shared site profiles (one Redis round trip each way)."""

    def __init__(self, client: redis.Redis, keys: Keys, settings: CleanSettings = CleanSettings()):
        self.client = client
        self.keys = keys
        self.settings = settings
        self._learn = client.register_script(lua.source("site_learn"))

    def profile_for(self, site: str | None) -> SiteProfile | None:
        """The profile of a site (`site_of(doc)`), or None when the site is unknown or unlearned."""
        if site is None:
            return None
        sid = _site_id(site)
        pipe = self.client.pipeline(transaction=False)
        pipe.zrangebyscore(self.keys.site_lines(sid), self.settings.site_min_docs, "+inf",
                           start=0, num=self.settings.site_max_lines)
        pipe.zcard(self.keys.site_docs(sid))
        lines, docs = pipe.execute()
        if not lines:
            return None
        return SiteProfile(site=site, lines=frozenset(x.decode() if isinstance(x, bytes) else x for x in lines),
                           docs=int(docs))

    def learn(self, site: str | None, cleaned: Cleaned) -> None:
        """Count a cleaned document's short lines once for its site (no-op when the site is unknown)."""
        if site is None or cleaned.format == "json":  # scraper JSON holds no page furniture
            return
        keys = document_lines(cleaned, self.settings)
        if not keys:
            return
        sid = _site_id(site)
        s = self.settings
        self._learn(
            keys=[self.keys.site_lines(sid), self.keys.site_docs(sid)],
            args=[s.site_ttl_days * 86400, s.site_max_lines, s.site_max_docs, _signature(cleaned),
                  f"{time.time():.3f}", *sorted(keys)],
        )
