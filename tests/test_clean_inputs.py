"""The cleaner on awkward inputs: encodings, broken UTF-8, pages with nothing visible."""

import pytest

from newsflow.clean import CleanError, clean
from newsflow.values import Document

TEXT = ("Le café du coin a rouvert, dit-elle. « Une naïve idée », répond le maire de Besançon, "
        "sûr de lui, devant une foule de curieux venus de toute la région pour l'occasion.")


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1", "cp1252", "utf-16", "utf-8-sig"])
def test_encodings_are_decoded_right(encoding):
    """Latin-1, cp1252, UTF-16 with BOM and UTF-8 (with or without BOM) come out as the same text."""
    cleaned = clean(Document(name="a.txt", data=TEXT.encode(encoding)))
    assert "café du coin" in cleaned.text and "Besançon" in cleaned.text


def test_mostly_utf8_with_broken_bytes_is_not_mojibake():
    """UTF-8 with a few invalid bytes is read as UTF-8 (bytes replaced), not as another encoding."""
    data = TEXT.encode() + b" \xff\xfe\xc3\x28 " + TEXT.encode()
    cleaned = clean(Document(name="a.txt", data=data))
    assert "café du coin" in cleaned.text and "naïve" in cleaned.text
    assert cleaned.encoding.startswith("utf-8")


def test_cp1252_is_not_taken_for_broken_utf8():
    """A cp1252 file (every accent an invalid UTF-8 byte) is still read as cp1252."""
    cleaned = clean(Document(name="a.txt", data=(TEXT + " Prix : 5 € — “cité”.").encode("cp1252")))
    assert "€" in cleaned.text and "“cité”" in cleaned.text


def test_html_with_only_script_and_style_has_no_article():
    """A page whose only content is script and style is refused, never turned into text."""
    page = ("<html><head><style>p{color:red}</style><script>var a=1;</script></head>"
            "<body><script>alert('x')</script><noscript></noscript></body></html>")
    with pytest.raises(CleanError):
        clean(Document(name="a.html", data=page.encode()))
