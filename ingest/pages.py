"""From a source's candidate pages to `Document`s: discover, fetch (or read from disk), read.

`stream(source, fetcher, validators)` is one source's whole network and file work, batch by
batch as pages arrive (a run holds a few batches in memory, not the whole source); nothing
is written. Each candidate ends as a `Fetched`: a document, "not modified", or an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from sentinella.errors import SentinellaError
from sentinella.ingest.canonical import canonical_url
from sentinella.ingest.discover import Candidate, IndexPages, discover
from sentinella.ingest.fetch import Fetcher, FetchResult, Validators
from sentinella.ingest.read import Page, ReadError, read_html, unreadable
from sentinella.ingest.sources import Source
from sentinella.records import Document, SourceHealth, now_iso

BATCH_SIZE = 16  # pages fetched, extracted and stored together (one task run each step)


@dataclass(frozen=True)
class Fetched:
    """A candidate after fetching and reading: a document, or why there is none."""

    candidate: Candidate
    document: Document | None = None
    not_modified: bool = False
    error: str | None = None
    transient: bool = False  # the error may go away (network, 5xx, 429): retry next run


@dataclass(frozen=True)
class Gathered:
    """One source after discovery and reading, all at once: its pages, or why discovery failed."""

    items: list[Fetched] = field(default_factory=list)
    error: str | None = None


ValidatorLookup = Callable[[list[str]], dict[str, Validators]]
Clock = Callable[[str], AbstractContextManager]  # Stopwatch.clock: time a stage


def _no_clock(stage: str) -> AbstractContextManager:
    return nullcontext()


def gather(
    source: Source,
    fetcher: Fetcher | None,
    validators: ValidatorLookup,
    progress: Callable[[str], None] = lambda message: None,
) -> Gathered:
    """Discover one source and read every candidate, all in memory (the flow streams)."""
    try:
        items = [f for batch in stream(source, fetcher, validators, progress) for f in batch]
    except SentinellaError as exc:
        return Gathered(error=f"discovery: {exc}")
    return Gathered(items)


def stream(
    source: Source,
    fetcher: Fetcher | None,
    validators: ValidatorLookup,
    progress: Callable[[str], None] = lambda message: None,
    *,
    index: IndexPages | None = None,
    clock: Clock = _no_clock,
    size: int | None = None,
) -> Iterator[list[Fetched]]:
    """Discover one source, then fetch and read its candidates batch by batch.

    Raises the SentinellaError of a discovery that failed; conditional GETs for known pages
    (and for its index pages, with `index`); `clock(stage)` times discover, fetch and read.
    """
    try:
        with clock("discover"):
            candidates = discover(source, fetcher, index)
    except SentinellaError as exc:
        progress(f"discovery failed: {exc}")
        raise
    if index is not None and index.not_modified and not candidates:
        progress("index not modified since the last run (HTTP 304): nothing new")
    else:
        progress(f"{len(candidates)} pages to check")
    for batch in batches(candidates, size or BATCH_SIZE):
        if source.kind == "folder" or fetcher is None:
            with clock("read"):
                read = [read_file(source, c) for c in batch]
            yield read  # outside the clock: the consumer's time is not reading time
        else:
            yield fetch_batch(source, batch, fetcher, validators, clock)


def batches(items: list, size: int | None = None) -> Iterator[list]:
    size = size or BATCH_SIZE
    for start in range(0, len(items), size):
        yield items[start : start + size]


def tally(batch: list[Fetched], health: SourceHealth) -> list[Document]:
    """Count a batch's fetch outcomes on `health`; the documents that were read."""
    documents = []
    for item in batch:
        if item.not_modified:
            health.not_modified += 1
            health.unchanged += 1
        elif item.document is None:
            health.fail(f"{item.candidate.url}: {item.error}")
        else:
            health.fetched += 1
            health.dates_missing += not item.document.published
            documents.append(item.document)
    return documents


def fetch_batch(
    source: Source,
    candidates: list[Candidate],
    fetcher: Fetcher,
    validators: ValidatorLookup,
    clock: Clock = _no_clock,
) -> list[Fetched]:
    """Conditional GETs for one batch, hosts in parallel, each host paced."""
    known = validators([canonical_url(c.url) for c in candidates])

    def revalidate(url: str) -> Validators:  # after a redirect to another address
        target = canonical_url(url)
        return known.get(target) or validators([target]).get(target) or (None, None)

    with clock("fetch"):
        results = fetcher.fetch_many(
            [(c.url, *known.get(canonical_url(c.url), (None, None))) for c in candidates],
            allow_private_network=source.allow_private_network,
            delay=source.settings.get("delay"),
            revalidate=revalidate,
        )
    with clock("read"):
        return [read_response(source, c, r) for c, r in zip(candidates, results)]


def read_file(source: Source, candidate: Candidate) -> Fetched:
    assert candidate.path is not None
    try:
        html = candidate.path.read_bytes()
        page = read_html(html, url=None, entry_date=candidate.published)
    except (OSError, ReadError) as exc:
        return Fetched(candidate, error=str(exc))
    return Fetched(candidate, document=to_document(source, candidate, page))


def read_response(source: Source, candidate: Candidate, result: FetchResult) -> Fetched:
    if result.not_modified:
        return Fetched(candidate, not_modified=True)
    if result.error:
        return Fetched(candidate, error=result.error, transient=result.transient)
    kind = (result.content_type or "text/html").split(";")[0].strip().lower()
    reason = unreadable(result.content or b"", kind)
    if reason:
        return Fetched(candidate, error=reason)
    if "html" not in kind and "xml" not in kind:
        return Fetched(candidate, error=f"not an HTML page ({kind})")
    try:
        page = read_html(result.text or "", url=result.final_url, entry_date=candidate.published)
    except ReadError as exc:
        return Fetched(candidate, error=str(exc))
    document = to_document(
        source, candidate, page, etag=result.etag, last_modified=result.last_modified
    )
    return Fetched(candidate, document=document)


def to_document(
    source: Source,
    candidate: Candidate,
    page: Page,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Document:
    url = canonical_url(page.url or candidate.url)
    fetched = canonical_url(candidate.url) if candidate.path is None else None
    # A folder of saved pages speaks for many publishers: the page's site name says which.
    publisher = page.sitename if source.kind == "folder" and page.sitename else source.publisher
    return Document(
        url=url,
        fetched_url=fetched if fetched != url else None,
        text=page.text,
        source=source.name,
        title=page.title or candidate.title,
        published=page.published,
        date_source=page.date_source,
        publisher=publisher,
        author=page.author,
        language=page.language,
        fetched_at=now_iso(),
        etag=etag,
        last_modified=last_modified,
    )
