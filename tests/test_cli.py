"""`newsflow process` and friends as real processes: exit status, results, errors."""

import json
import sys

import pytest

from tests.helpers import check_contract, clean_env, newsflow, results

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("mode", [["--inline"], []], ids=["inline", "queued"])
def test_process_seeds_gives_contract_complete_results(tmp_path, seeds, mode):
    """`process seeds --results R` (inline, or through a real worker) writes five contract records;
    `--state-dir` before the command reaches the queue and the worker: nothing in ./.newsflow."""
    out = tmp_path / "R"
    done = newsflow("--state-dir", "st", "process", *map(str, seeds), "--results", str(out), *mode,
                    cwd=tmp_path, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "st" / "redis").is_dir() and not (tmp_path / ".newsflow").exists()
    got = results(out)
    assert sorted(got) == sorted(s.name for s in seeds)
    for record in got.values():
        check_contract(record)
        assert record["status"] == "ok" and record["title"] and len(record["text"]) > 500
        assert record["language"] == "en" and record["entities"] and record["keywords"]


def test_bad_input_fails_its_record_and_the_rest_go_on(tmp_path, seeds):
    """An empty file and random bytes get failed records; exit 1 names them; the seed still succeeds."""
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "noise.bin"
    binary.write_bytes(bytes(range(256)) * 40)
    out = tmp_path / "R"
    done = newsflow("process", str(empty), str(binary), str(seeds[0]), "--results", str(out), "--inline",
                    cwd=tmp_path)
    assert done.returncode == 1
    assert "empty.txt" in done.stderr and "noise.bin" in done.stderr
    got = results(out)
    for name in ("empty.txt", "noise.bin"):
        check_contract(got[name])
        assert got[name]["status"] == "failed" and got[name]["error"]["message"]
    assert got[seeds[0].name]["status"] == "ok"


def test_show_and_status_answer_from_redis(tmp_path, seeds):
    """`show` prints the stored record; an unknown id exits 1; `status --json` counts it."""
    newsflow("process", str(seeds[0]), "--results", str(tmp_path / "R"), "--inline", cwd=tmp_path)
    record = next(iter(results(tmp_path / "R").values()))
    shown = newsflow("show", record["id"], cwd=tmp_path)
    assert shown.returncode == 0 and json.loads(shown.stdout)["id"] == record["id"]
    assert newsflow("show", "0" * 32, cwd=tmp_path).returncode == 1
    assert newsflow("show", "not-an-id", cwd=tmp_path).returncode == 2
    snap = json.loads(newsflow("status", "--json", cwd=tmp_path).stdout)
    assert snap["done"] == 1 and snap["workers"] == 0


@pytest.mark.parametrize("before", [True, False], ids=["before", "after"])
def test_global_options_work_before_or_after_the_command(tmp_path, before):
    """`newsflow --state-dir X --log-format console CMD` and `newsflow CMD --state-dir X ...` agree."""
    from workers.cli import build_parser

    options = ["--state-dir", "X", "--log-format", "console", "--log-level", "debug"]
    argv = [*options, "status"] if before else ["status", *options]
    args = build_parser().parse_args(argv)
    assert (str(args.state_dir), args.log_format, args.log_level) == ("X", "console", "debug")
    argv = [*options, "process", "--inline"] if before else ["process", "--inline", *options]
    done = newsflow(*argv, "--results", "R", str(tmp_path / "absent.txt"), cwd=tmp_path)
    assert done.returncode == 1 and "absent.txt" in done.stderr
    assert (tmp_path / "X" / "redis").is_dir() and not (tmp_path / ".newsflow").exists()
    lines = [line for line in done.stdout.splitlines() if "process_done" in line]
    assert lines and not lines[0].startswith("{")  # console, not JSON


def test_bad_configuration_is_refused_clearly(tmp_path):
    """A malformed setting exits 2 with a message naming it."""
    from tests.helpers import clean_env

    done = newsflow("status", cwd=tmp_path, env=clean_env(NEWSFLOW_WORKERS="lots"))
    assert done.returncode == 2 and "NEWSFLOW_WORKERS" in done.stderr


def test_find_and_story_answer_from_the_index(tmp_path, seeds):
    """After the seeds, `find --entity` (an alias too) and `story` list them from Redis."""
    out = tmp_path / "R"
    assert newsflow("process", *map(str, seeds), "--results", str(out), "--inline", cwd=tmp_path).returncode == 0
    ids = {r["id"] for r in results(out).values()}
    for name in ("Vladimir Putin", "Putin", "DPRK"):
        found = newsflow("find", "--entity", name, cwd=tmp_path)
        assert found.returncode == 0, found.stderr
        assert {json.loads(line)["id"] for line in found.stdout.splitlines()} == ids
    story_ids = {r["story_id"] for r in results(out).values()}
    assert len(story_ids) == 1
    story = newsflow("story", story_ids.pop(), cwd=tmp_path)
    assert {json.loads(line)["id"] for line in story.stdout.splitlines()} == ids
    assert newsflow("find", "--entity", "Nobody Atall", cwd=tmp_path).returncode == 1


def test_metrics_endpoint_serves_the_status(tmp_path):
    """With NEWSFLOW_METRICS_PORT set, `up` serves the status numbers: gauges, and the totals as
    counters."""
    import urllib.request

    from tests.helpers import clean_env, start, stop, wait_until
    from tests.service import free_port

    port = free_port()
    up = start("up", "--workers", "1", cwd=tmp_path, log=tmp_path / "up.log",
               env=clean_env(NEWSFLOW_METRICS_PORT=str(port)))
    try:
        def scrape():
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
            except OSError:
                return ""
        body = wait_until(lambda: "newsflow_workers 1.0" in scrape() and scrape(), 90)
        assert body, scrape()
        for name in ("queued", "stories", "articles_done_total", "articles_failed_total",
                     "articles_duplicates_total", "redis_up"):
            assert f"newsflow_{name} " in body
    finally:
        assert stop(up) == 0


def test_sigterm_on_a_short_command_releases_the_embedded_server(tmp_path):
    """`status --watch` killed with SIGTERM still stops the embedded server it started."""
    import signal

    from tests.helpers import alive, start, wait_until

    proc = start("status", "--watch", "--json", "--interval", "0.2", cwd=tmp_path, log=tmp_path / "status.log")
    info = tmp_path / ".newsflow" / "server.json"
    assert wait_until(lambda: info.exists() and (tmp_path / "status.log").read_text().count("queued") >= 2, 30)
    pid = json.loads(info.read_text())["pid"]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    assert wait_until(lambda: not alive(pid), 15) and not info.exists()


def test_a_redis_out_of_reach_is_one_line_and_exit_3_within_seconds(tmp_path):
    """`status` against a port nothing listens on: one line naming host:port, exit 3, no traceback,
    in a few seconds (not redis-py's half minute of retries)."""
    import time

    from newsflow.valkey import free_port

    port = free_port()
    started = time.monotonic()
    done = newsflow("status", cwd=tmp_path, env=clean_env(NEWSFLOW_REDIS_URL=f"redis://:s3cret@127.0.0.1:{port}/0"))
    assert time.monotonic() - started < 10
    assert done.returncode == 3 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and f"127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr and "s3cret" not in done.stderr


def test_a_refused_password_is_one_line_and_exit_3(tmp_path, redis_server):
    """The right server, the wrong password: says the credentials were refused, never echoes one."""
    from urllib.parse import urlsplit

    real = urlsplit(redis_server)
    done = newsflow("find", "--entity", "Anyone", cwd=tmp_path,
                    env=clean_env(NEWSFLOW_REDIS_URL=f"redis://default:wrong-one@{real.hostname}:{real.port}/0"))
    assert done.returncode == 3 and "refused the credentials" in done.stderr
    assert done.stderr.count("\n") == 1 and "wrong-one" not in done.stderr and real.password not in done.stderr


def test_find_with_no_match_says_so_and_exits_1(tmp_path, redis_server, redis_client):
    """No article mentions the entity: a line on stderr saying what was asked, exit 1."""
    done = newsflow("find", "--entity", "Nobody Atall", cwd=tmp_path, env=clean_env(NEWSFLOW_REDIS_URL=redis_server))
    assert done.returncode == 1 and done.stdout == ""
    assert "no article with entity 'Nobody Atall'" in done.stderr


def test_watching_into_a_pipe_that_closes_ends_quietly(tmp_path, redis_server, redis_client):
    """`status --watch --json | head -1`: the summary's fields (the rate first, null at first), then a
    quiet exit 0 when the reader goes away: no BrokenPipeError."""
    import subprocess

    env = clean_env(NEWSFLOW_REDIS_URL=redis_server)
    cmd = f"{sys.executable} -m newsflow status --watch --json --interval 0.1 | head -1"
    done = subprocess.run(["bash", "-c", f"set -o pipefail; {cmd}"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == ""
    line = json.loads(done.stdout)
    assert list(line)[0] == "articles_per_second" and line["articles_per_second"] is None
    assert {"queued", "in_flight", "done", "failed", "pending", "requeued", "workers"} <= set(line)


def test_up_with_its_metrics_port_taken_says_so_and_exits_2(tmp_path):
    """Another program holds the metrics port: `up` exits 2 at once with one line naming the
    address and what to do, before starting any child; no traceback."""
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = newsflow("up", cwd=tmp_path, env=clean_env(NEWSFLOW_METRICS_PORT=str(port)), timeout=60)
    assert done.returncode == 2 and f"127.0.0.1:{port}" in done.stderr
    assert "NEWSFLOW_METRICS_PORT" in done.stderr and "Traceback" not in done.stderr
    assert "up_started" not in done.stdout


def test_newsflow_metrics_serves_a_deployment_it_does_not_run(tmp_path, redis_server, redis_client):
    """`newsflow metrics` (compose's metrics service): serves /metrics for the deployment at
    NEWSFLOW_REDIS_URL until SIGTERM, then exits 0; with no deployment to read it says so (exit 3)."""
    import urllib.request

    from tests.helpers import start, stop, wait_until
    from tests.service import free_port

    port = free_port()
    proc = start("metrics", "--port", str(port), cwd=tmp_path, log=tmp_path / "metrics.log",
                 env=clean_env(NEWSFLOW_REDIS_URL=redis_server))
    try:
        def scrape() -> str:
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
            except OSError:
                return ""
        assert wait_until(lambda: "newsflow_redis_up 1.0" in scrape(), 30), (tmp_path / "metrics.log").read_text()
        assert "# TYPE newsflow_articles_done_total counter" in scrape()
    finally:
        assert stop(proc) == 0
    alone = newsflow("metrics", "--port", str(port), cwd=tmp_path, timeout=30)
    assert alone.returncode == 3 and "no newsflow server is running" in alone.stderr
