"""The article tasks. Like a web view: unpack the message, call the pipeline, done.

Idempotent: the message carries only an article id; the result is keyed by
it, so a message delivered twice (acks_late, a lost worker, an expired
visibility timeout) rewrites the same record and is never counted twice.
"""

from __future__ import annotations

import redis

from newsflow.logs import get_logger
from newsflow.pipeline import MissingInput, Pipeline
from newsflow.record import check_id
from newsflow.store import connect
from tasks.app import PROCESS_ARTICLE, REFRESH_ARTICLE, app, current

log = get_logger()

#: Errors worth another try: the store was briefly out of reach.
TRANSIENT = (redis.ConnectionError, redis.TimeoutError)
#: Seconds a delivery count is remembered (longer than any retry backoff).
ATTEMPTS_TTL = 24 * 3600

_pipeline: Pipeline | None = None


def pipeline() -> Pipeline:
    """This process's pipeline, built on first use."""
    global _pipeline
    if _pipeline is None:
        ctx = current()
        _pipeline = Pipeline(ctx.settings, connect(ctx.url), results_dir=ctx.settings.results,
                             worker=ctx.worker_name())
    return _pipeline


def forget_pipeline() -> None:
    """Drop the pipeline (a forked pool process must never reuse its parent's connection)."""
    global _pipeline
    _pipeline = None


@app.task(
    name=PROCESS_ARTICLE,
    bind=True,
    autoretry_for=TRANSIENT,
    retry_backoff=1,
    retry_backoff_max=60,
    retry_jitter=True,
)
def process_article(self, article_id: str) -> None:
    """Run the stages on one admitted article and commit its result."""
    check_id(article_id)
    pipe = pipeline()
    attempts = pipe.store.count_attempt(article_id, ATTEMPTS_TTL)
    if attempts > self.max_retries + 1 and pipe.store.record(article_id) is None:
        # Every earlier delivery died (crashed worker, transient errors): stop the loop here.
        record = pipe.fail(article_id, "PoisonMessage",
                           f"gave up after {attempts - 1} deliveries that did not complete "
                           f"(NEWSFLOW_MAX_RETRIES={self.max_retries})")
        log.error("article_poison", article_id=article_id, file=record["source"]["name"],
                  attempts=attempts - 1)
        return
    try:
        pipe.run(article_id)  # bounded by NEWSFLOW_ARTICLE_TIME_LIMIT (a TimeLimit record past it)
    except TRANSIENT:
        log.warning("article_retry", article_id=article_id, attempt=attempts, exc_info=True)
        raise
    except MissingInput as exc:
        log.error("article_missing", article_id=article_id, error=str(exc))
    except Exception as exc:  # the worker-loop boundary: a bug or unforeseen input fails one record
        log.exception("article_error", article_id=article_id)
        pipe.fail(article_id, type(exc).__name__, str(exc) or repr(exc))


@app.task(name=REFRESH_ARTICLE, autoretry_for=TRANSIENT, retry_backoff=1)
def refresh_article(article_id: str) -> None:
    """Rewrite a committed record and its result file with the aliases it gained since."""
    try:
        pipeline().refresh(check_id(article_id))
    except MissingInput as exc:
        log.error("article_missing", article_id=article_id, error=str(exc))
