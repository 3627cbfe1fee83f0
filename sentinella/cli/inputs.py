"""Inputs of `sentinella extract`: HTML files, plain-text files, URLs, or - for stdin."""

from __future__ import annotations

import sys
from pathlib import Path

from sentinella.errors import SentinellaError
from sentinella.ingest.fetch import decode_text
from sentinella.ingest.read import Page, ReadError, read_html, read_plain_text, unreadable

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


class InputError(SentinellaError):
    pass


def read_input(spec: str, *, allow_private_network: bool = False) -> tuple[Page, dict]:
    """The readable page behind one argument, and the metadata to carry along."""
    if spec == "-":
        data = sys.stdin.buffer.read()
        page = _read_bytes(data, "stdin", looks_html=None)
        return page, _meta(page, "stdin")
    if spec.startswith(("http://", "https://")):
        page = _read_url(spec, allow_private_network)
        return page, _meta(page, spec)
    path = Path(spec)
    if not path.exists():
        raise InputError(f"no such file: {spec}")
    if path.is_dir():
        raise InputError(f"is a folder, not a file: {spec}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {spec}: {exc.strerror}") from None
    page = _read_bytes(data, spec, looks_html=path.suffix.lower() in HTML_SUFFIXES or None)
    return page, _meta(page, spec)


def _meta(page: Page, spec: str) -> dict:
    """What the extractors may use: the publisher tells whose "assessore" is meant."""
    meta = {
        "url": page.url or spec,
        "title": page.title,
        "published": page.published,
        "source": page.sitename,
    }
    return {k: v for k, v in meta.items() if v}


def _read_bytes(data: bytes, name: str, looks_html) -> Page:
    head = data[:2048].lower()
    is_html = (
        looks_html
        if looks_html is not None
        else (b"<html" in head or b"<!doctype" in head or b"<p" in head)
    )
    try:
        if is_html:
            return read_html(data)
    except ReadError as exc:
        raise InputError(f"{name}: {exc}") from None
    reason = unreadable(data)
    if reason:
        raise InputError(f"{name}: {reason}")
    text, _ = decode_text(data)  # UTF-8, else Latin-1/Windows-1252 (decode_text says why)
    return read_plain_text(text)


def _read_url(url: str, allow_private_network: bool) -> Page:
    from sentinella.ingest.fetch import Fetcher

    fetcher = Fetcher(allow_private_network=allow_private_network)
    try:
        result = fetcher.get(url)
    finally:
        fetcher.close()
    if result.error:
        raise InputError(f"{url}: {result.error}")
    try:
        return read_html(result.text or "", url=result.final_url)
    except ReadError as exc:
        raise InputError(f"{url}: {exc}") from None
