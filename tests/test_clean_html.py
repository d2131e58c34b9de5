"""HTML pages (newsflow.clean.html): extraction, metadata dates, deep nesting, comments."""

from __future__ import annotations

import json

from newsflow.clean import clean, sniff
from newsflow.values import Document
from tests.cleaning import ARTICLE, LONG, clean_text, page_with_meta


def test_html_page():
    """HTML: the article text via trafilatura and our filter; metadata from the page."""
    html = ("<html><head><title>Harbour wall to be rebuilt - The Coast News</title>"
            '<meta property="article:published_time" content="2023-09-05T10:00:00Z">'
            '<meta property="og:site_name" content="The Coast News"></head><body>'
            "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Harbour wall to be rebuilt</h1>"
            + "".join(f"<p>{p}</p>" for p in ARTICLE)
            + "<p>Advertisement</p></article><footer>© 2023 The Coast News</footer></body></html>")
    c = clean(Document("a.html", html.encode()))
    assert list(c.paragraphs) == ARTICLE
    assert c.published == "2023-09-05" and c.outlet == "The Coast News" and c.format == "html"
    assert sniff("noext", html) == "html"


def test_html_json_ld_date_published_is_the_date():
    """An HTML page's JSON-LD datePublished is its date, over a later modified date in its meta tags."""
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Harbour wall",
                     "datePublished": "2023-09-05T10:00:00+02:00", "dateModified": "2023-10-01T08:00:00+02:00"})
    html = ("<html><head><title>Harbour wall to be rebuilt</title>"
            '<meta property="og:updated_time" content="2023-10-01T08:00:00+02:00">'
            f'<script type="application/ld+json">{ld}</script></head><body><article>'
            "<h1>Harbour wall to be rebuilt</h1>" + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</article></body></html>")
    assert clean(Document("a.html", html.encode())).published == "2023-09-05"


def test_html_nested_deeper_than_the_parser_default_is_read():
    """A page whose paragraphs sit 300 elements deep (over libxml2's 256) keeps its text."""
    page = ("<html><head><title>Reservoir opens</title></head><body>" + "<div>" * 300
            + "".join(f"<p>{p}</p>" for p in LONG) + "</div>" * 300 + "</body></html>")
    assert list(clean_text(page, "a.html").paragraphs) == LONG


def test_html_comments_inside_paragraphs_do_not_cut_them():
    """Empty comment markers inside a paragraph (as React renders) keep the whole paragraph."""
    marked = [LONG[0], LONG[1].replace(" the ", " <!-- -->the<!-- --> ", 1), LONG[2]]  # React's text seams
    page = ("<html><head><title>Reservoir opens</title></head><body><article><h1>Reservoir opens</h1>"
            + "".join(f"<p>{p}</p>" for p in marked) + "</article></body></html>")
    got = " ".join(clean_text(page, "a.html").paragraphs)
    assert " ".join(got.split()) == " ".join(" ".join(LONG).split())


def test_an_embedded_videos_upload_date_is_not_the_articles():
    """JSON-LD of a video (uploadDate) or any item that is not the article never gives the date."""
    video = {"@context": "https://schema.org", "@type": "VideoObject", "name": "Storm footage",
             "uploadDate": "2021-02-11T09:00:00+01:00", "datePublished": "2021-02-11T09:00:00+01:00"}
    assert clean(Document("a.html", page_with_meta("2023-09-05T10:00:00+02:00", video))).published == "2023-09-05"


def test_a_utc_json_ld_timestamp_does_not_override_the_page_date():
    """An article's JSON-LD date written in UTC (a day off for an evening story) fills a gap only."""
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "datePublished": "2023-09-06T01:30:00Z"}
    assert clean(Document("a.html", page_with_meta("2023-09-05T21:30:00-04:00", ld))).published == "2023-09-05"
    no_meta = page_with_meta("", ld).replace(b'<meta property="article:published_time" content="">', b"")
    assert clean(Document("a.html", no_meta)).published == "2023-09-06"
