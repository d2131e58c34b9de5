"""The clean stage's thresholds and heuristics, as data (one frozen value).

Any field can be overridden from the environment as `NEWSFLOW_CLEAN_<FIELD>`
(see newsflow.settings). Word counts are counted as \\w+ tokens (CJK text:
about two characters a word).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CleanSettings:
    # -- line classes (plain text and the paragraphs an HTML extractor returns) --
    #: A line is body prose ("good") from this many words on ...
    good_min_words: int = 10
    #: ... when at least this share of its words are stop words ...
    good_min_stopword_ratio: float = 0.2
    #: ... and it ends like a sentence (., !, ?, closing quote, ...).
    good_needs_terminal: bool = True
    #: ... or, without a sentence end, when it is at least this long (a paragraph that lost its period).
    good_unterminated_min_words: int = 40
    #: ... and right at either edge of the body a line from this many words on, worded like prose
    #: but without a sentence end, joins it (0: never). Plain-text set: off 0.9383, 10 0.9395,
    #: 20 0.9398, 25 0.9394 (macro F1); 5-fold cross-validated mean page F1 0.9322 (off: 0.9310).
    body_edge_min_words: int = 20
    #: A line whose first words hold this many capitalised function words is a
    #: headline-case teaser ("Man Held In Crash After Chase The driver ..."), ...
    headline_case_min_words: int = 2
    #: ... counted among this many first words.
    headline_case_window: int = 14
    #: ... or when its first this many words are all capitalised.
    headline_caps_run: int = 8
    #: A shorter or less wordy line is "near" prose from this many words on ...
    near_min_words: int = 4
    #: ... with at least this share of stop words.
    near_min_stopword_ratio: float = 0.1
    #: A line with no stop words is never prose unless the text has no known language
    #: (share of the document's words that are stop words below this).
    unknown_language_max_stopword_ratio: float = 0.05
    #: Words a line may have and still be matched as a whole-line furniture label ("Share", "Log in").
    furniture_max_words: int = 12
    #: Lines longer than this are never furniture by a phrase or pattern inside them (promo,
    #: caption, link, teaser, bio): furniture is short, and a paragraph that long is prose
    #: (an article flattened into one line) whatever it mentions.
    pattern_max_words: int = 300
    #: In extracted paragraphs, the longest a promo phrase ("sign up for", "free trial") marks as
    #: furniture: longer ones are the article talking about such things.
    trusted_promo_max_words: int = 40
    #: A text in which no body was found keeps its prose lines and its lines of at least this many
    #: words that carry furniture (a caption credit inside, a sign-up tail glued after): an article
    #: flattened into one paragraph is still an article (notices are shorter).
    lone_paragraph_min_words: int = 100
    #: ... and, for a line with promo phrases, when one stretch free of them holds this share of its words.
    lone_paragraph_prose_share: float = 0.55
    #: Prose with an ISO 8601 timestamp and another such value or a bare URL among the this many
    #: lines above it is a page dump's JSON-LD/meta description, not the article (0: off).
    structured_data_window: int = 8

    # -- hard-wrapped text (e-mail, wire copy, plain-text dumps): lines joined before classifying --
    #: Join the lines of a paragraph that was wrapped at a fixed width or mid-sentence.
    reflow_hard_wraps: bool = True
    #: A line is only continued on the next one when it has at least this many words (shorter
    #: lines are labels, menu items, table cells).
    reflow_min_words: int = 3
    #: A text is wrapped at a fixed width when its lines (at least this many) ...
    reflow_width_min_lines: int = 8
    #: ... mostly end within this share of their longest usual length (90th percentile) ...
    reflow_width_band: float = 0.75
    #: ... (at least this share of the lines do) ...
    reflow_width_min_share: float = 0.5
    #: ... and that width is between these many characters (a page dump's lines are longer).
    reflow_width_min_chars: int = 40
    reflow_width_max_chars: int = 100

    # -- choosing the article's span (maximum-sum run of line scores) --
    #: Score of a near line per word (good lines score one per word).
    near_weight: float = 0.5
    #: Score of a short or unclassified line (negative: furniture between prose blocks).
    short_penalty: float = 3.0
    #: Score of a line matched as furniture (share buttons, promos, captions, ...).
    furniture_penalty: float = 6.0
    #: Score of a line that opens the post-article zone ("Related", "Comments", "More from ...").
    end_marker_penalty: float = 40.0
    #: Score of the strongest of those ("You may also like", "Comments"): the body only
    #: continues past one when much more prose follows (an inline box, not the page's end).
    strong_end_penalty: float = 100.0
    #: Prose above the on-page headline (a line repeating the page title) scores this
    #: share of its words: the article follows its headline.
    #: (0.5, 0.3 and 0.15 score the same in 5-fold cross-validation on the plain-text set:
    #: the mildest is kept.)
    before_headline_weight: float = 0.5
    #: Prose after a strong end marker (itself after some prose) scores this share of its
    #: words: what follows "More stories" is rarely the article, unless there is much of it.
    after_end_marker_weight: float = 0.5
    #: A good line shorter than this share of the document's median good line, next to
    #: furniture, is taken as part of the furniture block (promo blurbs).
    promo_relative_length: float = 0.4

    # -- another article glued after the real one --
    #: Prose lines needed before a header-like cluster (date line, repeated headline)
    #: is read as the start of another article.
    boundary_min_good_lines: int = 3
    #: ... when the cluster also repeats this many lines shaped like the first article's own
    #: header (numbers and months blanked: "Updated <date>", "Follow").
    boundary_min_template_lines: int = 2

    # -- reader comments glued after the article --
    #: This many comment-furniture lines (timestamps, "Reply", vote counts, "X says:") ...
    comment_min_meta: int = 3
    #: ... within this many lines of each other, after enough body prose, start the comments:
    #: the article is read as ending there (unless what follows is much longer).
    comment_window: int = 10

    # -- repeated lines --
    #: A line occurring this often in one document is furniture (menus, tickers) ...
    repeat_min_count: int = 2
    #: ... unless it is prose (a good line) or has at least this many words: then only its
    #: first occurrence is kept.
    repeat_keep_min_words: int = 25

    #: A body line whose 4-word shingles are at least this share already in the body is a repeat.
    contained_share: float = 0.8

    # -- inside the chosen span --
    #: Keep short lines (subheadings) that sit between two prose lines of the body.
    keep_subheadings: bool = True
    #: Most words a kept subheading may have.
    subheading_max_words: int = 12

    # -- tables the body introduces ("Final standings:" then rows of numbers) --
    #: Fewest rows kept as a table after a body line ending with a colon (0: no tables).
    table_min_rows: int = 2
    #: Most rows looked at after the colon.
    table_max_rows: int = 200
    #: A longer line is not a row (prose, or a teaser card).
    table_row_max_words: int = 40
    #: At least this share of the rows must hold a number (results, standings, schedules).
    table_min_number_share: float = 0.5

    # -- title, dates, bylines --
    #: Most words a headline may have.
    title_max_words: int = 30
    #: A clean article's own header (headline, byline, dateline above its first paragraph)
    #: is looked for in this many first lines.
    header_max_lines: int = 5
    #: Lines after the start of the body still searched for a dateline or byline (only lines that
    #: are not body prose, and not between paragraphs of it). On the dates set: 0 and 3 -> 0.933,
    #: 5 -> 0.940 (an "Erstellt am:" line under a four-line article), 8 -> 0.933 (dates in later
    #: non-prose lines start to win); 5-fold cross-validated 0.933.
    header_lines_after_body: int = 5
    #: Lines before the body searched for the headline, dateline and byline.
    header_lines_before_body: int = 40
    #: Dates before this year are not publication dates of news (copyright lines, history).
    min_year: int = 1995
    #: An HTML page's visible dateline beats its metadata date when it is this explicit
    #: (2: says published/updated; 3: also "posted"/a time of day; 4: never).
    dateline_over_metadata_score: int = 2
    #: Run htmldate's extensive search (slower) when the HTML metadata has no date.
    html_extensive_date_search: bool = True

    # -- HTML --
    #: Let trafilatura prefer recall (keeps more, and more furniture: on the dev set its
    #: default with our filter scored better).
    html_favor_recall: bool = False
    #: Keep tables from HTML (data tables are often part of the article).
    html_include_tables: bool = True
    #: Run our paragraph filter over trafilatura's paragraphs.
    html_paragraph_filter: bool = True
    #: Pages longer than this (characters) skip trafilatura and are cleaned as their
    #: visible text (near-linear). trafilatura's time grows faster than the page
    #: (synthetic prose pages, CPU: 4 / 8 / 15 MB -> 2.2 / 5.4 / 16.5 s; our text path
    #: 1.4 / 2.9 / 5.6 s); the largest page of the dev sets is 1.4 MB.
    html_extractor_max_chars: int = 4_000_000
    #: In extracted paragraphs (HTML, scraper JSON), drop everything after a strong end
    #: marker ("Most read", "Comments"); off: extractors already end the article, and a
    #: marker there is more often an inline box.
    trusted_cut_at_end_marker: bool = False

    # -- Unicode --
    #: Repair mojibake with ftfy when the text shows its signatures.
    repair_mojibake: bool = True

    # -- site learning (newsflow.siteprofile) --
    #: A line seen in this many different documents of one site is that site's furniture.
    site_min_docs: int = 3
    #: Lines longer than this many words are never learned (prose is not furniture).
    site_learn_max_words: int = 40
    #: Most distinct lines remembered per site (least frequent are evicted first).
    site_max_lines: int = 4000
    #: Most document signatures remembered per site (to not count one article twice).
    site_max_docs: int = 2000
    #: Days a site's profile lives after it was last updated.
    site_ttl_days: int = 30
