"""The nightly flow: discover → fetch → read → extract → store → alert, source by source.

The flow is thin: the work is in `sentinella.ingest` (sources to documents),
`sentinella.extractors` (documents to facts) and `sentinella.kb` (the one writer of the
knowledge base). Sources are gathered a few at a time (network and disk only; one shared
fetcher paces each host and retries inside itself, with limits); the flow then extracts and
stores source after source, in the registry's order, one transaction per batch. Pure work
(extraction) is never retried; a page that fails is recorded and the run goes on.
With watches, the store step queues alerts in the same transaction as the facts
(`sentinella.alerts.planning`), and one alert step at the end delivers them and writes the
feeds (`sentinella.alerts.step`); delivery never fails the run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from sentinella.alerts.planning import AlertPlanner
from sentinella.alerts.step import AlertReport, alert_step
from sentinella.alerts.watches import Watch, load_watches
from sentinella.extractors.extract import extract_many
from sentinella.extractors.pipeline import load_pipeline, pipeline_id
from sentinella.facts import Extraction
from sentinella.flows.report import publish_report
from sentinella.flows.run_record import DEFAULT_WAIT, RunRecord
from sentinella.ingest import pages
from sentinella.ingest.dedup import match_batch
from sentinella.ingest.fetch import Fetcher
from sentinella.ingest.pages import Gathered
from sentinella.ingest.sources import Source, load_sources
from sentinella.kb import UNCHANGED, KnowledgeBase
from sentinella.records import Document, SourceHealth

GATHERERS = 4  # sources discovered and fetched at the same time


class _QuietTaskEnds(logging.Filter):
    """Prefect logs "Finished in state Completed()" for every task run; our lines say more."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Finished in state Completed")


logging.getLogger("prefect.task_runs").addFilter(_QuietTaskEnds())


# Prefect types ThreadPoolTaskRunner() as TaskRunner[Never]; the decorator wants its own type.
@flow(name="sentinella-nightly", task_runner=ThreadPoolTaskRunner(max_workers=GATHERERS))  # type: ignore[arg-type]
def nightly(
    sources_file: Path,
    db_path: Path,
    model: str | None = None,
    allow_private_network: bool = False,
    wait: float = DEFAULT_WAIT,
    watches_file: Path | None = None,
    feeds_dir: Path | None = None,
):
    """One run over every source in the registry: the summary it also stores, in a Prefect
    state that says what the `runs` row says (Completed, Cancelled or Failed).

    With `watches_file`, new statements alert their watches; feeds go to `feeds_dir`
    (default: `feeds/` beside the knowledge base).
    """
    logger = get_run_logger()
    record = RunRecord(db_path, wait=wait, say=logger.warning, flow_run_id=_run_id())
    if not record.open():  # another run kept the base longer than `wait`
        return record.state()
    with record:
        summary = record.summary
        sources = load_sources(sources_file)
        watches = load_watches(watches_file) if watches_file else []
        nlp = load_pipeline(model)
        summary.pipeline = pipeline_id(nlp)
        logger.info("pipeline %s; %d sources", summary.pipeline, len(sources))
        planner = AlertPlanner(tuple(watches), summary.run_id) if watches else None
        with fetcher_for(sources, allow_private_network) as fetcher:
            gathering = [gather.submit(source, fetcher, db_path) for source in sources]
            for source, future in zip(sources, gathering):
                gathered = record.wait_for(future)
                health = record.add_source(source.name)  # recorded even if stopped midway
                process(source, gathered, db_path, model, planner, record.check, health)
        update_ledger(db_path)
        if watches:
            report = alert(db_path, watches, summary.run_id, feeds_dir or db_path.parent / "feeds")
            summary.add_alerts(report.watches, report.by_source, report.error)
    publish_report(record.summary)
    return record.state()


def _run_id() -> str | None:
    from prefect.runtime import flow_run

    return str(flow_run.id) if flow_run.id else None


def process(
    source: Source,
    gathered: Gathered,
    db_path: Path,
    model: str | None,
    planner: AlertPlanner | None = None,
    check: Callable[[], None] = lambda: None,
    health: SourceHealth | None = None,
) -> SourceHealth:
    """Classify, extract and store one source's pages, batch by batch; its health line.

    `check()` runs before each batch (it raises to stop the run between transactions);
    `planner` queues the alerts of what is stored, in the same transaction.
    """
    health = health or SourceHealth(source=source.name)
    if gathered.error:
        health.fail(gathered.error)
        return health
    health.seen = len(gathered.items)
    if not gathered.items:
        get_run_logger().warning("%s: no pages found (check its address or selectors)", source.name)
    for batch in pages.batches(gathered.items):
        check()  # a stop request ends the run between transactions
        documents = pages.tally(batch, health)
        statuses = classify(db_path, documents)
        refresh = [d for d, s in zip(documents, statuses) if s == UNCHANGED]
        todo = [d for d, s in zip(documents, statuses) if s != UNCHANGED]
        health.unchanged += len(refresh)
        health.not_italian += sum(not _italian(d) for d in todo)
        extracted = extract([d for d in todo if _italian(d)], model)
        for url, reason in extracted.failures.items():
            health.fail(f"{url}: extraction failed: {reason}")
        todo = [d for d in todo if d.url not in extracted.failures]
        facts = [extracted.facts.get(d.url) for d in todo]
        stored = store(db_path, todo, facts, refresh, planner)
        for (status, duplicate), found in zip(stored, facts):
            health.count_stored(status, duplicate, found.fact_count if found else None)
        get_run_logger().info(
            "%s: %d new, %d changed, %d unchanged, %d failed so far (of %d)",
            source.name,
            health.new,
            health.changed,
            health.unchanged,
            health.failed,
            health.seen,
        )
    return health


def _italian(document: Document) -> bool:
    return document.language in (None, "it")


@task(cache_policy=NO_CACHE)
def gather(source: Source, fetcher: Fetcher | None, db_path: Path) -> Gathered:
    """Discover and read one source: network and files only, nothing written."""
    logger = get_run_logger()

    def validators(urls: list[str]) -> dict:
        with open_kb(db_path) as kb:
            return kb.validators_for(urls)

    return pages.gather(
        source, fetcher, validators, progress=lambda m: logger.info("%s: %s", source.name, m)
    )


@task(cache_policy=NO_CACHE)
def classify(db_path: Path, documents: list[Document]) -> list[str]:
    """new, changed or unchanged, for each document, against the knowledge base."""
    with open_kb(db_path) as kb:
        return [kb.classify(d) for d in documents]


@dataclass(frozen=True)
class Extracted:
    """Facts by URL, and the pages whose extraction raised (with the reason)."""

    facts: dict[str, Extraction]
    failures: dict[str, str]


@task(cache_policy=NO_CACHE)
def extract(documents: list[Document], model: str | None) -> Extracted:
    """Facts of each document; a page that raises is reported, not stored, and the rest go on."""
    nlp = load_pipeline(model)
    try:
        return Extracted({e.meta["url"]: e for e in extract_many(_items(documents), nlp=nlp)}, {})
    except Exception:  # one bad page must not cost the batch: redo it page by page
        facts, failures = {}, {}
        for doc in documents:
            try:
                facts[doc.url] = next(extract_many(_items([doc]), nlp=nlp))
            except Exception as exc:
                failures[doc.url] = f"{type(exc).__name__}: {str(exc)[:200]}"
        return Extracted(facts, failures)


def _items(documents: list[Document]) -> list[tuple[str, dict]]:
    return [
        (d.text, {"url": d.url, "title": d.title, "published": d.published, "source": d.publisher})
        for d in documents
    ]


@task(cache_policy=NO_CACHE)
def store(
    db_path: Path,
    documents: list[Document],
    extractions: list[Extraction | None],
    refresh: list[Document],
    planner: AlertPlanner | None = None,
) -> list[tuple[str, bool]]:
    """One transaction: new and changed documents with their facts, republications linked,
    and the alerts that `planner` queues for them.

    Returns (new/changed, is a republication) per document; `refresh` are unchanged documents
    whose new ETag/Last-Modified are kept (no new version).
    """
    with open_kb(db_path, create=True) as kb:
        fingerprints, duplicates = match_batch(
            {d.url: d.text for d in documents}, kb.fingerprints(), kb.document_text
        )
        statuses = kb.store_batch(
            [*zip(documents, extractions), *((d, None) for d in refresh)],
            simhashes=fingerprints,
            duplicates=duplicates,
            on_stored=planner,
        )
    return [(status, doc.url in duplicates) for doc, status in zip(documents, statuses)]


@task(cache_policy=NO_CACHE)
def alert(db_path: Path, watches: list[Watch], run_id: int | None, feeds_dir: Path) -> AlertReport:
    """Deliver the pending alerts and write the feeds, once, after every store committed."""
    report = alert_step(db_path, watches, run_id, feeds_dir)
    sent, failed = (sum(getattr(w, k) for w in report.watches) for k in ("sent", "failed"))
    pending = sum(w.pending for w in report.watches)
    get_run_logger().info(
        "alerts: %d sent, %d failed, %d pending%s",
        sent,
        failed,
        pending,
        f" ({report.error})" if report.error else "",
    )
    return report


@task(cache_policy=NO_CACHE)
def update_ledger(db_path: Path) -> None:
    """Join the night's commitments into promises (only when commitments or overrides changed).

    The ledger is derived data: if it cannot be rebuilt the run still counts, and
    `sentinella ledger rebuild` (or the next run) tries again.
    """
    from sentinella.kb.ledger import ensure_ledger

    try:
        with open_kb(db_path, create=True) as kb:
            built = ensure_ledger(kb)
    except Exception as exc:
        get_run_logger().warning("ledger not rebuilt: %s: %s", type(exc).__name__, exc)
        return
    if built is not None:
        get_run_logger().info(
            "ledger: %d statements in %d promises (%.1f s)",
            built.statements,
            built.pledges,
            built.seconds,
        )


@contextmanager
def open_kb(db_path: Path, create: bool = False) -> Iterator[KnowledgeBase]:
    """The knowledge base for one step; readers never create or migrate the schema."""
    kb = KnowledgeBase.open(db_path, create=create)
    try:
        yield kb
    finally:
        kb.close()


@contextmanager
def fetcher_for(sources: list[Source], allow_private_network: bool) -> Iterator[Fetcher | None]:
    """One HTTP client for the whole run, if any source is on the web."""
    if all(s.kind == "folder" for s in sources):
        yield None
        return
    with Fetcher(allow_private_network=allow_private_network) as fetcher:
        yield fetcher
