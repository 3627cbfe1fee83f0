"""Values that cross into the knowledge base: documents as read, and what a run did."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime


def now_iso() -> str:
    """The current time in UTC, as stored in the knowledge base."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Document:
    """One page as read (comunicato, notizia): the unit the knowledge base versions."""

    url: str  # canonical URL (or file URI for pages read from disk)
    text: str
    source: str  # name of the source in sources.toml
    title: str | None = None
    published: str | None = None  # ISO date; None when the page and its listing give none
    date_source: str | None = None  # metadata | page | entry | url | none (ingest/dates.py)
    publisher: str | None = None
    author: str | None = None
    language: str | None = None
    fetched_at: str | None = None
    fetched_url: str | None = None  # the address fetched, when rel=canonical differs
    etag: str | None = None
    last_modified: str | None = None

    @property
    def content_hash(self) -> str:
        """Hash of the text with whitespace normalised: a new version only when words change."""
        normal = re.sub(r"\s+", " ", self.text).strip()
        return hashlib.sha256(normal.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IndexPage:
    """A feed, sitemap or listing page as last fetched: its validators for a conditional GET
    (listing pages keep their body too: a 304 must still give their links)."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    body: bytes | None = None


@dataclass
class SourceHealth:
    """How one source fared in one run: the per-source line of the summary."""

    source: str
    seen: int = 0
    fetched: int = 0
    not_modified: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: int = 0
    dates_missing: int = 0
    empty: int = 0
    not_italian: int = 0
    facts: int = 0
    index_not_modified: int = 0  # feeds, sitemaps, listing pages answered 304
    failures: list[str] = field(default_factory=list)  # "url: reason"
    alerts: int = 0  # alerts queued for this source's statements

    @property
    def source_failed(self) -> bool:
        """Nothing could be read: discovery failed, or every page did."""
        return self.failed > 0 and self.failed >= self.seen

    def fail(self, reason: str) -> None:
        self.failed += 1
        self.failures.append(reason)

    def count_stored(self, status: str, duplicate: bool, facts: int | None) -> None:
        """One stored page: its status (new/changed/unchanged) and its facts, if extracted."""
        setattr(self, status, getattr(self, status) + 1)
        self.duplicates += duplicate
        if facts is not None:
            self.facts += facts
            self.empty += facts == 0


@dataclass
class WatchHealth:
    """How one watch's alerts fared in one run: the per-watch line of the morning report."""

    watch: str
    matched: int = 0  # alerts queued by this run
    sent: int = 0  # delivered by this run (queued now or earlier)
    failed: int = 0  # tried by this run and not delivered
    pending: int = 0  # still to deliver after this run (retried next run)
    errors: list[str] = field(default_factory=list)  # "channel: reason", secrets blanked


@dataclass
class RunSummary:
    """What `sentinella run` did, printed at the end and kept in the `runs` table."""

    sources: list[SourceHealth] = field(default_factory=list)
    pipeline: str = ""  # empty when nothing was extracted (no pipeline loaded)
    run_id: int | None = None
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)  # busy seconds (sentinella.timing)
    status: str = "running"  # then ok | failed | interrupted
    error: str | None = None  # why it failed or stopped
    watches: list[WatchHealth] = field(default_factory=list)
    alerts_error: str | None = None  # why delivery could not run at all this time

    def total(self, name: str) -> int:
        return sum(getattr(s, name) for s in self.sources)

    def add_alerts(
        self, watches: list[WatchHealth], by_source: dict[str, int], error: str | None
    ) -> None:
        """What the alert step did: per watch, and alerts queued per source."""
        self.watches, self.alerts_error = watches, error
        for health in self.sources:
            health.alerts = by_source.get(health.source, 0)

    def alerts(self, name: str) -> int:
        """sent, failed, pending or matched, over every watch."""
        return sum(getattr(w, name) for w in self.watches)

    def state_message(self) -> str:
        """The run's final state in words: "completed, 1 source failed, 2 alerts pending"."""
        failed = sum(s.source_failed for s in self.sources)
        pending = self.alerts("pending")
        return (
            f"completed, {failed} source{'s' * (failed != 1)} failed, "
            f"{pending} alert{'s' * (pending != 1)} pending"
        )
