"""The source registry (corpus/sources.toml): which publishers to watch, and how.

    [[source]]
    name = "regione-piemonte"          # unique, used in the summary and the knowledge base
    publisher = "Regione Piemonte - Giunta"
    kind = "feed"                      # feed | sitemap | listing | folder | url
    url = "https://..."                # or path = "sample" for a folder (relative to the file)
    since = "2026-11-01"               # optional horizon: nothing published before
    max_items = 50                     # optional horizon: at most this many items (web
                                       # sources with neither horizon get DEFAULT_MAX_ITEMS)
    allow_private_network = false      # tests serve fixtures on 127.0.0.1

Kind-specific settings stay in `settings` (e.g. `link_selector`, `next_selector`,
`max_pages` for listings; `pattern` for folders; `delay`, seconds between requests to the
source's host, default 1, for every source on the web; see ingest/discover.py).
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from sentinella.errors import ConfigError

# A web source with no horizon would be crawled whole every night (a 10,000-URL sitemap
# is ~3 hours at one request per second): without `since` or `max_items`, take the newest.
DEFAULT_MAX_ITEMS = 200
KINDS = ("feed", "sitemap", "listing", "folder", "url")
_COMMON = {
    "name",
    "publisher",
    "kind",
    "url",
    "path",
    "since",
    "max_items",
    "allow_private_network",
    "enabled",
}


# Settings of one kind of source (kept in Source.settings); `delay` applies to every kind.
KIND_SETTINGS = {
    "feed": set(),
    "sitemap": set(),
    "listing": {
        "link_selector",
        "item_selector",
        "date_selector",
        "next_selector",
        "next_pattern",
        "max_pages",
    },
    "folder": {"pattern"},
    "url": {"urls"},
}
ANY_KIND = {"delay"}


class SourcesError(ConfigError):
    pass


@dataclass(frozen=True)
class Source:
    name: str
    publisher: str
    kind: str
    url: str | None = None
    path: Path | None = None
    since: date | None = None
    max_items: int | None = None
    allow_private_network: bool = False
    settings: dict = field(default_factory=dict)


def load_sources(path: Path | str) -> list[Source]:
    """Read and validate a sources file; raises SourcesError with a one-line reason."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"sources file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"cannot read sources file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"malformed sources file {path}: {exc}") from None
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{path}: no [[source]] entries")
    sources = [_parse(entry, i, path) for i, entry in enumerate(entries, 1)]
    names = [s.name for s in sources]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SourcesError(f"{path}: duplicate source names: {', '.join(dupes)}")
    return [s for s, e in zip(sources, entries) if e.get("enabled", True)]


def _parse(entry: dict, index: int, path: Path) -> Source:  # noqa: C901 - one check per registry key, in order
    where = f"{path}: source #{index}"
    if not isinstance(entry, dict):
        raise SourcesError(f"{where}: not a table")
    for key in ("name", "publisher", "kind"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise SourcesError(f"{where}: missing '{key}'")
    where = f"{path}: source '{entry['name']}'"
    kind = entry["kind"]
    if kind not in KINDS:
        hint = _did_you_mean(kind, KINDS) or f" (expected one of {', '.join(KINDS)})"
        raise SourcesError(f"{where}: unknown kind '{kind}'{hint}")
    _check_keys(entry, kind, where)
    url, folder = entry.get("url"), entry.get("path")
    if kind == "folder":
        if not folder:
            raise SourcesError(f"{where}: a folder source needs 'path'")
        folder = (path.parent / folder).resolve()
        if not folder.is_dir():
            raise SourcesError(f"{where}: folder not found: {folder}")
    elif not url:
        raise SourcesError(f"{where}: a {kind} source needs an http(s) 'url'")
    for address in [url, *(entry.get("urls") or [])] if kind != "folder" else []:
        problem = url_problem(address)
        if problem:
            raise SourcesError(f"{where}: {problem}")
    since = entry.get("since")
    if since is not None and not isinstance(since, date):
        try:
            since = date.fromisoformat(str(since))
        except ValueError:
            raise SourcesError(f"{where}: 'since' is not a date: {since!r}") from None
    max_items = entry.get("max_items")
    if max_items is not None and (not isinstance(max_items, int) or max_items < 1):
        raise SourcesError(f"{where}: 'max_items' must be a positive integer")
    if kind != "folder" and since is None and max_items is None:
        max_items = DEFAULT_MAX_ITEMS
    delay = entry.get("delay")
    if delay is not None and (
        isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0
    ):
        raise SourcesError(f"{where}: 'delay' must be a number of seconds (0 or more)")
    for flag in ("allow_private_network", "enabled"):
        if flag in entry and not isinstance(entry[flag], bool):
            raise SourcesError(f"{where}: '{flag}' must be true or false")
    return Source(
        name=entry["name"],
        publisher=entry["publisher"],
        kind=kind,
        url=url,
        path=Path(folder) if folder else None,
        since=since,
        max_items=max_items,
        allow_private_network=bool(entry.get("allow_private_network", False)),
        settings={k: v for k, v in entry.items() if k not in _COMMON},
    )


def _check_keys(entry: dict, kind: str, where: str) -> None:
    """Every key must mean something for this kind of source ("max_itemz" is a typo)."""
    known = _COMMON | ANY_KIND | KIND_SETTINGS[kind]
    for key in entry:
        if key in known:
            continue
        elsewhere = [k for k, keys in KIND_SETTINGS.items() if key in keys]
        if elsewhere:
            raise SourcesError(
                f"{where}: '{key}' is a setting of {elsewhere[0]} sources, not {kind}"
            )
        hint = _did_you_mean(key, sorted(known)) or f" (known keys: {', '.join(sorted(known))})"
        raise SourcesError(f"{where}: unknown key '{key}'{hint}")


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def url_problem(url: object) -> str | None:
    """Why `url` is not an http(s) address Sentinella can fetch, or None."""
    if not isinstance(url, str):
        return f"'url' must be text, not {type(url).__name__}: {url!r}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as exc:
        return f"not a valid address: {url!r} ({exc})"
    if parts.scheme not in ("http", "https"):
        hint = _did_you_mean(parts.scheme, ["http", "https"]) if parts.scheme else ""
        return f"not an http(s) address: {url!r}{hint}"
    if not parts.hostname or any(c.isspace() for c in url):
        return f"not a valid address: {url!r}"
    return None
