"""The span that is the article (newsflow.clean.body and cuts): tables, comments, glued articles, the headline."""

from __future__ import annotations

import pytest

from newsflow.clean import CleanError
from tests.cleaning import ARTICLE, clean_text, scraped_page


def test_table_introduced_by_the_article_is_kept():
    """Rows of numbers a body line announces ("... standings:") are part of the article."""
    rows = [f"{i} Team {name} {30 - i} {i} {i + 2}" for i, name in enumerate("ABCDEFGHIJKL", 1)]
    c = clean_text(scraped_page(*ARTICLE, "The league standings after the last round of matches are as follows:", *rows,
                     after=("Related articles", "Fishing quotas cut again")))
    assert list(c.paragraphs) == [*ARTICLE, "The league standings after the last round of matches are as follows:",
                                  *rows]


def test_reader_comments_after_the_article_are_cut():
    """Comments glued after the article (usernames, "2 days ago", vote counts) are not the article,
    even when there is more of them than of the article."""
    comments = []
    for n in range(8):
        comments += [f"reader{n}", f"{n + 1} days ago at 07:5{n} am",
                     "I think the council should have done this years ago, it is a disgrace that we had to wait "
                     f"so long for something so obviously needed by everyone who lives in town number {n}.",
                     f"Rating: {10 - n} Votes"]
    c = clean_text(scraped_page(*ARTICLE, after=("[ 32 comments ]", *comments)))
    assert list(c.paragraphs) == ARTICLE


def test_glued_second_article_is_cut():
    """Another article of the site glued after the real one (same header template, new date) is not body."""
    other = [
        "Farmers in the valley say the dry summer has cut their harvest by almost a third this year.",
        "Many of them now hope for a wet autumn so that the fields can recover before the winter comes.",
        "The regional government has promised help, but the farmers say it will come far too late for them.",
        "Prices for vegetables at the local market have already gone up by around fifteen percent.",
    ]
    page = "\n".join(["Harbour wall to be rebuilt", "Updated 05 September 2023", "Follow",
                      "Harbour wall to be rebuilt", *ARTICLE,
                      "Dry summer hits valley farmers", "Updated 26 December 2025", "Follow",
                      "Dry summer hits valley farmers", *other])
    assert list(clean_text(page).paragraphs) == ARTICLE


def test_a_comment_thread_after_the_article_is_cut_at_its_first_header():
    """Blog comments ("Maria on March 4, 2023 at 9:15 pm said:") are not the article, even when they
    are longer than it; a sentence that says "said" with a date is prose."""
    comments = []
    for who, day in (("Maria", 4), ("Tom Baker", 5), ("harbourfan", 6)):
        comments += [f"{who} on March {day}, 2023 at 9:15 pm said:",
                     "I walked along that wall every morning for thirty years and I have never seen the sea as "
                     "high as it was this winter, so I am glad the council is finally doing something about it."]
    prose = ("The mayor said on March 4, 2023 that the wall would be rebuilt before the summer, and the "
             "council's engineer said the work would cost less than a new breakwater would.")
    page = "\n".join(["Harbour wall to be rebuilt", *ARTICLE, prose, "Leave a reply", *comments])
    assert list(clean_text(page).paragraphs) == [*ARTICLE, prose]
    page = "\n".join(["Harbour wall to be rebuilt", *ARTICLE, prose, *comments])  # no "Leave a reply" label
    assert list(clean_text(page).paragraphs) == [*ARTICLE, prose]


def test_article_flattened_into_one_long_line_is_an_article():
    """A whole article on one line (headline, body and a credit or sign-up tail glued together) is
    its own body, not "no prose"; a short notice alone still is no article."""
    body = " ".join(ARTICLE * 5)
    line = "Harbour wall to be rebuilt " + body + " Credits: Twitter. Sign up for our newsletter."
    c = clean_text(line)
    assert c.paragraphs == (line,)
    with_caption = "Harbour wall to be rebuilt (Photo: Jane Doe/Getty Images) " + body
    assert clean_text(with_caption).paragraphs == (with_caption,)
    third = " ".join(ARTICLE[:3])
    form = (f"Oil to outperform Take a free trial. {third} Already a subscriber? {third} "
            f"Sign up for our newsletter. {third}")
    with pytest.raises(CleanError):  # a paywall form: its promo phrases spread through the line
        clean_text(form)
    with pytest.raises(CleanError):
        clean_text("We use cookies to ensure that we give you the best experience on our website. "
               "If you continue, we'll assume that you are happy to receive all cookies. Learn more")


def test_one_very_long_line_of_prose_is_an_article():
    """An article flattened into one 5 MB line, mentioning subscriptions and photos along the way,
    is kept whole: a phrase inside a line that long does not make it furniture."""
    sentence = ("Readers can sign up for the newsletter, the editor said, while the photo desk "
                "described how the council voted on the harbour wall after a long debate. ")
    text = sentence * (5_000_000 // len(sentence))
    c = clean_text(text)
    assert len(c.paragraphs) == 1 and len(c.paragraphs[0]) > 4_900_000


def _cards() -> list[str]:
    """Other articles' teaser cards (headline and standfirst glued into one prose line), each under its
    block of section links."""
    places = ["the old mill", "the north quay", "the school hall", "the fire station", "the bus depot", "the bridge"]
    things = ["a new roof", "longer opening hours", "a second lift", "solar panels", "a bigger car park", "new lights"]
    return [line for i, (place, thing) in enumerate(zip(places, things)) for line in (
        *(f"Section {'ABCDEF'[i]}{k}" for k in range(5)), f"Plans for {place} are out. Neighbours who saw the drawings this week say that "
        f"{thing} would change how the street looks, and they want the town to listen to them before it decides.")]


def test_the_article_under_its_repeated_headline_beats_teasers_above_it():
    """Prose above the on-page headline (a line repeating the page title) counts for less, wherever a long
    menu of teasers put the headline and whether or not it ends like a sentence."""
    menu = [f"Menu item {i}" for i in range(70)]
    for title in ("Harbour wall to be rebuilt", "Will the harbour wall be rebuilt at last?"):
        page = "\n".join([f"{title} - The Coast News", *menu, *_cards(), title, "By Jane Doe", *ARTICLE,
                          "© 2023 The Coast News. All rights reserved."])
        assert list(clean_text(page).paragraphs) == ARTICLE


def test_without_a_repeated_headline_the_prose_is_weighed_as_before():
    """A page whose title is not repeated keeps its longest run of prose (no line is discounted)."""
    page = "\n".join(["Harbour wall to be rebuilt - The Coast News", "Home", "Share", *ARTICLE,
                      "Related", "Storm warning for the weekend"])
    assert list(clean_text(page).paragraphs) == ARTICLE


def test_a_paragraph_that_lost_its_full_stop_at_the_body_edge_is_kept():
    """A long prose line without a sentence end, right above the body, is its lead paragraph."""
    lead = ("The council has agreed to spend two million pounds on the old harbour wall after a long campaign "
            "by the people who live and work along the seafront and by the fishermen who moor their boats behind it")
    page = scraped_page(lead, *ARTICLE, after=("Related articles", "Fishing quotas cut again"))
    assert list(clean_text(page).paragraphs) == [lead, *ARTICLE]


def test_a_headline_without_a_full_stop_above_the_body_is_not_taken_for_prose():
    """A headline-length line above the body stays out, stop or no stop."""
    page = scraped_page("Council agrees to spend two million pounds on the harbour wall after campaign", *ARTICLE,
                 after=("Related articles", "Fishing quotas cut again"))
    assert list(clean_text(page).paragraphs) == ARTICLE


def test_menu_only_page_raises_clean_error():
    """A page with no prose at all is rejected with a clear message."""
    with pytest.raises(CleanError, match="no article text"):
        clean_text("\n".join(["Home", "News", "Sport", "Weather", "Log in", "Subscribe"]))
