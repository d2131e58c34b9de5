"""Task names: the message format of the queue (stable). Importing this starts nothing."""

PROCESS_ARTICLE = "newsflow.process_article"
#: Queued by earlier versions for an alias of a committed article; now forwarded to PROCESS_ARTICLE.
REFRESH_ARTICLE = "newsflow.refresh_article"
