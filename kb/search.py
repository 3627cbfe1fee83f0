"""Italian full-text search: stems over documents and commitment sentences.

The stems (Snowball Italian, kb/text.py) are indexed beside the raw text in two
contentless FTS5 tables whose rowids are document and commitment ids, so "assunzione"
finds "assunzioni". A hit shows the sentence that matched with its words marked.
"""

from __future__ import annotations

from sentinella.kb.store import KnowledgeBase
from sentinella.kb.text import best_sentence, fts_query, mark

SEARCH_COLUMNS = ["kind", "published", "publisher", "actor", "sentence", "title", "url"]


def search_text(kb: KnowledgeBase, words: str, *, limit: int = 20) -> list[dict]:
    """Commitment sentences first, then other documents that match; newest stored first
    (the index walks its rowids backwards and stops at `limit`, however common the words)."""
    query = fts_query(words)
    if not query:
        return []
    rows = []
    seen_documents = set()
    for r in kb.db.query(
        "select c.document_id, d.published, d.publisher, c.actor, c.sentence, d.title, d.url "
        "from commitments_stem_fts f join commitments c on c.id = f.rowid "
        "join documents d on d.id = c.document_id "
        "where commitments_stem_fts match ? and d.current = 1 and d.duplicate_of is null "
        "order by f.rowid desc limit ?",
        [query, limit],
    ):
        seen_documents.add(r["document_id"])
        rows.append(_row("commitment", r, mark(r["sentence"], words)))
    for r in kb.db.query(
        "select d.id as document_id, d.published, d.publisher, null as actor, d.text, "
        "d.title, d.url from documents_stem_fts f join documents d on d.id = f.rowid "
        "where documents_stem_fts match ? and d.current = 1 and d.duplicate_of is null "
        "order by f.rowid desc limit ?",
        [query, limit],
    ):
        if len(rows) >= limit:
            break
        if r["document_id"] in seen_documents:
            continue
        sentence = best_sentence(r["text"], words) or r["title"] or ""
        rows.append(_row("document", r, mark(sentence, words)))
    return rows[:limit]


def _row(kind: str, r: dict, sentence: str) -> dict:
    return {
        "kind": kind,
        "published": r["published"],
        "publisher": r["publisher"],
        "actor": r["actor"],
        "sentence": sentence,
        "title": r["title"],
        "url": r["url"],
    }
