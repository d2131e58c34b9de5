"""First version of the cleaner: decode, detect the format, keep prose lines."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from newsflow.model import Cleaned, Document


class CleanError(ValueError):
    """The input cannot be read as an article (undecodable, empty, no text)."""


@dataclass(frozen=True)
class CleanSettings:
    #: A text line with fewer words than this is not body prose.
    min_words: int = 8


_WS = re.compile(r"[ \t\u00a0]+")
_DATE = re.compile(r"\b(20\d\d|19\d\d)-(\d\d)-(\d\d)\b")


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise CleanError("cannot detect the text encoding; is this a text file?")
    return str(best), best.encoding


def clean(doc: Document, settings: CleanSettings = CleanSettings()) -> Cleaned:
    if not doc.data.strip():
        raise CleanError("the file is empty")
    text, encoding = _decode(doc.data)
    if "\x00" in text:
        raise CleanError("the file is binary (contains NUL bytes), not text")
    text = unicodedata.normalize("NFC", text)
    fmt = "text"
    title = published = None
    if doc.name.lower().endswith(".json"):
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CleanError(f"malformed JSON: {exc}") from None
        if not isinstance(obj, dict):
            raise CleanError("scraper JSON must be an object with a text field")
        title = obj.get("title")
        published = obj.get("date_publish") or obj.get("date")
        text = obj.get("maintext") or obj.get("text") or obj.get("content") or ""
        fmt = "json"
    lines = [_WS.sub(" ", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if title is None and lines:
        title = lines[0]
    body = tuple(line for line in lines if len(line.split()) >= settings.min_words)
    if published is None:
        match = _DATE.search(text)
        published = match.group(0) if match else None
    return Cleaned(title=title, paragraphs=body, published=published, format=fmt, encoding=encoding)
