"""`newsflow up`: the embedded (or configured) Redis, one watcher and one worker node.

The supervisor holds the Redis deployment, starts the watcher and a Celery
worker (prefork, `--workers` processes) as child processes, restarts a child
that dies, logs a `summary` event every NEWSFLOW_SUMMARY_SECONDS, and on
SIGTERM or Ctrl-C stops the children in order (in-flight articles finish or
go back to the queue) before it releases Redis. Nothing is left running.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import redis

from newsflow.connection import Deployment
from newsflow.logs import get_logger
from newsflow.redisurl import is_sentinel
from newsflow.settings import Settings
from newsflow.status import Rate, snapshot
from newsflow.connection import connect_quick
from workers.children import spawn, stop

log = get_logger()

#: Seconds children get to finish in-flight articles on shutdown before SIGKILL.
STOP_TIMEOUT = 60.0
#: Seconds between restarts of a child that keeps dying.
RESTART_BACKOFF = 2.0
#: Seconds between checks that the embedded server's process is alive.
EMBEDDED_CHECK_EVERY = 1.0
#: Seconds between pings of an external Redis (and its `redis_unreachable` lines while down).
EXTERNAL_CHECK_EVERY = 5.0
#: Seconds between checks of the primary behind a sentinel:// URL (a failover is timed by them).
SENTINEL_CHECK_EVERY = 0.5
#: Seconds `up`'s own Redis calls (checks, summary) wait for an answer.
PROBE_TIMEOUT = 2.0


def child_env(settings: Settings, url: str) -> dict[str, str]:
    """The environment children get: the same settings, absolute paths, the resolved Redis."""
    env = settings.as_env()
    env.update(
        NEWSFLOW_REDIS_URL=url,
        NEWSFLOW_INBOX=str(settings.inbox.resolve()),
        NEWSFLOW_RESULTS=str(settings.results.resolve()),
        NEWSFLOW_STATE_DIR=str(settings.state_dir.resolve()),
    )
    return env


def _only_up(state_dir: Path) -> int | None:
    """Hold `<state_dir>/up.lock` for this process's life: one `up` per state folder (two
    would both watch one inbox and process every file twice). None if another holds it."""
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(state_dir / "up.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


def run_up(settings: Settings) -> int:
    lock = _only_up(settings.state_dir)
    if lock is None:
        holder = (settings.state_dir / "up.lock").read_text().strip() or "?"
        print(f"newsflow up: another `newsflow up` (pid {holder}) already runs on {settings.state_dir.resolve()}; "
              "stop it first, or give this one its own --state-dir (and inbox)", file=sys.stderr)
        return 2
    halt = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: halt.set())
    settings.inbox.mkdir(parents=True, exist_ok=True)
    settings.results.mkdir(parents=True, exist_ok=True)
    with Deployment(settings) as deployment:
        if settings.metrics_port and not _serve_metrics(deployment.url, settings):
            return 2
        commands = {"watcher": ["watch"], "worker": ["worker", "--concurrency", str(settings.workers)]}
        def start_children() -> dict[str, subprocess.Popen]:
            return {name: spawn(cmd, child_env(settings, deployment.url)) for name, cmd in commands.items()}

        children = start_children()
        log.info("up_started", embedded=deployment.embedded, inbox=str(settings.inbox.resolve()),
                 results=str(settings.results.resolve()), workers=settings.workers,
                 pids={n: p.pid for n, p in children.items()})
        redis_watch = RedisWatch(deployment)
        rate = Rate()
        next_summary = time.monotonic() + settings.summary_seconds
        while not halt.wait(0.5):
            if redis_watch.check():  # the embedded server came back on another port
                stop(list(children.values()), STOP_TIMEOUT)
                children = start_children()
            _restart_exited(children, commands, settings, deployment.url, halt)
            if settings.summary_seconds and time.monotonic() >= next_summary:
                _summary(redis_watch.client, settings, rate)
                next_summary = time.monotonic() + settings.summary_seconds
        log.info("up_stopping", pids={n: p.pid for n, p in children.items()})
        stop(list(children.values()), STOP_TIMEOUT)
        redis_watch.client.close()
    log.info("up_stopped", pids={n: p.pid for n, p in children.items()})
    return 0


def _serve_metrics(url: str, settings: Settings) -> bool:
    """Serve /metrics, before any child starts; False, with one line on stderr, if it cannot."""
    from newsflow.status import serve_metrics

    where = f"{settings.metrics_host}:{settings.metrics_port}"
    try:
        serve_metrics(url, settings)
    except OSError as exc:
        print(f"newsflow up: cannot serve metrics on {where}: {exc.strerror or exc}; free that port or "
              "set NEWSFLOW_METRICS_PORT to another (0 turns the endpoint off)", file=sys.stderr)
        return False
    return True


def _restart_exited(children: dict[str, subprocess.Popen], commands: dict[str, list[str]], settings: Settings,
                    url: str, halt: threading.Event) -> None:
    """Start again every child that exited (after a short pause, unless `up` is stopping)."""
    for name, proc in children.items():
        if proc.poll() is not None:
            log.error("child_exited", child=name, pid=proc.pid, returncode=proc.returncode)
            if halt.wait(RESTART_BACKOFF):
                return
            children[name] = spawn(commands[name], child_env(settings, url))
            log.info("child_restarted", child=name, pid=children[name].pid)


def _probe(url: str) -> redis.Redis:
    """A client that answers fast or fails fast (no retries): `up`'s loop must never stall on Redis."""
    return connect_quick(url, PROBE_TIMEOUT)


def _primary_of(client: redis.Redis) -> str:
    """host:port of the primary a sentinel-managed client talks to now."""
    host, port = client.connection_pool.get_master_address()
    return f"{host}:{port}"


class RedisWatch:
    """`up`'s eye on its Redis: the embedded server is restarted (on its append-only
    file) within a second of its process dying; an external one that stops answering
    gets one `redis_unreachable` line per check until it answers again."""

    def __init__(self, deployment: Deployment):
        self.deployment = deployment
        self.client = _probe(deployment.url)
        self.next_check = 0.0
        self.down_since: float | None = None
        #: the primary's address behind a sentinel:// URL, as last seen (None for other URLs)
        self.primary: str | None = None

    def check(self) -> bool:
        """Look if due; True when the server's URL changed (children must be restarted)."""
        now = time.monotonic()
        if now < self.next_check:
            return False
        if self.deployment.embedded:
            self.next_check = now + EMBEDDED_CHECK_EVERY
            url = self.deployment.url
            reason = self.deployment.revive()
            if reason is not None:
                log.error("redis_restarted", reason=reason, downtime_s=round(time.monotonic() - now, 2),
                          same_url=self.deployment.url == url)
                self.client.close()
                self.client = _probe(self.deployment.url)
            return self.deployment.url != url
        sentinel = is_sentinel(self.deployment.url)
        self.next_check = now + (SENTINEL_CHECK_EVERY if sentinel else EXTERNAL_CHECK_EVERY)
        try:
            self.client.ping()
            primary = _primary_of(self.client) if sentinel else None
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            if self.down_since is None or not sentinel:  # behind sentinels, one line per outage
                log.warning("redis_unreachable", error=str(exc), down_s=round(now - (self.down_since or now), 1),
                            retry_in_s=self.next_check - now)
            self.down_since = self.down_since or now
            return False
        if primary != self.primary and self.primary is not None:
            log.warning("redis_failover", previous=self.primary, primary=primary,
                        paused_s=round(now - (self.down_since or now), 1))
        elif self.down_since is not None:
            log.info("redis_reachable", down_s=round(now - self.down_since, 1))
        self.primary, self.down_since = primary, None
        return False


def _summary(client, settings: Settings, rate: Rate) -> None:
    """Log the `summary` event: the status numbers and the rate since the last one."""
    try:
        snap = snapshot(client, settings)
    except Exception as exc:  # Redis restarting: say so, never die of it
        log.warning("summary_unavailable", error=str(exc))
        return
    log.info("summary", articles_per_second=rate(snap), **snap)
