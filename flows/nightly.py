"""The nightly flow: discover → fetch/read → dedup → extract → store, per source, in batches.

The flow is the single writer of the knowledge base. Network work (discovery, fetching)
runs for a few sources side by side (one shared fetcher paces each host), is retried
inside the fetcher with limits and reported per source; the flow then stores source
after source, in the registry's order. Pure work (extraction) is never retried; one bad
page never stops a run.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from sentinella.errors import SentinellaError
from sentinella.extractors.extract import extract_many
from sentinella.extractors.pipeline import load_pipeline, pipeline_id
from sentinella.flows.canonical import canonical_url
from sentinella.flows.dedup import find_duplicate, simhash
from sentinella.flows.discover import Candidate, discover
from sentinella.flows.read import ReadError, read_html
from sentinella.flows.sources import Source, load_sources
from sentinella.kb import KnowledgeBase
from sentinella.kb.store import UNCHANGED, now_iso
from sentinella.records import Document, RunSummary, SourceHealth

BATCH_SIZE = 16
GATHERERS = 4  # sources discovered and fetched at the same time


def progress(message: str) -> None:
    """Progress goes to stderr, so stdout stays clean for the summary and for pipes."""
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Fetched:
    """A candidate after fetching and reading: a document, or why there is none."""

    candidate: Candidate
    document: Document | None = None
    not_modified: bool = False
    error: str | None = None


@dataclass(frozen=True)
class Gathered:
    """One source after discovery and reading: its pages, or why discovery failed."""

    items: list[Fetched] = field(default_factory=list)
    error: str | None = None


@task(cache_policy=NO_CACHE)
def gather(source: Source, db_path: Path, fetcher, tag: str) -> Gathered:
    """Discover and read one source: network and files only, nothing written."""
    try:
        candidates = discover(source, fetcher)
    except SentinellaError as exc:
        progress(f"{tag}: discovery failed: {exc}")
        return Gathered(error=f"discovery: {exc}")
    progress(f"{tag}: {len(candidates)} pages to check")
    items = []
    for start in range(0, len(candidates), BATCH_SIZE):
        items += fetch_and_read(source, candidates[start : start + BATCH_SIZE], db_path, fetcher)
    return Gathered(items)


@task(cache_policy=NO_CACHE)
def fetch_and_read(
    source: Source, candidates: list[Candidate], db_path: Path, fetcher
) -> list[Fetched]:
    """Read every candidate: from disk for folders, over HTTP (conditional GET) otherwise."""
    if source.kind == "folder":
        return [_read_file(source, c) for c in candidates]

    def validators(url: str) -> tuple[str | None, str | None]:
        # read-only (no schema check, which writes); also called from fetch threads
        kb = KnowledgeBase.open(db_path, create=False)
        try:
            return kb.validators(canonical_url(url))
        finally:
            kb.close()

    results = fetcher.fetch_many(
        [(c.url, *validators(c.url)) for c in candidates],
        allow_private_network=source.allow_private_network,
        delay=source.settings.get("delay"),
        revalidate=validators,
    )
    return [_read_response(source, c, r) for c, r in zip(candidates, results)]


def _read_file(source: Source, candidate: Candidate) -> Fetched:
    try:
        html = candidate.path.read_bytes()
        page = read_html(html, url=None, fallback_published=candidate.published)
    except (OSError, ReadError) as exc:
        return Fetched(candidate, error=str(exc))
    return Fetched(candidate, document=_document(source, candidate, page))


def _read_response(source: Source, candidate: Candidate, result) -> Fetched:
    if result.not_modified:
        return Fetched(candidate, not_modified=True)
    if result.error:
        return Fetched(candidate, error=result.error)
    kind = (result.content_type or "text/html").split(";")[0].strip().lower()
    if "html" not in kind and "xml" not in kind:
        return Fetched(candidate, error=f"not an HTML page ({kind})")
    try:
        page = read_html(result.text, url=result.final_url, fallback_published=candidate.published)
    except ReadError as exc:
        return Fetched(candidate, error=str(exc))
    return Fetched(
        candidate,
        document=_document(
            source, candidate, page, etag=result.etag, last_modified=result.last_modified
        ),
    )


def _document(
    source: Source, candidate: Candidate, page, etag=None, last_modified=None
) -> Document:
    url = canonical_url(page.url or candidate.url)
    fetched = canonical_url(candidate.url) if candidate.path is None else None
    return Document(
        url=url,
        fetched_url=fetched if fetched != url else None,
        text=page.text,
        source=source.name,
        title=page.title or candidate.title,
        published=page.published or candidate.published,
        publisher=page.sitename if source.kind == "folder" and page.sitename else source.publisher,
        author=page.author,
        language=page.language,
        fetched_at=now_iso(),
        etag=etag,
        last_modified=last_modified,
    )


@task(cache_policy=NO_CACHE)
def extract_batch(documents: list[Document], model: str | None) -> list:
    nlp = load_pipeline(model)
    items = [
        (d.text, {"url": d.url, "title": d.title, "published": d.published, "source": d.publisher})
        for d in documents
    ]
    return list(extract_many(items, nlp=nlp))


@task(cache_policy=NO_CACHE)
def store_batch(
    db_path: Path, documents: list[Document], extractions: list, refresh: list[Document] = ()
) -> list[tuple[str, bool]]:
    """Store one batch in one transaction: (new/changed/unchanged, is a republication).

    `refresh` are unchanged documents whose new ETag/Last-Modified are kept (no new version).
    """
    kb = KnowledgeBase.open(db_path)
    try:
        known = kb.fingerprints()
        texts = {doc.url: doc.text for doc in documents}

        def text_of(key):  # an id in the base, or the URL of a page of this batch
            return texts.get(key) if isinstance(key, str) else kb.document_text(key)

        fingerprints, duplicates, earlier = {}, {}, []
        for doc in documents:
            fingerprints[doc.url] = simhash(doc.text)
            original = find_duplicate(
                fingerprints[doc.url],
                [*known, *earlier],
                exclude_url=doc.url,
                text=doc.text,
                text_of=text_of,
            )
            if original is not None:
                duplicates[doc.url] = original
            earlier.append((doc.url, doc.url, fingerprints[doc.url]))
        statuses = kb.store_batch(
            [*zip(documents, extractions), *((d, None) for d in refresh)],
            simhashes=fingerprints,
            duplicates=duplicates,
        )
        return [(status, doc.url in duplicates) for doc, status in zip(documents, statuses)]
    finally:
        kb.close()


def run_source(
    source: Source, gathered: Gathered, db_path: Path, model: str | None, tag: str
) -> SourceHealth:
    """Classify, extract and store what was gathered for one source; its health line."""
    health = SourceHealth(source=source.name)
    if gathered.error:
        health.failed += 1
        health.failures.append(gathered.error)
        return health
    health.seen = len(gathered.items)
    for start in range(0, len(gathered.items), BATCH_SIZE):
        fetched = gathered.items[start : start + BATCH_SIZE]
        kb = KnowledgeBase.open(db_path)
        try:
            todo, refresh = [], []
            for item in fetched:
                if item.not_modified:
                    health.not_modified += 1
                    health.unchanged += 1
                elif item.error:
                    health.failed += 1
                    health.failures.append(f"{item.candidate.url}: {item.error}")
                else:
                    health.fetched += 1
                    doc = item.document
                    if not doc.published:
                        health.dates_missing += 1
                    if kb.classify(doc) == UNCHANGED:
                        health.unchanged += 1
                        refresh.append(doc)
                    else:
                        todo.append(doc)
        finally:
            kb.close()
        italian = [d for d in todo if d.language in (None, "it")]
        extractions = dict(zip([d.url for d in italian], extract_batch(italian, model)))
        health.not_italian += len(todo) - len(italian)
        results = [extractions.get(d.url) for d in todo]
        outcomes = store_batch(db_path, todo, results, refresh)
        for ex, (status, duplicate) in zip(results, outcomes):
            setattr(health, status, getattr(health, status) + 1)
            health.duplicates += duplicate
            if ex is not None:
                health.facts += ex.fact_count
                health.empty += ex.fact_count == 0
        done = min(start + BATCH_SIZE, health.seen)
        progress(
            f"{tag}: {done}/{health.seen} stored, {health.new} new, "
            f"{health.changed} changed, {health.failed} failed"
        )
    return health


@flow(
    name="sentinella-nightly",
    log_prints=False,
    task_runner=ThreadPoolTaskRunner(max_workers=GATHERERS),
)
def nightly(
    sources_file: Path, db_path: Path, model: str | None = None, allow_private_network: bool = False
) -> RunSummary:
    """One run over every source in the registry; returns the summary it also stores."""
    started = time.monotonic()
    sources = load_sources(sources_file)
    nlp = load_pipeline(model)
    kb = KnowledgeBase.open(db_path)
    summary = RunSummary(pipeline=pipeline_id(nlp), run_id=kb.start_run(pipeline_id(nlp)))
    kb.close()
    progress(f"pipeline {summary.pipeline}; {len(sources)} sources")
    fetcher = None
    if any(s.kind != "folder" for s in sources):
        from sentinella.flows.fetch import Fetcher

        fetcher = Fetcher(allow_private_network=allow_private_network)
    try:
        tags = [f"[{i}/{len(sources)}] {s.name}" for i, s in enumerate(sources, 1)]
        gathering = [gather.submit(s, db_path, fetcher, tag) for s, tag in zip(sources, tags)]
        for source, future, tag in zip(sources, gathering, tags):
            summary.sources.append(run_source(source, future.result(), db_path, model, tag))
    finally:
        if fetcher is not None:
            fetcher.close()
        summary.seconds = time.monotonic() - started
        kb = KnowledgeBase.open(db_path)
        kb.finish_run(summary)
        kb.close()
    return summary
