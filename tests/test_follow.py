"""`newsflow follow` and `newsflow export` on real processes: a follower in a group killed and
restarted, two followers sharing a group, filters, a closed pipe, and export against the files.
One `up` serves the module; each test drops its own articles."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from tests.corpus import drop
from tests.helpers import newsflow, results, wait_until
from tests.service import Up, kill

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def up(tmp_path_factory):
    service = Up(tmp_path_factory.mktemp("follow"), workers=2)
    service.start()
    yield service
    service.stop()


class Follower:
    """`newsflow follow ARGS` in the background, its stdout (the records) in a file."""

    def __init__(self, up: Up, name: str, *args: str):
        self.out, self.err = up.root / f"{name}.jsonl", up.root / f"{name}.err"
        with open(self.out, "ab") as out, open(self.err, "ab") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "newsflow", "follow", *args], cwd=up.root,
                                         env=up.env, stdout=out, stderr=err)

    def lines(self) -> list[str]:
        return self.out.read_text(encoding="utf-8").splitlines() if self.out.exists() else []

    def ids(self) -> list[str]:
        return [json.loads(line)["id"] for line in self.lines()]

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def _ids_of(up: Up, prefix: str) -> set[str]:
    return {r["id"] for name, r in results(up.results).items() if name.startswith(prefix)}


def test_a_group_follower_killed_and_restarted_prints_every_record(up):
    """SIGKILL after 10 of 30 records, then a restart under the same consumer name: every one of
    the 30 ids is printed at least once, and every line is a whole record."""
    first = Follower(up, "killed", "--group", "g1", "--consumer", "c1")
    time.sleep(3)
    drop(up.inbox, 1000, 30, prefix="k")
    assert wait_until(lambda: len(first.lines()) >= 10, 300), first.err.read_text()
    kill(first.proc.pid)
    first.proc.wait()
    again = Follower(up, "killed", "--group", "g1", "--consumer", "c1")
    assert up.wait_results(30, 300) >= 30
    want = _ids_of(up, "k")
    assert wait_until(lambda: want <= set(again.ids()), 120), again.err.read_text()
    again.stop()
    records = [json.loads(line) for line in again.lines()]  # the killed one's lines too: one file
    assert all(r["status"] in ("ok", "failed") and "aliases" in r["source"] for r in records)
    assert want == {r["id"] for r in records} & want and len(want) == 30


def test_two_followers_in_a_group_share_the_stream_without_overlap(up):
    """Two members of one group print disjoint sets whose union is every new record."""
    a, b = Follower(up, "share-a", "--group", "g2", "--consumer", "a"), Follower(up, "share-b", "--group", "g2",
                                                                                  "--consumer", "b")
    time.sleep(3)
    drop(up.inbox, 2000, 30, prefix="s")
    assert up.wait_results(60, 300) >= 60
    want = _ids_of(up, "s")
    assert wait_until(lambda: want <= set(a.ids()) | set(b.ids()), 120)
    a.stop()
    b.stop()
    assert set(a.ids()).isdisjoint(b.ids()) and len(a.ids()) + len(b.ids()) == len(set(a.ids()) | set(b.ids()))
    assert a.ids() and b.ids()


def test_filters_keep_exactly_what_they_say(up, seeds):
    """--filter status=failed prints exactly the failed records; --filter topic=... exactly those
    with the topic; both from the start of the stream."""
    (up.inbox / "f-empty.txt").write_bytes(b"")
    for seed in seeds:
        (up.inbox / f"f-{seed.name}").write_bytes(seed.read_bytes())
    assert wait_until(lambda: len(_ids_of(up, "f-")) == len(seeds) + 1, 300)
    every = list(results(up.results).values())
    topic = next(t for r in every for t in r["topics"])
    failed = Follower(up, "only-failed", "--from-start", "--filter", "status=failed")
    topical = Follower(up, "only-topic", "--from-start", "--filter", f"topic={topic}")
    want_failed = {r["id"] for r in every if r["status"] == "failed"}
    want_topic = {r["id"] for r in every if topic in r["topics"]}
    assert wait_until(lambda: set(failed.ids()) >= want_failed and set(topical.ids()) >= want_topic, 60)
    time.sleep(2)
    failed.stop()
    topical.stop()
    assert set(failed.ids()) == want_failed and len(failed.ids()) == len(want_failed)
    assert set(topical.ids()) == want_topic and 0 < len(want_topic) < len(every)


def test_follow_into_a_pipe_that_closes_ends_quietly(up):
    """`newsflow follow --from-start | head -1`: one line, then the follower ends, no traceback."""
    assert up.result_count() >= 2
    done = subprocess.run(f"{sys.executable} -m newsflow follow --from-start | head -1", shell=True, cwd=up.root,
                          env=up.env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert len(done.stdout.splitlines()) == 1 and json.loads(done.stdout)["id"]


def test_export_gives_the_records_of_the_result_files(up):
    """`export --since 1h`: the same records as the result files, each once."""
    exported = newsflow("export", "--since", "1h", cwd=up.root, env=up.env)
    assert exported.returncode == 0, exported.stderr
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    files = {r["id"]: r for r in results(up.results).values()}
    assert len(records) == len({r["id"] for r in records}) == len(files)
    assert {r["id"]: r for r in records} == files
