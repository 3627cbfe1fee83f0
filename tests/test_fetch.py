"""flows.fetch against a real server on 127.0.0.1: politeness, conditional GET, retries,
redirects, caps, charsets and the refusal of private addresses."""

from __future__ import annotations

import itertools
import socket
import time

import pytest
from webserver import WebServer

from sentinella import __version__
from sentinella.ingest.fetch import Fetcher, decode_text, private_address

PAGE = "/comune-cuneo/2026-10-19-viadotto-soleri.html"


@pytest.fixture
def fetcher():
    with Fetcher(allow_private_network=True, per_host_delay=0.0, backoff=0.01) as f:
        yield f


def test_get_names_itself_and_reads_the_page(web, fetcher):
    result = fetcher.get(web.url(PAGE))
    assert result.ok and result.status == 200 and result.requests == 1
    assert "Soleri" in result.text and result.encoding == "utf-8"
    assert result.etag and result.last_modified
    asked = web.requests_for(PAGE)[0]
    assert asked.headers["user-agent"].startswith(f"Sentinella/{__version__} (+https://")
    assert "@" in asked.headers["user-agent"]  # a contact


def test_conditional_get_costs_nothing(web, fetcher):
    first = fetcher.get(web.url(PAGE))
    by_etag = fetcher.get(web.url(PAGE), etag=first.etag)
    by_date = fetcher.get(web.url(PAGE), last_modified=first.last_modified)
    for result in (by_etag, by_date):
        assert result.not_modified and result.ok and result.status == 304
        assert result.content is None
        assert (result.etag, result.last_modified) == (first.etag, first.last_modified)
    headers = [r.headers for r in web.requests_for(PAGE)]
    assert "if-none-match" not in headers[0]
    assert headers[1]["if-none-match"] == first.etag
    assert headers[2]["if-modified-since"] == first.last_modified


def test_503_is_retried_with_backoff_and_recovers(web, fetcher):
    web.flaky[PAGE] = 2
    result = fetcher.get(web.url(PAGE))
    assert result.ok and result.requests == 3
    assert [r.status for r in web.requests_for(PAGE)] == [503, 503, 200]


def test_5xx_retries_are_bounded(web):
    web.flaky[PAGE] = 99
    with Fetcher(
        allow_private_network=True, per_host_delay=0, backoff=0.01, max_retries=2
    ) as fetcher:
        result = fetcher.get(web.url(PAGE))
    assert result.error == "HTTP 503 Service Unavailable after 3 attempts"
    assert len(web.requests_for(PAGE)) == 3


def test_4xx_is_never_retried(web, fetcher):
    result = fetcher.get(web.url("/extra/non-esiste.html"))
    assert result.error == "HTTP 404 Not Found" and result.status == 404
    assert len(web.requests_for("/extra/non-esiste.html")) == 1


def test_connection_errors_are_retried_then_reported(fetcher):
    with WebServer() as gone:
        url = gone.url(PAGE)
    started = time.monotonic()
    result = fetcher.get(url)
    assert result.error.startswith("connection failed") and "after 4 attempts" in result.error
    assert time.monotonic() - started >= 0.01 + 0.02 + 0.04  # exponential backoff


def test_redirects_are_followed_within_limits(web, fetcher):
    result = fetcher.get(web.url("/vecchio" + PAGE))
    assert result.ok and result.final_url == web.url(PAGE) and result.requests == 2
    web.routes["/loop"] = lambda w, r: (302, {"Location": "/loop"}, b"")
    loop = fetcher.get(web.url("/loop"))
    assert loop.error.startswith("more than 5 redirects")
    assert len(web.requests_for("/loop")) == 6


def test_size_cap(web):
    with Fetcher(allow_private_network=True, per_host_delay=0, max_bytes=1000) as fetcher:
        result = fetcher.get(web.url(PAGE))
    assert result.error.startswith("too large") and result.content is None


def test_robots_disallow_and_crawl_delay():
    with (
        WebServer(crawl_delay=0.2) as web,
        Fetcher(allow_private_network=True, per_host_delay=0.0) as fetcher,
    ):
        refused = fetcher.get(web.url("/privato/bozza.html"))
        results = [fetcher.get(web.url(PAGE)) for _ in range(3)]
        assert refused.error.startswith("disallowed by robots.txt")
        assert all(r.ok for r in results)
        assert web.requests_for("/privato/") == []
        assert len(web.requests_for("/robots.txt")) == 1  # cached per host
        arrivals = [r.at for r in web.requests]  # robots.txt, then the three pages
        gaps = [b - a for a, b in itertools.pairwise(arrivals)]
        assert min(gaps) >= 0.2, gaps  # Crawl-delay 0.2 wins over the 0 asked for


def test_hosts_are_fetched_in_parallel_each_paced():
    with (
        WebServer(crawl_delay=0.2) as web,
        Fetcher(allow_private_network=True, per_host_delay=0.0) as fetcher,
    ):
        urls = [web.url(PAGE, host) for _ in range(3) for host in ("127.0.0.1", "localhost")]
        started = time.monotonic()
        results = fetcher.fetch_many([(u, None, None) for u in urls])
        elapsed = time.monotonic() - started
        assert [r.url for r in results] == urls  # in order
        assert all(r.ok for r in results)
        for host in ("127.0.0.1", "localhost"):
            arrivals = [r.at for r in web.requests_for("/", host)]
            assert len(arrivals) == 4  # robots.txt and 3 pages
            assert min(b - a for a, b in itertools.pairwise(arrivals)) >= 0.2
        assert elapsed < 3 * 0.2 * 2  # one host's wait does not hold the other up


def test_robots_unreachable_keeps_out_and_missing_robots_allows(web, fetcher):
    web.routes["/robots.txt"] = lambda w, r: (503, {}, b"")
    with Fetcher(
        allow_private_network=True, per_host_delay=0, backoff=0.01, max_retries=1
    ) as strict:
        result = strict.get(web.url(PAGE))
    assert result.error.startswith("disallowed by robots.txt (robots.txt answered HTTP 503")
    web.routes["/robots.txt"] = lambda w, r: (404, {}, b"")
    with Fetcher(allow_private_network=True, per_host_delay=0) as relaxed:
        assert relaxed.get(web.url(PAGE)).ok


def test_private_and_loopback_addresses_are_refused(web, monkeypatch):
    # Refusal happens before any connection: prove no socket goes beyond loopback.
    connect = socket.socket.connect

    def loopback_only(sock, address):
        assert address[0] in ("127.0.0.1", "::1"), f"connection attempted to {address}"
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)
    with Fetcher() as fetcher:
        for url in (
            web.url(PAGE),
            web.url(PAGE, "localhost"),
            "http://10.0.0.7/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/",
            "http://192.168.1.1:8080/admin",
        ):
            result = fetcher.get(url)
            assert result.error and result.error.startswith("refused:"), url
        assert fetcher.get("file:///etc/passwd").error.startswith("not an http(s) URL")
        # the per-source setting opens the door for one call, the run-wide flag for all
        assert fetcher.get(web.url(PAGE), allow_private_network=True).ok
    assert web.requests_for(PAGE) and all(r.path != "/latest/meta-data/" for r in web.requests)
    assert private_address("127.0.0.1") and private_address("10.1.2.3")
    assert private_address("::ffff:127.0.0.1") and private_address("100.64.0.1")
    assert private_address("8.8.8.8") is None


def test_errors_are_values(fetcher):
    for url in ("http://", "http://exa mple.org/", "http://127.0.0.1:0/"):
        result = fetcher.get(url)
        assert result.error and "\n" not in result.error


def test_charset_declared_wrong_or_missing():
    text = "Più corse, città e perché: è così"
    latin1 = f"<html><head><meta charset='utf-8'></head><p>{text}</p></html>".encode("latin-1")
    assert text in decode_text(latin1, "text/html; charset=utf-8")[0]
    assert text in decode_text(text.encode("utf-8"), "text/html; charset=iso-8859-1")[0]
    assert decode_text(text.encode("cp1252"), None) == (text, "cp1252")
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8"))[0] == text
    assert decode_text(text.encode("iso-8859-15"), "text/html; charset=iso-8859-15") == (
        text,
        "iso8859-15",
    )


def test_latin1_page_served_as_utf8(web, fetcher):
    result = fetcher.get(web.url("/extra/latin1.html"))
    assert "più corse per la linea" in result.text and result.encoding == "cp1252"


def test_crawl_delay_with_decimals_and_per_agent():
    from sentinella.ingest.fetch import crawl_delay

    assert crawl_delay("User-agent: *\nCrawl-delay: 0.5\n") == 0.5
    rules = (
        "User-agent: Googlebot\nCrawl-delay: 1\n\n"
        "User-agent: sentinella\nUser-agent: otherbot\nCrawl-delay: 2.5\nDisallow: /x\n\n"
        "User-agent: *\nCrawl-delay: 10\n"
    )
    assert crawl_delay(rules) == 2.5
    assert crawl_delay("User-agent: *\nDisallow: /\n") is None


def test_address_connected_to_is_checked_too(web, monkeypatch):
    """DNS rebinding: the name looked public when checked, the connection went inside."""
    from sentinella.ingest import fetch

    monkeypatch.setattr(fetch, "private_address", lambda host, port=80: None)
    with Fetcher(per_host_delay=0, obey_robots=False) as fetcher:
        result = fetcher.get(web.url(PAGE))
    assert result.error.startswith("refused: connected to a private or loopback address")
    assert result.content is None
