"""Reading a page: HTML in, main text and metadata out (trafilatura does the work)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import trafilatura

from sentinella.errors import SentinellaError


class ReadError(SentinellaError):
    pass


@dataclass(frozen=True)
class Page:
    """The readable part of a page: what the knowledge base and the extractors get."""

    text: str  # paragraphs separated by a blank line
    title: Optional[str] = None
    url: Optional[str] = None  # canonical URL when the page declares one
    published: Optional[str] = None  # ISO date, never invented
    author: Optional[str] = None
    sitename: Optional[str] = None
    language: Optional[str] = None


def read_html(html: str | bytes, url: Optional[str] = None,
              fallback_published: Optional[str] = None) -> Page:
    """Main text, title, canonical URL, date and author of an HTML page.

    Raises ReadError when no main text can be found (not an article, broken HTML).
    """
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_tables=True, include_comments=False,
            favor_precision=True)
    except Exception as exc:  # trafilatura raises lxml and value errors on broken input
        raise ReadError(f"unreadable HTML: {exc}") from None
    if doc is None or not (doc.text or "").strip():
        raise ReadError("no main text found in the page")
    text = _paragraphs(doc.text, doc.title)
    return Page(
        text=text,
        title=doc.title,
        url=doc.url or url,
        published=doc.date or fallback_published,
        author=doc.author,
        sitename=doc.sitename,
        language=doc.language,
    )


def read_plain_text(text: str) -> Page:
    return Page(text=_paragraphs(text, None))


def _paragraphs(text: str, title: Optional[str]) -> str:
    """One paragraph per line becomes blank-line separated; the repeated title goes."""
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if title and lines and lines[0] == title.strip():
        lines = lines[1:]
    return "\n\n".join(lines)
