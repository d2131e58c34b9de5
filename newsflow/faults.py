"""Which failures are the deployment's, not the article's: said in one place.

A deployment fault (Redis out of reach, Redis refusing writes, the results folder refusing a file)
is retried until it goes away; it never fails an article. Redis refuses writes while its memory is
at `maxmemory` (OOM, with noeviction), while it cannot persist (MISCONF: its disk is full), while it
is a replica (READONLY); reads still work. Loading its data (LOADING) is redis-py's
BusyLoadingError, a ConnectionError.
"""

from __future__ import annotations

import redis

MEMORY = "Redis memory is full (maxmemory, noeviction): writes refused until memory frees"
DISK = "Redis cannot persist (MISCONF: its disk is full or not writable): writes refused until it can"
REPLICA = "Redis is a read-only replica: writes refused until a primary answers"
#: What redis-py raises for each refusal (it strips the reply's code for the first two), and the
#: reply codes it leaves in the message (MISCONF; any of them inside a Lua script's error).
_CLASSES = ((redis.exceptions.OutOfMemoryError, MEMORY), (redis.exceptions.ReadOnlyError, REPLICA))
_CODES = (("OOM ", MEMORY), ("MISCONF ", DISK), ("READONLY ", REPLICA))


def redis_refusal(exc: BaseException) -> str | None:
    """The cause, when `exc` is Redis refusing writes for its own state; else None."""
    for cls, cause in _CLASSES:
        if isinstance(exc, cls):
            return cause
    if not isinstance(exc, redis.ResponseError):
        return None
    text = str(exc).upper()
    return next((cause for code, cause in _CODES if text.startswith(code) or f" {code}" in text), None)


def deployment_fault(exc: BaseException) -> str | None:
    """Why `exc` is the deployment's fault (to retry, never to fail an article for), or None."""
    # imported here: the watcher uses redis_refusal alone and need not load the pipeline (its models)
    from newsflow.pipeline import ResultsUnwritable

    if isinstance(exc, (redis.ConnectionError, redis.TimeoutError)):
        return f"Redis out of reach: {exc or type(exc).__name__}"
    if isinstance(exc, ResultsUnwritable):
        return f"the results folder refuses files: {exc}"
    return redis_refusal(exc)
