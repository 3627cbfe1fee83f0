"""Walking a source's archive for a back-fill, one index page at a time, resumably.

A `Walk` is where a back-fill stands in one source's archive: the index pages still to
read (a queue of sitemaps, or the next listing page). `step(source, fetcher, walk, since)`
reads one index page through the same fetcher as the nightly run (robots.txt, per-host
pace) and returns the candidates dated on or after `since` (undated ones too: the page
may know its date) with the walk after that page. The caller stores both in one
transaction, so a back-fill killed at any point goes on from the last step it stored.

Sitemaps: children whose `lastmod` is before `since` are not followed. Listings: pages
are followed (by `next_selector` or `next_pattern`, ignoring `max_pages`) until a page
is empty or wholly older than `since`, or MAX_LISTING_PAGES. Feeds, single URLs and
folders have no archive beyond what they list: one step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date

from sentinella.ingest.discover import (
    Candidate,
    discover,
    listing_page,
    older_than,
    sitemap_page,
)
from sentinella.ingest.sources import Source

MAX_LISTING_PAGES = 10_000  # a listing whose "next" never ends is cut here


@dataclass(frozen=True)
class Walk:
    """What is left of one source's archive: index pages to read, in order."""

    todo: tuple[str, ...]
    page: int = 1  # the number of the next listing page (for `next_pattern`)
    seen: tuple[str, ...] = ()  # index pages already read (a listing may loop)

    @property
    def finished(self) -> bool:
        return not self.todo

    def to_json(self) -> str:
        return json.dumps({"todo": self.todo, "page": self.page, "seen": self.seen})

    @classmethod
    def from_json(cls, text: str) -> Walk:
        data = json.loads(text)
        return cls(tuple(data["todo"]), data["page"], tuple(data["seen"]))


def start(source: Source) -> Walk:
    return Walk(todo=(source.url or source.name,))


def step(source: Source, fetcher, walk: Walk, since: date) -> tuple[list[Candidate], Walk]:
    """Read the walk's next index page: its candidates on or after `since`, the walk after it."""
    url, rest = walk.todo[0], walk.todo[1:]
    wide = replace(source, since=since, max_items=None)  # the back-fill's horizon, not the night's
    read = (*walk.seen, url)
    if source.kind == "sitemap":
        entries = list(sitemap_page(wide, fetcher, url))
        children = [e for e in entries if isinstance(e, str)]
        found = [e for e in entries if isinstance(e, Candidate)]
        new = tuple(c for c in children if c not in read and c not in rest)
        return _since(found, since), Walk(rest + new, walk.page, read)
    if source.kind == "listing":
        found, following = listing_page(wide, fetcher, url, walk.page)
        more = (
            found
            and following is not None
            and following not in read
            and not older_than(found, since)
            and walk.page < MAX_LISTING_PAGES
        )
        todo = (following,) if more and following is not None else ()
        return _since(found, since), Walk(todo, walk.page + 1, read)
    return discover(wide, fetcher), Walk((), walk.page, read)


def _since(found: list[Candidate], since: date) -> list[Candidate]:
    """Candidates dated on or after `since`, or undated; each URL once, in page order."""
    seen: set[str] = set()
    kept = []
    for c in found:
        if c.url in seen or (c.published and c.published < since.isoformat()):
            continue
        seen.add(c.url)
        kept.append(c)
    return kept
