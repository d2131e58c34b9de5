"""newsflow.limits: an article's time budget interrupts it through any `except Exception`."""

import signal
import time

import pytest

from newsflow.limits import ArticleTimeLimit, time_limit


def _busy(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_a_block_over_its_budget_is_interrupted_even_through_a_broad_except():
    """Code that swallows every Exception (a stage keeping its error contract) is still stopped."""
    started = time.monotonic()
    with pytest.raises(ArticleTimeLimit):
        with time_limit(0.2):
            try:
                _busy(5)
            except Exception:  # noqa: BLE001  (what an extractor's guard does)
                pytest.fail("the interruption was caught as an ordinary error")
    assert time.monotonic() - started < 2


def test_a_block_within_its_budget_runs_and_leaves_no_timer_behind():
    """A fast block is untouched; afterwards no timer is armed and the old handler is back."""
    before = signal.getsignal(signal.SIGALRM)
    with time_limit(5):
        _busy(0.05)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before
    with time_limit(0):  # no limit
        _busy(0.05)


def test_thread_limit_reaches_blas_when_called_first():
    """limit_threads called before anything loaded NumPy still limits its BLAS (in a fresh
    interpreter, as bench and CLI call it first thing)."""
    import json
    import subprocess
    import sys

    code = ("from newsflow.limits import limit_threads; limit_threads()\n"
            "from threadpoolctl import threadpool_info; import json\n"
            "print(json.dumps([p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas']))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    threads = json.loads(out.stdout)
    assert threads and all(n == 1 for n in threads)
