"""Cheap nights: a feed that did not change costs one conditional request; but a feed is
read whole again when a page of it must be retried, or when its source's settings change."""

from __future__ import annotations

from webserver import WebServer

from sentinella.flows.nightly import nightly

SOURCE = """
[[source]]
name = "atom"
publisher = "Atom di prova"
kind = "feed"
url = "{web}/atom.xml"
allow_private_network = true
delay = 0
{extra}
"""


def _feed_requests(web: WebServer) -> list:
    return [r for r in web.requests if r.path == "/atom.xml"]


def _run(tmp_path, web: WebServer, extra: str = ""):
    sources = tmp_path / "sources.toml"
    sources.write_text(SOURCE.format(web=web.origin(), extra=extra), encoding="utf-8")
    web.clear()
    return nightly(sources_file=sources, db_path=tmp_path / "kb.db", model="blank:it")


def test_an_unchanged_feed_costs_one_conditional_request(prefect_server, tmp_path):
    with WebServer() as web:
        first = _run(tmp_path, web)
        assert first.total("new") == 4
        second = _run(tmp_path, web)
        (feed,) = _feed_requests(web)
        assert feed.conditional and feed.status == 304
        assert [r.path for r in web.requests if r.path.endswith(".html")] == []
        assert second.total("seen") == 0 and second.total("failed") == 0


def test_a_feed_whose_page_failed_for_now_is_read_whole_the_next_night(prefect_server, tmp_path):
    with WebServer() as web:
        page = "/slc-cgil/2026-11-24-telecontact-tavolo-regione-esito.html"  # in the feed
        web.flaky[page] = 4  # 503 to the first try and every retry (3) of the first run
        first = _run(tmp_path, web)
        assert (first.total("new"), first.total("failed")) == (3, 1)
        second = _run(tmp_path, web)
        (feed,) = _feed_requests(web)
        assert not feed.conditional and feed.status == 200  # validators were not kept
        assert (second.total("new"), second.total("unchanged")) == (1, 3)
        third = _run(tmp_path, web)
        (feed,) = _feed_requests(web)
        assert feed.status == 304 and third.total("seen") == 0  # now all is stored


def test_a_changed_source_reads_its_feed_again(prefect_server, tmp_path):
    with WebServer() as web:
        _run(tmp_path, web)
        again = _run(tmp_path, web, extra='since = "2026-11-23"')
        (feed,) = _feed_requests(web)
        assert not feed.conditional and feed.status == 200
        assert again.total("seen") == 3  # the entries of the 23rd and 24th: the new horizon


TWO_HOSTS = """
[[source]]
name = "feed"
publisher = "Feed"
kind = "feed"
url = "{web}/atom.xml"
allow_private_network = true

[[source]]
name = "sitemap"
publisher = "Sitemap"
kind = "sitemap"
url = "{other}/sitemaps/november.xml"
max_items = 4
allow_private_network = true
"""


def test_two_hosts_are_fetched_side_by_side_each_at_its_own_pace(prefect_server, tmp_path):
    with WebServer(crawl_delay=0.4) as web:  # robots.txt asks 0.4 s between requests
        sources = tmp_path / "sources.toml"
        sources.write_text(
            TWO_HOSTS.format(web=web.origin(), other=web.origin("localhost")), encoding="utf-8"
        )
        summary = nightly(sources_file=sources, db_path=tmp_path / "kb.db", model="blank:it")
    assert summary.total("failed") == 0 and summary.total("seen") == 8
    by_host: dict[str, list[float]] = {}
    for r in web.requests:
        by_host.setdefault(r.host.split(":")[0], []).append(r.at)
    assert set(by_host) == {"127.0.0.1", "localhost"}
    for times in by_host.values():  # each host at its pace (robots.txt, then 5 more)
        assert len(times) == 6
        gaps = [b - a for a, b in zip(sorted(times), sorted(times)[1:])]
        assert min(gaps) >= 0.35, gaps
    first, second = (sorted(t) for t in by_host.values())
    assert first[0] < second[-1] and second[0] < first[-1]  # the two visits overlap in time
