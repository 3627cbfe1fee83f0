"""The back-fill flow: a source's archive (sitemaps, paginated listings) since a date, in
resumable chunks.

The same politeness as the nightly run (one fetcher: robots.txt, each host at its pace),
the same extract stage (in process or on Dask) and the same single writer. Progress is
kept in the knowledge base (`backfill_walks`, `backfill_pages`, per job "since DATE"): each
step through the archive stores the pages it found with where the walk stands, in one
transaction; pages are fetched a chunk at a time and marked done once stored. Killed
halfway, `sentinella backfill` with the same --since goes on where it stopped: pages already
stored are not fetched again, and none found is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from prefect import flow, get_run_logger

from sentinella.flows.extraction import Extracted, ExtractStage, describe
from sentinella.flows.nightly import (
    Run,
    Work,
    _run_id,
    _stages,
    fetcher_for,
    open_kb,
    task_bodies,
)
from sentinella.flows.run_record import DEFAULT_WAIT, RunRecord
from sentinella.ingest import archive, pages
from sentinella.ingest.discover import Candidate
from sentinella.ingest.fetch import Fetcher
from sentinella.ingest.pages import Fetched
from sentinella.ingest.sources import Source, load_sources
from sentinella.timing import Stopwatch


def job_name(since: date) -> str:
    return f"since {since.isoformat()}"


@flow(name="sentinella-backfill")
def backfill(
    sources_file: Path,
    db_path: Path,
    since: date,
    model: str | None = None,
    allow_private_network: bool = False,
    workers: int = 0,
    cluster: str | None = None,
    chunk: int | None = None,
    wait: float = DEFAULT_WAIT,
):
    """Walk every source's archive back to `since`; store what is not stored yet. Returns the
    summary in a Prefect state, as the nightly flow does (the same run record and lock)."""
    logger = get_run_logger()
    record = RunRecord(db_path, wait=wait, say=logger.warning, flow_run_id=_run_id())
    if not record.open():
        return record.state()
    with record:
        sources = load_sources(sources_file)
        logger.info(
            "back-fill since %s: %d sources; extraction %s",
            since,
            len(sources),
            describe(workers, cluster),
        )
        clock, bodies = Stopwatch(), task_bodies()
        try:
            with (
                fetcher_for(sources, allow_private_network) as fetcher,
                ExtractStage(model, workers=workers, cluster=cluster) as stage,
            ):
                run = Run(db_path, clock, record, None)
                walker = Walker(db_path, job_name(since), since, chunk or pages.BATCH_SIZE)
                for source in sources:
                    run.begin(source)
                    for batch, urls in walker.chunks(source, fetcher, clock):
                        record.check()  # a stop request ends the back-fill between chunks
                        work = run.admit(source, batch)
                        for done in stage.submit(work.items(), (work, urls)):
                            walker.settle(run, *done)
                for done in stage.drain():
                    walker.settle(run, *done)
        finally:
            record.summary.stages = _stages(clock, bodies)
    return record.state()


def _candidate(source: Source, found: dict) -> Candidate:
    """A page found by the walk, as discovery gives it (folder pages with their path)."""
    path = None
    if source.kind == "folder":
        path = Path(url2pathname(urlsplit(found["url"]).path))
    return Candidate(source=source.name, path=path, **found)


class Walker:
    """One back-fill job's walk through the archives, chunk by chunk."""

    def __init__(self, db_path: Path, job: str, since: date, size: int):
        self.db_path, self.job, self.since, self.size = db_path, job, since, size
        self.in_flight: set[str] = set()  # handed to the flow, not yet marked done

    def chunks(
        self, source: Source, fetcher: Fetcher | None, clock: Stopwatch
    ) -> Iterator[tuple[list[Fetched], list[str]]]:
        """The source's pages not yet stored, fetched a chunk at a time, with their URLs;
        the archive is walked one index page at a time whenever nothing is pending."""
        logger = get_run_logger()
        while True:
            with open_kb(self.db_path, create=True) as kb:
                pending = kb.backfill_pending(self.job, source.name, self.size, self.in_flight)
                stored = kb.stored_urls([p["url"] for p in pending])
                if stored:  # stored before a kill, not yet marked: never fetched twice
                    kb.backfill_done(self.job, sorted(stored))
            todo = [_candidate(source, p) for p in pending if p["url"] not in stored]
            if todo:
                self.in_flight.update(c.url for c in todo)
                yield self._fetch(source, todo, fetcher, clock), [c.url for c in todo]
            elif not pending and not self._walk_on(source, fetcher, clock, logger):
                return

    def _walk_on(self, source: Source, fetcher, clock: Stopwatch, logger) -> bool:
        """One more index page of the archive; False when the walk is over."""
        with open_kb(self.db_path, create=True) as kb:
            stored = kb.backfill_walk(self.job, source.name)
        walk = archive.Walk.from_json(stored) if stored else archive.start(source)
        if walk.finished:
            return False
        with clock.clock("discover"):
            found, walk = archive.step(source, fetcher, walk, self.since)
        with open_kb(self.db_path, create=True) as kb:
            added = kb.backfill_step(
                self.job,
                source.name,
                walk.to_json(),
                walk.finished,
                [{"url": c.url, "published": c.published, "title": c.title} for c in found],
            )
        logger.info(
            "%s: archive page %d read, %d new pages found%s",
            source.name,
            len(walk.seen),
            added,
            "; walk finished" if walk.finished else "",
        )
        return True

    def _fetch(
        self, source: Source, todo: list[Candidate], fetcher: Fetcher | None, clock: Stopwatch
    ) -> list[Fetched]:
        if source.kind == "folder" or fetcher is None:
            with clock.clock("read"):
                return [pages.read_file(source, c) for c in todo]

        def validators(urls: list[str]) -> dict:
            with open_kb(self.db_path) as kb:
                return kb.validators_for(urls)

        return pages.fetch_batch(source, todo, fetcher, validators, clock.clock)

    def settle(self, run: Run, payload: tuple[Work, list[str]], extracted: Extracted) -> None:
        """Store the chunk, then mark its pages done (stored, or failed and reported)."""
        work, urls = payload
        run.settle(work, extracted)
        with open_kb(self.db_path, create=True) as kb:
            kb.backfill_done(self.job, urls)
        self.in_flight.difference_update(urls)
