"""Tests of newsflow.valkey: the private Valkey server shared within a state folder."""

import json
import os
import subprocess
import sys

import redis

from newsflow.valkey import EmbeddedServer


def _pid(state):
    return json.loads((state / "server.json").read_text())["pid"]


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is not alive
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().split(")")[-1].split()[0] != "Z"


def test_shared_within_folder_and_last_user_stops_it(tmp_path):
    """Two users share one server; it stops only when the last one releases it."""
    a, b = EmbeddedServer(tmp_path), EmbeddedServer(tmp_path)
    url = a.acquire()
    assert b.acquire() == url
    pid = _pid(tmp_path)
    assert a.release() is False and _alive(pid)
    assert b.release() is True
    assert not _alive(pid)
    assert b.running_url() is None


def test_append_only_file_survives_restart(tmp_path):
    """Data written before a stop is there after the next start (append-only file on)."""
    s = EmbeddedServer(tmp_path)
    client = redis.Redis.from_url(s.acquire())
    assert client.config_get("appendonly") == {"appendonly": "yes"}
    client.set("k", "v")
    client.close()
    s.release()
    s2 = EmbeddedServer(tmp_path)
    assert redis.Redis.from_url(s2.acquire()).get("k") == b"v"
    s2.release()


def test_found_from_another_process(tmp_path):
    """A command in another process (another shell) finds the running server."""
    s = EmbeddedServer(tmp_path)
    url = s.acquire()
    code = (
        "import sys; from newsflow.valkey import EmbeddedServer as E;"
        f"e=E({str(tmp_path)!r}); print(e.acquire()); print(e.release())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [url, "False"]  # same server, and not stopped by the other process
    assert s.release() is True


def test_private_by_default(tmp_path):
    """The server needs its password and the state folder is readable by its owner only."""
    s = EmbeddedServer(tmp_path / "state")
    url = s.acquire()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    try:
        anonymous = redis.Redis(port=port)
        try:
            anonymous.ping()
            raise AssertionError("the embedded server answered without a password")
        except redis.AuthenticationError:
            pass
        except redis.ResponseError as exc:
            assert "NOAUTH" in str(exc) or "auth" in str(exc).lower()
        assert (tmp_path / "state").stat().st_mode & 0o077 == 0
        assert (tmp_path / "state" / "server.json").stat().st_mode & 0o077 == 0
    finally:
        s.release()
