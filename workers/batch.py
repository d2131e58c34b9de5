"""`newsflow process PATH...`: a one-shot batch through the same stages, index and records.

Without `--inline` the files go through the queue like dropped files (a local
worker is started if none is online); with `--inline` this process runs the
stages itself, with no broker, against the same Redis index. Either way each
input gets `<results>/<id>.json`, and the exit status is 1 if any failed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from newsflow.connection import Deployment
from newsflow.intake import Intake, Skipped, ignored
from newsflow.keys import Keys
from newsflow.logs import get_logger
from newsflow.settings import Settings
from newsflow.store import Store
from newsflow.connection import connect
from newsflow.results import write_result_file

log = get_logger()

#: Seconds between checks for results while waiting on workers.
POLL = 0.2
#: Seconds to wait for a started local worker to come online.
WORKER_START_TIMEOUT = 120.0


def expand(paths: list[str]) -> list[Path]:
    """Files named, and files under folders named (hidden and temporary names skipped)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out.extend(Path(folder) / f for f in sorted(files) if not ignored(f))
        else:
            out.append(path)
    return out


def run_process(settings: Settings, paths: list[str], inline: bool) -> int:
    files = expand(paths)
    with Deployment(settings) as deployment:
        client = connect(deployment.url)
        store = Store(client, Keys(settings.key_prefix))
        if inline:
            ids = _inline(settings, client, store, files)
        else:
            ids = _queued(settings, deployment.url, client, store, files)
        failures = 0
        for path, article_id in ids.items():
            if article_id is None:
                failures += 1
                continue
            record = store.record(article_id)
            if record is None:
                print(f"failed: {path}: no result", file=sys.stderr)
                failures += 1
                continue
            write_result_file(settings.results, record)
            if record["status"] != "ok":
                failures += 1
                err = record.get("error") or {}
                print(f"failed: {path}: {err.get('type')}: {err.get('message')}", file=sys.stderr)
        client.close()
    log.info("process_done", files=len(files), failed=failures, results=str(settings.results))
    return 1 if failures else 0


def _admit_all(intake: Intake, files: list[Path]) -> dict[Path, str | None]:
    ids: dict[Path, str | None] = {}
    for path in files:
        try:
            ids[path] = intake.admit(path, str(path)).article_id
        except (Skipped, OSError) as exc:
            print(f"failed: {path}: {exc}", file=sys.stderr)
            ids[path] = None
    return ids


def _inline(settings: Settings, client, store: Store, files: list[Path]) -> dict[Path, str | None]:
    from newsflow.boundary import process, retrying
    from newsflow.pipeline import Pipeline

    pipeline = Pipeline(settings, client, results_dir=None, worker=f"inline-{os.getpid()}")
    todo: list[str] = []
    ids = _admit_all(Intake(store, settings.max_bytes, todo.extend), files)
    for article_id in todo:
        # the task's boundary: a bad article fails, a deployment fault is waited out
        retrying(lambda aid=article_id: process(pipeline, aid), article_id)
    return ids


def _queued(settings: Settings, url: str, client, store: Store, files: list[Path]) -> dict[Path, str | None]:
    from newsflow.status import workers_online
    from tasks.app import configure
    from workers.children import spawn, stop
    from workers.supervisor import child_env
    from workers.watch_command import make_intake

    keys = Keys(settings.key_prefix)
    ids = _admit_all(make_intake(settings, store, configure(settings, url)), files)
    local = []
    if not workers_online(client, keys):
        local.append(spawn(["worker"], child_env(settings, url)))
        log.info("local_worker_started", pid=local[0].pid)
    try:
        waiting = {i for i in ids.values() if i is not None}
        started = time.monotonic()
        while waiting:
            batch = sorted(waiting)
            for article_id, found in zip(batch, client.mget([keys.record(i) for i in batch])):
                if found is not None:
                    waiting.discard(article_id)
            if local and local[0].poll() is not None:
                raise SystemExit(f"newsflow: the local worker exited ({local[0].returncode}); see its log")
            if not local and not workers_online(client, keys) and time.monotonic() - started > WORKER_START_TIMEOUT:
                raise SystemExit("newsflow: no worker is online to process the batch")
            if waiting:
                time.sleep(POLL)
    finally:
        stop(local, timeout=60)
    return ids
