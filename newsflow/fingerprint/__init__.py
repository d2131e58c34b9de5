"""Fingerprint stage: clean text -> exact hash and near-duplicate signature.

Pure: no Celery, Redis, watchdog or filesystem.
"""

from newsflow.fingerprint.core import FingerprintSettings, fingerprint

__all__ = ["FingerprintSettings", "fingerprint"]
