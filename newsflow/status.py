"""The numbers an operator watches, read from Redis: `newsflow status` and the summary event."""

from __future__ import annotations

import json
import time
from typing import Any

import redis

from newsflow.placement import Index
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
    pipe.zcard(keys.results_blocked())
    pipe.zcard(keys.pending())
    pipe.info("memory")
    pipe.zcard(keys.expiry())
    queued, in_flight, raw_stats, blocked, pending, memory, held = pipe.execute()
    stats = {k.decode(): int(v) for k, v in raw_stats.items()}
    nodes = workers_online(client, keys)
    return {
        "queued": int(queued),
        "in_flight": int(in_flight),
        "admitted": stats.get("admitted", 0),
        "done": stats.get("done", 0),
        "failed": stats.get("failed", 0),
        "duplicates": stats.get("duplicates", 0),
        "results_blocked": int(blocked),  # articles waiting for the results folder to take their file
        "pending": int(pending),  # admitted, no result yet
        "requeued": stats.get("requeued", 0),  # messages sent again by the sweep (lost by the broker)
        "stories": Index(client, keys, settings.index).story_count(),
        "workers": sum(int(n.get("concurrency", 1)) for n in nodes),
        "nodes": len(nodes),
        "redis_used_memory": int(memory.get("used_memory", 0)),  # bytes
        "redis_maxmemory": int(memory.get("maxmemory", 0)),  # bytes; 0: no limit
        "held": int(held),  # committed articles Redis still holds (within retention)
        "retention_seconds": int(settings.retention_seconds),  # 0: for ever
    }


class Rate:
    """Articles finished (done + failed) per second since the previous snapshot; None on the first."""

    def __init__(self) -> None:
        self._last: tuple[float, int] | None = None

    def __call__(self, snap: dict[str, int], now: float | None = None) -> float | None:
        now = time.monotonic() if now is None else now
        finished = snap["done"] + snap["failed"]
        last, self._last = self._last, (now, finished)
        return None if last is None else round((finished - last[1]) / max(1e-9, now - last[0]), 2)


def render(snap: dict[str, int]) -> str:
    """`status` for people: one aligned line per number."""
    width = max(len(k) for k in snap)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in snap.items())


def live(client: redis.Redis, settings: Settings, interval: float) -> None:
    """`status --watch`: a live table of the numbers and the rate, until Ctrl-C."""
    from rich.live import Live
    from rich.table import Table

    def table(snap: dict[str, int], rate: float | None) -> Table:
        t = Table(title=f"newsflow — {time.strftime('%H:%M:%S')}", show_header=False, min_width=36)
        t.add_column(style="bold")
        t.add_column(justify="right")
        t.add_row("articles/s", "–" if rate is None else f"{rate:.2f}")
        for key, value in snap.items():
            t.add_row(key, f"{value:,}")
        return t

    rate = Rate()
    with Live(auto_refresh=False) as view:
        while True:
            snap = snapshot(client, settings)
            view.update(table(snap, rate(snap)), refresh=True)
            time.sleep(interval)


#: Status fields that only grow, served as Prometheus counters (`<name>_total`: `rate()` and
#: `increase()` work on them); every other field is a gauge `newsflow_<field>`.
COUNTERS = {
    "admitted": "newsflow_articles_admitted",
    "done": "newsflow_articles_done",  # ok results, duplicates included
    "failed": "newsflow_articles_failed",
    "duplicates": "newsflow_articles_duplicates",
    "requeued": "newsflow_articles_requeued",  # messages the sweep sent again (lost by the broker)
}
#: Seconds a scrape waits for Redis per attempt (Prometheus's own scrape timeout is 10 s).
SCRAPE_TIMEOUT = 5.0
#: The gauge saying whether Redis answered the scrape (1) or not (0: no other metric then).
REDIS_UP = "newsflow_redis_up"


class StatusCollector:
    """A Prometheus collector reading the status numbers from Redis at scrape time: always
    current, no state here."""

    def __init__(self, client: redis.Redis, settings: Settings):
        self.client, self.settings = client, settings

    def collect(self):
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        try:
            snap = snapshot(self.client, self.settings)
        except redis.RedisError:
            yield GaugeMetricFamily(REDIS_UP, "1 when newsflow's Redis answered this scrape", value=0)
            return
        yield GaugeMetricFamily(REDIS_UP, "1 when newsflow's Redis answered this scrape", value=1)
        for key, value in snap.items():
            if key in COUNTERS:
                yield CounterMetricFamily(COUNTERS[key], f"articles {key} since the deployment began", value=value)
            else:
                yield GaugeMetricFamily(f"newsflow_{key}", f"newsflow status field {key}", value=value)


def serve_metrics(url: str, settings: Settings) -> None:
    """Serve the status as Prometheus metrics on settings.metrics_host:metrics_port (a daemon
    thread), and log `metrics_serving`; OSError if the address cannot be bound."""
    from prometheus_client import start_http_server
    from prometheus_client.core import REGISTRY

    from newsflow.connection import connect_quick

    from newsflow.logs import get_logger

    client = connect_quick(url, SCRAPE_TIMEOUT, retries=1)
    start_http_server(settings.metrics_port, addr=settings.metrics_host)  # bind first: fail before registering
    REGISTRY.register(StatusCollector(client, settings))
    get_logger().info("metrics_serving", bind=settings.metrics_host, port=settings.metrics_port)
