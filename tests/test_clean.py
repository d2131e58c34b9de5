"""The clean stage as a whole (newsflow.clean.cleaner): formats, encodings, errors, repeats, settings, cost."""

from __future__ import annotations

import json
import pytest

from newsflow.clean import CleanError, CleanSettings, clean
from newsflow.values import Document
from tests.cleaning import ARTICLE, PAGE, LONG, clean_text
from tests.corpus import html_page


def test_plain_text_page_keeps_body_and_drops_furniture():
    """A scraped page's body paragraphs are kept; menus, buttons, byline, dateline and related links are not."""
    c = clean_text(PAGE)
    assert list(c.paragraphs) == ARTICLE
    assert c.title == "Harbour wall to be rebuilt"
    assert c.published == "2023-09-05"
    assert c.authors == ("Jane Doe",)
    assert c.outlet == "The Coast News"
    assert c.format == "text"


def test_text_joins_paragraphs_with_a_blank_line():
    """Cleaned.text is the contract's body: paragraphs separated by one blank line."""
    assert clean_text(PAGE).text == "\n\n".join(ARTICLE)


def test_repeated_paragraphs_dropped():
    """A paragraph repeated in the input appears once in the output."""
    page = "\n".join(["Harbour wall to be rebuilt", "Share", *ARTICLE, ARTICLE[1], ARTICLE[2]])
    c = clean_text(page)
    assert len(c.paragraphs) == len(set(c.paragraphs)) == len(ARTICLE)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "cp1252", "latin-1", "utf-8-sig"])
def test_encodings_are_detected(encoding):
    """UTF-16 with BOM, cp1252, Latin-1 and UTF-8 with BOM are decoded to the same text."""
    text = PAGE.replace("“", "\"").replace("”", "\"") + "\nCafé Müller in Zürich serves crème brûlée to 120 guests."
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data
    c = clean(Document("a.txt", data))
    assert c.paragraphs[0] == ARTICLE[0]
    assert c.title == "Harbour wall to be rebuilt"


def test_mojibake_is_repaired_and_spaces_unified():
    """UTF-8 read as cp1252 is repaired; NBSP, tabs and other spaces become one ASCII space; NFC."""
    fixed = "The café owner’s son said the new wall would protect the terrace from the waves."
    broken = fixed.encode("utf-8").decode("cp1252")
    page = "Harbour wall to be rebuilt\nShare\n" + "\n".join(ARTICLE) + "\n" + broken.replace(" ", "\u00a0", 2)
    c = clean_text(page + "\nThe cafe\u0301 owner said the\tnew wall would protect her terrace from the waves.")
    assert c.paragraphs[4] == fixed
    assert "café owner said the new wall" in c.paragraphs[5]


def test_scraper_json_news_please():
    """news-please JSON: maintext is the body; title, date, authors, url and outlet come from their fields."""
    obj = {"title": "Harbour wall to be rebuilt", "maintext": "\n".join(ARTICLE), "date_publish": "2023-09-05 10:31:00",
           "authors": ["Jane Doe"], "url": "https://www.coastnews.example/harbour", "source_domain": "coastnews.example"}
    c = clean(Document("a.json", json.dumps(obj).encode()))
    assert list(c.paragraphs) == ARTICLE
    assert (c.title, c.published, c.authors, c.outlet, c.format) == (
        "Harbour wall to be rebuilt", "2023-09-05", ("Jane Doe",), "coastnews.example", "json")
    assert c.url == "https://www.coastnews.example/harbour"


def test_scraper_json_with_html_field():
    """A JSON with only an html field is cleaned as that HTML page."""
    html = "<html><body><h1>Harbour wall to be rebuilt</h1>" + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</body></html>"
    c = clean(Document("a.json", json.dumps({"html": html, "date": "2023-09-05"}).encode()))
    assert c.paragraphs[0] == ARTICLE[0] and c.published == "2023-09-05"


@pytest.mark.parametrize("data, name, words", [
    (b"", "a.txt", "empty"),
    (b"   \n\t\n", "a.txt", "empty"),
    (b"\x00\x01\x02\x03binary\x00\x00", "a.bin", "binary"),
    (b"{not json", "a.json", "malformed JSON"),
    (b"[1, 2, 3]", "a.json", "list of 3 items"),
    (b'{"title": null, "maintext": ""}', "a.json", "no text"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "photo.jpg", "binary"),
])
def test_inputs_that_cannot_be_articles_raise_clean_error(data, name, words):
    """Empty, binary and malformed inputs raise CleanError (a ValueError) saying what is wrong."""
    with pytest.raises(CleanError, match=words):
        clean(Document(name, data))
    assert issubclass(CleanError, ValueError)


def test_settings_are_data_with_env_overrides():
    """Every threshold is a field of one frozen CleanSettings, overridable as NEWSFLOW_CLEAN_<FIELD>."""
    import dataclasses

    from newsflow.settings import Settings

    fields = {f.name for f in dataclasses.fields(CleanSettings)}
    assert {"good_min_words", "site_min_docs", "strong_end_penalty"} <= fields
    s = Settings.from_env({"NEWSFLOW_CLEAN_GOOD_MIN_WORDS": "12", "NEWSFLOW_CLEAN_KEEP_SUBHEADINGS": "0"})
    assert s.clean.good_min_words == 12 and s.clean.keep_subheadings is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.clean.good_min_words = 3  # type: ignore[misc]


def test_an_article_repeated_as_one_block_is_dropped():
    """A page that repeats its paragraphs as one long block (or a block first, then its paragraphs)
    keeps each paragraph once."""
    after = json.dumps({"title": "Reservoir opens", "maintext": "\n\n".join([*LONG, " ".join(LONG)])})
    assert list(clean_text(after, "a.json").paragraphs) == LONG
    before = json.dumps({"title": "Reservoir opens", "maintext": "\n\n".join([" ".join(LONG), *LONG])})
    assert list(clean_text(before, "a.json").paragraphs) == [" ".join(LONG)]


def test_paragraphs_sharing_phrases_are_not_taken_for_a_repeat():
    """Ordinary prose that reuses phrases of earlier paragraphs keeps every paragraph."""
    echo = ("The regional water utility said on Monday that it would meet the farmers in the valley next week, "
            "and that engineers began filling the basin in March as planned, despite the flooding on the site.")
    text = json.dumps({"title": "Reservoir opens", "maintext": "\n\n".join([*LONG, echo])})
    assert list(clean_text(text, "a.json").paragraphs) == [*LONG, echo]


@pytest.mark.slow
def test_cleaning_time_grows_near_linearly_with_the_page():
    """CPU time for 2 MB of HTML is within 2.5x that for 1 MB (it was 3.6x: a quadratic step),
    and a 15 MB page (about 50,000 paragraphs) is cleaned in under 15 s."""
    import time

    def cpu(data: bytes) -> float:
        start = time.process_time()
        assert len(clean(Document("big.html", data)).paragraphs) > 1000
        return time.process_time() - start

    one, two = html_page(1), html_page(2)
    cpu(one)  # warm the imports
    ratio = min(cpu(two) for _ in range(2)) / min(cpu(one) for _ in range(2))
    assert ratio <= 2.5, ratio
    assert cpu(html_page(15)) < 15.0


def test_a_json_list_of_articles_is_refused_saying_why():
    """A JSON list of several articles fails with a reason naming the list (it used to keep the
    first and drop the rest silently); a list of one is that one article."""
    one = {"title": "Reservoir opens", "maintext": "\n\n".join(LONG)}
    with pytest.raises(CleanError, match="list of 2 items.*one article per file"):
        clean_text(json.dumps([one, one]), "a.json")
    assert list(clean_text(json.dumps([one]), "a.json").paragraphs) == LONG
