"""The one error boundary around one article, shared by the Celery task and `process --inline`.

Inside it the article's own faults end as a failed record saying why (bad input, or a bug met on
this input: `article_error` with the traceback), and an article whose input is gone is logged and
let go (`article_missing`). A deployment fault (newsflow.faults: Redis out of reach or refusing
writes, the results folder refusing a file) is never the article's: it leaves the boundary, and
the caller tries the article again where it stands (`retrying`), for as long as the fault lasts;
a Celery task does so within its time limit, then hands the article to Celery's retry.
"""

from __future__ import annotations

import time
from typing import Any, Callable, TypeVar

from newsflow.faults import deployment_fault
from newsflow.logs import get_logger
from newsflow.pipeline import MissingInput, Pipeline

log = get_logger()
T = TypeVar("T")

#: Longest wait, in seconds, between tries after a deployment fault (doubling from 1 s).
RETRY_MAX = 60


def backoff(tries: int) -> float:
    """Seconds before the next try of a deployment fault: 1 s doubling to RETRY_MAX."""
    return min(RETRY_MAX, 2.0 ** tries)


def process(pipe: Pipeline, article_id: str) -> dict[str, Any] | None:
    """Run one article to its committed record (failed when the article is at fault); None when
    its input is gone. Raises only the deployment's faults."""
    try:
        return pipe.run(article_id)  # bounded by NEWSFLOW_ARTICLE_TIME_LIMIT (a TimeLimit record past it)
    except MissingInput as exc:
        log.error("article_missing", article_id=article_id, error=str(exc))
        pipe.store.drop_pending(article_id)
        return None
    except Exception as exc:  # the boundary: a bug or unforeseen input fails one record
        if deployment_fault(exc):
            raise  # not the article's: the caller tries it again
        log.exception("article_error", article_id=article_id)
        return pipe.fail(article_id, type(exc).__name__, str(exc) or repr(exc))


def retrying(run: Callable[[], T], article_id: str, *, until: float | None = None,
             sleep: Callable[[float], None] = time.sleep) -> T:
    """`run()`, called again after each deployment fault (logged `article_retry` with its
    cause) with a backoff between, until it returns. With `until` (a time.monotonic() deadline for
    the whole), a fault is raised instead once another wait and try, as slow as the slowest so far
    twice over, would not end before it."""
    tries, slowest = 0, 0.0
    while True:
        began = time.monotonic()
        try:
            return run()
        except Exception as exc:
            cause = deployment_fault(exc)
            if cause is None:
                raise
            now = time.monotonic()
            wait, slowest = backoff(tries), max(slowest, now - began)
            if until is not None and now + wait + 2 * slowest > until:
                raise
            log.warning("article_retry", article_id=article_id, error=str(exc) or type(exc).__name__,
                        cause=cause, retry_in_s=wait, in_place=True)
            sleep(wait)
            tries += 1
