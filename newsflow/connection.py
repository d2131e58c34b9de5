"""How a process reaches Redis: which server (the configured URL, or the embedded one) and the
clients it talks to it with (retrying, through Sentinel, or quick to give up for a command)."""

from __future__ import annotations

import atexit
from typing import Any

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from redis.sentinel import SentinelManagedConnection

from newsflow.redisurl import SentinelURL, is_sentinel
from newsflow.settings import Settings
from newsflow.valkey import EmbeddedServer

#: Redis failures the clients of this process retried so far (see CountingRetry).
_retried = 0


def redis_retries() -> int:
    """How many Redis failures the clients `connect` made in this process have retried so far."""
    return _retried


class CountingRetry(Retry):
    """redis-py's Retry, counting every failure it retries: an article whose time budget ran out
    while Redis was being retried lost that time to the deployment, not to its own work."""

    def call_with_retry(self, do, fail, *args: Any, **kwargs: Any):
        def counted(error: Exception, *rest: Any) -> Any:
            global _retried
            _retried += 1
            return fail(error, *rest)

        return super().call_with_retry(do, counted, *args, **kwargs)


class _PrimaryFollowingConnection(SentinelManagedConnection):
    """redis-py's Sentinel-managed connection, asking the sentinels for the primary whenever it
    connects: redis-py 8 reconnects inside `send_packed_command` to the address it last had, so
    after a failover every retry went to the dead primary until the retries ran out (33 s)."""

    def connect_check_health(self, *args: Any, **kwargs: Any) -> Any:
        if not self._sock and self.connection_pool.is_master:
            self.host, self.port = self.connection_pool.get_master_address()
        return super().connect_check_health(*args, **kwargs)


def connect(url: str, **kwargs: Any) -> redis.Redis:
    """A client for `url` that retries transient connection errors with backoff."""
    options: dict[str, Any] = dict(
        socket_timeout=30,
        socket_connect_timeout=10,
        socket_keepalive=True,
        health_check_interval=30,
        # ~30 s of retries with backoff: a Redis restart is invisible to the stages.
        retry=CountingRetry(ExponentialBackoff(cap=2, base=0.05), retries=20),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
    )
    options.update(kwargs)
    if is_sentinel(url):  # the group's current primary, found again through the sentinels after a failover
        group = SentinelURL.parse(url)
        sentinels = redis.Sentinel(group.sentinels, sentinel_kwargs={
            k: v for k, v in options.items() if k.startswith("socket_")})
        return sentinels.master_for(group.master, password=group.password, db=group.db,
                                    connection_class=_PrimaryFollowingConnection, **options)
    return redis.Redis.from_url(url, **options)


def connect_quick(url: str, timeout: float, retries: int = 0) -> redis.Redis:
    """A client for `url` that answers or fails within `timeout` seconds per attempt, tried again
    at once at most `retries` times: for a command line, a probe or a scrape, which must say that
    Redis is out of reach rather than wait out `connect`'s half minute of retries."""
    from redis.backoff import NoBackoff

    return connect(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                   retry=Retry(NoBackoff(), retries), health_check_interval=0)


class NoDeployment(RuntimeError):
    """Asked to join a running deployment, and none runs."""


class Deployment:
    """Resolves the Redis URL of a deployment; a context manager.

    With `settings.redis_url` set it is just that URL. Otherwise it holds the
    embedded server of `settings.state_dir` until `close()` (the last process
    to close it stops the server): starting it if needed, or, with
    `start=False`, only joining one that already runs (`NoDeployment` if none
    does: a tool that inspects a deployment must not make an empty one).
    """

    def __init__(self, settings: Settings, *, start: bool = True):
        self.settings = settings
        self._embedded: EmbeddedServer | None = None
        self.url = settings.redis_url or self._acquire(start)

    @property
    def embedded(self) -> bool:
        return self._embedded is not None

    def _acquire(self, start: bool) -> str:
        server = EmbeddedServer(self.settings.state_dir, self.settings.embedded_maxmemory_share)
        url = server.acquire() if start else server.join()
        if url is None:
            raise NoDeployment(
                f"no newsflow server is running in {server.state_dir} and NEWSFLOW_REDIS_URL is unset: "
                "start the deployment there (`newsflow up`), run this from the folder it runs in, "
                "or set NEWSFLOW_STATE_DIR or NEWSFLOW_REDIS_URL to it"
            )
        self._embedded = server
        return url

    def revive(self) -> str | None:
        """Restart the embedded server if its process died; why it was, or None.

        `url` then names the server again (the same URL unless its port was taken)."""
        if self._embedded is None:
            return None
        reason = self._embedded.revive()
        if reason is not None:
            self.url = self._embedded.running_url() or self.url
        return reason

    def close(self) -> None:
        if self._embedded is not None:
            self._embedded.release()
            self._embedded = None

    def close_at_exit(self) -> "Deployment":
        atexit.register(self.close)
        return self

    def __enter__(self) -> "Deployment":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
