"""The commitment ledger on a corpus written for it: one promise re-announced in four
releases by three publishers (its amount revised in the last), and two different promises
by the same institution with the same amount. Extraction is the real pipeline's."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from ledger_base import load_releases

from sentinella.cli import cli
from sentinella.kb import KnowledgeBase
from sentinella.kb.ledger import Place, Statement, link_score, load_rules, rebuild_ledger
from sentinella.kb.pledges import LedgerFilters, pledge_story, pledges, totals


@pytest.fixture
def db_path(tmp_path, nlp) -> Path:
    path = tmp_path / "kb.db"
    kb = KnowledgeBase.open(path)
    load_releases(kb, nlp)
    kb.close()
    return path  # the ledger is built by each test (or by the CLI on first use)


@pytest.fixture
def kb(db_path):
    base = KnowledgeBase.open(db_path)
    rebuild_ledger(base)
    yield base
    base.close()


def test_one_promise_per_distinct_promise(kb):
    rows = pledges(kb)
    assert len(rows) == 3
    atc, *others = rows  # sorted by amount, largest first
    assert atc["actor"] == "Regione Piemonte"
    assert (atc["statements"], atc["publishers"]) == (4, 3)
    assert atc["amount"] == 4_200_000  # the latest stated amount
    assert atc["revised"] is True
    assert atc["places"] == ["Asti"] and atc["provinces"] == ["Asti"]
    assert sorted(p for o in others for p in o["places"]) == ["Alba", "Novara"]
    assert [o["amount"] for o in others] == [1_000_000, 1_000_000]
    assert all(o["statements"] == 1 for o in others)


def test_totals_never_count_a_re_announcement_twice(kb):
    raw = kb.db.execute("select sum(amount) from commitments").fetchone()[0]
    assert raw == pytest.approx(3 * 3_700_000 + 4_200_000 + 2 * 1_000_000)
    assert totals(kb, "actor") == [
        {"actor": "Regione Piemonte", "promises": 3, "total_eur": 6_200_000, "statements": 6}
    ]
    by_province = {r["province"]: r["total_eur"] for r in totals(kb, "province")}
    assert by_province == {"Asti": 4_200_000, "Cuneo": 1_000_000, "Novara": 1_000_000}
    assert [(r["year"], r["total_eur"]) for r in totals(kb, "year")] == [(2026, 6_200_000)]


def test_story_in_dates_with_scores_and_reasons(kb):
    atc = pledges(kb, LedgerFilters(province="AT"))[0]
    story = pledge_story(kb, atc["id"])
    steps = story["statements_list"]
    assert [s["published"] for s in steps] == [
        "2026-03-02",
        "2026-03-09",
        "2026-03-12",
        "2026-04-15",
    ]
    assert [s["stage"] for s in steps] == ["allocated", "approved", "allocated", "approved"]
    assert [h["amount"] for h in story["amount_history"]] == [3_700_000, 4_200_000]
    assert steps[0]["reason"] == "first statement"
    for step in steps[1:]:
        assert step["score"] >= load_rules().threshold
        assert step["reason"].startswith("same institution (Regione Piemonte)")
    assert "amount revised €3.700.000 → €4.200.000" in steps[3]["reason"]


def test_overrides_split_a_statement_out_and_back(kb, db_path):
    atc = pledges(kb, LedgerFilters(site="Asti"))[0]
    keys = [s["statement_key"] for s in pledge_story(kb, atc["id"])["statements_list"]]
    overrides = db_path.with_name("ledger-overrides.toml")
    # The mayor's office statement (third) must not be joined to any other.
    overrides.write_text(
        "".join(f'[[separate]]\nstatements = ["{keys[2]}", "{k}"]\n' for k in keys if k != keys[2]),
        encoding="utf-8",
    )
    rebuild_ledger(kb)
    rows = pledges(kb, LedgerFilters(site="Asti"))
    assert sorted(r["statements"] for r in rows) == [1, 3]
    overrides.write_text(f'[[join]]\nstatements = ["{keys[0]}", "{keys[2]}"]\n', encoding="utf-8")
    rebuild_ledger(kb)
    assert [r["statements"] for r in pledges(kb, LedgerFilters(site="Asti"))] == [4]


def _statement(cid, amount, places=(), topic=("ponte",), day="2026-03-01", revision=False):
    return Statement(
        commitment_id=cid,
        key=f"k{cid}",
        document_id=cid,
        published=day,
        publisher="p",
        institution="Regione Piemonte",
        institution_id="organization:regione-piemonte",
        amount=amount,
        stage="allocated",
        revision=revision,
        topic=frozenset(topic),
        places=tuple(places),
        purpose=None,
        sentence="",
        day=date.fromisoformat(day).toordinal(),
    )


ALBA = Place("Alba", "004003", "alba", "comune", "004", "01")
NOVARA = Place("Novara", "003106", "novara", "comune", "003", "01")
PIEMONTE = Place("Piemonte", "01", "piemonte", "regione", None, "01")


def test_link_rules():
    rules = load_rules()
    assert link_score(_statement(1, 1e6, [ALBA]), _statement(2, 1e6, [NOVARA]), rules) is None
    assert link_score(_statement(1, 1e6, [ALBA]), _statement(2, 2e6, [ALBA]), rules) is None
    revised = link_score(
        _statement(1, 1e6, [ALBA]), _statement(2, 2e6, [ALBA], revision=True), rules
    )
    assert revised is not None and "amount revised" in revised.reason
    # a region contains its municipalities
    assert link_score(_statement(1, 1e6, [PIEMONTE]), _statement(2, 1e6, [ALBA]), rules)
    # same amount, nothing else in common: two promises
    assert (
        link_score(_statement(1, 1e6, topic={"scuol"}), _statement(2, 1e6, topic={"ponte"}), rules)
        is None
    )
    # outside the time window
    late = _statement(2, 1e6, [ALBA], day="2027-06-01")
    assert link_score(_statement(1, 1e6, [ALBA]), late, rules) is None


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_ledger_cli(db_path):
    listed = invoke("ledger", "--db", db_path, "--province", "Asti", "--format", "json")
    assert listed.exit_code == 0, listed.output
    [promise] = json.loads(listed.stdout)
    assert promise["amount"] == 4_200_000 and promise["places"] == ["Asti"]
    story = invoke("ledger", "show", promise["id"], "--db", db_path)
    assert story.exit_code == 0, story.output
    assert "2026-03-09  approved, €3.700.000 — Regione Piemonte" in story.output
    assert "amount: €3.700.000 (2026-03-02) → €4.200.000 (2026-04-15)" in story.output
    empty = invoke(
        "ledger",
        "totals",
        "--db",
        db_path,
        "--by",
        "province",
        "--region",
        "Lazio",
        "--format",
        "csv",
    )
    assert empty.exit_code == 0 and empty.stdout.strip() == "province,promises,total_eur,statements"
    bad = invoke("ledger", "show", "p-nope", "--db", db_path)
    assert bad.exit_code != 0
