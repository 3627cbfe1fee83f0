"""The nightly flow: discover → fetch → read → extract → store → alert, in batches, as pages arrive.

The flow is thin: the work is in `sentinella.ingest` (sources to documents),
`sentinella.extractors` (documents to facts) and `sentinella.kb` (the one writer of the
knowledge base). Sources are gathered side by side (network and disk only; one shared
fetcher paces each host and obeys its robots.txt, so different hosts are fetched at the
same time and each at its own pace); their pages come to the flow batch by batch through
bounded queues (memory stays flat however many pages a run sees), source after source in
the registry's order. The flow classifies each batch, sends what is new or changed to the
extract stage (in process, or on Dask: see `flows.extraction`) and stores the results in
order, one transaction per batch. Pure work (extraction) is never retried; a page that
fails is recorded and the run goes on. The NLP pipeline is loaded only when a batch has
text to extract: a run with nothing new loads none.
With watches, the store step queues alerts in the same transaction as the facts
(`sentinella.alerts.planning`), and one alert step at the end delivers them and writes the
feeds (`sentinella.alerts.step`); delivery never fails the run. `flows.run_record` keeps
the run's row, the one-writer lock and the stop signals.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
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
from sentinella.flows.extraction import Extracted, ExtractStage, describe, extract
from sentinella.flows.parcel import Parcel
from sentinella.flows.report import publish_report
from sentinella.flows.run_record import DEFAULT_WAIT, RunRecord
from sentinella.ingest import pages
from sentinella.ingest.dedup import match_batch
from sentinella.ingest.discover import IndexPages, source_fingerprint
from sentinella.ingest.fetch import Fetcher
from sentinella.ingest.pages import Fetched
from sentinella.ingest.sources import Source, load_sources
from sentinella.kb import UNCHANGED, KnowledgeBase
from sentinella.records import Document, RunSummary, SourceHealth
from sentinella.timing import EXTRACT_RUNS, PREFECT_TASKS, TASK_RUNS, Stopwatch

__all__ = ["extract", "nightly"]

# Seconds inside the bodies of the flow thread's tasks (classify, store), in this process:
# the same calls timed from outside, less these, is what Prefect's task runs cost.
TASK_BODIES = Stopwatch()

GATHERERS = 8  # sources discovered and fetched at the same time (each host keeps its pace)
QUEUED_BATCHES = 4  # batches a source reads ahead of the flow, at most (memory stays flat)


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
    workers: int = 0,
    cluster: str | None = None,
):
    """One run over every source in the registry: the summary it also stores, in a Prefect
    state that says what the `runs` row says (Completed, Cancelled or Failed).

    With `watches_file`, new statements alert their watches; feeds go to `feeds_dir`
    (default: `feeds/` beside the knowledge base). `workers` (a local Dask cluster of that
    many processes) or `cluster` (the address of a dask.distributed scheduler) move the
    extract stage off the flow's process.
    """
    logger = get_run_logger()
    record = RunRecord(db_path, wait=wait, say=logger.warning, flow_run_id=_run_id())
    if not record.open():  # another run kept the base longer than `wait`
        return record.state()
    with record:
        summary = record.summary
        sources = load_sources(sources_file)
        watches = load_watches(watches_file) if watches_file else []
        logger.info("%d sources; extraction %s", len(sources), describe(workers, cluster))
        planner = AlertPlanner(tuple(watches), summary.run_id) if watches else None
        clock, bodies = Stopwatch(), task_bodies()
        try:
            with (
                fetcher_for(sources, allow_private_network) as fetcher,
                ExtractStage(model, workers=workers, cluster=cluster) as stage,
            ):
                run = Run(db_path, clock, record, planner)
                process(sources, fetcher, run, stage, record.check)
        finally:
            summary.stages = _stages(clock, bodies)
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
    sources: list[Source],
    fetcher: Fetcher | None,
    run: Run,
    stage: ExtractStage,
    check: Callable[[], None] = lambda: None,
) -> None:
    """Gather every source side by side; classify, extract and store their batches in the
    registry's order. `check()` runs before each batch (it raises to stop the run between
    transactions)."""
    queues = [Handover() for _ in sources]
    gathering = [
        gather.submit(s, fetcher, run.db_path, q, run.clock) for s, q in zip(sources, queues)
    ]
    run.clock.count("sources", len(sources))  # one gather task run each
    try:
        for source, arrivals, gathered in zip(sources, queues, gathering):
            run.begin(source)
            for arrived in _arrivals(arrivals, gathered, check):
                check()  # a stop request ends the run between transactions
                work = run.admit(source, arrived)
                for done in stage.submit(work.items(), work):
                    check()  # batches extracted but not stored are dropped, whole
                    run.settle(*done)
        for done in stage.drain():
            check()
            run.settle(*done)
    finally:  # if the flow stops early, gatherers waiting to hand over stop too
        for handover in queues:
            handover.closed.set()


class Handover(queue.Queue):
    """A source's batches on their way to the flow: bounded, and closed if the flow stops."""

    def __init__(self) -> None:
        super().__init__(maxsize=QUEUED_BATCHES)
        self.closed = threading.Event()

    def hand(self, item: object) -> None:
        """Put, waiting for room; gives up (raises Closed) once the flow has stopped."""
        while not self.closed.is_set():
            try:
                self.put(item, timeout=0.5)
                return
            except queue.Full:
                continue
        raise Closed


class Closed(Exception):
    """The flow stopped taking batches."""


@dataclass(frozen=True)
class Ended:
    """A source's last word: its index pages to keep for the next run, or why there are none."""

    index: IndexPages | None = None  # None: ask for every index page again next time
    error: str | None = None  # discovery failed


@dataclass
class Work:
    """One batch between classification and storage, or a source's end."""

    source: Source
    todo: list[Document]  # new or changed: stored with their facts
    refresh: list[Document]  # unchanged: only new validators are kept
    ended: Ended | None = None

    def items(self) -> list[tuple[str, dict]]:
        """(text, metadata) of the Italian documents to extract."""
        return [
            (
                d.text,
                {"url": d.url, "title": d.title, "published": d.published, "source": d.publisher},
            )
            for d in self.todo
            if _italian(d)
        ]


def _arrivals(
    arrivals: Handover, gathered, check: Callable[[], None]
) -> Iterator[list[Fetched] | Ended]:
    """One source's batches as its gatherer hands them over, then its Ended.

    Sources are taken in the registry's order (so a page listed by two sources is
    attributed the same way on every run) while the later ones are gathered ahead, up to
    QUEUED_BATCHES batches each.
    """
    while True:
        try:
            arrived = arrivals.get(timeout=1.0)
        except queue.Empty:
            check()  # a stop request is heard while a slow source is fetched
            if gathered.wrapped_future.done() and arrivals.empty():
                raise RuntimeError("a source's gathering stopped without a word") from None
            continue
        yield arrived
        if isinstance(arrived, Ended):
            return


class Run:
    """The flow's side of one run: classify what arrives, store what comes back, count."""

    def __init__(
        self, db_path: Path, clock: Stopwatch, record: RunRecord, planner: AlertPlanner | None
    ):
        self.db_path, self.clock, self.record, self.planner = db_path, clock, record, planner
        self.summary: RunSummary = record.summary
        self.health: dict[str, SourceHealth] = {}
        self.unsettled: set[str] = set()  # sources with pages to try again next run

    def begin(self, source: Source) -> None:
        """A source's line in the summary, from its first batch on (kept if stopped midway)."""
        self.health[source.name] = self.record.add_source(source.name)

    def admit(self, source: Source, arrived: list[Fetched] | Ended) -> Work:
        """Count a batch's fetch outcomes and classify its documents against the kb."""
        health = self.health[source.name]
        if isinstance(arrived, Ended):
            if arrived.error:
                health.fail(arrived.error)
            if arrived.index is not None:
                health.index_not_modified = len(arrived.index.not_modified)
            return Work(source, [], [], arrived)
        health.seen += len(arrived)
        if any(f.transient for f in arrived):
            self.unsettled.add(source.name)
        documents = pages.tally(arrived, health)
        with self.clock.clock("classify"):
            statuses = classify(self.db_path, Parcel(documents))
        refresh = [d for d, s in zip(documents, statuses) if s == UNCHANGED]
        todo = [d for d, s in zip(documents, statuses) if s != UNCHANGED]
        health.unchanged += len(refresh)
        health.not_italian += sum(not _italian(d) for d in todo)
        return Work(source, todo, refresh)

    def settle(self, work: Work, extracted: Extracted) -> None:
        """Store one extracted batch (or keep an ended source's index pages); log progress."""
        if work.ended is not None:
            self._end(work.source, work.ended)
            return
        health = self.health[work.source.name]
        if extracted.pipeline:  # a batch was extracted (one task run), not only stored
            self.clock.add("extract", extracted.seconds)
        self.summary.pipeline = self.summary.pipeline or extracted.pipeline or ""
        for url, reason in extracted.failures.items():
            health.fail(f"{url}: extraction failed: {reason}")
            self.unsettled.add(work.source.name)
        todo = [d for d in work.todo if d.url not in extracted.failures]
        facts = [extracted.facts.get(d.url) for d in todo]
        if todo or work.refresh:
            with self.clock.clock("store"):
                stored = store(self.db_path, Parcel((todo, facts, work.refresh, self.planner)))
            for (status, duplicate), found in zip(stored, facts):
                counted = found.fact_count if found is not None and status != UNCHANGED else None
                health.count_stored(status, duplicate, counted)
        get_run_logger().info(
            "%s: %d new, %d changed, %d unchanged, %d failed so far (of %d)",
            work.source.name,
            health.new,
            health.changed,
            health.unchanged,
            health.failed,
            health.seen,
        )

    def _end(self, source: Source, ended: Ended) -> None:
        """After a source's last batch is stored: keep its index pages' validators, unless
        a page must be tried again (then next run reads the feed or sitemap whole)."""
        health = self.health[source.name]
        if not health.seen and not health.failed and not health.index_not_modified:
            get_run_logger().warning(
                "%s: no pages found (check its address or selectors)", source.name
            )
        if ended.index is None or source.name in self.unsettled:
            return
        with open_kb(self.db_path, create=True) as kb:
            kb.keep_index_pages(source.name, source_fingerprint(source), ended.index.seen.values())


def _italian(document: Document) -> bool:
    return document.language in (None, "it")


@task(cache_policy=NO_CACHE)
def gather(
    source: Source, fetcher: Fetcher | None, db_path: Path, arrivals: Handover, clock: Stopwatch
) -> None:
    """Discover and read one source, handing its pages to the flow batch by batch.

    Network and files only: nothing is written. Ends with an `Ended` on `arrivals`, whatever
    happened (so the flow never waits for a source that failed), unless the flow stopped.
    """
    logger = get_run_logger()
    try:
        with open_kb(db_path) as kb:
            index = IndexPages(known=kb.index_pages(source.name, source_fingerprint(source)))

        def validators(urls: list[str]) -> dict:
            with open_kb(db_path) as kb:
                return kb.validators_for(urls)

        for batch in pages.stream(
            source,
            fetcher,
            validators,
            progress=lambda m: logger.info("%s: %s", source.name, m),
            index=index,
            clock=clock.clock,
        ):
            arrivals.hand(batch)
        ended = Ended(index=index if source.kind != "folder" else None)
    except Closed:
        return  # the flow stopped: nobody is waiting for the rest
    except Exception as exc:  # discovery failed (or worse): the source's line says why
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        ended = Ended(error=f"discovery: {detail}")
    with contextlib.suppress(Closed):
        arrivals.hand(ended)


@task(cache_policy=NO_CACHE)
def classify(db_path: Path, documents: Parcel[list[Document]]) -> list[str]:
    """new, changed or unchanged, for each document, against the knowledge base."""
    with TASK_BODIES.clock("classify"), open_kb(db_path) as kb:
        return [kb.classify(d) for d in documents.content]


@task(cache_policy=NO_CACHE)
def store(db_path: Path, batch: Parcel[tuple]) -> list[tuple[str, bool]]:
    """One transaction: new and changed documents with their facts, republications linked,
    and the alerts that the planner queues for them.

    `batch` holds (documents, their extractions, refresh, planner or None): refresh are
    unchanged documents whose new ETag/Last-Modified are kept (no new version). Returns
    (new/changed, is a republication) per document.
    """
    documents, extractions, refresh, planner = batch.content
    with TASK_BODIES.clock("store"), open_kb(db_path, create=True) as kb:
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


def task_bodies() -> dict[str, float]:
    """Seconds so far inside the flow thread's task bodies. (A function, not the global in
    the flow's body: Dask pickles the flow's function by value, and a Stopwatch holds a lock.)"""
    return TASK_BODIES.snapshot()[0]


def _stages(clock: Stopwatch, bodies_before: dict[str, float]) -> dict[str, float]:
    """Busy seconds per stage (classify and store as long as their bodies took), Prefect's
    part of the flow thread's task calls (timed around them, less the bodies) and the
    number of task runs."""
    outer, calls = clock.snapshot()
    bodies, _ = TASK_BODIES.snapshot()
    stages = dict(outer)
    overhead = 0.0
    for step in ("classify", "store"):
        if step in outer:
            stages[step] = bodies.get(step, 0.0) - bodies_before.get(step, 0.0)
            overhead += outer[step] - stages[step]
    stages[PREFECT_TASKS] = overhead
    stages[EXTRACT_RUNS] = calls.get("extract", 0)
    stages[TASK_RUNS] = sum(calls.get(s, 0) for s in ("classify", "store", "extract", "sources"))
    return stages


@contextmanager
def fetcher_for(sources: list[Source], allow_private_network: bool) -> Iterator[Fetcher | None]:
    """One HTTP client for the whole run, if any source is on the web."""
    if all(s.kind == "folder" for s in sources):
        yield None
        return
    with Fetcher(allow_private_network=allow_private_network, workers=GATHERERS) as fetcher:
        yield fetcher
