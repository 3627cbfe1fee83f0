"""Re-extraction: the current pipeline over documents already in the knowledge base.

A better model or rule set reaches the existing base without deleting documents:
`reextract(kb, nlp, since=..., source=...)` reads the current documents (optionally only
those published since a date, or from one source), extracts them again in batches, and
replaces each batch's facts in one transaction (kb.replace_facts): a failure leaves
every document with either its old facts or its new ones, never half of each. The ledger
of promises is then rebuilt from the new commitments, and the run is recorded in `runs`
(kind "reextract") with the pipelines whose facts it replaced.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from spacy.language import Language

from sentinella.extractors.extract import extract_many
from sentinella.extractors.pipeline import pipeline_id
from sentinella.kb.ledger import rebuild_ledger
from sentinella.kb.store import KnowledgeBase

META_KEYS = ("url", "title", "published")


@dataclass
class ReextractSummary:
    pipeline: str
    documents: int = 0
    facts_before: int = 0
    facts_after: int = 0
    batches: int = 0
    replaced_pipelines: list[str] = field(default_factory=list)
    run_id: int | None = None
    seconds: float = 0.0


def _meta(row: dict) -> dict:
    meta = {k: row[k] for k in META_KEYS if row.get(k)}
    meta["source"] = row.get("publisher") or row.get("source")
    meta["id"] = row["id"]
    return meta


def reextract(
    kb: KnowledgeBase,
    nlp: Language,
    *,
    since: str | None = None,
    source: str | None = None,
    batch_size: int = 32,
    progress: Callable[[ReextractSummary, int], None] | None = None,
) -> ReextractSummary:
    """Extract stored documents again and replace their facts, batch by batch."""
    started = time.perf_counter()
    rows = kb.stored_documents(since=since, source=source)
    summary = ReextractSummary(pipeline=pipeline_id(nlp))
    summary.replaced_pipelines = sorted({r["pipeline"] for r in rows if r["pipeline"]})
    for k in range(0, len(rows), batch_size):
        batch = rows[k : k + batch_size]
        ids = [r["id"] for r in batch]
        summary.facts_before += kb.fact_count(ids)
        items = [(r["text"], _meta(r)) for r in batch]
        extractions = list(extract_many(items, nlp=nlp))
        summary.facts_after += kb.replace_facts(zip(ids, extractions))
        summary.documents += len(batch)
        summary.batches += 1
        if progress is not None:
            progress(summary, len(rows))
    if summary.documents:
        rebuild_ledger(kb)  # the promises are built from the commitments just replaced
    summary.seconds = time.perf_counter() - started
    summary.run_id = kb.record_reextract(
        summary.pipeline,
        summary.replaced_pipelines,
        summary.documents,
        summary.facts_after,
        summary.seconds,
    )
    return summary
