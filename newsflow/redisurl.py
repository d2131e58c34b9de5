"""Redis URLs newsflow accepts: plain (`redis://`, `rediss://`, `unix://`), and Sentinel.

    sentinel://[:password@]host1:port1,host2:port2,host3:port3/db?master=NAME

names the sentinels of a replicated Redis (or Valkey) group and the group's name; the password
is the data servers' (the sentinels are asked without one). Every newsflow client and the
broker find the group's current primary through the sentinels, and again after a failover.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote

SCHEMES = ("redis://", "rediss://", "unix://", "sentinel://")
#: Port of a sentinel written without one.
SENTINEL_PORT = 26379


def is_sentinel(url: str) -> bool:
    return url.startswith("sentinel://")


@dataclass(frozen=True)
class SentinelURL:
    """A parsed `sentinel://` URL."""

    sentinels: tuple[tuple[str, int], ...]
    master: str
    password: str | None = None
    db: int = 0

    @classmethod
    def parse(cls, url: str) -> "SentinelURL":
        """Parse `url`; ValueError saying what is wrong and the form expected otherwise."""
        form = "sentinel://[:password@]host1:port1,host2:port2/db?master=NAME"
        if not is_sentinel(url):
            raise ValueError(f"not a Sentinel URL: expected {form}")
        rest = url[len("sentinel://"):]
        rest, _, query = rest.partition("?")
        rest, _, path = rest.partition("/")
        auth, _, hosts = rest.rpartition("@")
        password = unquote(auth.partition(":")[2]) if auth else None
        master = parse_qs(query).get("master", [""])[0]
        if not master:
            raise ValueError(f"a Sentinel URL names its group with ?master=NAME: expected {form}")
        try:
            db = int(path or 0)
            sentinels = tuple(_host_port(h) for h in hosts.split(",") if h)
        except ValueError:
            raise ValueError(f"unreadable hosts, ports or database in a Sentinel URL: expected {form}") from None
        if not sentinels:
            raise ValueError(f"a Sentinel URL names at least one sentinel: expected {form}")
        return cls(sentinels, master, password or None, db)

    def broker_url(self) -> str:
        """The same group as kombu's Sentinel transport reads it (its `master_name` apart)."""
        auth = f":{quote(self.password, safe='')}@" if self.password else ""
        return ";".join(f"sentinel://{auth}{host}:{port}/{self.db}" for host, port in self.sentinels)

    def where(self) -> str:
        """The sentinels and group, never the password (for messages)."""
        return ",".join(f"{h}:{p}" for h, p in self.sentinels) + f" (group {self.master})"


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":") if ":" in text else (text, "", "")
    return host, int(port) if port else SENTINEL_PORT
