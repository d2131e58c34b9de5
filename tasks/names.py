"""Task names: the message format of the queue (stable). Importing this starts nothing."""

PROCESS_ARTICLE = "newsflow.process_article"
REFRESH_ARTICLE = "newsflow.refresh_article"
