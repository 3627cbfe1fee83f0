"""The knowledge base: idempotent writes, versions, atomic batches, validators, schema growth."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from sentinella.facts import Actor, Amount, Commitment, Extraction, Site
from sentinella.kb import CHANGED, NEW, UNCHANGED, KnowledgeBase, KnowledgeBaseError
from sentinella.kb.history import history
from sentinella.kb.ledger import rebuild_ledger
from sentinella.kb.queries import Filters, actors, amounts, commitments, documents
from sentinella.kb.schema import MIGRATIONS, SCHEMA_VERSION
from sentinella.kb.search import search_text
from sentinella.records import Document

TEXT = "L'assessora Maria Rossi ha stanziato 3 milioni di euro per Asti."


def _extraction(text: str = TEXT) -> Extraction:
    return Extraction(
        text=text,
        pipeline="test-1",
        actors=(Actor("Maria Rossi", "person", 12, 23, role="assessora"),),
        amounts=(Amount("3 milioni di euro", 3_000_000, "EUR", 36, 53),),
    )


def _doc(text: str = TEXT, **kw) -> Document:
    return Document(
        url=kw.pop("url", "https://sentinella.example/a"),
        text=text,
        source="t",
        published="2026-11-20",
        **kw,
    )


@pytest.fixture
def kb(tmp_path):
    base = KnowledgeBase.open(tmp_path / "kb.db")
    yield base
    base.close()


def test_storing_twice_is_a_no_op(kb):
    assert kb.store_batch([(_doc(), _extraction())]) == [NEW]
    assert kb.store_batch([(_doc(), _extraction())]) == [UNCHANGED]
    assert (kb.db["documents"].count, kb.db["amounts"].count, kb.db["mentions"].count) == (1, 1, 1)


def test_whitespace_only_edits_are_not_a_new_version(kb):
    kb.store_batch([(_doc(), _extraction())])
    assert kb.classify(_doc(TEXT.replace(" ", "  "))) == UNCHANGED


def test_changed_text_supersedes_and_keeps_old_facts(kb):
    kb.store_batch([(_doc(), _extraction())])
    new_text = TEXT + " Rettifica."
    assert kb.store_batch([(_doc(new_text), _extraction(new_text))]) == [CHANGED]
    rows = list(kb.db.query("select version, current from documents order by version"))
    assert rows == [{"version": 1, "current": 0}, {"version": 2, "current": 1}]
    assert kb.db["amounts"].count == 2
    # queries count only the current version
    assert [r["value"] for r in amounts(kb, Filters())] == [3_000_000]
    assert actors(kb, Filters())[0]["documents"] == 1


def test_a_failing_batch_writes_nothing(kb):
    bad = Extraction(text=TEXT, pipeline="x", amounts=(Amount("3", float("nan"), "EUR", 0, 1),))
    kb.db.execute(
        "create trigger no_nan before insert on amounts when new.value is null "
        "begin select raise(abort, 'bad amount'); end"
    )
    with pytest.raises(KnowledgeBaseError, match="could not write the batch"):
        kb.store_batch([(_doc(url="https://sentinella.example/ok"), _extraction()), (_doc(), bad)])
    assert kb.db["documents"].count == 0
    assert kb.db["mentions"].count == 0


def test_validators_found_by_fetched_address(kb):
    doc = _doc(
        url="https://sentinella.example/canonical",
        fetched_url="https://sentinella.example/list?id=7",
        etag='"v1"',
    )
    kb.store_batch([(doc, _extraction())])
    assert kb.validators("https://sentinella.example/list?id=7") == ('"v1"', None)
    assert kb.validators("https://sentinella.example/canonical") == ('"v1"', None)
    assert kb.validators("https://sentinella.example/other") == (None, None)


def test_old_base_gains_new_columns(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    db["documents"].create(
        {"id": int, "url": str, "version": int, "current": int, "text": str, "content_hash": str},
        pk="id",
    )
    db.close()
    KnowledgeBase.open(path).close()
    columns = sqlite_utils.Database(path)["documents"].columns_dict
    assert {"fetched_url", "etag", "simhash", "duplicate_of"} <= set(columns)


def test_not_a_database(tmp_path):
    path = tmp_path / "kb.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(KnowledgeBaseError, match="cannot open database"):
        KnowledgeBase.open(path)


def test_missing_folder(tmp_path):
    with pytest.raises(KnowledgeBaseError, match="database folder does not exist"):
        KnowledgeBase.open(tmp_path / "nope" / "kb.db")
    assert not (tmp_path / "nope").exists()


# --- schema versions and migrations -------------------------------------------------------

V1_DUMP = Path(__file__).parent / "data" / "kb-v1-sample.sql.gz"


def test_base_of_the_previous_release_migrates_and_loses_nothing(tmp_path):
    """tests/data/kb-v1-sample.sql.gz: the sample corpus stored by release 1 (schema v1)."""
    path = tmp_path / "v1.db"
    old = sqlite3.connect(path)
    old.executescript(gzip.decompress(V1_DUMP.read_bytes()).decode("utf-8"))
    old.close()
    before = sqlite_utils.Database(path)
    assert before.execute("pragma user_version").fetchone()[0] == 1
    tables = ("documents", "actors", "mentions", "sites", "amounts", "commitments", "runs")
    snapshot = {t: list(before.query(f"select * from {t} order by rowid")) for t in tables}
    before.close()

    kb = KnowledgeBase.open(path, create=False)  # a read opens and migrates forward
    assert kb.db.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
    for table, rows in snapshot.items():
        after = list(kb.db.query(f"select * from {table} order by rowid"))
        assert [{k: r[k] for k in rows[0]} for r in after[: len(rows)]] == rows, table
    assert any(fk.other_table == "actors" for fk in kb.db["commitments"].foreign_keys)
    # derived facts exist for the old rows, so the new filters work on them
    assert kb.db["commitment_sites"].count > 0
    assert kb.db.execute("select count(*) from amounts where sentence is null").fetchone()[0] == 0
    assert commitments(kb, Filters(province="AT"))
    assert rebuild_ledger(kb).pledges > 0
    kb.close()
    # opening again runs nothing twice
    again = KnowledgeBase.open(path)
    assert again.db["commitment_sites"].count == kb_count(path, "commitment_sites")
    again.close()


def kb_count(path: Path, table: str) -> int:
    return sqlite_utils.Database(path)[table].count


def test_migrations_are_numbered_in_order():
    numbers = [n for n, _what, _f in MIGRATIONS]
    assert numbers == sorted(numbers) == list(range(2, SCHEMA_VERSION + 1))


# --- filters on facts ---------------------------------------------------------------------

RELEASE = (
    "La Giunta regionale ha stanziato 2 milioni di euro per l'edilizia scolastica di Bra. "
    "Il bando scade a febbraio."
)
OTHER = "L'assessore Luca Ferro ha annunciato 500.000 euro per il teatro di Asti."


def _release_extraction() -> Extraction:
    return Extraction(
        text=RELEASE,
        pipeline="test-1",
        actors=(Actor("Regione Piemonte", "organization", 3, 20),),
        sites=(Site("Bra", "comune", 78, 81, istat="004029"),),
        amounts=(Amount("2 milioni di euro", 2_000_000, "EUR", 33, 50),),
        commitments=(
            Commitment(
                "Giunta regionale",
                RELEASE[:82],
                0,
                82,
                amount=2_000_000,
                sites=("Bra",),
                verb="stanziato",
            ),
        ),
    )


def _other_extraction() -> Extraction:
    return Extraction(
        text=OTHER,
        pipeline="test-1",
        actors=(
            Actor(
                "Luca Ferro", "person", 12, 22, role="assessore", organization="Regione Piemonte"
            ),
        ),
        sites=(Site("Asti", "comune", 68, 72, istat="005005"),),
        amounts=(Amount("500.000 euro", 500_000, "EUR", 37, 49),),
        commitments=(
            Commitment(
                "Luca Ferro",
                OTHER,
                0,
                len(OTHER),
                amount=500_000,
                sites=("Asti",),
                verb="annunciato",
            ),
        ),
    )


@pytest.fixture
def facts_kb(kb):
    kb.store_batch(
        [
            (
                _doc(RELEASE, url="https://sentinella.example/bra", publisher="Regione Piemonte"),
                _release_extraction(),
            ),
            (
                _doc(OTHER, url="https://sentinella.example/asti", publisher="Comune di Asti"),
                _other_extraction(),
            ),
        ]
    )
    return kb


def test_site_matches_places_of_the_fact_not_substrings(facts_kb):
    assert [r["url"] for r in commitments(facts_kb, Filters(site="Asti"))] == [
        "https://sentinella.example/asti"
    ]
    # "Bra" is not "febbraio", "Asti" is not "scolastica"
    assert [r["url"] for r in commitments(facts_kb, Filters(site="bra"))] == [
        "https://sentinella.example/bra"
    ]
    assert commitments(facts_kb, Filters(site="005005"))[0]["sites"][0]["istat"] == "005005"
    assert (
        len(commitments(facts_kb, Filters(province="Cuneo"))) == 1
    )  # Bra is in the province of Cuneo
    assert len(commitments(facts_kb, Filters(province="AT"))) == 1
    assert len(commitments(facts_kb, Filters(region="Piemonte"))) == 2
    assert commitments(facts_kb, Filters(region="Lazio")) == []
    with pytest.raises(KnowledgeBaseError, match="unknown provincia"):
        commitments(facts_kb, Filters(province="Atlantide"))


def test_actor_means_the_institution_with_its_organs_and_officers(facts_kb):
    rows = commitments(facts_kb, Filters(actor="Regione Piemonte"))
    assert {r["actor"] for r in rows} == {"Giunta regionale", "Luca Ferro"}
    assert {r["institution"] for r in rows} == {"Regione Piemonte"}
    assert [r["actor"] for r in commitments(facts_kb, Filters(actor="Ferro"))] == ["Luca Ferro"]
    assert commitments(facts_kb, Filters(actor="Ferr")) == []  # whole words only
    assert [r["actor"] for r in commitments(facts_kb, Filters(office="assessore"))] == [
        "Luca Ferro"
    ]


def test_every_row_carries_evidence_and_filters_by_publisher_amount_and_arrival(facts_kb):
    rows = commitments(facts_kb, Filters(publisher="comune asti"))
    assert [r["publisher"] for r in rows] == ["Comune di Asti"]
    assert rows[0]["sentence"] == OTHER and rows[0]["url"].startswith("https://")
    assert isinstance(rows[0]["sites"], list)
    assert [r["value"] for r in amounts(facts_kb, Filters(max_amount=1_000_000))] == [500_000]
    assert amounts(facts_kb, Filters(min_amount=1_000_000))[0]["sentence"].startswith("La Giunta")
    assert [r["amount"] for r in commitments(facts_kb, Filters(sort="amount"))] == [
        2_000_000,
        500_000,
    ]
    assert len(documents(facts_kb, Filters(fetched_since="2000-01-01"))) == 2
    assert documents(facts_kb, Filters(fetched_since="2999-01-01")) == []


def test_italian_search_by_stem_marks_the_words(facts_kb):
    rows = search_text(facts_kb, "scolastico stanziamenti")
    assert rows[0]["kind"] == "commitment"
    assert "**stanziato**" in rows[0]["sentence"] and "**scolastica**" in rows[0]["sentence"]
    found = documents(facts_kb, Filters(text="teatri"))
    assert [r["url"] for r in found] == ["https://sentinella.example/asti"]
    assert "**teatro**" in found[0]["sentence"]


def test_history_shows_text_and_fact_changes(kb):
    kb.store_batch([(_doc(), _extraction())])
    changed = TEXT.replace("3 milioni", "4 milioni")
    ex = Extraction(
        text=changed, pipeline="t", amounts=(Amount("4 milioni di euro", 4_000_000, "EUR", 36, 53),)
    )
    kb.store_batch([(_doc(changed), ex)])
    first, second = history(kb, "https://sentinella.example/a")
    assert (first.version, second.version) == (1, 2)
    assert any(line.startswith("+") and "4 milioni" in line for line in second.diff)
    assert "amount: 4,000,000 EUR «4 milioni di euro»" in second.added
    assert "amount: 3,000,000 EUR «3 milioni di euro»" in second.removed
    with pytest.raises(KnowledgeBaseError, match="no page stored"):
        history(kb, "https://sentinella.example/none")
