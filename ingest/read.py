"""Reading a page: HTML in, main text and metadata out (trafilatura does the work).

What trafilatura leaves to us: Italian publication dates written in words or numbers
("Pubblicato il 25 novembre 2026", "25/11/2026", "Ultimo aggiornamento: ..."), the
language of the text, and bytes whose declared charset is wrong.

The publication date is never invented. In order of trust: a date the page marks as
its publication date ("Pubblicato il ..."); the date trafilatura/htmldate find (unless it
is just the "Ultimo aggiornamento" line, which htmldate's text search also reads); a date
in an element the page marks as a date (<time>, class "data"/"date"); the date of the
feed, sitemap or listing entry; the page's last update. Otherwise None.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import lxml.html
import trafilatura

from sentinella.errors import SentinellaError
from sentinella.ingest.language import detect_language


class ReadError(SentinellaError):
    pass


@dataclass(frozen=True)
class Page:
    """The readable part of a page: what the knowledge base and the extractors get."""

    text: str  # paragraphs separated by a blank line
    title: str | None = None
    url: str | None = None  # canonical URL when the page declares one
    published: str | None = None  # ISO date, never invented
    author: str | None = None
    sitename: str | None = None
    language: str | None = None


def read_html(
    html: str | bytes, url: str | None = None, fallback_published: str | None = None
) -> Page:
    """Main text, title, canonical URL, date, author and language of an HTML page.

    Raises ReadError when no main text can be found (not an article, broken HTML).
    """
    if isinstance(html, bytes):
        from sentinella.ingest.fetch import decode_text

        html = decode_text(html)[0]
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_tables=True,
            include_comments=False,
            favor_precision=True,
        )
    except Exception as exc:  # trafilatura raises lxml and value errors on broken input
        raise ReadError(f"unreadable HTML: {exc}") from None
    if doc is None or not (doc.text or "").strip():
        raise ReadError("no main text found in the page")
    text = _paragraphs(doc.text, doc.title)
    return Page(
        text=text,
        title=doc.title,
        url=doc.url or url,
        published=publication_date(html, doc.date, fallback_published),
        author=_author(doc.author),
        sitename=doc.sitename,
        language=detect_language(text) or _declared_language(html),
    )


def read_plain_text(text: str) -> Page:
    return Page(text=_paragraphs(text, None))


def _paragraphs(text: str, title: str | None) -> str:
    """One paragraph per line becomes blank-line separated; the repeated title goes."""
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if title and lines and lines[0] == title.strip():
        lines = lines[1:]
    return "\n\n".join(lines)


def _author(author: str | None) -> str | None:
    """ "Di Paolo Rabino" (by-lines) becomes "Paolo Rabino"."""
    if not author:
        return None
    author = re.sub(r"^(?:di|a cura di|by)\s+", "", author.strip(), flags=re.I)
    return author or None


def _declared_language(html: str) -> str | None:
    match = re.search(r"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2})", html[:2000], re.I)
    return match.group(1).lower() if match else None


# --- Italian dates -----------------------------------------------------------------------

MONTHS = {
    "gennaio": 1,
    "febbraio": 2,
    "marzo": 3,
    "aprile": 4,
    "maggio": 5,
    "giugno": 6,
    "luglio": 7,
    "agosto": 8,
    "settembre": 9,
    "ottobre": 10,
    "novembre": 11,
    "dicembre": 12,
    "gen": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "mag": 5,
    "giu": 6,
    "lug": 7,
    "ago": 8,
    "set": 9,
    "sett": 9,
    "ott": 10,
    "nov": 11,
    "dic": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE = (
    rf"(?:(?P<d1>\d{{1,2}})(?:°|º)?\.?\s+(?P<m1>{_MONTH})\.?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})\s*[/.\-]\s*(?P<m2>\d{{1,2}})\s*[/.\-]\s*(?P<y2>\d{{4}})"
    rf"|(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}}))"
)
DATE_RE = re.compile(rf"(?<!\d){_DATE}(?!\d)", re.I)
PUBLISHED_RE = re.compile(
    rf"\b(?:pubblicat[oa]|data\s+(?:di\s+)?pubblicazione|pubblicazione|diffus[oa])"
    rf"(?:\s+(?:il|in\s+data|on))?\s*[:\-]?\s*(?:[a-zì]+,?\s+)?{_DATE}",
    re.I,
)
UPDATED_RE = re.compile(
    rf"\b(?:ultimo\s+aggiornamento|ultima\s+modifica|aggiornat[oa](?:\s+(?:il|al))?)"
    rf"\s*[:\-]?\s*(?:[a-zì]+,?\s+)?{_DATE}",
    re.I,
)
_DATE_HINT = re.compile(r"date|data|pubblic|posted|time", re.I)


def parse_italian_date(text: str) -> str | None:
    """The first date in `text` ("25 novembre 2026", "25/11/2026", "2026-11-25") as ISO."""
    for match in DATE_RE.finditer(text):
        found = _iso(match)
        if found:
            return found
    return None


def _iso(match: re.Match) -> str | None:
    g = match.groupdict()
    try:
        if g["y1"]:
            value = date(int(g["y1"]), MONTHS[g["m1"].lower()], int(g["d1"]))
        elif g["y2"]:
            value = date(int(g["y2"]), int(g["m2"]), int(g["d2"]))
        else:
            value = date(int(g["y3"]), int(g["m3"]), int(g["d3"]))
    except (ValueError, KeyError):
        return None
    return value.isoformat() if _plausible(value) else None


def _plausible(value: date) -> bool:
    return date(1990, 1, 1) <= value <= date.today() + timedelta(days=2)


def publication_date(
    html: str, metadata_date: str | None, fallback: str | None = None
) -> str | None:
    """The page's publication date as ISO, by the order of trust in the module docstring."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        tree = None
    body_text = _visible_text(tree) if tree is not None else ""
    marked = _first(PUBLISHED_RE.finditer(body_text))
    if marked:
        return marked
    updated = _first(UPDATED_RE.finditer(body_text))
    metadata_date = _valid_iso(metadata_date or "")
    if metadata_date and metadata_date != updated:  # htmldate may have read the update line
        return metadata_date
    if tree is not None:
        for element in tree.iter("time"):
            found = _valid_iso(element.get("datetime") or "") or parse_italian_date(
                element.text_content()
            )
            if found:
                return found
        for element in tree.iter():
            if not isinstance(element.tag, str) or element.tag in ("script", "style"):
                continue
            hints = " ".join(element.get(a, "") for a in ("class", "id", "itemprop"))
            if _DATE_HINT.search(hints) and not re.search(r"aggiorn|modific|update", hints, re.I):
                found = parse_italian_date(element.text_content()[:200])
                if found:
                    return found
    if fallback and _valid_iso(fallback):
        return fallback[:10]
    return metadata_date or updated


def _first(matches: Iterable[re.Match]) -> str | None:
    for match in matches:
        found = _iso(match)
        if found:
            return found
    return None


def _valid_iso(text: str) -> str | None:
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", text.strip())
    if not match:
        return None
    try:
        value = date(*map(int, match.groups()))
    except ValueError:
        return None
    return value.isoformat() if _plausible(value) else None


def _visible_text(tree) -> str:
    """The page's text, one space between elements ("24/11/2026 Pubblicato il ...")."""
    for element in tree.iter("script", "style", "noscript"):
        element.text = ""
    return " ".join(" ".join(tree.itertext()).split())
