"""Which deployment a command uses (newsflow.connection, tasks.app): the one given, never a new empty one.

`celery -A tasks.app …` and `newsflow url` join the server that runs in the
state folder and refuse, clearly, where none runs; `newsflow watch
--state-dir X` uses X and nothing else.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
import redis

from newsflow.connection import Deployment, NoDeployment
from newsflow.valkey import EmbeddedServer
from newsflow.settings import Settings
from tests.helpers import clean_env, newsflow, results, start, stop, wait_until

pytestmark = pytest.mark.e2e


def celery(*args: str, cwd, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "celery", "-A", "tasks.app", *args], cwd=cwd, env=clean_env(),
                          capture_output=True, text=True, timeout=timeout)


def test_joining_never_starts_a_server(tmp_path):
    """Deployment(start=False) with no server raises NoDeployment naming the folder, and creates nothing."""
    settings = Settings.from_env({}, state_dir=tmp_path / "st")
    with pytest.raises(NoDeployment, match="no newsflow server is running in .*st"):
        Deployment(settings, start=False)
    assert not (tmp_path / "st").exists()
    server = EmbeddedServer(tmp_path / "st")
    url = server.acquire()
    try:
        with Deployment(settings, start=False) as joined:
            assert joined.url == url and redis.Redis.from_url(joined.url).ping()
    finally:
        assert server.release()  # the joiner let go: the first holder was the last one


def test_url_prints_the_running_servers_url_for_redis_py_and_cli(tmp_path):
    """`newsflow url` prints a URL with the user named (redis-cli 7 needs it) or exits 1 if none runs."""
    missing = newsflow("url", "--state-dir", "st", cwd=tmp_path)
    assert missing.returncode == 1 and "no newsflow server is running" in missing.stderr
    assert not (tmp_path / "st").exists()
    server = EmbeddedServer(tmp_path / "st")
    server.acquire()
    try:
        done = newsflow("--state-dir", "st", "url", cwd=tmp_path)
        url = done.stdout.strip()
        assert done.returncode == 0 and url.startswith("redis://default:")
        assert redis.Redis.from_url(url).ping()
        cli = shutil.which("redis-cli") or shutil.which("valkey-cli")
        if cli:
            assert subprocess.run([cli, "-u", url, "ping"], capture_output=True, text=True).stdout.strip() == "PONG"
    finally:
        assert server.release()


def test_celery_command_refuses_when_no_deployment_runs(tmp_path):
    """`celery -A tasks.app inspect ping` in a folder with no server says so and exits non-zero."""
    done = celery("inspect", "ping", cwd=tmp_path)
    assert done.returncode != 0 and "no newsflow server is running" in done.stderr
    assert list(tmp_path.iterdir()) == []  # no empty server was started


def test_celery_command_joins_the_running_deployment(tmp_path, seeds):
    """In a folder whose server runs, `celery -A tasks.app worker` processes what `newsflow process`
    queues (no local worker is started), and `celery inspect ping` finds it."""
    server = EmbeddedServer(tmp_path / ".newsflow")
    server.acquire()
    log = tmp_path / "worker.log"
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "tasks.app", "worker", "--concurrency", "1",
                               "--hostname", "cli@test", "--without-gossip", "--without-mingle"], cwd=tmp_path,
                              env=clean_env(), stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    try:
        assert wait_until(lambda: "worker_ready" in log.read_text(), 120), log.read_text()[-3000:]
        done = newsflow("process", str(seeds[0]), "--results", "R", cwd=tmp_path, timeout=240)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "local_worker_started" not in done.stdout
        assert results(tmp_path / "R")[seeds[0].name]["status"] == "ok"
        ping = celery("inspect", "ping", cwd=tmp_path)
        assert ping.returncode == 0 and "cli@test" in ping.stdout
    finally:
        worker.terminate()
        worker.wait(timeout=90)
        assert server.release()


def test_watch_uses_the_state_dir_given(tmp_path, seeds):
    """`newsflow watch --state-dir X` admits into X's server; nothing appears in ./.newsflow."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(seeds[0], inbox)
    watch = start("watch", "--state-dir", "X", "--inbox", str(inbox), cwd=tmp_path, log=tmp_path / "watch.log")
    try:
        def admitted():
            done = newsflow("status", "--json", "--state-dir", "X", cwd=tmp_path, env=clean_env())
            return done.returncode == 0 and json.loads(done.stdout)["queued"] == 1
        assert wait_until(admitted, 60), (tmp_path / "watch.log").read_text()[-2000:]
    finally:
        assert stop(watch) == 0
    assert (tmp_path / "X" / "redis").is_dir() and not (tmp_path / ".newsflow").exists()
