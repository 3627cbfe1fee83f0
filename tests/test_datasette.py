"""`sentinella browse`: the knowledge base published by a real Datasette, read-only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest
from ledger_base import Browse, build_base


@pytest.fixture(scope="module")
def site(tmp_path_factory, nlp):
    db = build_base(tmp_path_factory.mktemp("browse") / "sentinella.db", nlp)
    with Browse(db) as server:
        yield server.url + "/sentinella"


def get(url: str, **params) -> httpx.Response:
    response = httpx.get(url, params=params, timeout=30)
    assert response.status_code == 200, (url, response.text[:500])
    return response


def test_promises_by_province_counts_each_promise_once(site):
    rows = get(site + "/promises_by_province.json", province="Asti", year="", _shape="array").json()
    [row] = rows
    assert (row["actor"], row["amount"], row["statements"]) == ("Regione Piemonte", 4_200_000, 4)
    assert row["total_eur"] == 4_200_000
    by_sigla = get(site + "/promises_by_province.json", province="AT", year="2026", _shape="array")
    assert by_sigla.json() == rows
    assert (
        get(
            site + "/promises_by_province.json", province="Asti", year="2025", _shape="array"
        ).json()
        == []
    )


def test_money_by_actor_adds_promises_not_statements(site):
    rows = get(site + "/money_by_actor.json", _shape="array").json()
    assert rows == [
        {"actor": "Regione Piemonte", "promises": 3, "statements": 6, "total_eur": 6_200_000}
    ]
    assert "Regione Piemonte,3,6,6200000" in get(site + "/money_by_actor.csv").text


def test_story_and_keyword_queries(site):
    [promise] = get(
        site + "/promises_by_province.json", province="Asti", year="", _shape="array"
    ).json()
    story = get(site + "/promise_story.json", promise=promise["promise"], _shape="array").json()
    assert [s["published"] for s in story] == [
        "2026-03-02",
        "2026-03-09",
        "2026-03-12",
        "2026-04-15",
    ]
    assert all(s["reason"] for s in story)
    said = get(site + "/actor_keyword.json", actor="Regione", keyword="casa", _shape="array").json()
    assert len(said) == 4
    assert "**case** popolari" in said[0]["sentence"]


def test_pages_show_euro_links_and_facets(site):
    home = get(site.rsplit("/", 1)[0] + "/").text
    assert "promises_by_province" in home and "Research questions" in home
    pledges = get(site + "/pledges").text
    assert "€\u00a04.200.000" in pledges and "50000.0" not in pledges
    assert 'data-facet="actor"' in pledges or "facet-actor" in pledges
    canned = get(site + "/promises_by_province", province="Asti", year="").text
    assert 'class="promise" href="/sentinella/pledges/p-' in canned
    assert 'class="document" href="/sentinella/documents/' in canned
    actor = get(site + "/actors/organization:regione-piemonte").text
    assert "commitments.actor_id" in actor or "actor_id in commitments" in actor
    view = get(site + "/statements.json", _shape="array").json()
    assert {"published", "publisher", "url", "promise"} <= set(view[0])


def test_atom_feed_of_new_promises(site):
    feed = ET.fromstring(get(site + "/new_promises.atom").content)
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 3
    titles = [e.find("{http://www.w3.org/2005/Atom}title").text for e in entries]
    assert any(t.startswith("Regione Piemonte: €4,200,000") for t in titles)


def test_read_only(site):
    refused = httpx.get(site + ".json", params={"sql": "delete from documents"}, timeout=30)
    assert refused.status_code == 400
    count = get(site + ".json", sql="select count(*) as n from documents", _shape="array").json()
    assert count == [{"n": 6}]
    download = httpx.get(site.rsplit("/", 1)[0] + "/sentinella.db", timeout=30)
    assert download.status_code in (403, 404)
