"""Discovery: from a source to the list of pages to read (candidates)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from flows.sources import Source, SourcesError


@dataclass(frozen=True)
class Candidate:
    """A page a source points to, with what the feed/sitemap/listing says of it."""

    url: str  # http(s) URL, or file URI for folder sources
    source: str
    path: Optional[Path] = None  # set for pages read from disk
    published: Optional[str] = None  # date from the feed/sitemap/listing entry, if any
    title: Optional[str] = None


def discover_folder(source: Source) -> list[Candidate]:
    """Every HTML file under the folder (sorted, so runs are repeatable)."""
    pattern = source.settings.get("pattern", "**/*.html")
    files = sorted(p for p in source.path.glob(pattern) if p.is_file())
    if source.max_items:
        files = files[: source.max_items]
    return [Candidate(url=p.resolve().as_uri(), source=source.name, path=p) for p in files]


def discover(source: Source, fetcher=None) -> list[Candidate]:
    """Candidates of one source; `fetcher` (flows.fetch.Fetcher) for sources on the web."""
    if source.kind == "folder":
        return discover_folder(source)
    raise SourcesError(f"source '{source.name}': discovery of kind '{source.kind}' is not built yet")
