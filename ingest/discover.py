"""Discovery: from a source to the list of pages to read (candidates).

feed      RSS 2.0 or Atom, parsed by feedparser from the bytes the fetcher got
sitemap   a urlset or a sitemap index (children followed, skipped when their
          `lastmod` is before the horizon); `lastmod` kept as the entry date
listing   an HTML index page: `link_selector` (CSS) finds the article links, or
          `item_selector` finds the items and `link_selector` / `date_selector` the
          link and date inside each; the next page by `next_selector` (CSS) or
          `next_pattern` ("...?page={page}", from 2); at most `max_pages` pages
url       one page (`url`), or several (`urls = [...]`)
folder    local HTML files

Discovery stops at the horizon: entries dated before `since` are dropped (undated
entries are kept: the page may know its date), at most `max_items` candidates, newest
first when the entries are dated. Every fetch goes through the fetcher (robots.txt,
pacing, address checks); a source that cannot be discovered raises DiscoveryError.

Index pages are asked for conditionally when an `IndexPages` with last run's validators
is given: a feed or sitemap answered 304 has nothing new, so its items are skipped; a
listing page answered 304 is read again from the copy kept with its validators (a
corrected release does not change the listing, so its items are still checked, each with
its own conditional GET). `IndexPages.seen` holds what to keep for the next run.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import io
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from sentinella.errors import SentinellaError
from sentinella.ingest.canonical import canonical_url
from sentinella.ingest.fetch import FetchResult, decode_text
from sentinella.ingest.sources import Source
from sentinella.records import IndexPage


class DiscoveryError(SentinellaError):
    pass


@dataclass(frozen=True)
class Candidate:
    """A page a source points to, with what the feed/sitemap/listing says of it."""

    url: str  # http(s) URL, or file URI for folder sources
    source: str
    path: Path | None = None  # set for pages read from disk
    published: str | None = None  # date from the feed/sitemap/listing entry, if any
    title: str | None = None


@dataclass
class IndexPages:
    """A source's index pages: validators known from the last run, and what this run saw.

    `known` is only valid for the source's configuration it was stored with (see
    `source_fingerprint`): a changed horizon or selector must read every index page again.
    """

    known: dict[str, IndexPage] = field(default_factory=dict)
    seen: dict[str, IndexPage] = field(default_factory=dict)
    not_modified: list[str] = field(default_factory=list)  # URLs answered 304


def source_fingerprint(source: Source) -> str:
    """A hash of what decides a source's candidates: kind, address, horizon, selectors."""
    described = {
        "kind": source.kind,
        "url": source.url,
        "since": source.since.isoformat() if source.since else None,
        "max_items": source.max_items,
        "settings": source.settings,
    }
    text = json.dumps(described, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


MAX_SITEMAPS = 50  # child sitemaps followed from one index
SITEMAP_BYTES = 50_000_000  # the sitemap protocol's own limit
DEFAULT_MAX_PAGES = 5  # listing pages followed when the source does not say


def discover(source: Source, fetcher=None, index: IndexPages | None = None) -> list[Candidate]:
    """Candidates of one source; `fetcher` (ingest.fetch.Fetcher) for sources on the web;
    `index` for conditional GETs of its index pages (see the module's docstring)."""
    if source.kind == "folder":
        return discover_folder(source)
    if fetcher is None:
        raise DiscoveryError(f"source '{source.name}': a {source.kind} source needs a fetcher")
    finders = {
        "feed": discover_feed,
        "sitemap": discover_sitemap,
        "listing": discover_listing,
        "url": discover_urls,
    }
    try:
        return _horizon(source, finders[source.kind](source, fetcher, index))
    except DiscoveryError:
        raise
    except Exception as exc:
        detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        raise DiscoveryError(f"source '{source.name}': {type(exc).__name__}: {detail}") from None


def discover_folder(source: Source) -> list[Candidate]:
    """Every HTML file under the folder (sorted, so runs are repeatable)."""
    pattern = source.settings.get("pattern", "**/*.html")
    files = sorted(p for p in source.path.glob(pattern) if p.is_file())
    if source.max_items:
        files = files[: source.max_items]
    return [Candidate(url=p.resolve().as_uri(), source=source.name, path=p) for p in files]


def discover_urls(source: Source, fetcher, index: IndexPages | None = None) -> list[Candidate]:
    urls = [source.url, *source.settings.get("urls", [])]
    return [Candidate(url=canonical_url(u), source=source.name) for u in urls if u]


def discover_feed(source: Source, fetcher, index: IndexPages | None = None) -> list[Candidate]:
    import feedparser

    result = _fetch(source, fetcher, source.url, index=index)
    if result.not_modified:
        return []  # the feed did not change: nothing new in it
    refuse_entities(result.content or b"", source.url)
    feed = feedparser.parse(
        result.content,
        response_headers={
            "content-location": result.final_url or source.url,
            "content-type": result.content_type or "application/xml",
        },
    )
    if not feed.entries and feed.get("bozo"):
        raise DiscoveryError(
            f"{source.url}: not a readable feed ({type(feed.get('bozo_exception')).__name__})"
        )
    found = []
    for entry in feed.entries:
        link = entry.get("link") or _permalink(entry)
        if not link:
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = _date_from_struct(stamp)
        found.append(
            Candidate(
                url=canonical_url(urljoin(result.final_url, link)),
                source=source.name,
                published=published,
                title=entry.get("title"),
            )
        )
    return found


def discover_sitemap(source: Source, fetcher, index: IndexPages | None = None) -> list[Candidate]:
    """Entries of a sitemap (or of its children), read as a stream: with `max_items`, only
    the newest that many are kept however long the sitemap is (memory stays flat)."""
    keep = Newest(source.max_items)
    queue, seen = [source.url], set()
    while queue and len(seen) <= MAX_SITEMAPS:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        for entry in sitemap_page(source, fetcher, url, index):
            if isinstance(entry, str):
                queue.append(entry)
            else:
                keep.add(entry)
    return keep.items()


def sitemap_page(
    source: Source, fetcher, url: str, index: IndexPages | None = None, since: date | None = None
) -> Iterator[str | Candidate]:
    """One sitemap's entries as they are parsed: the address of each child sitemap to
    follow, and a candidate for each page; before the horizon (`since`, else the source's)
    left out (a child sitemap too: all its pages are older). A sitemap answered 304 gives
    nothing: nothing new in it."""
    since = since or source.since
    result = _fetch(source, fetcher, url, max_bytes=SITEMAP_BYTES, index=index)
    if result.not_modified:
        return
    for kind, relative, lastmod in _sitemap_entries(result.content or b"", url):
        loc = urljoin(url, relative)
        if since and lastmod and date.fromisoformat(lastmod) < since:
            continue
        if kind == "sitemap":
            yield loc
        else:
            yield Candidate(url=canonical_url(loc), source=source.name, published=lastmod)


class Newest:
    """At most `limit` candidates, the newest (by entry date; undated last), deduplicated;
    unlimited when `limit` is None. Memory: O(limit), whatever the number added."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self._by_url: dict[str, tuple[str, int, Candidate]] = {}
        self._count = 0

    def add(self, candidate: Candidate) -> None:
        if candidate.url in self._by_url:
            return
        self._count += 1  # a later entry loses ties, as the stable sort in _horizon does
        self._by_url[candidate.url] = (candidate.published or "", -self._count, candidate)
        if self.limit and len(self._by_url) > 2 * self.limit:
            self._prune()

    def items(self) -> list[Candidate]:
        if self.limit:
            self._prune()
        return [c for _, _, c in sorted(self._by_url.values(), key=lambda e: e[:2], reverse=True)]

    def _prune(self) -> None:
        kept = heapq.nlargest(self.limit or 0, self._by_url.values(), key=lambda e: e[:2])
        self._by_url = {entry[2].url: entry for entry in kept}


def _sitemap_entries(content: bytes, url: str) -> Iterator[tuple[str, str, str | None]]:
    """(url | sitemap, loc, lastmod) of each entry, parsed as a stream, entities refused."""
    if content[:2] == b"\x1f\x8b":  # a .xml.gz sitemap served as is
        try:
            content = gzip.GzipFile(fileobj=io.BytesIO(content)).read(SITEMAP_BYTES)
        except OSError as exc:
            raise DiscoveryError(f"{url}: bad gzip: {exc}") from None
    refuse_entities(content[:65536], url)
    parser = lxml.etree.iterparse(
        io.BytesIO(content),
        events=("end",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    try:
        for _, element in parser:
            kind = lxml.etree.QName(element).localname
            if kind not in ("url", "sitemap"):
                continue
            fields = {
                lxml.etree.QName(child).localname: (child.text or "").strip()
                for child in element
                if isinstance(child.tag, str)
            }
            element.clear()  # what was read is dropped: memory stays flat
            while element.getprevious() is not None:
                del element.getparent()[0]
            if fields.get("loc"):
                yield kind, fields["loc"], _iso_date(fields.get("lastmod"))
    except lxml.etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"{url}: not a readable sitemap: {exc}") from None


def refuse_entities(content: bytes, url: str) -> None:
    """XML that declares entities (expansion bombs, external entities) is refused, unread."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        fromstring(content, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise DiscoveryError(
            f"{url}: refused: the XML declares entities ({type(exc).__name__}; "
            "entity expansion and external entities are never read)"
        ) from None
    except ParseError:
        pass  # ill-formed (or cut at 64 KB): the parser that follows says what it can


def discover_listing(source: Source, fetcher, index: IndexPages | None = None) -> list[Candidate]:
    max_pages = int(source.settings.get("max_pages", DEFAULT_MAX_PAGES))
    found: list[Candidate] = []
    url: str | None = source.url
    visited: set[str] = set()
    for number in range(1, max_pages + 1):
        if not url or url in visited:
            break
        visited.add(url)
        page, url = listing_page(source, fetcher, url, number, index)
        found.extend(page)
        if not page:
            break  # an empty page: past the last one (a `next_pattern` never runs out)
        if source.max_items and len(found) >= source.max_items:
            break
        if older_than(page, source.since):
            break  # the whole page is older than the horizon: older pages are too
    return found


def listing_page(
    source: Source, fetcher, url: str, number: int, index: IndexPages | None = None
) -> tuple[list[Candidate], str | None]:
    """Page `number` of a listing: its candidates and the address of the next page."""
    from lxml.cssselect import CSSSelector

    settings = source.settings
    if "link_selector" not in settings:
        raise DiscoveryError(f"source '{source.name}': a listing needs 'link_selector'")
    links = CSSSelector(settings["link_selector"])
    items = CSSSelector(settings["item_selector"]) if settings.get("item_selector") else None
    dates = CSSSelector(settings["date_selector"]) if settings.get("date_selector") else None
    result = _fetch(source, fetcher, url, index=index, keep_body=True)
    try:
        tree = lxml.html.fromstring(result.text or "<html></html>", base_url=result.final_url)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise DiscoveryError(f"{url}: unreadable listing page: {exc}") from None
    page = _listing_entries(source, tree, result.final_url, links, items, dates)
    following = settings.get("next_selector")
    if following:
        nxt = CSSSelector(following)(tree)
        return page, urljoin(result.final_url, nxt[0].get("href", "")) if nxt else None
    if settings.get("next_pattern"):
        return page, settings["next_pattern"].format(page=number + 1)
    return page, None


def older_than(page: list[Candidate], since: date | None) -> bool:
    """Every dated entry of the page is before `since` (and some are dated)."""
    dated = [c.published for c in page if c.published]
    return bool(since and dated and max(dated) < since.isoformat())


def _listing_entries(source: Source, tree, base: str, links, items, dates) -> list[Candidate]:
    from sentinella.ingest.read import parse_italian_date

    entries = []
    for item in items(tree) if items is not None else [None]:
        anchors = links(item if item is not None else tree)
        if item is not None:
            anchors = anchors[:1]
        for a in anchors:
            href = (a.get("href") or "").strip()
            if not href or href.startswith(("#", "mailto:", "javascript:")):
                continue
            published = None
            if item is not None and dates is not None:
                stamps = dates(item)
                if stamps:
                    published = _iso_date(stamps[0].get("datetime")) or parse_italian_date(
                        stamps[0].text_content()
                    )
            title = " ".join(a.text_content().split()) or None
            entries.append(
                Candidate(
                    url=canonical_url(urljoin(base, href)),
                    source=source.name,
                    published=published,
                    title=title,
                )
            )
    return entries


def _horizon(source: Source, found: list[Candidate]) -> list[Candidate]:
    """No duplicates, nothing before `since`, newest first when dated, at most `max_items`."""
    unique, seen = [], set()
    for c in found:
        if c.url in seen:
            continue
        seen.add(c.url)
        if source.since and c.published and c.published < source.since.isoformat():
            continue
        unique.append(c)
    if any(c.published for c in unique):
        unique.sort(key=lambda c: c.published or "", reverse=True)  # stable: order kept on ties
    return unique[: source.max_items] if source.max_items else unique


def _fetch(
    source: Source,
    fetcher,
    url: str,
    max_bytes: int | None = None,
    index: IndexPages | None = None,
    keep_body: bool = False,
) -> FetchResult:
    """A discovery page (feed, sitemap, listing) through the fetcher, or DiscoveryError.

    With `index`, asks conditionally with last run's validators and notes the new ones in
    `index.seen`; with `keep_body` (listing pages) the body is kept too, and a 304 gives
    back the kept copy (so the page reads as before, `not_modified` set).
    """
    known = index.known.get(url) if index else None
    if known and keep_body and known.body is None:
        known = None  # validators without the page they vouch for are no use here
    result = fetcher.get(
        url,
        known.etag if known else None,
        known.last_modified if known else None,
        allow_private_network=source.allow_private_network,
        delay=source.settings.get("delay"),
        max_bytes=max_bytes,
    )
    if result.error:
        raise DiscoveryError(f"{url}: {result.error}")
    if index is None:
        return result
    if result.not_modified and known:
        index.not_modified.append(url)
        index.seen[url] = known
        if keep_body and known.body is not None:
            text, encoding = decode_text(known.body, result.content_type)
            return replace(result, content=known.body, text=text, encoding=encoding)
        return result
    body = result.content if keep_body else None
    index.seen[url] = IndexPage(url, result.etag, result.last_modified, body)
    return result


def _iso_date(text: str | None) -> str | None:
    """ "2026-11-25", "2026-11-25T10:00:00+01:00" → "2026-11-25"; anything else → None."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10]).isoformat()
    except ValueError:
        return None


def _date_from_struct(stamp: time.struct_time | None) -> str | None:
    """feedparser's UTC struct_time as an ISO date in Italian time (Europe/Rome)."""
    if not stamp:
        return None
    from zoneinfo import ZoneInfo

    moment = datetime(*stamp[:6], tzinfo=UTC).astimezone(ZoneInfo("Europe/Rome"))
    return moment.date().isoformat()


def _permalink(entry) -> str | None:
    guid = entry.get("id")
    return guid if guid and guid.startswith(("http://", "https://")) else None
