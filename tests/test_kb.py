"""The knowledge base: idempotent writes, versions, atomic batches, validators, schema growth."""

from __future__ import annotations

import pytest
import sqlite_utils

from sentinella.facts import Actor, Amount, Extraction
from sentinella.kb import CHANGED, NEW, UNCHANGED, KnowledgeBase, KnowledgeBaseError
from sentinella.kb.queries import Filters, actors, amounts
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
