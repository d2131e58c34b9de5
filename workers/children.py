"""Starting and stopping newsflow's own child processes.

Children run `python -m newsflow <command>` in a session of their own, so a
Ctrl-C in the terminal reaches only the parent, which stops them in order;
and they are told to exit if the parent dies (Linux PR_SET_PDEATHSIG), so no
process outlives a killed parent.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:  # not Linux: the parent's orderly shutdown still stops children
        pass


def spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    """Start `python -m newsflow ARGS` with `env` added to this process's environment."""
    return subprocess.Popen(
        [sys.executable, "-m", "newsflow", *args],
        env={**os.environ, **env},
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )


def stop(procs: list[subprocess.Popen], timeout: float) -> None:
    """SIGTERM every child, wait up to `timeout` seconds, then SIGKILL what is left (whole groups)."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for proc in procs:
        try:  # the child's own children (Celery's pool) are in its process group
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if proc.poll() is None:
            proc.kill()
        proc.wait()
