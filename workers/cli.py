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

from newsflow.settings import Settings
from workers import reading
from workers.reading import EXIT_NO_REDIS, EXIT_NOT_FOUND, QUICK_TIMEOUT, with_client  # noqa: F401

COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {}
#: Commands that handle SIGTERM themselves (an orderly stop of their children or Celery's).
SIGNAL_OWNERS = {"up", "watch", "worker", "metrics"}
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
    from workers.watch_command import run_watch

    return run_watch(settings)


@command
def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    from workers.worker import run_worker

    return run_worker(settings, args.concurrency, args.name)


@command
def cmd_process(settings: Settings, args: argparse.Namespace) -> int:
    from workers.batch import run_process

    return run_process(settings, args.paths, args.inline)


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

    return with_client(settings, "status", show)


COMMANDS.update(show=reading.show, story=reading.story, find=reading.find, follow=reading.follow,
                export=reading.export)


@command
def cmd_url(settings: Settings, args: argparse.Namespace) -> int:
    """Print the deployment's URL. Holds nothing, so it never starts or stops a server."""
    from newsflow.valkey import EmbeddedServer

    url = settings.redis_url or EmbeddedServer(settings.state_dir).running_url()
    if url is None:
        print(f"newsflow url: no newsflow server is running in {settings.state_dir.resolve()} "
              "(start one with `newsflow up`, or give --state-dir of the deployment)", file=sys.stderr)
        return 1
    print(url)
    return 0


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

    reading.add_parsers(add)

    add("url", "the Redis URL of the running deployment (for redis-cli -u, Flower, other hosts)")

    p = add("metrics", "serve the status as Prometheus metrics (/metrics) until stopped")
    p.add_argument("--host", default=None, help="address to bind (NEWSFLOW_METRICS_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None,
                   help=f"port (NEWSFLOW_METRICS_PORT, else {METRICS_PORT})")

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
    logs.configure(settings.log_format, settings.log_level, process=args.command,
                   to_stderr=args.command in reading.OUTPUT_COMMANDS)
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
