"""The commands that read results: `show`, `story`, `find`, `follow`, `export`. Each is a thin
shell over `newsflow.client.Client`, the one path to a deployment's results."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from newsflow.settings import Settings, parse_duration

#: Commands whose stdout is their output (records, JSON lines): their log lines go to stderr.
OUTPUT_COMMANDS = {"show", "story", "find", "follow", "export"}
#: Exit status of a command that found nothing (`show`, `story`, `find`).
EXIT_NOT_FOUND = 1
#: Exit status of a command that could not reach Redis, or whose password Redis refused.
EXIT_NO_REDIS = 3
#: Seconds a short command waits for Redis before it says it cannot reach it.
QUICK_TIMEOUT = 3.0
#: Seconds a follower waits for one Redis reply (its reads block for 2 s at most).
FOLLOW_TIMEOUT = 10.0


def add_parsers(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """The reading commands' arguments (`add(name, help)` makes a command's parser)."""
    p = add("show", "the stored record of one article, with its duplicates and story")
    p.add_argument("id")
    p.add_argument("--results", type=Path, default=None, help="results folder, for an id past retention")

    p = add("story", "the articles of one story")
    p.add_argument("story_id")

    p = add("find", "articles by entity (aliases resolved) and/or topic, from the Redis index")
    p.add_argument("--entity", default=None, help='e.g. "Vladimir Putin", "Putin", "DPRK"')
    p.add_argument("--topic", default=None, help="a topic of the taxonomy")
    p.add_argument("--language", default=None, help="only articles in this language (ISO 639-1, e.g. de)")
    p.add_argument("--limit", type=int, default=100)

    p = add("follow", "print each result record (one JSON line, aliases included) as it commits")
    start = p.add_mutually_exclusive_group()
    start.add_argument("--from-start", action="store_true", help="every result the stream still holds first")
    start.add_argument("--since", default=None, help="results since a time: 2026-12-05, 2026-12-05T06:00Z, 2h")
    p.add_argument("--filter", action="append", metavar="FIELD=VALUE",
                   help="keep only status=ok|dup|failed, language=CODE, topic=NAME or entity=NAME (repeatable: all must hold)")
    p.add_argument("--group", default=None, help="join this consumer group: each result to one member, at least once")
    p.add_argument("--consumer", default=None, help="this member's name in the group (default: the host name)")
    p.add_argument("--claim-idle", type=float, default=60.0,
                   help="seconds after which a result another member left unacknowledged is taken over")

    p = add("export", "result records committed in a time range, as JSON lines (Redis, then the results folder)")
    p.add_argument("--since", required=True, help="2026-12-05, 2026-12-05T06:00Z, or a duration ago (7d)")
    p.add_argument("--until", default=None, help="end of the range (excluded; default now)")
    p.add_argument("--results", type=Path, default=None, help="results folder (default ./results)")


def where(url: str) -> str:
    """Where a Redis URL points (host:port, or the socket's path), never its password."""
    from newsflow.redisurl import SentinelURL, is_sentinel

    if is_sentinel(url):
        return SentinelURL.parse(url).where()
    parts = urlsplit(url)
    return parts.path if parts.scheme == "unix" else f"{parts.hostname}:{parts.port or 6379}"


def with_client(settings: Settings, name: str, fn: Callable[[Any], int], timeout: float = QUICK_TIMEOUT) -> int:
    """Run `fn` with a client of the deployment; Redis out of reach or refusing the password is
    one line on stderr within seconds and EXIT_NO_REDIS, never a traceback."""
    import redis

    from newsflow.connection import Deployment, connect_quick

    with Deployment(settings) as deployment:
        client = connect_quick(deployment.url, timeout, retries=1)
        try:
            client.ping()
            return fn(client)
        except redis.AuthenticationError as exc:
            print(f"newsflow {name}: Redis at {where(deployment.url)} refused the credentials ({exc}): check "
                  "the password in NEWSFLOW_REDIS_URL", file=sys.stderr)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            print(f"newsflow {name}: cannot reach Redis at {where(deployment.url)} ({exc}): is it running? "
                  "check NEWSFLOW_REDIS_URL, or run this in the folder `newsflow up` runs in", file=sys.stderr)
        finally:
            client.close()
        return EXIT_NO_REDIS


def _api(settings: Settings, client: Any) -> Any:
    from newsflow.client import Client

    return Client(client, settings)


def show(settings: Settings, args: argparse.Namespace) -> int:
    from newsflow.record import check_id

    try:
        article_id = check_id(args.id)
    except ValueError as exc:
        print(f"newsflow show: {exc}", file=sys.stderr)
        return 2

    def run(client: Any) -> int:
        api = _api(settings, client)
        record = api.record(article_id)
        if record is None:
            return _show_result_file(settings, article_id)
        record["duplicates"] = api.duplicates(article_id)
        if record.get("story_id"):
            record["story_members"] = api.story_members(record["story_id"])
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return 0

    return with_client(settings, "show", run)


def _show_result_file(settings: Settings, article_id: str) -> int:
    """`show` of an id Redis no longer holds: its result file, if there is one, said so."""
    from newsflow.results import RESULT_FILE_MAX

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


def story(settings: Settings, args: argparse.Namespace) -> int:
    def run(client: Any) -> int:
        try:
            records = _api(settings, client).story(args.story_id)
        except ValueError as exc:
            print(f"newsflow story: {exc}", file=sys.stderr)
            return 2
        if not records:
            print(f"newsflow story: no story {args.story_id} held (never seen, or all its articles are past "
                  f"retention: NEWSFLOW_RETENTION={settings.retention}; their result files name it as "
                  "story_id)", file=sys.stderr)
            return EXIT_NOT_FOUND
        for record in records:
            print(json.dumps({k: record.get(k) for k in ("id", "title", "published", "outlet", "duplicate_of")},
                             ensure_ascii=False))
        return 0

    return with_client(settings, "story", run)


def find(settings: Settings, args: argparse.Namespace) -> int:
    if not (args.entity or args.topic):
        print("newsflow find: give --entity NAME and/or --topic NAME (--language CODE narrows them)",
              file=sys.stderr)
        return 2

    def run(client: Any) -> int:
        api = _api(settings, client)
        ids = api.find(entity=args.entity, topic=args.topic, language=args.language)
        for record in api.records(ids[: args.limit]):
            record = record or {}
            print(json.dumps({k: record.get(k) for k in ("id", "title", "published", "language", "story_id")},
                             ensure_ascii=False))
        if not ids:
            asked = " and ".join(f"{k} {v!r}" for k, v in (("entity", args.entity), ("topic", args.topic),
                                                           ("language", args.language)) if v)
            print(f"newsflow find: no article with {asked} (articles past retention, NEWSFLOW_RETENTION="
                  f"{settings.retention}, are not searched)", file=sys.stderr)
            return EXIT_NOT_FOUND
        return 0

    return with_client(settings, "find", run)


def when(text: str) -> float:
    """A Unix time from an ISO date or time ("2026-12-05", "2026-12-05T06:00:00+00:00"; UTC when
    no zone is given) or a duration ago ("2h", "30m", "7d")."""
    try:
        return time.time() - parse_duration(text)
    except ValueError:
        pass
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a time: {text!r}; write an ISO date or time (2026-12-05, "
                         "2026-12-05T06:00:00Z) or a duration ago (2h, 7d)") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).timestamp()


def follow(settings: Settings, args: argparse.Namespace) -> int:
    from newsflow.client import Filter

    try:
        keep = Filter.parse(args.filter or [])
        start: str | float = "start" if args.from_start else when(args.since) if args.since else "new"
    except ValueError as exc:
        print(f"newsflow follow: {exc}", file=sys.stderr)
        return 2

    def run(client: Any) -> int:
        api = _api(settings, client)
        entity = api.entity_key(keep.entity)
        for delivery in api.follow(group=args.group, consumer=args.consumer, start=start,
                                   claim_idle=args.claim_idle, on_missed=_say_missed):
            if keep.keeps(delivery.record, entity):
                sys.stdout.write(json.dumps(delivery.record, ensure_ascii=False) + "\n")
                sys.stdout.flush()  # written and flushed before it is acknowledged: at least once
            delivery.ack()
        return 0

    return with_client(settings, "follow", run, timeout=FOLLOW_TIMEOUT)


def _say_missed(missed: Any) -> None:
    from newsflow.client import log_missed

    count = "some" if missed.count is None else str(missed.count)
    print(f"newsflow follow: {count} entries were trimmed from the results stream before they were read "
          f"(after entry {missed.after}, up to {missed.first_kept}); `newsflow export --since` reads them from "
          "Redis or the results folder", file=sys.stderr, flush=True)
    log_missed(missed)


def export(settings: Settings, args: argparse.Namespace) -> int:
    try:
        since, until = when(args.since), when(args.until) if args.until else None
    except ValueError as exc:
        print(f"newsflow export: {exc}", file=sys.stderr)
        return 2

    def run(client: Any) -> int:
        for record in _api(settings, client).export(since, until, settings.results):
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return 0

    return with_client(settings, "export", run, timeout=FOLLOW_TIMEOUT)
