"""Clean stage: raw bytes of a page -> title, body paragraphs and metadata.

Pure: no Celery, Redis, watchdog or filesystem. The whole interface:

    clean(doc: Document, settings: CleanSettings = CleanSettings(),
          profile: SiteProfile | None = None) -> Cleaned

raises CleanError (a ValueError) for input that cannot be an article.
`site_of(doc)` names the site a document comes from (the key of its
SiteProfile, learned across documents by newsflow.siteprofile).
"""

from newsflow.clean.cleaner import clean, sniff
from newsflow.clean.errors import CleanError
from newsflow.clean.profile import SiteProfile, line_key, site_of
from newsflow.clean.settings import CleanSettings

__all__ = ["CleanError", "CleanSettings", "SiteProfile", "clean", "line_key", "site_of", "sniff"]
