"""Discovery over HTTP: feeds (RSS, Atom), sitemap indexes, paginated listings, single URLs,
and the horizon (since, max_items)."""

from __future__ import annotations

from datetime import date

import pytest

from sentinella.ingest.discover import DiscoveryError, discover
from sentinella.ingest.fetch import Fetcher
from sentinella.ingest.sources import Source


@pytest.fixture
def fetcher():
    with Fetcher(per_host_delay=0.0, backoff=0.01, max_retries=1) as f:
        yield f


def _source(kind: str, url: str, **settings) -> Source:
    common = {k: settings.pop(k) for k in ("since", "max_items") if k in settings}
    return Source(
        name="t",
        publisher="Test",
        kind=kind,
        url=url,
        allow_private_network=True,
        settings=settings,
        **common,
    )


def test_rss_feed_with_horizon(web, fetcher):
    found = discover(_source("feed", web.url("/feed.xml"), since=date(2026, 11, 20)), fetcher)
    assert [c.published for c in found] == [
        "2026-11-24",
        "2026-11-24",
        "2026-11-23",
        "2026-11-20",
        "2026-11-20",
    ]
    assert found[0].url == web.url("/slc-cgil/2026-11-24-telecontact-tavolo-regione-esito.html")
    assert found[0].title.startswith("Telecontact, al tavolo in Regione")
    everything = discover(_source("feed", web.url("/feed.xml")), fetcher)
    assert len(everything) == 35
    assert len(discover(_source("feed", web.url("/feed.xml"), max_items=3), fetcher)) == 3


def test_atom_feed(web, fetcher):
    found = discover(_source("feed", web.url("/atom.xml")), fetcher)
    assert len(found) == 4 and found[0].published == "2026-11-24"
    assert all(c.url.startswith(web.origin()) for c in found)


def test_sitemap_index_skips_children_before_the_horizon(web, fetcher):
    found = discover(
        _source("sitemap", web.url("/sitemap-index.xml"), since=date(2026, 11, 15), max_items=4),
        fetcher,
    )
    assert [c.published for c in found] == ["2026-11-24", "2026-11-24", "2026-11-23", "2026-11-20"]
    asked = [r.path for r in web.requests]
    assert "/sitemaps/november.xml" in asked and "/sitemaps/before-november.xml" not in asked
    everything = discover(_source("sitemap", web.url("/sitemap-index.xml")), fetcher)
    assert len(everything) == 35


def test_listing_pages_selectors_and_max_pages(web, fetcher):
    source = _source(
        "listing",
        web.url("/comunicati/"),
        item_selector="li.notizia",
        link_selector="a.titolo",
        date_selector=".data",
        next_selector="a[rel=next]",
        max_pages=2,
    )
    found = discover(source, fetcher)
    assert len(found) == 6
    assert [r.path for r in web.requests if r.path.startswith("/comunicati/")] == [
        "/comunicati/",
        "/comunicati/?page=2",
    ]
    by_url = {c.url: c for c in found}
    assert by_url[web.url("/extra/senza-data.html")].published is None  # utm_* stripped
    assert by_url[web.url("/extra/latin1.html")].published == "2026-11-18"
    assert by_url[web.url("/extra/latin1.html")].title.startswith("Vercelli")


def test_listing_by_link_selector_and_url_pattern(web, fetcher):
    source = _source(
        "listing",
        web.url("/comunicati/"),
        link_selector="ul.elenco a",
        next_pattern=web.url("/comunicati/?page={page}"),
        max_pages=10,
    )
    found = discover(source, fetcher)
    assert len(found) == 10  # page 5 is empty: paging stops there
    assert web.requests_for("/comunicati/?page=5") and not web.requests_for("/comunicati/?page=6")


def test_listing_stops_at_a_page_older_than_the_horizon(web, fetcher):
    source = _source(
        "listing",
        web.url("/comunicati/"),
        item_selector="li.notizia",
        link_selector="a",
        date_selector=".data",
        next_selector="a[rel=next]",
        since=date(2026, 11, 19),
    )
    found = discover(source, fetcher)
    # every dated item of page 1 is older than `since`: page 2 is never asked for
    assert web.requests_for("/comunicati/") and not web.requests_for("/comunicati/?page=2")
    assert [c.url for c in found] == [web.url("/extra/senza-data.html")]  # undated: kept


def test_single_urls(web, fetcher):
    found = discover(
        _source(
            "url",
            web.url("/extra/english.html?utm_source=x"),
            urls=[web.url("/extra/senza-data.html")],
        ),
        fetcher,
    )
    assert [c.url for c in found] == [
        web.url("/extra/english.html"),
        web.url("/extra/senza-data.html"),
    ]


def test_discovery_failures_are_one_line_errors(web, fetcher):
    with pytest.raises(DiscoveryError, match="HTTP 404"):
        discover(_source("feed", web.url("/nessun-feed.xml")), fetcher)
    with pytest.raises(DiscoveryError, match="not a readable sitemap"):
        discover(_source("sitemap", web.url("/extra/english.html")), fetcher)
    private = Source(name="p", publisher="P", kind="feed", url=web.url("/feed.xml"))
    with pytest.raises(DiscoveryError, match="refused"):
        discover(private, fetcher)  # neither the source nor the run allows 127.0.0.1


def test_delay_setting_is_checked(tmp_path):
    from sentinella.ingest.sources import SourcesError, load_sources

    path = tmp_path / "sources.toml"
    path.write_text(
        '[[source]]\nname = "a"\npublisher = "A"\nkind = "feed"\n'
        'url = "https://example.org/feed"\ndelay = "fast"\n',
        encoding="utf-8",
    )
    with pytest.raises(SourcesError, match="'delay' must be a number"):
        load_sources(path)


def test_a_bad_selector_is_a_discovery_error(web, fetcher):
    with pytest.raises(DiscoveryError, match="source 't'"):
        discover(_source("listing", web.url("/comunicati/"), link_selector="a[[["), fetcher)
