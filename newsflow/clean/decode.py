"""Bytes -> one clean Unicode string: encoding detection, mojibake repair, NFC, whitespace."""

from __future__ import annotations

import codecs
import re
import unicodedata

from newsflow.clean.errors import CleanError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
_XML_CHARSET = re.compile(rb"""^\s*<\?xml[^>]{0,100}encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})""", re.I)

#: Control characters that never occur in text (everything below 0x20 except tab, LF, FF, CR).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
#: Mojibake signatures: UTF-8 read as cp1252/Latin-1 ("Ã©", "â€™", "Â "), or replacement chars.
_MOJIBAKE = re.compile(r"[ÃÂâ][\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]|Ã.|â€|\ufffd")
#: Every kind of horizontal space becomes one ASCII space.
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
#: Invisible characters removed (zero-width space, BOM, soft hyphen, word joiner, direction marks).
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")


def _declared(data: bytes) -> str | None:
    """The charset an HTML/XML document declares for itself, if it names a codec Python knows."""
    head = data[:4096]
    m = _XML_CHARSET.search(head) or _META_CHARSET.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: one byte of each pair is mostly NUL."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / (len(sample) / 2)
    odd = sample[1::2].count(0) / (len(sample) / 2)
    if odd > 0.4 and even < 0.05:
        return "utf-16-le"
    if even > 0.4 and odd < 0.05:
        return "utf-16-be"
    return None


#: UTF-8 with a few invalid bytes is still UTF-8 (bytes replaced by U+FFFD) when it has at
#: least this many well-formed multi-byte characters per invalid sequence. Text in a
#: single-byte encoding (cp1252, Latin-1) has almost none.
UTF8_VALID_PER_INVALID = 2


def _mostly_utf8(data: bytes) -> str | None:
    """`data` decoded as UTF-8 with replacement, if it is UTF-8 with a few broken bytes; else None."""
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    multibyte = sum(1 for ch in text if ch > "\x7f") - invalid
    if invalid and multibyte >= UTF8_VALID_PER_INVALID * invalid:
        return text
    return None


def decode(data: bytes) -> tuple[str, str]:
    """The text of `data` and the name of the encoding it was read as.

    Order: byte-order mark, strict UTF-8, UTF-16 without BOM, UTF-8 with a
    few invalid bytes, the document's own declaration (HTML/XML),
    charset-normalizer, then cp1252 / Latin-1.
    Raises CleanError for binary data.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(name), name
            except UnicodeDecodeError:
                break
    try:
        text, name = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text = None
    if text is None:
        utf16 = _looks_utf16(data)
        if utf16:
            try:
                return data.decode(utf16), utf16
            except UnicodeDecodeError:
                pass
        if b"\x00" in data[:65536]:
            raise CleanError("the file is binary (it contains NUL bytes), not text; drop text, HTML or JSON files")
        text = _mostly_utf8(data)
        if text is not None:
            return text, "utf-8 (invalid bytes replaced)"
        declared = _declared(data)
        if declared:
            try:
                text, name = data.decode(declared), declared
            except UnicodeDecodeError:
                text = None
    if text is None:
        import charset_normalizer  # imported lazily: most inputs are UTF-8

        best = charset_normalizer.from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            name = best.encoding
            try:
                text = data.decode(name)
            except (UnicodeDecodeError, LookupError):
                text = None
        if text is None:
            try:
                text, name = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                text, name = data.decode("latin-1"), "latin-1"
    if "\x00" in text:
        raise CleanError("the file is binary (it contains NUL characters), not text; drop text, HTML or JSON files")
    controls = len(_CONTROL.findall(text[:20000]))
    if controls > 0.05 * min(len(text), 20000):
        raise CleanError("the file is binary (mostly control characters), not text; drop text, HTML or JSON files")
    return text, name


def normalise(text: str, repair: bool = True) -> str:
    """Repaired, NFC, one kind of space and newline, no invisible or control characters."""
    if "\r" in text or not text.isascii():
        text = _NEWLINES.sub("\n", text)
    if not text.isascii():
        if repair and _MOJIBAKE.search(text):
            import ftfy  # imported lazily: only texts that show mojibake pay for it

            text = ftfy.fix_text(
                text, unescape_html=False, uncurl_quotes=False, fix_character_width=False, normalization="NFC"
            )
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text)
