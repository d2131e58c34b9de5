"""The article tasks. Like a web view: unpack the message, call the pipeline, done.

Idempotent: the message carries only an article id; the result is keyed by
it, so a message delivered twice (acks_late, a lost worker, an expired
visibility timeout) rewrites the same record and is never counted twice.
"""

from __future__ import annotations

import gc
import time

from celery.exceptions import Reject

from newsflow import boundary
from newsflow.faults import deployment_fault, redis_refusal
from newsflow.logs import get_logger
from newsflow.nlp import Models, load_models
from newsflow.pipeline import Pipeline
from newsflow.record import check_id
from newsflow.connection import connect
from tasks.app import PROCESS_ARTICLE, REFRESH_ARTICLE, app, current

log = get_logger()

#: Seconds a delivery count is remembered (longer than any retry backoff).
ATTEMPTS_TTL = 24 * 3600
#: Seconds kept free under the task's hard time limit when a deployment fault is waited out in place.
HARD_LIMIT_MARGIN = 5.0

_pipeline: Pipeline | None = None
#: The worker node's models, loaded in its main process before the pool forks (preload_models).
_models: Models | None = None


def pipeline() -> Pipeline:
    """This process's pipeline, built on first use."""
    global _pipeline
    if _pipeline is None:
        ctx = current()
        _pipeline = Pipeline(ctx.settings, connect(ctx.url), results_dir=ctx.settings.results,
                             worker=ctx.worker_name(), models=_models)
    return _pipeline


def preload_models() -> None:
    """Load the models in the worker node's main process, so the pool processes it forks share
    them copy-on-write; frozen, the garbage collector never writes to their pages."""
    global _models
    if _models is None:
        ctx = current()
        _models = load_models(ctx.settings, ctx.worker_name())
        gc.freeze()


def forget_pipeline() -> None:
    """Drop the pipeline (a forked pool process must never reuse its parent's connection)."""
    global _pipeline
    _pipeline = None


@app.task(name=PROCESS_ARTICLE, bind=True)
def process_article(self, article_id: str, deployment_faults: int = 0) -> None:
    """Run the stages on one admitted article and commit its result.

    A deployment fault (Redis out of reach or refusing writes, the results
    folder refusing the file) is not the article's. It is waited out here,
    with backoff, while the task's time limit allows: the broker is that same
    Redis, and a message sent or put back while it refuses writes would fail
    too. Past that, Celery retries the task, for as long as it takes; or, when
    Redis still refuses writes, the message is let go and the article, still
    admitted with no result, is queued again by the sweep
    (tasks.queueing.requeue_lost) once Redis takes writes. Those tries
    (`deployment_faults`, carried in the message because Redis may be gone)
    never count towards the poison cap.
    """
    check_id(article_id)
    until = time.monotonic() + (self.app.conf.task_time_limit or float("inf")) - HARD_LIMIT_MARGIN
    attempt: list[int] = []  # this delivery's number, counted once however often it is tried here

    def run() -> None:
        if not attempt:
            attempt.append(pipeline().store.count_attempt(article_id, ATTEMPTS_TTL) - deployment_faults)
        _process(self, article_id, attempt[0])

    try:
        boundary.retrying(run, article_id, until=until)
    except Exception as exc:
        cause = deployment_fault(exc)
        if cause is None:
            raise
        if redis_refusal(exc):  # nothing can be queued or put back: the sweep queues it once Redis can
            log.warning("article_left_to_sweep", article_id=article_id, error=str(exc) or type(exc).__name__,
                        cause=cause)
            return
        wait = boundary.backoff(self.request.retries)
        log.warning("article_retry", article_id=article_id, error=str(exc) or type(exc).__name__, cause=cause,
                    retry_in_s=wait, in_place=False)
        try:
            raise self.retry(exc=exc, countdown=wait, max_retries=None,
                             kwargs={"deployment_faults": deployment_faults + len(attempt)}) from None
        except Reject:  # the next try could not be queued (the broker is the fault): Celery would drop
            raise Reject(exc, requeue=True) from None  # this message; keep it instead


def _process(task, article_id: str, attempts: int) -> None:
    pipe = pipeline()
    if attempts > task.max_retries + 1 and pipe.store.record(article_id) is None:
        # Every earlier delivery died (crashed worker): stop the loop here.
        record = pipe.fail(article_id, "PoisonMessage",
                           f"gave up after {attempts - 1} deliveries that did not complete "
                           f"(NEWSFLOW_MAX_RETRIES={task.max_retries})")
        log.error("article_poison", article_id=article_id, file=record["source"]["name"],
                  attempts=attempts - 1)
        return
    boundary.process(pipe, article_id)  # a deployment fault leaves it, to be tried again


@app.task(name=REFRESH_ARTICLE)
def refresh_article(article_id: str) -> None:
    """A message of the alias refresh earlier versions queued (still in a queue across an upgrade):
    queued again as a process message, which on a committed article rewrites its result file."""
    process_article.apply_async(args=[check_id(article_id)], queue=current().settings.queue)
