"""The numbers an operator watches, read from Redis: `newsflow status` and the summary event."""

from __future__ import annotations

import json
from typing import Any

import redis

from newsflow.index import Index
from newsflow.keys import Keys
from newsflow.settings import Settings


def workers_online(client: redis.Redis, keys: Keys) -> list[dict[str, Any]]:
    """The heartbeats of live worker nodes."""
    names = list(client.scan_iter(match=keys.worker_pattern(), count=1000))
    beats = client.mget(names) if names else []
    return [json.loads(b) for b in beats if b is not None]


def snapshot(client: redis.Redis, settings: Settings) -> dict[str, int]:
    """Queue depth, results by kind, stories and workers online (contract: `status --json`)."""
    keys = Keys(settings.key_prefix)
    pipe = client.pipeline()
    pipe.llen(keys.queue(settings.queue))
    pipe.hlen(keys.unacked())
    pipe.hgetall(keys.stats())
    queued, in_flight, raw_stats = pipe.execute()
    stats = {k.decode(): int(v) for k, v in raw_stats.items()}
    nodes = workers_online(client, keys)
    return {
        "queued": int(queued),
        "in_flight": int(in_flight),
        "admitted": stats.get("admitted", 0),
        "done": stats.get("done", 0),
        "failed": stats.get("failed", 0),
        "duplicates": stats.get("duplicates", 0),
        "stories": Index(client, keys, settings.fingerprint).story_count(),
        "workers": sum(int(n.get("concurrency", 1)) for n in nodes),
        "nodes": len(nodes),
    }


def render(snap: dict[str, int]) -> str:
    """`status` for people: one aligned line per number."""
    width = max(len(k) for k in snap)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in snap.items())
