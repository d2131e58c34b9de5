"""Configuration: environment -> one Settings object -> arguments.

This is the only module that reads `NEWSFLOW_*` variables. Everything else
receives the values it needs as arguments. Each stage owns a frozen settings
dataclass of its thresholds (with a comment per value); any of their fields
can be overridden as `NEWSFLOW_<STAGE>_<FIELD>` (e.g.
`NEWSFLOW_INDEX_STORY_WINDOW_DAYS=3`).
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from newsflow.clean import CleanSettings
from newsflow.fingerprint import FingerprintSettings
from newsflow.embed.settings import EmbedSettings
from newsflow.placement.settings import IndexSettings
from newsflow.redisurl import SCHEMES, SentinelURL, is_sentinel
from newsflow.tag import TagSettings

MiB = 1024 * 1024
#: Seconds past `article_time_limit` before a pool process that did not stop is killed.
TIME_LIMIT_GRACE = 30.0


#: The fields of Settings that are a stage's own settings object, each read from NEWSFLOW_<STAGE>_<FIELD>
#: (names, not an order: the order the stages run is newsflow.pipeline.CHAIN).
STAGE_SETTINGS = ("clean", "fingerprint", "tag", "index", "embed")


#: Seconds in each unit a duration may use.
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")


def parse_duration(text: str) -> float:
    """Seconds of a duration: "30d", "12h", "15m", "90s", "2w" or a bare number of seconds;
    "0" means for ever (0.0)."""
    found = _DURATION.match(str(text).lower())
    if not found:
        raise ValueError(f"not a duration: {text!r}; write a number and a unit (s, m, h, d, w), e.g. 30d, "
                         "12h, 90s, or 0 to keep articles for ever")
    return float(found.group(1)) * DURATION_UNITS[found.group(2) or "s"]


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected a boolean (1/0, true/false, yes/no), got {value!r}")


def _convert(name: str, raw: str, default: Any) -> Any:
    """Convert an environment string to the type of the field's default."""
    try:
        if isinstance(default, bool):
            return _bool(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, Path):
            return Path(raw).expanduser()
        if isinstance(default, tuple):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        if default is None or isinstance(default, str):
            return raw
    except ValueError as exc:
        raise ValueError(f"{name}={raw!r}: {exc}; unset it or give a valid value") from None
    raise ValueError(f"{name} cannot be set from the environment")


def _overridden(obj: Any, env: Mapping[str, str], prefix: str) -> Any:
    """A copy of dataclass `obj` with fields replaced from `{prefix}{FIELD}` variables."""
    changes = {}
    for f in dataclasses.fields(obj):
        name = f"{prefix}{f.name.upper()}"
        if name in env:
            changes[f.name] = _convert(name, env[name], getattr(obj, f.name))
    return dataclasses.replace(obj, **changes) if changes else obj


def _with_earlier_index_names(env: Mapping[str, str]) -> dict[str, str]:
    """The index's fields were once the fingerprint stage's: `NEWSFLOW_FINGERPRINT_<FIELD>` still
    sets them (`NEWSFLOW_INDEX_<FIELD>` wins when both are set)."""
    earlier = {"NEWSFLOW_INDEX_" + k[len("NEWSFLOW_FINGERPRINT_"):]: v for k, v in env.items()
               if k.startswith("NEWSFLOW_FINGERPRINT_")}
    return {**earlier, **env}


@dataclass(frozen=True)
class Settings:
    """Every setting of newsflow, with its default. See the README's table."""

    #: Shared Redis for every process; None means the embedded server in `state_dir`.
    redis_url: str | None = None
    #: Folder for the embedded server's data (append-only file) and runtime files.
    state_dir: Path = Path(".newsflow")
    #: Share of the machine's memory the embedded server may hold (its maxmemory, with noeviction:
    #: at the limit writes are refused and retried, never an article's key dropped); 0: no limit.
    embedded_maxmemory_share: float = 0.5
    inbox: Path = Path("inbox")
    #: How long an article stays in Redis after its commit ("30d", "12h", "90s"; "0": for ever).
    #: Past it the whole article leaves Redis (newsflow.retention); its result file stays.
    retention: str = "30d"
    results: Path = Path("results")
    #: Worker processes started by `up` (Celery prefork concurrency).
    workers: int = max(1, os.cpu_count() or 1)
    #: Prefix of every Redis key newsflow writes (see newsflow.keys).
    key_prefix: str = "newsflow"
    #: Celery queue the watcher feeds and the workers consume.
    queue: str = "newsflow"
    #: Largest input file read, in bytes; larger files get a failed record.
    max_bytes: int = 20 * MiB
    #: "json" (one JSON object per line) or "console" (human-readable).
    log_format: str = "json"
    log_level: str = "info"
    #: Use watchdog's polling observer (network mounts, where inotify sees nothing).
    watch_polling: bool = False
    #: Seconds a file's size and mtime must stay unchanged before it is taken, where
    #: neither a close-write event nor a lease probe says it is complete (no lease rights).
    quiet_seconds: float = 1.0
    #: Seconds a file closed after writing must stay unchanged before it is taken: a writer
    #: that closes and reopens it (open-append-close loops) is not done. Files renamed into
    #: place are taken at once. Costs this much latency for files written in place.
    settle_seconds: float = 1.0
    #: Seconds between reconciliation scans of the inbox (catches missed events).
    rescan_seconds: float = 60.0
    #: The watcher stops admitting files while this many tasks are queued.
    high_water: int = 2000
    #: ... and resumes once the queue is back under this many.
    low_water: int = 1000
    #: Attempts for a task that fails on a transient error, before a failed record.
    max_retries: int = 3
    #: Seconds before Celery's Redis transport redelivers an unacknowledged task
    #: (a worker node died holding it). Longer than any article takes; a task that
    #: outlives it runs twice, harmlessly (idempotent results).
    visibility_timeout: int = 300
    #: Seconds one article may take in a worker: past it the article gets a failed
    #: record (TimeLimit) and the worker takes the next one. A pool process still
    #: stuck (in C code) TIME_LIMIT_GRACE seconds later is killed and the message
    #: redelivered (at most max_retries + 1 times). With the grace it stays under
    #: visibility_timeout, so a running article is never delivered a second time.
    article_time_limit: float = 120.0
    #: Articles a pool process takes before its node replaces it with a fresh fork (which has the
    #: node's models, loaded before the pool forked). spaCy's vocabulary keeps every new string
    #: it reads, forever: +103,108 strings and +15.6 MB of RSS over 984 dev pages in one process
    #: (~18 strings per clean news article), so a process that never ends grows without end;
    #: 10,000 articles bound that to a few tens of MB (a replacement costs ~0.25 s). 0: never.
    max_articles_per_process: int = 10_000
    #: Celery task events (for `celery events`, Flower): sent by workers and the watcher.
    task_events: bool = True
    #: Seconds between `summary` log events (0 turns them off).
    summary_seconds: float = 30.0
    #: Port of the Prometheus /metrics endpoint `up` serves (0: off, the default).
    metrics_port: int = 0
    #: Address the metrics endpoint binds to.
    metrics_host: str = "127.0.0.1"
    clean: CleanSettings = field(default_factory=CleanSettings)
    fingerprint: FingerprintSettings = field(default_factory=FingerprintSettings)
    index: IndexSettings = field(default_factory=IndexSettings)
    tag: TagSettings = field(default_factory=TagSettings)
    embed: EmbedSettings = field(default_factory=EmbedSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Settings from `NEWSFLOW_*` variables, then explicit overrides (CLI flags)."""
        env = os.environ if env is None else env
        settings = _overridden(cls(), env, "NEWSFLOW_")
        for stage in STAGE_SETTINGS:
            scoped = _with_earlier_index_names(env) if stage == "index" else env
            stage_settings = _overridden(getattr(settings, stage), scoped, f"NEWSFLOW_{stage.upper()}_")
            settings = dataclasses.replace(settings, **{stage: stage_settings})
        overrides = {k: v for k, v in overrides.items() if v is not None}
        settings = dataclasses.replace(settings, **overrides)
        settings.validate()
        return settings

    @property
    def retention_seconds(self) -> float:
        """`retention` in seconds (0: for ever)."""
        return parse_duration(self.retention)

    def validate(self) -> None:
        try:
            self.retention_seconds
        except ValueError as exc:
            raise ValueError(f"NEWSFLOW_RETENTION: {exc}") from None
        if self.log_format not in {"json", "console"}:
            raise ValueError(f"log_format must be 'json' or 'console', got {self.log_format!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if not 0 <= self.embedded_maxmemory_share <= 1:
            raise ValueError("NEWSFLOW_EMBEDDED_MAXMEMORY_SHARE must be a share of memory from 0 (no limit) to 1, "
                             f"got {self.embedded_maxmemory_share}")
        if self.max_bytes < 1:
            raise ValueError(f"max_bytes must be positive, got {self.max_bytes}")
        if self.max_articles_per_process < 0:
            raise ValueError("NEWSFLOW_MAX_ARTICLES_PER_PROCESS must be 0 (never replaced) or more, "
                             f"got {self.max_articles_per_process}")
        if not 0 <= self.low_water <= self.high_water:
            raise ValueError(
                f"need 0 <= low_water ({self.low_water}) <= high_water ({self.high_water})"
            )
        if not 0 < self.article_time_limit < self.visibility_timeout - TIME_LIMIT_GRACE:
            raise ValueError(
                f"article_time_limit ({self.article_time_limit}) must be positive and at least "
                f"{TIME_LIMIT_GRACE:.0f} s under visibility_timeout ({self.visibility_timeout}), or a "
                "running article is delivered twice: lower NEWSFLOW_ARTICLE_TIME_LIMIT or raise "
                "NEWSFLOW_VISIBILITY_TIMEOUT"
            )
        if self.redis_url is not None:
            if not self.redis_url.startswith(SCHEMES):
                raise ValueError("NEWSFLOW_REDIS_URL must start with redis://, rediss://, unix:// or "
                                 f"sentinel://, got {self.redis_url.split('@')[-1]!r}")
            if is_sentinel(self.redis_url):
                SentinelURL.parse(self.redis_url)

    def as_env(self) -> dict[str, str]:
        """The service-level settings as `NEWSFLOW_*` variables, for child processes."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in STAGE_SETTINGS or value is None:
                continue
            out[f"NEWSFLOW_{f.name.upper()}"] = str(int(value) if isinstance(value, bool) else value)
        return out
