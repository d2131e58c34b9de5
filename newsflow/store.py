"""Reading and writing newsflow's state in Redis, and result files on disk.

Two Lua scripts make the two state changes atomic:

- `admit`: the first arrival of some bytes stores them once (under their id)
  with their source; a later arrival of the same bytes only adds an alias.
- `commit`: writes the record, keeps the counters exact and adds one stream
  entry the first time an article is committed. A redelivered task commits the
  same record again: no second stream entry, no double count.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from newsflow.keys import Keys
from newsflow.record import check_id, status_code

#: Entries kept in the results stream (approximate trimming).
STREAM_MAXLEN = 100_000
#: Names kept per article in its alias list.
MAX_ALIASES = 1000


def connect(url: str, **kwargs: Any) -> redis.Redis:
    """A client for `url` that retries transient connection errors with backoff."""
    options: dict[str, Any] = dict(
        socket_timeout=30,
        socket_connect_timeout=10,
        socket_keepalive=True,
        health_check_interval=30,
        # ~30 s of retries with backoff: a Redis restart is invisible to the stages.
        retry=Retry(ExponentialBackoff(cap=2, base=0.05), retries=20),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
    )
    options.update(kwargs)
    return redis.Redis.from_url(url, **options)


_ADMIT = """
-- KEYS: source, raw, aliases, stats, record
-- ARGV: name, path, size, sha256, now, has_raw, raw, error_type, error_message, max_aliases
-- Returns 1: new (stored, to be queued); 0: known name, result committed;
--         2: new alias, result pending; 3: new alias, result already committed;
--         4: known name, no result yet (queue it again: an admission may have
--            been cut off before its message was sent; a second message is harmless).
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('HGET', KEYS[1], 'name') == ARGV[1] then
    if redis.call('EXISTS', KEYS[5]) == 1 then return 0 end
    return 4
  end
  local known = redis.call('LRANGE', KEYS[3], 0, -1)
  for _, n in ipairs(known) do
    if n == ARGV[1] then return 0 end
  end
  if #known >= tonumber(ARGV[10]) then return 0 end
  redis.call('RPUSH', KEYS[3], ARGV[1])
  if redis.call('EXISTS', KEYS[5]) == 1 then return 3 end
  return 2
end
redis.call('HSET', KEYS[1], 'name', ARGV[1], 'path', ARGV[2], 'bytes', ARGV[3],
           'sha256', ARGV[4], 'admitted_at', ARGV[5])
if ARGV[8] ~= '' then
  redis.call('HSET', KEYS[1], 'error_type', ARGV[8], 'error_message', ARGV[9])
end
if ARGV[6] == '1' then redis.call('SET', KEYS[2], ARGV[7]) end
redis.call('HINCRBY', KEYS[4], 'admitted', 1)
return 1
"""

_COMMIT = """
-- KEYS: record, stats, stream, raw, failed, attempts, status, results_blocked
-- ARGV: id, record_json, code, story_id, duplicate_of, now, maxlen
local old = redis.call('HGET', KEYS[7], ARGV[1])
redis.call('ZREM', KEYS[8], ARGV[1])
redis.call('SET', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[7], ARGV[1], ARGV[3])
local function count(code, by)
  if code == 'ok' then redis.call('HINCRBY', KEYS[2], 'done', by)
  elseif code == 'dup' then
    redis.call('HINCRBY', KEYS[2], 'done', by)
    redis.call('HINCRBY', KEYS[2], 'duplicates', by)
  elseif code == 'failed' then redis.call('HINCRBY', KEYS[2], 'failed', by) end
end
if old ~= ARGV[3] then
  if old then count(old, -1) end
  count(ARGV[3], 1)
end
if ARGV[3] == 'failed' then
  redis.call('ZADD', KEYS[5], ARGV[6], ARGV[1])
else
  redis.call('ZREM', KEYS[5], ARGV[1])
end
redis.call('DEL', KEYS[4], KEYS[6])
if not old then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*', 'id', ARGV[1], 'status', ARGV[3],
             'story_id', ARGV[4], 'duplicate_of', ARGV[5])
  return 1
end
return 0
"""


@dataclass(frozen=True)
class Source:
    """Where and how some bytes arrived: the fields of the record's `source`."""

    name: str
    path: str
    size: int
    sha256: str


class Store:
    """newsflow's Redis state, with the key layout of `Keys`."""

    def __init__(self, client: redis.Redis, keys: Keys):
        self.r = client
        self.keys = keys
        self._admit = client.register_script(_ADMIT)
        self._commit = client.register_script(_COMMIT)

    # -- intake ---------------------------------------------------------
    def admit(
        self,
        article_id: str,
        source: Source,
        data: bytes | None,
        error: tuple[str, str] | None = None,
        client: Any = None,
    ) -> int:
        """Store the first arrival of these bytes. Returns the outcome code of the `_ADMIT` script.

        `data` None with an `error` admits an input that could not be read
        (too large, unreadable): the worker turns it into a failed record.
        """
        check_id(article_id)
        k = self.keys
        error_type, error_message = error or ("", "")
        result = self._admit(
            keys=[k.source(article_id), k.raw(article_id), k.aliases(article_id), k.stats(),
                  k.record(article_id)],
            args=[
                source.name,
                source.path,
                source.size,
                source.sha256,
                f"{time.time():.3f}",
                "1" if data is not None else "0",
                data if data is not None else b"",
                error_type,
                error_message,
                MAX_ALIASES,
            ],
            client=client,
        )
        return result if client is not None else int(result)  # a pipeline answers on execute()

    def admit_many(
        self, items: list[tuple[str, Source, bytes | None, tuple[str, str] | None]]
    ) -> list[int]:
        """`admit` for many inputs in one round trip (a pipeline of the same script)."""
        if len(items) == 1:
            return [self.admit(*items[0])]
        pipe = self.r.pipeline(transaction=False)
        for article_id, source, data, error in items:
            self.admit(article_id, source, data, error, client=pipe)
        return [int(x) for x in pipe.execute()]

    def source(self, article_id: str) -> dict[str, str]:
        raw = self.r.hgetall(self.keys.source(article_id))
        return {k.decode(): v.decode("utf-8", "replace") for k, v in raw.items()}

    def raw(self, article_id: str) -> bytes | None:
        return self.r.get(self.keys.raw(article_id))

    def aliases(self, article_id: str) -> list[str]:
        return [a.decode("utf-8", "replace") for a in self.r.lrange(self.keys.aliases(article_id), 0, -1)]

    def block_results(self, article_id: str) -> None:
        """Note that this article's result file could not be written (until it commits)."""
        self.r.zadd(self.keys.results_blocked(), {article_id: time.time()})

    def count_attempt(self, article_id: str, ttl: int) -> int:
        """Count one more delivery of this article's task; the count lives `ttl` seconds."""
        key = self.keys.attempts(article_id)
        pipe = self.r.pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl)
        return int(pipe.execute()[0])

    # -- results --------------------------------------------------------
    def commit(self, record: dict[str, Any]) -> bool:
        """Store the record, count it, announce it; True the first time this id is committed."""
        article_id = check_id(record["id"])
        k = self.keys
        return bool(
            self._commit(
                keys=[
                    k.record(article_id),
                    k.stats(),
                    k.stream(),
                    k.raw(article_id),
                    k.failed(),
                    k.attempts(article_id),
                    k.status(),
                    k.results_blocked(),
                ],
                args=[
                    article_id,
                    json.dumps(record, ensure_ascii=False),
                    status_code(record),
                    record.get("story_id") or "",
                    record.get("duplicate_of") or "",
                    f"{time.time():.3f}",
                    STREAM_MAXLEN,
                ],
            )
        )

    def record(self, article_id: str) -> dict[str, Any] | None:
        raw = self.r.get(self.keys.record(check_id(article_id)))
        return json.loads(raw) if raw is not None else None

    def records(self, ids: list[str]) -> list[dict[str, Any] | None]:
        if not ids:
            return []
        raws = self.r.mget([self.keys.record(check_id(i)) for i in ids])
        return [json.loads(r) if r is not None else None for r in raws]

    def stats(self) -> dict[str, int]:
        raw = self.r.hgetall(self.keys.stats())
        out = {"admitted": 0, "done": 0, "failed": 0, "duplicates": 0}
        out.update({k.decode(): int(v) for k, v in raw.items()})
        return out


def write_result_file(results_dir: Path, record: dict[str, Any]) -> Path:
    """Write `<results_dir>/<id>.json` atomically: readers see the old file or the whole new one."""
    article_id = check_id(record["id"])  # the name comes from the id, never from the input's name
    results_dir.mkdir(parents=True, exist_ok=True)
    target = results_dir / f"{article_id}.json"
    fd, tmp = tempfile.mkstemp(prefix=f".{article_id}.", suffix=".tmp", dir=results_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(record, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
