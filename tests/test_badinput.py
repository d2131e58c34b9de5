"""Bad input through `newsflow up`: each file gets a correct result or a failed record saying why,
the service stays up, nothing else is lost, and nothing outside the inbox is ever read."""

import os
import shutil

import pytest

from tests.corpus import article
from tests.helpers import check_contract, results, wait_until
from tests.service import Up

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(600)]

TEXT = "Le café du coin a rouvert, dit-elle. « Une naïve idée », répond le maire de Besançon, sûr de lui."


def test_bad_inputs_each_get_a_result_or_a_reason(tmp_path, seeds):
    """Every kind of awkward input from issue 6, dropped into a running service."""
    up = Up(tmp_path, workers=2, NEWSFLOW_MAX_BYTES=str(10 * 1024 * 1024))
    up.inbox.mkdir(parents=True)
    up.start()
    inbox = up.inbox
    outside = tmp_path / "secret.txt"
    outside.write_text("a secret outside the inbox that must never be read " * 20)
    try:
        expected_ok, expected_failed = {}, {}
        # encodings
        (inbox / "latin1.txt").write_bytes(TEXT.encode("latin-1"))
        (inbox / "cp1252.txt").write_bytes((TEXT + " Prix : 5 € — “cité”.").encode("cp1252"))
        (inbox / "utf16.txt").write_bytes(TEXT.encode("utf-16"))  # with BOM
        (inbox / "bad-utf8.txt").write_bytes(TEXT.encode("utf-8") + b" \xff\xfe\xc3\x28 " + TEXT.encode("utf-8"))
        for name in ("latin1.txt", "cp1252.txt", "utf16.txt"):
            expected_ok[name] = "café du coin"
        # clear failures
        (inbox / "empty.txt").write_bytes(b"")
        (inbox / "noise.bin").write_bytes(os.urandom(50_000))
        (inbox / "scripts.html").write_text("<html><head><style>p{}</style><script>var a=1;</script></head>"
                                            "<body><script>alert(1)</script></body></html>")
        (inbox / "broken.json").write_text('{"title": "half a record", "text": "never clo')
        big = inbox / "huge.txt"
        with open(big, "wb") as fh:
            fh.truncate(100 * 1024 * 1024)  # 100 MB, over the 10 MB cap
        expected_failed.update({"empty.txt": "CleanError", "noise.bin": "CleanError", "scripts.html": "CleanError",
                                "broken.json": "CleanError", "huge.txt": "TooLarge"})
        # awkward names, nesting, a folder created after start
        names = ["with space.txt", "quote's \"double\".txt", "ünïcödé-日本.txt", "new\nline.txt"]
        for i, name in enumerate(names):
            (inbox / name).write_bytes(article(900 + i))
            expected_ok[name] = None
        deep = inbox.joinpath(*[f"d{i}" for i in range(25)])
        deep.mkdir(parents=True)
        (deep / "deep.txt").write_bytes(article(950))
        expected_ok["deep.txt"] = None
        later = inbox / "created-later"
        later.mkdir()
        shutil.copy(seeds[0], later / seeds[0].name)
        expected_ok[seeds[0].name] = None
        # never followed, never read
        (inbox / "link-outside.txt").symlink_to(outside)
        os.symlink(tmp_path, inbox / "link-dir")
        # deleted before it can be read: written as a temporary name, removed before its rename
        (inbox / "gone.txt.part").write_bytes(b"gone")
        os.unlink(inbox / "gone.txt.part")

        want = len(expected_ok) + len(expected_failed) + 1  # + bad-utf8.txt, checked below
        assert wait_until(lambda: len(results(up.results)) >= want, 300), sorted(results(up.results))
        got = results(up.results)
        assert up.proc.poll() is None  # still running
    finally:
        assert up.stop() == 0

    assert len(got) == want, sorted(got)  # nothing else: no link, no vanished file
    for name, fragment in expected_ok.items():
        record = got[name]
        check_contract(record)
        assert record["status"] == "ok", (name, record.get("error"))
        if fragment:
            assert fragment in record["text"], (name, record["text"][:200])
    assert "€" in got["cp1252.txt"]["text"] and "“cité”" in got["cp1252.txt"]["text"]
    for name, kind in expected_failed.items():
        record = got[name]
        check_contract(record)
        assert record["status"] == "failed" and record["error"]["type"] == kind, (name, record["error"])
        assert len(record["error"]["message"]) > 10
    assert got["huge.txt"]["source"]["bytes"] == 100 * 1024 * 1024
    bad = got.get("bad-utf8.txt")
    assert bad is not None and (bad["status"] == "failed" or "café du coin" in bad["text"])
    for record in got.values():  # nothing from outside the inbox
        assert "secret outside the inbox" not in record["text"]
        assert os.path.basename(record["source"]["path"]) == record["source"]["name"]
    for path in up.results.iterdir():  # result names come from ids, never from input names
        assert len(path.name) == len("0" * 32 + ".json") and path.stat().st_mode & 0o777 == 0o644


def test_pickle_message_is_refused(tmp_path):
    """A pickled task message is refused by the worker (JSON only) and its payload never runs."""
    import pickle  # noqa: F401  (the attacker's side)

    from celery import Celery

    from newsflow.settings import Settings
    from tasks.app import PROCESS_ARTICLE, celery_config
    from tests.service import follow

    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    up = Up(tmp_path / "svc", workers=1)
    up.root.mkdir()
    up.start()
    try:
        app = Celery("attacker")
        conf = celery_config(Settings.from_env({}), up.url())
        conf.update(task_serializer="pickle", accept_content=["pickle", "json"])
        app.conf.update(conf)
        app.send_task(PROCESS_ARTICLE, args=[Exploit()], queue="newsflow", serializer="pickle")

        def refused():
            return any("pickle" in str(e.get("event", "")).lower() or "ContentDisallowed" in str(e)
                       for e in follow(up.log, 0)[0])

        assert wait_until(refused, 60), up.log.read_text()[-2000:]
        assert wait_until(lambda: up.client().llen(up.keys.queue("newsflow")) == 0, 30)
        assert up.proc.poll() is None
    finally:
        assert up.stop() == 0
    assert not marker.exists()


@pytest.mark.fault
def test_a_name_that_is_not_utf8_is_taken_like_any_other(tmp_path):
    """Names with bytes that are not UTF-8 (a file, a folder) next to five ordinary files: all get ok results, the
    odd name kept losslessly (percent-encoded), the watcher never restarts, later drops still go in."""
    from urllib.parse import unquote_to_bytes

    from tests.helpers import log_events

    up = Up(tmp_path, workers=1)
    up.inbox.mkdir(parents=True)
    os.mkdir(os.fsencode(up.inbox) + b"/sub\xff")
    bad_name = b"bad\xff\xfename.txt"
    with open(os.fsencode(up.inbox) + b"/" + bad_name, "wb") as fh:
        fh.write(article(700))
    with open(os.fsencode(up.inbox) + b"/sub\xff/in-odd-folder.txt", "wb") as fh:
        fh.write(article(701))
    for i in range(5):
        (up.inbox / f"plain{i}.txt").write_bytes(article(710 + i))
    up.start()
    try:
        assert up.wait_results(7, 180) == 7, up.log.read_text()[-3000:]
        (up.inbox / "later.txt").write_bytes(article(720))
        assert up.wait_results(8, 120) == 8
        got = results(up.results)
        assert all(record["status"] == "ok" for record in got.values()), got
        odd = got["bad%FF%FEname.txt"]
        assert unquote_to_bytes(odd["source"]["name"]) == bad_name
        assert unquote_to_bytes(got["in-odd-folder.txt"]["source"]["path"]) == b"sub\xff/in-odd-folder.txt"
        events = [e["event"] for e in log_events(up.log)]
        assert "child_exited" not in events and events.count("file_admitted") == 8
    finally:
        assert up.stop() == 0
