"""The nightly flow over real HTTP on 127.0.0.1: a feed, a sitemap index, a paginated
listing and a single page on a second host name, run twice (the second time with a
corrected release), with exact counts and the requests the server saw."""

from __future__ import annotations

import pytest
import sqlite_utils
from webserver import WebServer

from sentinella.flows.nightly import nightly

SOURCES = """
[[source]]
name = "feed"
publisher = "Sample corpus (feed)"
kind = "feed"
url = "{web}/feed.xml"
since = "2026-11-15"
allow_private_network = true
delay = 0

[[source]]
name = "sitemap"
publisher = "Sample corpus (sitemap)"
kind = "sitemap"
url = "{web}/sitemap-index.xml"
since = "2026-11-10"
max_items = 6
allow_private_network = true
delay = 0

[[source]]
name = "listing"
publisher = "Comunicati di test"
kind = "listing"
url = "{web}/comunicati/"
item_selector = "li.notizia"
link_selector = "a.titolo"
date_selector = ".data"
next_selector = "a[rel=next]"
max_pages = 3
allow_private_network = true
delay = 0

[[source]]
name = "republisher"
publisher = "Il Risveglio del Canavese"
kind = "url"
url = "{other}/extra/ripubblicato.html"
allow_private_network = true
delay = 0
"""

COUNTS = (
    "seen",
    "fetched",
    "not_modified",
    "new",
    "changed",
    "unchanged",
    "duplicates",
    "failed",
    "dates_missing",
    "not_italian",
)


def _health(summary) -> dict:
    return {s.source: {c: getattr(s, c) for c in COUNTS} for s in summary.sources}


@pytest.fixture(scope="module")
def two_runs(prefect_server, tmp_path_factory):
    """Run the flow twice against the test server; the corrected release changes in between.

    Module-scoped: the five tests below read the same two runs.
    """
    tmp_path = tmp_path_factory.mktemp("ingest")
    with WebServer() as web:
        sources = tmp_path / "sources.toml"
        sources.write_text(
            SOURCES.format(web=web.origin(), other=web.origin("localhost")), encoding="utf-8"
        )
        db_path = tmp_path / "kb.db"
        first = nightly(sources_file=sources, db_path=db_path, model="blank:it")
        first_requests = list(web.requests)
        web.clear()
        web.generation = 2
        second = nightly(sources_file=sources, db_path=db_path, model="blank:it")
        return first, first_requests, second, list(web.requests), db_path


def test_first_run_counts(two_runs):
    first = _health(two_runs[0])
    assert first["feed"] == dict(
        seen=8,
        fetched=8,
        not_modified=0,
        new=8,
        changed=0,
        unchanged=0,
        duplicates=0,
        failed=0,
        dates_missing=0,
        not_italian=0,
    )
    # the 6 newest sitemap pages are feed pages: unchanged whether they were fetched
    # before the feed's were stored (sources are gathered side by side) or after (304)
    sitemap = first["sitemap"]
    assert sitemap["fetched"] + sitemap["not_modified"] == 6
    assert {k: v for k, v in sitemap.items() if k not in ("fetched", "not_modified")} == dict(
        seen=6,
        new=0,
        changed=0,
        unchanged=6,
        duplicates=0,
        failed=0,
        dates_missing=0,
        not_italian=0,
    )
    # 3 pages of 3: robots-disallowed and 404 fail; the English page is stored, not extracted
    assert first["listing"] == dict(
        seen=9,
        fetched=7,
        not_modified=0,
        new=7,
        changed=0,
        unchanged=0,
        duplicates=0,
        failed=2,
        dates_missing=1,
        not_italian=1,
    )
    assert first["republisher"] == dict(
        seen=1,
        fetched=1,
        not_modified=0,
        new=1,
        changed=0,
        unchanged=0,
        duplicates=1,
        failed=0,
        dates_missing=0,
        not_italian=0,
    )
    failures = two_runs[0].sources[2].failures
    assert any("privato" in f and "robots.txt" in f for f in failures)
    assert any("pagina-rimossa" in f and "HTTP 404" in f for f in failures)


def test_second_run_counts_and_correction(two_runs):
    second = _health(two_runs[2])
    # the feed and the sitemap index answered 304: nothing new in them, their items skipped
    assert second["feed"] == dict.fromkeys(COUNTS, 0)
    assert second["sitemap"] == dict.fromkeys(COUNTS, 0)
    assert second["listing"] == dict(
        seen=9,
        fetched=1,
        not_modified=6,
        new=0,
        changed=1,
        unchanged=6,
        duplicates=0,
        failed=2,
        dates_missing=0,
        not_italian=0,
    )
    assert second["republisher"]["not_modified"] == second["republisher"]["unchanged"] == 1
    db = sqlite_utils.Database(two_runs[4])
    versions = list(
        db.query(
            "select version, current, text from documents "
            "where url like '%/extra/rettifica.html' order by version"
        )
    )
    assert [(v["version"], v["current"]) for v in versions] == [(1, 0), (2, 1)]
    assert "1,2 milioni" in versions[0]["text"] and "1,5 milioni" in versions[1]["text"]
    health = list(
        db.query(
            "select source, new, changed, failed from source_health "
            "where run_id = 2 order by source"
        )
    )
    assert health == [
        {"source": "feed", "new": 0, "changed": 0, "failed": 0},
        {"source": "listing", "new": 0, "changed": 1, "failed": 2},
        {"source": "republisher", "new": 0, "changed": 0, "failed": 0},
        {"source": "sitemap", "new": 0, "changed": 0, "failed": 0},
    ]


def test_second_run_asks_only_conditionally_for_pages(two_runs):
    _, _, _, requests, _ = two_runs
    pages = [r for r in requests if r.path.endswith(".html") and r.status != 301]
    assert len(pages) == 8 + 1  # the listing's 9 less privato (robots.txt); the copy
    unconditional = [r.path for r in pages if not r.conditional]
    assert unconditional == ["/extra/pagina-rimossa.html"]  # nothing stored, nothing to send
    assert sum(r.status == 304 for r in pages) == 6 + 1
    assert [r.status for r in pages if "rettifica" in r.path] == [200]


def test_second_run_asks_conditionally_for_index_pages(two_runs):
    _, _, _, requests, _ = two_runs
    index = [r for r in requests if not r.path.endswith((".html", "robots.txt"))]
    assert sorted(r.path for r in index) == [
        "/comunicati/",
        "/comunicati/?page=2",
        "/comunicati/?page=3",
        "/feed.xml",
        "/sitemap-index.xml",
    ]
    assert all(r.conditional and r.status == 304 for r in index)
    assert not any(r.path.startswith("/sitemaps/") for r in requests)  # the index said 304


def test_politeness_and_horizons(two_runs):
    _, requests, _, _, _ = two_runs
    paths = [r.path for r in requests]
    assert not any(p.startswith("/privato/") for p in paths)  # robots.txt obeyed
    assert "/sitemaps/before-november.xml" not in paths  # index lastmod before `since`
    assert "/comunicati/?page=4" not in paths  # max_pages
    assert "/comunicati/?page=3" in paths
    assert all(r.headers["user-agent"].startswith("Sentinella/") for r in requests)
    robots = [r for r in requests if r.path == "/robots.txt"]
    assert sorted(r.host.split(":")[0] for r in robots) == ["127.0.0.1", "localhost"]
    flaky = [r.status for r in requests if "strade-provinciali" in r.path]
    assert flaky == [503, 200]  # retried, then read
    assert any(r.path.startswith("/vecchio/") and r.status == 301 for r in requests)


def test_documents_as_stored(two_runs):
    db = sqlite_utils.Database(two_runs[4])
    docs = {
        d["url"].split("/", 3)[3]: d for d in db.query("select * from documents where current = 1")
    }
    assert "extra/senza-data.html" in docs  # tracking parameters stripped
    assert docs["extra/senza-data.html"]["published"] is None  # never invented
    assert docs["extra/latin1.html"]["published"] == "2026-11-18"
    assert "avrà sei corse in più" in docs["extra/latin1.html"]["text"]  # Latin-1 decoded right
    assert docs["extra/english.html"]["language"] == "en"
    assert docs["extra/english.html"]["pipeline"] is None  # not extracted as Italian
    # the redirect is stored under where it leads
    assert "comune-novara/2026-09-10-servizi-digitali-anagrafe.html" in docs
    original = docs["regione-piemonte/2026-11-20-telecontact-tavolo.html"]
    copy = docs["extra/ripubblicato.html"]
    assert copy["url"].startswith("http://localhost:")
    assert copy["duplicate_of"] == original["id"]
    assert original["duplicate_of"] is None
    assert (
        "Totale | € 2.900.000"
        in docs["cittametropolitana-torino/2026-10-26-strade-provinciali-riparto.html"]["text"]
    )
