"""Which Redis a process talks to: the configured URL, or the embedded server."""

from __future__ import annotations

import atexit

from newsflow.embedded import EmbeddedServer
from newsflow.settings import Settings


class Deployment:
    """Resolves the Redis URL of a deployment; a context manager.

    With `settings.redis_url` set it is just that URL. Otherwise it holds the
    embedded server of `settings.state_dir` (starting it if needed) until
    `close()`; the last process to close it stops the server.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self._embedded: EmbeddedServer | None = None
        self.url = settings.redis_url or self._acquire()

    @property
    def embedded(self) -> bool:
        return self._embedded is not None

    def _acquire(self) -> str:
        self._embedded = EmbeddedServer(self.settings.state_dir)
        return self._embedded.acquire()

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
