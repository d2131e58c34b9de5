"""Clean stage: raw bytes of a page -> title, body paragraphs and metadata.

Pure: no Celery, Redis, watchdog or filesystem. `clean(doc, settings)` is the
whole interface.
"""

from newsflow.clean.core import CleanError, CleanSettings, clean

__all__ = ["CleanError", "CleanSettings", "clean"]
