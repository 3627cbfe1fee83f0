"""Dates on real-world Italian page templates, served over HTTP as publishers serve them.

Five kinds of publisher (tests/fixtures/templates/): a municipality on the AGID "Design
Comuni" template, a regional portal (Drupal), a local paper (WordPress), a union (Joomla) and
a company site (JSON-LD), with the date in a different place on each, dates of other news in
sidebars, event dates, update lines and copyright years around it. Each page must come out
with its true date, or none, and the evidence it came from.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from webserver import WebServer

from sentinella.ingest.fetch import Fetcher
from sentinella.ingest.pages import gather
from sentinella.ingest.sources import Source

TEMPLATES = Path(__file__).resolve().parent / "fixtures" / "templates"

# path on the site → (template, feed pubDate or None, expected date, expected source)
PAGES = {
    "/novita/notizie/biblioteca-civica": ("comune-agid", None, "2024-07-17", "page"),
    "/novita/notizie/lavori-via-arduino": (
        "comune-aggiornamento",
        "Mon, 15 Jul 2024 09:00:00 +0200",
        "2024-07-15",
        "entry",
    ),
    "/web/pinforma/notizie/aree-interne": ("regione-portale", None, "2024-07-16", "page"),
    "/2024/07/15/canavese-presidio-meccanica/": (
        "giornale-locale",
        "Sun, 14 Jul 2024 22:30:00 +0000",
        "2024-07-15",
        "metadata",
    ),
    "/notizie/telecontact-sciopero": (
        "sindacato",
        "Thu, 11 Jul 2024 18:00:00 +0200",
        "2024-07-11",
        "page",
    ),
    "/news/nuovo-stabilimento-strambino": ("azienda", None, "2024-07-09", "metadata"),
    "/servizi/urp": ("senza-data", None, None, "none"),
}
# Pages fetched by address, with no feed entry.
BY_ADDRESS = {
    "/avvisi/2024/07/08/chiusura-anagrafe": ("comune-solo-url", "2024-07-08", "url"),
    "/novita/notizie/lavori-via-arduino": ("comune-aggiornamento", "2024-07-17", "page"),
    "/servizi/urp": ("senza-data", None, "none"),
}


def _feed(web: WebServer) -> bytes:
    items = "".join(
        f"<item><title>{name}</title><link>{web.url(path)}</link>"
        + (f"<pubDate>{stamp}</pubDate>" if stamp else "")
        + "</item>"
        for path, (name, stamp, _, _) in PAGES.items()
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Notizie</title><link>{web.url('/')}</link>{items}</channel></rss>"
    ).encode()


@pytest.fixture
def site():
    with WebServer() as web:
        pages = {p: v[0] for p, v in PAGES.items()} | {p: v[0] for p, v in BY_ADDRESS.items()}
        for path, name in pages.items():
            body = (TEMPLATES / f"{name}.html").read_bytes()
            web.routes[path] = lambda w, r, body=body: (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                body,
            )
        web.routes["/feed.xml"] = lambda w, r: (
            200,
            {"Content-Type": "application/rss+xml"},
            _feed(w),
        )
        yield web


def _gather(source: Source) -> dict[str, tuple]:
    with Fetcher(allow_private_network=True, per_host_delay=0) as fetcher:
        gathered = gather(source, fetcher, lambda urls: {})
    assert gathered.error is None
    found = {}
    for item in gathered.items:
        assert item.error is None, item
        document = item.document
        found[item.candidate.url] = (document.published, document.date_source)
    return found


def test_each_template_gives_its_true_date_or_none(site):
    source = Source(
        name="templates",
        publisher="Template",
        kind="feed",
        url=site.url("/feed.xml"),
        allow_private_network=True,
        settings={"delay": 0},
    )
    found = _gather(source)
    expected = {site.url(p): (v[2], v[3]) for p, v in PAGES.items()}
    assert found == expected
    wrong = sum(found[u][0] != expected[u][0] for u in expected)
    assert wrong == 0


def test_pages_without_a_feed_entry(site):
    paths = list(BY_ADDRESS)
    source = Source(
        name="addresses",
        publisher="Template",
        kind="url",
        url=site.url(paths[0]),
        allow_private_network=True,
        settings={"delay": 0, "urls": [site.url(p) for p in paths[1:]]},
    )
    found = _gather(source)
    assert found == {site.url(p): (v[1], v[2]) for p, v in BY_ADDRESS.items()}
