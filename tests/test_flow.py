"""The nightly flow end to end on a slice of the sample corpus, into a real SQLite file.

Orchestration is what these tests check, so they run the rules-only pipeline (`blank:it`,
fast to load and run); the shipped model's extraction is tested in the extraction tests and
by the session's sample base (conftest.sample_base).
"""

from __future__ import annotations

import sqlite_utils

from sentinella.extractors.pipeline import load_pipeline
from sentinella.flows.nightly import nightly

RULES = "blank:it"


def _counts(db_path):
    db = sqlite_utils.Database(db_path)
    return {
        t: db[t].count
        for t in ("documents", "actors", "mentions", "sites", "amounts", "commitments")
    }


def test_flow_stores_documents_and_facts(prefect_server, corpus_slice, tmp_path):
    db_path = tmp_path / "kb.db"
    summary = nightly(sources_file=corpus_slice, db_path=db_path, model=RULES)
    assert summary.total("seen") == 6
    assert summary.total("new") == 6
    assert summary.total("failed") == 0
    counts = _counts(db_path)
    assert counts["documents"] == 6
    assert counts["amounts"] > 0
    assert summary.total("facts") == (
        counts["mentions"] + counts["sites"] + counts["amounts"] + counts["commitments"]
    )
    db = sqlite_utils.Database(db_path)
    run = next(db.query("select * from runs"))
    assert (run["status"], run["new"], run["sources"]) == ("ok", 6, 1)
    health = next(db.query("select * from source_health"))
    assert (health["source"], health["seen"], health["new"]) == ("slice", 6, 6)
    # The ledger is rebuilt at the end of the run: every statement belongs to one promise.
    assert counts["commitments"] > 0
    assert db["ledger_builds"].count == 1
    assert db["pledge_statements"].count == db["statements"].count > 0
    for doc in db.query("select * from documents"):
        assert doc["url"].startswith("https://sentinella.example/")  # the page's rel=canonical
        assert doc["published"] and doc["title"] and doc["content_hash"]
        assert doc["pipeline"]


def test_second_run_changes_nothing(prefect_server, corpus_slice, tmp_path):
    db_path = tmp_path / "kb.db"
    nightly(sources_file=corpus_slice, db_path=db_path, model=RULES)
    before = _counts(db_path)
    summary = nightly(sources_file=corpus_slice, db_path=db_path, model=RULES)
    assert (summary.total("new"), summary.total("changed"), summary.total("unchanged")) == (0, 0, 6)
    assert _counts(db_path) == before


def test_changed_page_becomes_a_new_version(prefect_server, corpus_slice, tmp_path):
    db_path = tmp_path / "kb.db"
    nightly(sources_file=corpus_slice, db_path=db_path, model=RULES)
    db = sqlite_utils.Database(db_path)
    facts_before = {t: db[t].count for t in ("mentions", "sites", "amounts")}
    page = sorted((corpus_slice.parent / "pages").glob("*/*.html"))[0]
    html = page.read_text(encoding="utf-8")
    cut = html.index("</p>", html.index("<article"))  # the first paragraph of the article
    page.write_text(html[:cut] + " Rettifica: dato aggiornato." + html[cut:], encoding="utf-8")
    summary = nightly(sources_file=corpus_slice, db_path=db_path, model=RULES)
    assert (summary.total("new"), summary.total("changed"), summary.total("unchanged")) == (0, 1, 5)
    versions = list(
        db.query(
            "select version, current from documents where url = "
            "(select url from documents where version = 2) order by version"
        )
    )
    assert versions == [{"version": 1, "current": 0}, {"version": 2, "current": 1}]
    # The superseded version keeps its facts; the new version gets its own.
    old_id = next(db.query("select id from documents where current = 0"))["id"]
    new_id = next(db.query("select id from documents where version = 2"))["id"]
    for table, before in facts_before.items():
        new_rows = db[table].count_where("document_id = ?", [new_id])
        assert db[table].count == before + new_rows
    assert db["documents"].count == 7
    assert old_id != new_id


def _add_page(corpus_slice, name: str, body: str) -> None:
    page = corpus_slice.parent / "pages" / "extra" / name
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(
        f"<html lang='it'><head><title>{name}</title></head><body><article>{body}</article>"
        "</body></html>",
        encoding="utf-8",
    )


def test_a_page_longer_than_the_pipeline_accepts_is_extracted_in_pieces(
    prefect_server, corpus_slice, tmp_path
):
    nlp = load_pipeline(RULES)
    paragraphs = "".join(
        f"<p>Per il lotto {i} della strada provinciale la Giunta regionale ha stanziato "
        f"{i + 1} milioni di euro, ha annunciato l'assessore ai Trasporti Marco Gabusi.</p>"
        for i in range(600)
    )
    _add_page(corpus_slice, "lunga.html", paragraphs)  # ~80,000 characters of text
    saved = nlp.max_length
    nlp.max_length = 20_000  # spaCy raises E088 over this: the page is four times longer
    try:
        summary = nightly(sources_file=corpus_slice, db_path=tmp_path / "kb.db", model=RULES)
    finally:
        nlp.max_length = saved
    assert (summary.total("new"), summary.total("failed")) == (7, 0)
    db = sqlite_utils.Database(tmp_path / "kb.db")
    long_id = next(db.query("select id from documents where title = 'lunga.html'"))["id"]
    values = {
        r["value"] for r in db.query("select value from amounts where document_id = ?", [long_id])
    }
    assert values == {float(i + 1) * 1_000_000 for i in range(600)}


def test_a_page_whose_extraction_raises_is_reported_and_the_others_are_stored(
    prefect_server, corpus_slice, tmp_path, monkeypatch
):
    from sentinella.flows import extraction as module

    real = module.extract_many

    def fragile(items, nlp=None):
        for text, meta in items:
            if "GUASTO" in text:
                raise RuntimeError("the pipeline broke on this page")
            yield from real([(text, meta)], nlp=nlp)

    monkeypatch.setattr(module, "extract_many", fragile)
    _add_page(corpus_slice, "guasta.html", "<p>Pagina GUASTO con testo italiano del Comune.</p>")
    summary = nightly(sources_file=corpus_slice, db_path=tmp_path / "kb.db", model=RULES)
    assert (summary.total("new"), summary.total("failed")) == (6, 1)
    (failure,) = summary.sources[0].failures
    assert "guasta.html" in failure and "extraction failed: RuntimeError" in failure
    db = sqlite_utils.Database(tmp_path / "kb.db")
    assert db["documents"].count == 6
    assert next(db.query("select status from runs"))["status"] == "ok"
