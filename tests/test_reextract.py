"""`sentinella reextract`: stored documents get the current pipeline's facts, atomically."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from sentinella.cli import cli
from sentinella.facts import Actor, Extraction
from sentinella.kb import KnowledgeBase
from sentinella.records import Document
from sentinella.reextract import reextract

TEXTS = (
    "La Giunta comunale di Alba ha stanziato 200.000 euro per le scuole. "
    "Lo ha annunciato il sindaco Alberto Gatto.",
    "L’assessora al Lavoro Elena Chiorino ha convocato il tavolo con Konecta a Torino.",
)


def _stale(text: str) -> Extraction:
    """What an older pipeline stored: one wrong actor, nothing else."""
    return Extraction(
        text=text, pipeline="old_rules-0.1.0", actors=(Actor("Scuole", "organization", 0, 1),)
    )


@pytest.fixture
def kb(tmp_path):
    base = KnowledgeBase.open(tmp_path / "kb.db")
    docs = [
        Document(url=f"https://example.org/{k}", text=t, source=s, published=p, publisher=pub)
        for k, (t, s, p, pub) in enumerate(
            [
                (TEXTS[0], "comune-alba", "2026-10-01", "Comune di Alba"),
                (TEXTS[1], "regione", "2026-11-20", "Regione Piemonte - Giunta"),
            ]
        )
    ]
    base.store_batch([(d, _stale(d.text)) for d in docs])
    yield base
    base.close()


def _actors(kb, url_end: str) -> set[str]:
    return {
        r["name"]
        for r in kb.db.query(
            "select a.name from mentions m join actors a on a.id = m.actor_id "
            "join documents d on d.id = m.document_id where d.url like ?",
            ["%" + url_end],
        )
    }


def test_facts_are_replaced_and_the_run_recorded(kb, nlp):
    summary = reextract(kb, nlp, batch_size=1)
    assert (summary.documents, summary.batches, summary.facts_before) == (2, 2, 2)
    assert summary.replaced_pipelines == ["old_rules-0.1.0"]
    assert "Scuole" not in _actors(kb, "/0")
    assert {"Alberto Gatto"} <= _actors(kb, "/0")
    assert {"Elena Chiorino", "Konecta"} <= _actors(kb, "/1")
    rows = list(kb.db.query("select distinct pipeline from documents"))
    assert rows == [{"pipeline": summary.pipeline}]
    commitment = next(kb.db.query("select * from commitments where actor = 'Comune di Alba'"))
    assert commitment["component"] == "sentinella_commitments"
    assert commitment["trigger"] and commitment["resolver"]
    run = kb.db["runs"].get(summary.run_id)
    assert run["kind"] == "reextract" and run["pipeline"] == summary.pipeline
    assert json.loads(run["replaced_pipelines"]) == ["old_rules-0.1.0"]
    assert run["facts"] == summary.facts_after == kb.fact_count([1, 2])


def test_since_and_source_select_documents(kb, nlp):
    assert reextract(kb, nlp, since="2026-11-01").documents == 1
    assert "Scuole" in _actors(kb, "/0")  # published before: untouched
    assert reextract(kb, nlp, source="comune-alba").documents == 1
    assert "Scuole" not in _actors(kb, "/0")


def test_a_failing_batch_leaves_the_old_facts(kb, nlp, monkeypatch):
    calls = []

    def fail_on_second(document_id, extraction, *rest):
        calls.append(document_id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        original(document_id, extraction, *rest)

    original = kb._store_facts
    monkeypatch.setattr(kb, "_store_facts", fail_on_second)
    with pytest.raises(RuntimeError):
        reextract(kb, nlp, batch_size=2)
    assert "Scuole" in _actors(kb, "/0") and "Scuole" in _actors(kb, "/1")
    assert kb.db["runs"].count == 0


def test_cli_prints_a_summary(kb, tmp_path, nlp):
    db = tmp_path / "kb.db"
    result = CliRunner().invoke(cli, ["reextract", "--db", str(db), "--source", "regione"])
    assert result.exit_code == 0, result.output
    assert "re-extracted 1 documents in 1 batches" in result.output
    assert "previous pipelines: old_rules-0.1.0" in result.output


def test_cli_rejects_a_bad_date(tmp_path):
    result = CliRunner().invoke(
        cli, ["reextract", "--db", str(tmp_path / "x.db"), "--since", "ieri"]
    )
    assert result.exit_code == 2
    assert "not a date (YYYY-MM-DD): ieri" in result.output


def test_cli_without_database_is_one_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "sentinella.cli", "reextract", "--db", str(tmp_path / "kb.db")],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"error: no knowledge base at {tmp_path / 'kb.db'} (run `sentinella run` first)"
    ]
    assert not (tmp_path / "kb.db").exists()
