"""A hostile website: every broken or malicious answer is one page's failure, with its reason
in source_health; the run ends ok, stores the good pages, and never hangs."""

from __future__ import annotations

import functools
import json
import random
import time
import tracemalloc
from pathlib import Path

import pytest
import sqlite_utils
from webserver import SAMPLE, WebServer

from sentinella.ingest.discover import discover_sitemap
from sentinella.ingest.fetch import Fetcher
from sentinella.ingest.sources import Source

RULES = "blank:it"  # orchestration is what is tested here
GOOD = "/comune-torino/2026-10-21-scuole-pnrr-cantieri.html"
ALSO_GOOD = "/comune-cuneo/2026-10-19-viadotto-soleri.html"
HTML = {"Content-Type": "text/html; charset=utf-8"}
XML = {"Content-Type": "application/rss+xml"}

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<rss version="2.0"><channel><title>&f;</title>
<item><title>x</title><link>http://127.0.0.1/x</link><description>&f;</description></item>
</channel></rss>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title>
<item><title>&secret;</title><link>http://127.0.0.1/x</link></item></channel></rss>"""


def _sitemap(web: WebServer, count: int) -> bytes:
    """`count` old entries, and the two good pages as the newest."""
    old = "".join(
        f"<url><loc>{web.url(f'/archivio/{i}.html')}</loc><lastmod>2019-01-01</lastmod></url>"
        for i in range(count)
    )
    new = "".join(
        f"<url><loc>{web.url(p)}</loc><lastmod>2026-11-0{i + 1}</lastmod></url>"
        for i, p in enumerate([GOOD, ALSO_GOOD])
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{old}{new}</urlset>'
    ).encode()


def _trickle():
    for byte in b"<html><body><p>" + b"lentissimo " * 1000:
        yield bytes([byte])
        time.sleep(1)


class Hostile:
    """Routes of the hostile site; `asked` counts requests per path."""

    def __init__(self, web: WebServer):
        self.web, self.asked = web, {}
        rnd = random.Random(14)
        article = (SAMPLE / GOOD.lstrip("/")).read_bytes()
        pages = {
            "/h/huge.html": (200, HTML, b"<p>" + b"x" * 50_000_000 + b"</p>"),
            "/h/nested.html": (
                200,
                HTML,
                b"<html><body>"
                + b"<div>" * 10_000
                + b"testo"
                + b"</div>" * 10_000
                + b"</body></html>",
            ),
            "/h/binary.html": (200, HTML, rnd.randbytes(20_000)),
            "/h/doc.pdf": (
                200,
                {"Content-Type": "application/pdf"},
                b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            ),
            "/h/pdf-as-html.html": (200, HTML, b"%PDF-1.4\n1 0 obj << /Type /Catalog >>"),
            "/h/empty.html": (200, HTML, b""),
            "/h/invalid-utf8.html": (200, HTML, article.replace("à".encode(), b"\xe0\xff")),
            "/h/loop-a": (302, {"Location": "/h/loop-b"}, b""),
            "/h/loop-b": (302, {"Location": "/h/loop-a"}, b""),
            "/h/429-forever.html": (429, {"Retry-After": "3600"}, b"troppo"),
            "/feed-bomb.xml": (200, XML, BOMB),
            "/feed-xxe.xml": (200, XML, XXE),
            "/sitemap-100k.xml": (200, {"Content-Type": "application/xml"}, _sitemap(web, 100_000)),
        }
        for path, answer in pages.items():
            web.routes[path] = functools.partial(self._answer, answer)
        web.routes["/h/trickle.html"] = lambda w, r: (200, HTML, _trickle())
        web.routes["/h/429-once.html"] = self._busy_once
        web.routes["/robots.txt"] = self._robots

    def _answer(self, answer, web, request):
        self.asked[request.path] = self.asked.get(request.path, 0) + 1
        return answer

    def _busy_once(self, web, request):
        seen = self.asked.get(request.path, 0)
        self.asked[request.path] = seen + 1
        if seen == 0:
            return 429, {"Retry-After": "1"}, b"troppe richieste"
        return 200, HTML, (SAMPLE / ALSO_GOOD.lstrip("/")).read_bytes()

    def _robots(self, web, request):  # "localhost" is another site, closed to robots
        closed = request.host.startswith("localhost")
        return (
            200,
            {"Content-Type": "text/plain"},
            b"User-agent: *\nDisallow: /\n" if closed else b"",
        )


def _registry(web: WebServer, path: Path) -> Path:
    hostile = [
        *(
            web.url(f"/h/{n}")
            for n in (
                "huge.html",
                "nested.html",
                "binary.html",
                "doc.pdf",
                "pdf-as-html.html",
                "empty.html",
                "invalid-utf8.html",
                "loop-a",
                "trickle.html",
                "429-forever.html",
                "429-once.html",
            )
        ),
        web.url("/comune-novara/2026-09-10-servizi-digitali-anagrafe.html", host="localhost"),
    ]
    text = f"""
[[source]]
name = "hostile"
publisher = "Ostile"
kind = "url"
url = "{web.url(GOOD)}"
urls = {json.dumps(hostile)}
allow_private_network = true
delay = 0

[[source]]
name = "private"
publisher = "Reti private"
kind = "url"
url = "http://169.254.169.254/latest/meta-data/"
urls = ["http://10.1.2.3/comunicati/", "http://192.168.1.1/", "{web.url(GOOD)}", "http://[fe80::1]/"]
delay = 0

[[source]]
name = "bomb"
publisher = "Bomba"
kind = "feed"
url = "{web.url("/feed-bomb.xml")}"
allow_private_network = true

[[source]]
name = "xxe"
publisher = "Entità esterne"
kind = "feed"
url = "{web.url("/feed-xxe.xml")}"
allow_private_network = true

[[source]]
name = "sitemap-100k"
publisher = "Sitemap enorme"
kind = "sitemap"
url = "{web.url("/sitemap-100k.xml")}"
max_items = 2
allow_private_network = true
delay = 0
"""
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow
def test_a_hostile_site_costs_pages_never_the_run(prefect_server, tmp_path, monkeypatch):
    from sentinella.flows import nightly as module

    # Caps small enough for a test: 3 s for a whole body, Retry-After honoured up to 5 s.
    monkeypatch.setattr(module, "Fetcher", functools.partial(Fetcher, max_seconds=3, max_backoff=5))
    with WebServer() as web:
        site = Hostile(web)
        sources = _registry(web, tmp_path / "sources.toml")
        started = time.monotonic()
        summary = module.nightly(sources_file=sources, db_path=tmp_path / "kb.db", model=RULES)
        elapsed = time.monotonic() - started
    assert summary.status == "ok"
    assert elapsed < 120  # the trickle, the loop and the 429s cost seconds, not the night
    health = {s.source: s for s in summary.sources}
    failures = {f.split(": ", 1)[0].rsplit("/", 1)[-1]: f for f in health["hostile"].failures}
    expected = {
        "huge.html": "too large",
        "nested.html": "no main text",
        "binary.html": "binary content served as text/html",
        "doc.pdf": "a PDF document (skipped",
        "pdf-as-html.html": "a PDF document (skipped",
        "empty.html": "empty body",
        "loop-a": "more than 5 redirects",
        "trickle.html": "too slow: body not received in 3 s",
        "429-forever.html": "Retry-After 3600 is more than 5 s",
        "2026-09-10-servizi-digitali-anagrafe.html": "disallowed by robots.txt",
    }
    for name, reason in expected.items():
        assert reason in failures.get(name, ""), (name, failures.get(name))
    assert health["hostile"].failed == len(expected)
    # The good page, the page behind a 429 answered after its Retry-After, and the page with
    # invalid UTF-8 (decoded leniently) are stored.
    assert health["hostile"].new == 3 and site.asked["/h/429-once.html"] == 2
    # Private and link-local addresses: refused before any connection, with the reason.
    private = health["private"]
    assert private.failed == 5 and private.new == 0
    assert all("allow_private_network is off" in f for f in private.failures)
    assert "169.254.169.254 is a private or loopback address" in private.failures[0]
    for name in ("bomb", "xxe"):
        (reason,) = health[name].failures
        assert "refused: the XML declares entities" in reason
    big = health["sitemap-100k"]  # the two newest of 100,002: one was stored above already
    assert (big.seen, big.new, big.unchanged, big.failed) == (2, 1, 1, 0)
    db = sqlite_utils.Database(tmp_path / "kb.db")
    run = next(db.query("select status, failed from runs"))
    assert run == {"status": "ok", "failed": summary.total("failed")}
    stored = {r["url"] for r in db.query("select url from documents")}
    assert len(stored) == summary.total("new")


@pytest.mark.slow
def test_a_100000_url_sitemap_keeps_the_newest_in_flat_memory(web):
    web.routes["/big.xml"] = lambda w, r: (200, {"Content-Type": "application/xml"}, big)
    big = _sitemap(web, 100_000)
    source = Source(
        name="big",
        publisher="Big",
        kind="sitemap",
        url=web.url("/big.xml"),
        max_items=2,
        allow_private_network=True,
        settings={"delay": 0},
    )
    with Fetcher(allow_private_network=True, per_host_delay=0) as fetcher:
        tracemalloc.start()
        found = discover_sitemap(source, fetcher)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert [c.url for c in found] == [web.url(ALSO_GOOD), web.url(GOOD)]
    # The body itself (~9 MB) is held once or twice; 100,000 kept entries would add ~40 MB.
    assert peak < 3 * len(big) + 5_000_000, peak


@pytest.mark.slow
def test_a_long_page_in_a_folder_beside_a_35_page_source(prefect_server, tmp_path):
    """Issue 14's night: a 1.1 MB page (1.12 M characters, over spaCy's max_length) in a
    folder source used to stop the run and lose the other source's 35 pages."""
    from sentinella.flows.nightly import nightly

    folder = tmp_path / "lunga"
    folder.mkdir()
    # A long report: few facts (extracting thousands of commitments takes a minute or more:
    # bench/bench_long_page.py measures that), length over max_length.
    paragraph = (
        "<p>Nel lotto {i} della strada provinciale i cittadini del quartiere hanno chiesto "
        "marciapiedi più larghi, nuova illuminazione e un attraversamento vicino alla scuola "
        "elementare, come si legge nel verbale dell'assemblea pubblica.</p>\n"
    )
    body = "".join(paragraph.format(i=i) for i in range(5_000))
    body += "<p>La Giunta regionale ha stanziato 3 milioni di euro per il lotto finale.</p>"
    page = f"<html lang='it'><head><title>Piano</title></head><body><article>{body}</article></body></html>"
    (folder / "piano.html").write_text(page, encoding="utf-8")
    assert len(page) > 1_100_000
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "lunga"\npublisher = "L"\nkind = "folder"\npath = "lunga"\n\n'
        f'[[source]]\nname = "sample"\npublisher = "S"\nkind = "folder"\npath = "{SAMPLE}"\n',
        encoding="utf-8",
    )
    summary = nightly(sources_file=sources, db_path=tmp_path / "kb.db", model=RULES)
    assert summary.status == "ok"
    assert (summary.total("new"), summary.total("failed")) == (36, 0)
    db = sqlite_utils.Database(tmp_path / "kb.db")
    long_text = next(db.query("select text from documents where title = 'Piano'"))["text"]
    assert len(long_text) > 1_000_000  # over blank:it's max_length, extracted in pieces
