"""Scale-out: three worker nodes on one Redis give the same results as one worker.

Each run starts real `newsflow worker` processes (distinct node names) on an
embedded server shared through the state folder, then `newsflow process`
queues the inputs to them. Ids must be equal; duplicate groups and story
groups must be the same partitions (which copy is "first" may differ when
copies are processed at once, so groups are compared, not originals).
"""

import json
import subprocess
import sys

import pytest

from tests.corpus import EVENTS, event
from tests.helpers import clean_env, newsflow, results, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(600)]


def inputs(folder, seeds):
    folder.mkdir()
    for seed in seeds:
        (folder / seed.name).write_bytes(seed.read_bytes())
    body = seeds[0].read_bytes()
    lines = body.split(b"\n")
    (folder / "copy-chrome.txt").write_bytes(b"Home | World | Business | Sport\nSign in\n" + body)
    (folder / "copy-trimmed.txt").write_bytes(b"\n".join(lines[: int(len(lines) * 0.8)]))
    (folder / "copy-redrop.txt").write_bytes(body)  # same bytes: same id, an alias
    for i in range(len(EVENTS)):  # unrelated events: no story decision between them is a close call
        (folder / f"other{i}.txt").write_bytes(event(i))
    return folder


def run(tmp, folder, nodes):
    env = clean_env(NEWSFLOW_STATE_DIR=str(tmp / "state"))
    workers = [subprocess.Popen([sys.executable, "-m", "newsflow", "worker", "--concurrency", "1",
                                 "--name", f"node{i}@test"], cwd=tmp, env=env,
                                stdout=open(tmp / f"worker{i}.log", "wb"), stderr=subprocess.STDOUT)
               for i in range(nodes)]
    try:
        def online():
            out = newsflow("status", "--json", cwd=tmp, env=env)
            return out.returncode == 0 and json.loads(out.stdout)["nodes"] == nodes
        assert wait_until(online, 180, interval=1)
        done = newsflow("process", str(folder), "--results", str(tmp / "results"), cwd=tmp, env=env, timeout=400)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "local_worker_started" not in done.stdout  # the running nodes did the work
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=120)
    busy = [sum(1 for line in (tmp / f"worker{i}.log").read_text().splitlines() if '"article_done"' in line)
            for i in range(nodes)]
    return results(tmp / "results"), busy


def groups(records, field):
    """The partition of ids induced by `field` (an article alone if the field is empty)."""
    by = {}
    for r in records.values():
        key = r[field] or r["id"]
        by.setdefault(key, set()).add(r["id"])
    return sorted(sorted(g) for g in by.values())


def test_three_nodes_match_one(tmp_path, seeds):
    """Same ids, same duplicate groups, same story groups with 1 node and with 3 nodes."""
    folder = inputs(tmp_path / "in", seeds)
    (tmp_path / "one").mkdir()
    (tmp_path / "three").mkdir()
    one, busy_one = run(tmp_path / "one", folder, 1)
    three, busy_three = run(tmp_path / "three", folder, 3)
    assert sorted(one) == sorted(three)
    assert {n: r["id"] for n, r in one.items()} == {n: r["id"] for n, r in three.items()}
    dup_groups = groups(one, "duplicate_of")
    assert dup_groups == groups(three, "duplicate_of")
    assert [g for g in dup_groups if len(g) > 1], "the copies should form a duplicate group"
    assert groups(one, "story_id") == groups(three, "story_id")
    assert sum(busy_three) == sum(busy_one) and sum(1 for b in busy_three if b) >= 2  # work was shared
    assert one[seeds[0].name]["source"]["aliases"] == ["copy-redrop.txt"]
