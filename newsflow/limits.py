"""Process-level limits: BLAS threads (once, at start) and one article's time budget.

newsflow scales with processes (Celery's prefork pool), so each process runs
one BLAS thread. OpenBLAS otherwise starts a thread per core in every process;
measured on this 2-core machine under load, a 300x300 matrix product took 14x
the CPU time with 2 threads as with 1 (3.16 s vs 0.22 s for 200 products).
The OPENBLAS_NUM_THREADS variable only works before NumPy loads, which any
import of newsflow already does, so the limit is set at run time instead.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

#: BLAS / OpenMP threads per process.
BLAS_THREADS = 1


def limit_threads() -> None:
    """Limit BLAS and OpenMP pools of this process to BLAS_THREADS.

    threadpoolctl reaches only the libraries already loaded, so NumPy (its OpenBLAS) is loaded
    first: called before it, the limit missed OpenBLAS, whose idle thread then spun beside every
    model call (ops/tools/bench.py measured the story model at 22 ms of CPU per article instead of 10)."""
    import numpy  # noqa: F401  (loads OpenBLAS)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=BLAS_THREADS)


class ArticleTimeLimit(BaseException):
    """One article ran past its time budget.

    A BaseException, like KeyboardInterrupt: no `except Exception` on the way
    (a stage keeping its error contract, an extractor's own guard) can turn the
    interruption into an ordinary failure of the input.
    """


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ArticleTimeLimit in this (main) thread if the block runs longer than `seconds`.

    A SIGALRM timer: it interrupts Python code, not a long call inside C, which
    the worker's hard time limit ends instead. 0 or less: no limit.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise ArticleTimeLimit(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
