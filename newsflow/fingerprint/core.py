"""First version: SHA-256 of the normalised text and a 64-bit SimHash of word shingles."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from newsflow.model import Cleaned, Fingerprint, Tags

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class FingerprintSettings:
    #: Words per shingle for the SimHash.
    shingle_words: int = 3
    #: Hamming distance at or below which two SimHashes are near-duplicates.
    max_hamming: int = 3
    #: Days within which articles can share a story.
    story_window_days: int = 7


def normalised_words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def simhash64(words: list[str], n: int) -> int:
    weights = [0] * 64
    shingles = [" ".join(words[i : i + n]) for i in range(max(1, len(words) - n + 1))]
    for shingle in shingles:
        h = int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if h >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


def fingerprint(cleaned: Cleaned, tags: Tags, settings: FingerprintSettings = FingerprintSettings()) -> Fingerprint:
    words = normalised_words(cleaned.text)
    content = hashlib.sha256(" ".join(words).encode()).hexdigest()
    return Fingerprint(
        content_sha256=content,
        signature={"simhash": f"{simhash64(words, settings.shingle_words):016x}"},
    )
