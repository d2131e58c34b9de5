"""The `newsflow` command line (see `newsflow --help` and the README)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from newsflow.settings import Settings

COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {}
#: Commands that handle SIGTERM themselves (an orderly stop of their children or Celery's).
SIGNAL_OWNERS = {"up", "watch", "worker", "metrics"}
#: Largest result file `show` prints (a record holds the article's text, at most max_bytes of input).
RESULT_FILE_MAX = 256 * 1024 * 1024
#: Exit status of a command that found nothing (`show`, `story`, `find`).
EXIT_NOT_FOUND = 1
#: Exit status of a command that could not reach Redis, or whose password Redis refused.
EXIT_NO_REDIS = 3
#: Seconds a short command waits for Redis before it says it cannot reach it.
QUICK_TIMEOUT = 3.0
#: Port of `newsflow metrics` when neither --port nor NEWSFLOW_METRICS_PORT names one.
METRICS_PORT = 9464


def _exit_on_signal(signum: int, _frame: Any) -> None:
    """SIGTERM/SIGHUP end a short command like Ctrl-C does: `finally` blocks run, so the
    embedded server it holds is released (and stopped if it was the last user)."""
    raise SystemExit(128 + signum)


def command(fn: Callable[[Settings, argparse.Namespace], int]) -> Callable[[Settings, argparse.Namespace], int]:
    COMMANDS[fn.__name__.removeprefix("cmd_")] = fn
    return fn


@command
def cmd_up(settings: Settings, args: argparse.Namespace) -> int:
    from workers.supervisor import run_up

    return run_up(settings)


@command
def cmd_watch(settings: Settings, args: argparse.Namespace) -> int:
    from workers.watch import run_watch

    return run_watch(settings)


@command
def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    from workers.worker import run_worker

    return run_worker(settings, args.concurrency, args.name)


@command
def cmd_process(settings: Settings, args: argparse.Namespace) -> int:
    from workers.batch import run_process

    return run_process(settings, args.paths, args.inline)


def _where(url: str) -> str:
    """Where a Redis URL points (host:port, or the socket's path), never its password."""
    from newsflow.redisurl import SentinelURL, is_sentinel

    if is_sentinel(url):
        return SentinelURL.parse(url).where()
    parts = urlsplit(url)
    return parts.path if parts.scheme == "unix" else f"{parts.hostname}:{parts.port or 6379}"


def _with_client(settings: Settings, name: str, fn: Callable[[Any], int]) -> int:
    """Run `fn` with a client of the deployment; Redis out of reach or refusing the password is
    one line on stderr within seconds and EXIT_NO_REDIS, never a traceback."""
    import redis

    from newsflow.connection import Deployment
    from newsflow.store import connect_quick

    with Deployment(settings) as deployment:
        client = connect_quick(deployment.url, QUICK_TIMEOUT, retries=1)
        where = _where(deployment.url)
        try:
            client.ping()
            return fn(client)
        except redis.AuthenticationError as exc:
            print(f"newsflow {name}: Redis at {where} refused the credentials ({exc}): check the password "
                  "in NEWSFLOW_REDIS_URL", file=sys.stderr)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            print(f"newsflow {name}: cannot reach Redis at {where} ({exc}): is it running? check "
                  "NEWSFLOW_REDIS_URL, or run this in the folder `newsflow up` runs in", file=sys.stderr)
        finally:
            client.close()
        return EXIT_NO_REDIS


@command
def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    from newsflow.status import Rate, live, render, snapshot

    def show(client: Any) -> int:
        if args.watch and not args.json and sys.stdout.isatty():
            try:
                live(client, settings, args.interval)
            except KeyboardInterrupt:
                return 0
        rate = Rate()
        while True:
            snap = snapshot(client, settings)
            if args.watch:  # the fields of the `summary` event
                snap = {"articles_per_second": rate(snap), **snap}
            print(json.dumps(snap) if args.json else render(snap), flush=True)
            if not args.watch:
                return 0
            time.sleep(args.interval)
            if not args.json:
                print()

    return _with_client(settings, "status", show)


@command
def cmd_show(settings: Settings, args: argparse.Namespace) -> int:
    from newsflow.index import Index
    from newsflow.keys import Keys
    from newsflow.record import check_id
    from newsflow.store import Store

    try:
        article_id = check_id(args.id)
    except ValueError as exc:
        print(f"newsflow show: {exc}", file=sys.stderr)
        return 2

    def show(client: Any) -> int:
        keys = Keys(settings.key_prefix)
        record = Store(client, keys).record(article_id)
        if record is None:
            return _show_result_file(settings, article_id)
        index = Index(client, keys, settings.index)
        record["duplicates"] = index.duplicates_of(article_id)
        if record.get("story_id"):
            record["story_members"] = index.story_members(record["story_id"])
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return 0

    return _with_client(settings, "show", show)


def _show_result_file(settings: Settings, article_id: str) -> int:
    """`show` of an id Redis no longer holds: its result file, if there is one, said so."""
    path = settings.results / f"{article_id}.json"  # the name comes from a checked id
    kept = f"NEWSFLOW_RETENTION={settings.retention}"
    try:
        with open(path, "rb") as fh:
            text = fh.read(RESULT_FILE_MAX + 1).decode("utf-8", "replace")
    except FileNotFoundError:
        print(f"newsflow show: no record for {article_id} in Redis (never committed, or past retention: "
              f"{kept}) and no result file {path}", file=sys.stderr)
        return EXIT_NOT_FOUND
    if len(text) > RESULT_FILE_MAX:
        print(f"newsflow show: {path} is larger than {RESULT_FILE_MAX} bytes: not a result file", file=sys.stderr)
        return 2
    print(f"newsflow show: {article_id} is past retention ({kept}) and no longer in Redis; "
          f"its result file {path} follows", file=sys.stderr)
    print(text, end="" if text.endswith("\n") else "\n")
    return 0


@command
def cmd_story(settings: Settings, args: argparse.Namespace) -> int:
    from newsflow.index import Index
    from newsflow.keys import Keys
    from newsflow.store import Store

    def show(client: Any) -> int:
        keys = Keys(settings.key_prefix)
        members = Index(client, keys, settings.index).story_members(args.story_id)
        if not members:
            print(f"newsflow story: no story {args.story_id} held (never seen, or all its articles are past "
                  f"retention: NEWSFLOW_RETENTION={settings.retention}; their result files name it as "
                  "story_id)", file=sys.stderr)
            return EXIT_NOT_FOUND
        for article_id, record in zip(members, Store(client, keys).records(members)):
            record = record or {}
            print(json.dumps({"id": article_id, "title": record.get("title"),
                              "published": record.get("published"), "outlet": record.get("outlet"),
                              "duplicate_of": record.get("duplicate_of")}, ensure_ascii=False))
        return 0

    return _with_client(settings, "story", show)


@command
def cmd_url(settings: Settings, args: argparse.Namespace) -> int:
    """Print the deployment's URL. Holds nothing, so it never starts or stops a server."""
    from newsflow.embedded import EmbeddedServer

    url = settings.redis_url or EmbeddedServer(settings.state_dir).running_url()
    if url is None:
        print(f"newsflow url: no newsflow server is running in {settings.state_dir.resolve()} "
              "(start one with `newsflow up`, or give --state-dir of the deployment)", file=sys.stderr)
        return 1
    print(url)
    return 0


@command
def cmd_find(settings: Settings, args: argparse.Namespace) -> int:
    from newsflow.keys import Keys
    from newsflow.store import Store
    from newsflow.tagindex import TagIndex

    if not (args.entity or args.topic):
        print("newsflow find: give --entity NAME and/or --topic NAME", file=sys.stderr)
        return 2

    def show(client: Any) -> int:
        keys = Keys(settings.key_prefix)
        ids = TagIndex(client, keys, settings.tag).find(entity=args.entity, topic=args.topic)
        for article_id, record in zip(ids[: args.limit], Store(client, keys).records(ids[: args.limit])):
            record = record or {}
            print(json.dumps({"id": article_id, "title": record.get("title"),
                              "published": record.get("published"), "story_id": record.get("story_id")},
                             ensure_ascii=False))
        if not ids:
            asked = " and ".join(f"{k} {v!r}" for k, v in (("entity", args.entity), ("topic", args.topic)) if v)
            print(f"newsflow find: no article with {asked} (articles past retention, NEWSFLOW_RETENTION="
                  f"{settings.retention}, are not searched)", file=sys.stderr)
            return EXIT_NOT_FOUND
        return 0

    return _with_client(settings, "find", show)


@command
def cmd_metrics(settings: Settings, args: argparse.Namespace) -> int:
    """Serve /metrics for a deployment whose processes run apart (compose: watchers, workers)."""
    import dataclasses
    import threading

    from newsflow.connection import Deployment, NoDeployment
    from newsflow.status import serve_metrics

    settings = dataclasses.replace(settings, metrics_port=args.port or settings.metrics_port or METRICS_PORT,
                                   metrics_host=args.host or settings.metrics_host)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        deployment = Deployment(settings, start=False)
    except NoDeployment as exc:
        print(f"newsflow metrics: {exc}", file=sys.stderr)
        return EXIT_NO_REDIS
    with deployment:
        try:
            serve_metrics(deployment.url, settings)
        except OSError as exc:
            print(f"newsflow metrics: cannot serve on {settings.metrics_host}:{settings.metrics_port}: "
                  f"{exc.strerror or exc}; choose another --port", file=sys.stderr)
            return 2
        stop.wait()
    return 0


def _global_options(default: Any) -> argparse.ArgumentParser:
    """The options every command takes, before or after its name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--log-format", choices=["json", "console"], default=default,
                        help="log lines as JSON (default) or for people (NEWSFLOW_LOG_FORMAT)")
    common.add_argument("--log-level", default=default, help="debug, info, warning... (NEWSFLOW_LOG_LEVEL)")
    common.add_argument("--state-dir", type=Path, default=default,
                        help="folder of the embedded server's data (NEWSFLOW_STATE_DIR, default ./.newsflow)")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsflow", description=__doc__, parents=[_global_options(None)])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # After the command name the same options default to "absent" (SUPPRESS): a
    # subcommand's default would otherwise overwrite a value given before its name.
    after = _global_options(argparse.SUPPRESS)

    def add(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, parents=[after])

    p = add("up", "watch the inbox and process every article (the main job)")
    p.add_argument("--inbox", type=Path, default=None, help="folder to watch (default ./inbox)")
    p.add_argument("--results", type=Path, default=None, help="results folder (default ./results)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: CPU count)")
    p.add_argument("--polling", action="store_true", default=None, help="poll instead of inotify")

    p = add("watch", "the watcher alone (workers run elsewhere)")
    p.add_argument("--inbox", type=Path, default=None)
    p.add_argument("--polling", action="store_true", default=None)

    p = add("worker", "one Celery worker node")
    p.add_argument("--concurrency", type=int, default=None, help="pool processes (default: CPU count)")
    p.add_argument("--name", default=None, help="node name (default newsflow-PID@HOST)")
    p.add_argument("--results", type=Path, default=None)

    p = add("process", "process files once and exit (0: all ok, 1: some failed)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--results", type=Path, default=None)
    p.add_argument("--inline", action="store_true", help="run the stages in this process, no broker")

    p = add("status", "queue depth, results, stories, workers")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--watch", action="store_true", help="repeat every --interval seconds")
    p.add_argument("--interval", type=float, default=2.0)

    p = add("show", "the stored record of one article, with its duplicates and story")
    p.add_argument("id")

    p = add("story", "the articles of one story")
    p.add_argument("story_id")

    add("url", "the Redis URL of the running deployment (for redis-cli -u, Flower, other hosts)")

    p = add("metrics", "serve the status as Prometheus metrics (/metrics) until stopped")
    p.add_argument("--host", default=None, help="address to bind (NEWSFLOW_METRICS_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None,
                   help=f"port (NEWSFLOW_METRICS_PORT, else {METRICS_PORT})")

    p = add("find", "articles by entity (aliases resolved) and/or topic, from the Redis index")
    p.add_argument("--entity", default=None, help='e.g. "Vladimir Putin", "Putin", "DPRK"')
    p.add_argument("--topic", default=None, help="a topic of the taxonomy")
    p.add_argument("--limit", type=int, default=100)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    overrides = {
        "log_format": args.log_format,
        "log_level": args.log_level,
        "state_dir": args.state_dir,
        "inbox": getattr(args, "inbox", None),
        "results": getattr(args, "results", None),
        "workers": getattr(args, "workers", None),
        "watch_polling": getattr(args, "polling", None),
    }
    try:
        settings = Settings.from_env(**overrides)
    except ValueError as exc:
        print(f"newsflow: bad configuration: {exc}", file=sys.stderr)
        return 2
    from newsflow import logs
    from newsflow.limits import limit_threads

    limit_threads()
    logs.configure(settings.log_format, settings.log_level, process=args.command)
    if args.command not in SIGNAL_OWNERS:
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _exit_on_signal)
    try:
        return COMMANDS[args.command](settings, args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush at exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
