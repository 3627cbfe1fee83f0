"""Reading a page: HTML in, main text and metadata out (trafilatura does the work).

What trafilatura leaves to us: the publication date (ingest/dates.py: true or absent, with
the kind of evidence it came from; trafilatura's own date is not used, its fallback guesses
a 1 January from a year alone), the language of the text, and bytes whose declared charset
is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import trafilatura

from sentinella.errors import SentinellaError
from sentinella.ingest.dates import parse_italian_date, publication_date
from sentinella.ingest.language import detect_language

__all__ = ["Page", "ReadError", "parse_italian_date", "read_html", "read_plain_text", "unreadable"]


class ReadError(SentinellaError):
    pass


@dataclass(frozen=True)
class Page:
    """The readable part of a page: what the knowledge base and the extractors get."""

    text: str  # paragraphs separated by a blank line
    title: str | None = None
    url: str | None = None  # canonical URL when the page declares one
    published: str | None = None  # ISO date, never invented
    date_source: str = "none"  # metadata | page | entry | url | none (ingest/dates.py)
    author: str | None = None
    sitename: str | None = None
    language: str | None = None


def read_html(html: str | bytes, url: str | None = None, entry_date: str | None = None) -> Page:
    """Main text, title, canonical URL, date, author and language of an HTML page.

    `entry_date` is the date the feed, sitemap or listing gave for the page, if any.

    Raises ReadError when no main text can be found (not an article, broken HTML).
    """
    if isinstance(html, bytes):
        from sentinella.ingest.fetch import decode_text

        reason = unreadable(html)
        if reason:
            raise ReadError(reason)
        html = decode_text(html)[0]
    if not html.strip():
        raise ReadError("empty body")
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
    dated = publication_date(html, url=url or doc.url, entry_date=entry_date)
    return Page(
        text=text,
        title=doc.title,
        url=doc.url or url,
        published=dated.published,
        date_source=dated.source,
        author=_author(doc.author),
        sitename=doc.sitename,
        language=detect_language(text) or _declared_language(html),
    )


_CONTROL = bytes(c for c in range(32) if c not in (9, 10, 12, 13))


def unreadable(content: bytes, content_type: str | None = None) -> str | None:
    """Why these bytes are not a page to read (empty, a PDF, binary), or None.

    PDFs are skipped, not read: Sentinella keeps no PDF library (press offices publish the
    release as a page; the PDF is the same text, or a scan).
    """
    kind = (content_type or "").split(";")[0].strip().lower()
    if not content.strip():
        return "empty body"
    head = content[:4096]
    if head.lstrip().startswith(b"%PDF-") or kind == "application/pdf":
        return "a PDF document (skipped: Sentinella reads HTML pages, not PDFs)"
    controls = sum(head.count(bytes([c])) for c in _CONTROL)
    if b"\x00" in head or controls > len(head) // 20:
        return f"binary content served as {kind or 'a page'}"
    return None


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
