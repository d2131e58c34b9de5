"""Site furniture learned across documents, on a real Redis-protocol server (embedded Valkey)."""

from __future__ import annotations

from newsflow.clean import CleanSettings, clean, line_key, site_of
from newsflow.values import Document
from newsflow.siteprofile import SiteProfileStore

PROMO = "Escape your echo chamber and read the facts that matter every single morning."


_TOWNS = ["Alford", "Brixham", "Cowes", "Dunmore", "Elgin", "Fowey", "Girvan", "Hythe", "Irvine", "Jarrow",
          "Keswick", "Lanark", "Moffat", "Nairn"]
_THINGS = ["bridge", "market", "school", "harbour", "library", "station"]


def _page(n: int) -> bytes:
    town = _TOWNS[n]
    body = "\n".join(
        f"The {thing} of {town} was the subject of a long meeting where the people of {town} said what they think."
        for thing in _THINGS
    )
    return (f"What {town} decided about its future - Example Times\nHome\nWorld\n{body}\n{PROMO}\n"
            f"Residents of {town} will vote on the plans when the council has published all of them.\n").encode()


def test_profile_learns_lines_repeated_across_documents(redis_client, keys):
    """A line printed by three different pages of one site becomes that site's furniture and is cleaned away."""
    store = SiteProfileStore(redis_client, keys, CleanSettings(site_min_docs=3))
    docs = [Document(f"p{n}.txt", _page(n)) for n in range(4)]
    assert store.profile_for(site_of(docs[0])) is None
    for doc in docs[:3]:
        store.learn(site_of(doc), clean(doc))
    profile = store.profile_for(site_of(docs[3]))
    assert profile is not None and profile.site == "example times"
    assert line_key(PROMO) in profile.lines
    without = clean(docs[3])
    with_profile = clean(docs[3], CleanSettings(), profile)
    assert PROMO in without.paragraphs
    assert PROMO not in with_profile.paragraphs
    assert len(with_profile.paragraphs) == len(without.paragraphs) - 1


def test_same_document_is_counted_once(redis_client, keys):
    """Learning the same article again (a re-drop or an update) does not count its lines twice."""
    store = SiteProfileStore(redis_client, keys, CleanSettings(site_min_docs=2))
    doc = Document("a.txt", _page(1))
    for _ in range(3):
        store.learn(site_of(doc), clean(doc))
    assert store.profile_for(site_of(doc)) is None


def test_memory_is_bounded(redis_client, keys):
    """Lines per site are capped (least frequent evicted), document signatures too, and every key expires."""
    settings = CleanSettings(site_max_lines=20, site_max_docs=5, site_ttl_days=1)
    store = SiteProfileStore(redis_client, keys, settings)
    for n in range(12):
        doc = Document(f"p{n}.txt", _page(n))
        store.learn(site_of(doc), clean(doc))
    site_keys = [k for k in redis_client.scan_iter(f"{keys.prefix}:site:*")]
    assert len(site_keys) == 2
    for k in site_keys:
        assert 0 < redis_client.ttl(k) <= 86400
        kind = k.decode().rsplit(":", 1)[1]
        size = redis_client.zcard(k)
        assert size <= (2 * 20 if kind == "lines" else 5)


def test_unknown_site_is_neither_read_nor_learned(redis_client, keys):
    """A document that names no site gets no profile and leaves no keys behind."""
    store = SiteProfileStore(redis_client, keys)
    doc = Document("x.txt", b"Plain words without any site name in the first line at all.\nMore text here follows.\n")
    store.learn(site_of(doc), clean(doc))
    assert store.profile_for(site_of(doc)) is None
    assert list(redis_client.scan_iter(f"{keys.prefix}:*")) == []


def test_profile_for_uses_hints_and_html(redis_client, keys):
    """The site comes from a URL hint, or from an HTML page's canonical link."""
    assert site_of(Document("a.txt", b"x", {"url": "https://www.example.org/a/b"})) == "example.org"
    html = b'<html><head><link rel="canonical" href="https://news.example.com/x"></head><body>x</body></html>'
    assert site_of(Document("a.html", html)) == "news.example.com"
    assert site_of(Document("a.json", b'{"source_domain": "example.net", "maintext": "x"}')) == "example.net"
