"""Which Redis a process talks to: the configured URL, or the embedded server."""

from __future__ import annotations

import atexit

from newsflow.valkey import EmbeddedServer
from newsflow.settings import Settings


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
