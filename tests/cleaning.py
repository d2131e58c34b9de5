"""Text and pages the clean-stage tests share (written for these tests; no page of any site)."""

from __future__ import annotations

import json

from newsflow.clean import CleanSettings, clean
from newsflow.values import Document

ARTICLE = [
    "The city council voted on Tuesday to rebuild the old harbour wall, which storms damaged last winter.",
    "Work will start in the spring and should take about two years, the council said in a statement.",
    "Residents have asked for the repairs since the wall partly collapsed during a storm in February.",
    "“We are glad that the council has finally listened to us,” said one of the local fishermen.",
]


PAGE = "\n".join(
    ["Harbour wall to be rebuilt - The Coast News", "Home", "News", "Sport", "Log in", "Subscribe",
     "Harbour wall to be rebuilt", "By Jane Doe", "Published 05 September 2023", "Share", "Advertisement",
     *ARTICLE, "Related articles", "Storm warning for the weekend", "Fishing quotas cut again",
     "© 2023 The Coast News. All rights reserved."]
)


def clean_text(text: str | bytes, name: str = "a.txt", **kw):
    """The clean stage on `text` as a file called `name`, with settings `kw`."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return clean(Document(name, data), CleanSettings(**kw))


def scraped_page(*body: str, after: tuple[str, ...] = ()) -> str:
    """A scraped page: masthead and menu, headline, byline, `body`, then `after` and a footer."""
    return "\n".join(["Harbour wall to be rebuilt - The Coast News", "Home", "News", "Sport", "Log in",
                      "Harbour wall to be rebuilt", "By Jane Doe", "Share", *body, *after,
                      "© 2023 The Coast News. All rights reserved."])


def extracted(*paragraphs: str) -> bytes:
    """An HTML page whose article holds `paragraphs` (what an extractor returns as they are)."""
    return ("<html><head><title>Harbour wall to be rebuilt</title></head><body><article>"
            "<h1>Harbour wall to be rebuilt after the winter storms</h1>"
            + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>").encode()


def page_with_meta(meta_date: str, ld: dict | None = None, above_title: str = "") -> bytes:
    """An HTML article page with a published-time meta tag, optional JSON-LD and a line above the title."""
    script = f'<script type="application/ld+json">{json.dumps(ld)}</script>' if ld else ""
    return ("<html><head><title>Harbour wall to be rebuilt</title>"
            f'<meta property="article:published_time" content="{meta_date}">{script}</head><body>'
            f"<header><p>{above_title}</p></header><article><h1>Harbour wall to be rebuilt after the winter storms</h1>"
            + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</article></body></html>").encode()


LONG = [
    "The regional water utility said on Monday that the new reservoir north of the town would hold enough "
    "water for three dry summers, and that the pipes to the outlying villages would be replaced next year.",
    "Engineers began filling the basin in March after two years of building work, which ran six months late "
    "because of flooding on the site and a shortage of steel that also delayed several other projects nearby.",
    "Farmers in the valley welcomed the news but asked the utility to publish how much water each of them "
    "would be allowed to draw during a drought, a question the company has so far declined to answer in public.",
]
