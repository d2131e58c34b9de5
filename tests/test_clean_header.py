"""The article's own header (newsflow.clean.header and dates): datelines, and dates that are not the article's."""

from __future__ import annotations

import pytest

from newsflow.clean import clean
from newsflow.values import Document
from tests.cleaning import ARTICLE, clean_text, page_with_meta


def test_masthead_today_is_not_a_publication_date():
    """A bare weekday date above the headline is the page's "today", not the article's date."""
    page = "Log In\nWorld\nSunday, April 28, 2024\nHarbour wall to be rebuilt\n" + "\n".join(ARTICLE)
    assert clean_text(page).published is None


@pytest.mark.parametrize("line, iso", [
    ("date 2023-09-05 1h ago", "2023-09-05"),
    ("Updated 05 September 2023", "2023-09-05"),
    ("Chris Davies - Nov 19, 2019, 10:31 pm CST", "2019-11-19"),
    ("Veröffentlicht am 3. März 2021", "2021-03-03"),
    ("Publié le 02/11/2023 à 15h57", "2023-11-02"),
])
def test_datelines(line, iso):
    """Datelines in the header are read in several formats and languages (day first where the separator says so)."""
    page = f"Harbour wall to be rebuilt\n{line}\n" + "\n".join(ARTICLE)
    got = clean_text(page).published
    if line.startswith("Publié"):
        assert got in (iso, "2023-02-11")  # "/" dates are ambiguous in text alone; HTML metadata settles them
    else:
        assert got == iso


def test_a_dateline_with_times_is_still_a_dateline():
    """Times of day do not count as extra words: a published-and-updated line is read as a dateline."""
    line = "PUBLISHED: November 8, 2023 at 11:30 p.m. | UPDATED: November 9, 2023 at 12:21 a.m."
    page = f"Harbour wall to be rebuilt\nBy Jane Doe\n{line}\n" + "\n".join(ARTICLE)
    assert clean_text(page).published == "2023-11-08"


@pytest.mark.parametrize("line, meta, want", [
    ("Erstellt am: 01.11.2023", "2023-01-11", "2023-11-01"),  # dots are day first: the page is right
    ("Posted 1 November 2023", "2023-01-11", "2023-11-01"),  # a month name is unambiguous
    ("Posted 01/11/2023", "2023-11-01", "2023-11-01"),  # a slash could be either: the metadata settles it
    ("Posted 01/11/2023", "2023-01-11", "2023-01-11"),
])
def test_one_date_read_two_ways_goes_to_the_unambiguous_writing(line, meta, want):
    """When the page's dateline and the metadata are one date with day and month swapped, the
    unambiguously written one wins."""
    from newsflow.clean.dates import date_line_score, find_dates, merge_dates

    page = find_dates(line)[0][2]
    assert merge_dates(page, date_line_score(line, find_dates(line), False), meta, 2, line) == want


def test_dates_in_body_or_related_links_are_not_taken():
    """Dates in prose, captions or related links are never the publication date."""
    page = "Harbour wall to be rebuilt\n" + "\n".join(ARTICLE) + "\nThe wall was built on 3 May 1911.\nRelated\n04 Sep 2023\n"
    assert clean_text(page).published is None


def test_dateline_under_a_short_lead_is_found():
    """A "created on" line placed under the lead paragraph (then the rest) is the date; without a
    window after the body start it is not."""
    page = "\n".join(["Harbour wall to be rebuilt", "Home", "News", "Harbour wall to be rebuilt", ARTICLE[0],
                      "Erstellt am: 05.09.2023", *ARTICLE[1:]])
    assert clean_text(page).published == "2023-09-05"
    assert clean_text(page, header_lines_after_body=0).published is None


def test_a_clock_above_the_headline_does_not_override_the_metadata():
    """A site header's date and time of day ("today") above the headline is not the article's date."""
    page = page_with_meta("2023-09-05T10:00:00+02:00", above_title="Monday 2 October 2023 14:05")
    assert clean(Document("a.html", page)).published == "2023-09-05"


def test_a_date_between_paragraphs_of_prose_is_an_embedded_posts_not_the_articles():
    """"Posted by X on <date>" between paragraphs (an embedded social post) is not the article's dateline."""
    body = [*ARTICLE[:2], "Posted by Harbour Friends on Monday, October 2, 2023", *ARTICLE[2:]]
    page = "\n".join(["Harbour wall to be rebuilt - The Coast News", "Home", "Harbour wall to be rebuilt",
                      "Published 05 September 2023", *body, "Related", "Storm warning for the weekend"])
    assert clean_text(page).published == "2023-09-05"
    assert clean_text(page.replace("Published 05 September 2023\n", "")).published is None


def test_a_dateline_right_after_a_short_article_is_still_read():
    """A "Created on" line under the article's last paragraph is its dateline (nothing follows it but furniture)."""
    page = "\n".join(["Harbour wall to be rebuilt - The Coast News", "Home", "Harbour wall to be rebuilt", *ARTICLE,
                      "Created on: 05.09.2023", "Rate this article", "Comments"])
    assert clean_text(page).published == "2023-09-05"
