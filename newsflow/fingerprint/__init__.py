"""Fingerprint stage: clean text -> exact hash and near-duplicate signature.

Pure: no Celery, Redis, watchdog or filesystem.
"""

from newsflow.fingerprint.signatures import FingerprintSettings, fingerprint, signature, with_story_terms

__all__ = ["FingerprintSettings", "fingerprint", "signature", "with_story_terms"]
