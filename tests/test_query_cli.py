"""`sentinella query`, `search` and `history` from the command line, on a small base."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from sentinella.cli import cli
from sentinella.cli.query import parse_amount
from sentinella.facts import Amount, Commitment, Extraction, Site
from sentinella.kb import KnowledgeBase
from sentinella.records import Document

TEXT = (
    "La Giunta regionale ha stanziato 1,5 milioni di euro per la messa in sicurezza della "
    "scuola media di Asti, dove lavorano quaranta insegnanti e lavoratori della scuola."
)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("q") / "kb.db"
    kb = KnowledgeBase.open(path)
    ex = Extraction(
        text=TEXT,
        pipeline="t",
        sites=(Site("Asti", "comune", TEXT.index("Asti"), TEXT.index("Asti") + 4, istat="005005"),),
        amounts=(Amount("1,5 milioni di euro", 1_500_000, "EUR", 33, 52),),
        commitments=(
            Commitment(
                "Giunta regionale",
                TEXT,
                0,
                len(TEXT),
                amount=1_500_000,
                sites=("Asti",),
                verb="stanziato",
            ),
        ),
    )
    url = "https://sentinella.example/regione/" + "una-pagina-dal-nome-molto-lungo-" * 3
    kb.store_batch(
        [
            (
                Document(
                    url=url,
                    text=TEXT,
                    source="t",
                    publisher="Regione Piemonte",
                    published="2026-11-20",
                ),
                ex,
            )
        ]
    )
    changed = TEXT.replace("1,5 milioni", "2 milioni")
    ex2 = Extraction(
        text=changed, pipeline="t", amounts=(Amount("2 milioni di euro", 2e6, "EUR", 33, 50),)
    )
    kb.store_batch(
        [(Document(url=url, text=changed, source="t", publisher="Regione Piemonte"), ex2)]
    )
    kb.store_batch(
        [(Document(url=url + "x", text=TEXT, source="t", publisher="Regione Piemonte"), ex)]
    )
    kb.close()
    return path, url


def invoke(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,5 milioni", 1.5e6),
        ("1.500.000", 1.5e6),
        ("300 mila", 3e5),
        ("2M", 2e6),
        ("€ 750.000", 7.5e5),
        ("1500000", 1.5e6),
    ],
)
def test_italian_amounts(text, value):
    assert parse_amount(text) == value


def test_amount_option_accepts_italian_and_refuses_nonsense(db):
    path, _ = db
    ok = invoke("query", "amounts", "--db", path, "--max-amount", "1,5 milioni", "--format", "json")
    assert ok.exit_code == 0, ok.output
    assert {r["value"] for r in json.loads(ok.stdout)} == {1_500_000}
    bad = invoke("query", "amounts", "--db", path, "--min-amount", "tanti soldi")
    assert bad.exit_code == 2 and "is not an amount" in bad.output


def test_csv_has_its_header_when_empty(db):
    path, _ = db
    result = invoke("query", "commitments", "--db", path, "--site", "Bra", "--format", "csv")
    assert result.exit_code == 0
    header = next(csv.reader(io.StringIO(result.stdout)))
    assert {"published", "publisher", "sentence", "url"} <= set(header)


def test_json_is_nested(db):
    path, _ = db
    [row] = json.loads(invoke("query", "commitments", "--db", path, "--format", "json").stdout)
    assert row["sites"] == [
        {
            "name": "Asti",
            "type": "comune",
            "istat": "005005",
            "province": "Asti",
            "region": "Piemonte",
        }
    ]


def test_tables_fit_the_terminal_and_never_cut_links(db):
    path, url = db
    narrow = invoke("query", "commitments", "--db", path, env={"COLUMNS": "100"})
    assert narrow.exit_code == 0
    assert max(len(line) for line in narrow.stdout.splitlines() if "url:" not in line) <= 100
    assert f"url: {url}" in narrow.stdout and "…" not in narrow.stdout
    wide = invoke("query", "commitments", "--db", path, "--wide", env={"COLUMNS": "100"})
    assert any(len(line) > 200 for line in wide.stdout.splitlines())


def test_search_marks_stems(db):
    path, _ = db
    result = invoke("search", "lavoratore insegnante", "--db", path, "--format", "json")
    rows = json.loads(result.stdout)
    assert "**lavoratori**" in rows[0]["sentence"] and "**insegnanti**" in rows[0]["sentence"]


def test_history_of_a_page(db):
    path, url = db
    result = invoke("history", url, "--db", path)
    assert result.exit_code == 0, result.output
    assert "2 versions" in result.stdout
    assert "+ amount: 2,000,000 EUR «2 milioni di euro»" in result.stdout
    missing = invoke("history", "https://sentinella.example/none", "--db", path)
    assert missing.exit_code == 1


def test_fetched_since_last_run_needs_a_run(db):
    path, _ = db
    result = invoke("query", "documents", "--db", path, "--fetched-since", "last-run")
    assert result.exit_code == 1
    assert invoke("query", "documents", "--db", path, "--fetched-since", "ieri").exit_code == 2
