"""What each line is (newsflow.clean.classify): furniture rules, each with text that must stay."""

from __future__ import annotations

import json

from newsflow.clean import clean
from newsflow.values import Document
from tests.cleaning import ARTICLE, LONG, clean_text, scraped_page, extracted


def test_poll_options_are_furniture():
    poll = ["Will the wall be finished on time?", "Yes (41%, 1,680 Votes)", "No, the council never manages (29%, 1,186 Votes)",
            "I do not know what the council is doing this year (30%, 1,225 Votes)"]
    c = clean_text(scraped_page(*ARTICLE, after=tuple(poll)))
    assert list(c.paragraphs[: len(ARTICLE)]) == ARTICLE
    assert not any("Votes" in p for p in c.paragraphs)


def test_a_sign_up_line_is_still_furniture():
    """The same phrases in a short line remain page furniture."""
    c = clean_text("\n".join(["Harbour wall to be rebuilt", *ARTICLE, "Sign up for our newsletter to get the news first."]))
    assert list(c.paragraphs) == ARTICLE


def test_an_author_bio_line_goes_but_prose_about_a_producer_stays():
    """"Jane Doe is a reporter for ..." under an article is furniture; a paragraph in which
    someone's father was a producer is the article's own prose."""
    prose = ("Her father was a producer on the station's morning show for twenty years, and she grew up "
             "around its studio, the mayor said when she opened the new harbour museum on Friday.")
    page = "\n".join(["Harbour wall to be rebuilt", *ARTICLE, prose, "Jane Doe is a reporter for The Coast News."])
    assert list(clean_text(page).paragraphs) == [*ARTICLE, prose]


def test_a_short_caption_goes_but_a_paragraph_mentioning_a_picture_stays():
    """"The mayor, pictured at the harbour" alone is a caption; a long paragraph saying "(pictured
    above)" or naming the EPA/Army Corps rule is prose."""
    pictured = ("The mayor (pictured above) told residents at a packed meeting on Monday evening that the council "
                "would rebuild the wall before the summer season starts, whatever the final cost turns out to be.")
    agency = ("Lawyers for the farmers said the ruling means the EPA/Army Corps rule on wetlands will not take "
              "effect this year, and that the valley's drainage plans can go ahead as they were drawn.")
    page = "\n".join(["Harbour wall to be rebuilt", ARTICLE[0], "The mayor, pictured at the harbour on Monday",
                      *ARTICLE[1:], pictured, agency])
    assert list(clean_text(page).paragraphs) == [*ARTICLE, pictured, agency]


def test_an_agency_style_caption_goes_but_in_this_case_stays():
    """"In this <date> file photo, ..." opens a news-agency caption; "In this case ..." opens prose."""
    caption = "In this March 3, 2021, file photo, workers repair the harbour wall after a storm."
    prose = ("In this case the council had no choice but to rebuild the wall, because the insurers refused "
             "to pay for a temporary barrier while the repairs were planned and put out to tender.")
    page = "\n".join(["Harbour wall to be rebuilt", ARTICLE[0], caption, *ARTICLE[1:], prose])
    assert list(clean_text(page).paragraphs) == [*ARTICLE, prose]


def test_list_items_that_recur_are_kept_every_time():
    """Two menus sharing items keep each item in each menu; a sentence of prose repeated right
    after itself appears once."""
    menu = ["Breakfast: porridge with berries and a spoon of honey, and a pot of tea",
            "Lunch: lentil soup with bread and a green salad with walnuts"]
    paras = [LONG[0], "Plan A", *menu, "Plan B", *menu, LONG[1]]
    text = json.dumps({"title": "Reservoir opens", "maintext": "\n\n".join(paras)})
    assert list(clean_text(text, "a.json").paragraphs) == paras
    page = "\n".join(["Reservoir opens", *paras, LONG[1]])
    assert list(clean_text(page).paragraphs).count(LONG[1]) == 1


def test_a_question_put_to_each_guest_is_kept_each_time():
    """An interview asking three guests the same question keeps the question before each answer."""
    question = "What do you remember most about the winter the sea came over the old harbour wall?"
    answers = [f"{name} said the water reached the church steps and that nobody in the village slept that night."
               for name in ("Anna", "Peter", "Joanna")]
    paras = [LONG[0]] + [p for answer in answers for p in (question, answer)]
    text = json.dumps({"title": "Three memories of the flood", "maintext": "\n\n".join(paras)})
    assert list(clean_text(text, "a.json").paragraphs) == paras


def test_rows_of_numbers_in_extracted_paragraphs_are_kept():
    """An extractor's (or scraper's) paragraphs keep a table's rows of numbers (ops/tools/rules.py: the
    numeric rule removed only body from the dev HTML's extracted paragraphs)."""
    rows = ["2021 1450 1320", "2022 1510 1405", "2023 1620 1480"]
    paras = [LONG[0], "Water drawn, in megalitres, by year:", *rows, LONG[1]]
    text = json.dumps({"title": "Reservoir opens", "maintext": "\n\n".join(paras)})
    assert list(clean_text(text, "a.json").paragraphs) == paras


def test_an_embedded_posts_signature_stays_with_its_text_in_extracted_paragraphs():
    """In an extractor's paragraphs, an embedded post's signature ("— Name (@handle) <date>") is kept
    with the post it signs, as the post's text is."""
    post = "We are so glad the wall will finally be rebuilt, thank you to everyone who signed the letter!"
    signature = "— Harbour Friends (@harbourfriends) September 5, 2023"
    c = clean(Document("a.html", extracted(*ARTICLE[:2], post, signature, *ARTICLE[2:])))
    assert list(c.paragraphs) == [*ARTICLE[:2], post, signature, *ARTICLE[2:]]


def test_a_bare_date_line_in_extracted_paragraphs_still_goes():
    """A date line that signs nothing ("September 5, 2023, 10:42 am") is still furniture there."""
    c = clean(Document("a.html", extracted(*ARTICLE[:2], "September 5, 2023, 10:42 am", *ARTICLE[2:])))
    assert list(c.paragraphs) == ARTICLE


def test_a_copyright_notice_an_extractor_kept_inside_the_article_stays():
    """A notice under the last paragraph of an extractor's output is the article's (as a wire story
    prints it); on a scraped text page the same notice is page furniture."""
    notice = "© 2023 The Coast Agency. All rights reserved. This material may not be published or rewritten."
    c = clean(Document("a.html", extracted(*ARTICLE, notice)))
    assert list(c.paragraphs) == [*ARTICLE, notice]
    page = "\n".join(["Harbour wall to be rebuilt - The Coast News", "Home", "Harbour wall to be rebuilt", *ARTICLE,
                      notice, "Related", "Storm warning for the weekend"])
    assert list(clean_text(page).paragraphs) == ARTICLE


def test_structured_data_dump_after_the_article_is_not_body():
    """A page dump's JSON-LD/meta values (headline, ISO timestamps, image URL, publisher, then the
    description or articleBody field) are not the visible article, even when they hold another text."""
    other = ("The regional bus company said on Monday that it would cut three night lines because too few "
             "passengers used them, and that the savings would pay for more buses on the busiest routes.")
    meta = ("Harbour wall to be rebuilt", "2023-09-05T10:00:00+01:00", "2023-09-05T10:05:00+01:00",
            "https://example.com/images/harbour.jpg", "500", "250", "The Coast News", other)
    assert list(clean_text(scraped_page(*ARTICLE, after=meta)).paragraphs) == ARTICLE
