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
    failures: list[str] = field(default_factory=list)  # "url: reason"

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
class RunSummary:
    """What `sentinella run` did, printed at the end and kept in the `runs` table."""

    sources: list[SourceHealth] = field(default_factory=list)
    pipeline: str = ""  # empty when nothing was extracted (no pipeline loaded)
    run_id: int | None = None
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)  # busy seconds (sentinella.timing)

    def total(self, name: str) -> int:
        return sum(getattr(s, name) for s in self.sources)
