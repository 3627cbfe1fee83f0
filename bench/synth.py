"""Synthetic press releases for the benchmarks, made from the sample corpus, and a web server.

`releases(n)` gives n distinct pages: each keeps the layout of one sample page (menus,
cookie bar, footer: trafilatura's work stays real) and gets its text from three sample
releases mixed, with people's names and euro amounts varied (so pages are not near
duplicates of each other, and extraction sees new names and numbers). `serve(pages)` puts
them on 127.0.0.1 with a sitemap, ETag/Last-Modified and 304s, as a publisher would.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "sample"
MODIFIED = "Tue, 24 Nov 2026 06:00:00 GMT"

FIRST = (  # noqa: SIM905 - names read better as text than as a column of strings
    "Giulia Marco Chiara Luca Francesca Andrea Sara Matteo Elena Davide Valentina Stefano "
    "Martina Paolo Silvia Alessandro Federica Giorgio Anna Roberto Laura Simone Irene "
    "Fabio"
).split()
LAST = (  # noqa: SIM905 - names read better as text than as a column of strings
    "Rossi Ferrero Bianchi Gallo Colombo Bruno Ricci Marino Greco Conti Costa Giordano "
    "Mancini Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi Caruso "
    "Ferrari Galli Martini Leone Longo Gentile Martinelli Vitale"
).split()
# First names seen in the sample releases (a person is a first name and a surname).
SAMPLE_FIRST = (  # noqa: SIM905 - names read better as text than as a column of strings
    "Anna Monica Roberta Elisa Davide Renato Mauro Franco Vittorio Simone Matteo Giulia "
    "Marta Beppe Claudio Federica Carlo Rita Oscar Giuseppe Ugo Stefano Enrico Giorgio "
    "Dario Laura Elena Alberto Marco Paolo Luca Andrea Chiara Sara Silvia Francesca "
    "Maurizio Gianna"
).split()
NAME = re.compile(r"\b(" + "|".join(sorted(set(SAMPLE_FIRST + FIRST))) + r") ([A-Z][a-zà-ù]{2,})\b")
AMOUNT = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)(\s(?:milioni|mila|miliardi|euro)\b)")
PARAGRAPH = re.compile(r"<p(?: [^>]*)?>(.*?)</p>", re.S)
ARTICLE = re.compile(r"<article.*?</article>", re.S)
LONG = 120  # characters: a paragraph of the release, not a date or a byline
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
H1 = re.compile(r"<h1>(.*?)</h1>", re.S)
CANONICAL = re.compile(r'<link rel="canonical" href="[^"]*">')


def _samples() -> list[tuple[str, list[str]]]:
    """(html, the release's paragraphs) of every sample page."""
    found = []
    for page in sorted(SAMPLE.glob("*/*.html")):
        html = page.read_text(encoding="utf-8")
        article = ARTICLE.search(html)
        paragraphs = [p for p in PARAGRAPH.findall(article.group(0)) if len(p) > LONG]
        if paragraphs:
            found.append((html, paragraphs))
    return found


def _replace_text(html: str, paragraphs: list[str]) -> str:
    """The page with its release's paragraphs replaced by `paragraphs`."""
    article = ARTICLE.search(html)
    assert article is not None
    first = True

    def swap(m: re.Match) -> str:
        nonlocal first
        if len(m.group(1)) <= LONG:
            return m.group(0)
        if first:
            first = False
            return "\n".join(f"<p>{p}</p>" for p in paragraphs)
        return ""

    return html[: article.start()] + PARAGRAPH.sub(swap, article.group(0)) + html[article.end() :]


def _vary(text: str, i: int) -> str:
    """Other people (first name + surname pairs) and other amounts, the same for copy i."""

    def person(m: re.Match) -> str:
        k = int(hashlib.md5(m.group(0).encode()).hexdigest()[:6], 16) + i
        return f"{FIRST[k % len(FIRST)]} {LAST[(k // 7 + i) % len(LAST)]}"

    def amount(m: re.Match) -> str:
        digits = int(re.sub(r"\D", "", m.group(1)) or 1)
        value = digits * (i % 9 + 1) + i % 13
        shown = f"{value:,}".replace(",", ".") if "." in m.group(1) else str(value)
        if "," in m.group(1):
            shown = f"{value // 10},{value % 10}"
        return shown + m.group(2)

    return AMOUNT.sub(amount, NAME.sub(person, text))


def releases(n: int) -> Iterator[tuple[str, bytes]]:
    """n pages: (path, html bytes); page i mixes three sample releases."""
    samples = _samples()
    for i in range(n):
        html, first = samples[i % len(samples)]
        second = samples[(i * 7 + 3) % len(samples)][1]
        third = samples[(i * 13 + 5) % len(samples)][1]
        mixed = first[:2] + second[1:3] + third[-2:] + first[2:]
        path = f"/bench/{i:05d}.html"
        page = _replace_text(html, [_vary(p, i) for p in mixed])
        page = TITLE.sub(lambda m, i=i: f"<title>{_vary(m.group(1), i)} (n. {i})</title>", page)
        page = H1.sub(lambda m, i=i: f"<h1>{_vary(m.group(1), i)} (n. {i})</h1>", page)
        page = CANONICAL.sub("", page)
        yield path, page.encode("utf-8")


def sitemap(origin: str, paths: list[str]) -> bytes:
    rows = "".join(
        f"<url><loc>{origin}{p}</loc><lastmod>2026-11-24</lastmod></url>\n" for p in paths
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</urlset>\n'
    ).encode()


@contextmanager
def serve(pages: dict[str, bytes]) -> Iterator[tuple[str, dict[str, int]]]:
    """Serve `pages` (path -> bytes) on 127.0.0.1; yields (origin, counts by status)."""
    counts: dict[str, int] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            body = pages.get(self.path.split("?")[0])
            status, headers = 404, {"Content-Type": "text/plain"}
            if body is not None:
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                kind = "application/xml" if self.path.endswith(".xml") else "text/html"
                headers = {"ETag": etag, "Last-Modified": MODIFIED, "Content-Type": kind}
                status = 304 if self.headers.get("If-None-Match") == etag else 200
            with lock:
                counts[str(status)] = counts.get(str(status), 0) + 1
            payload = body if status == 200 and body is not None else b""
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", counts
    finally:
        server.shutdown()
        server.server_close()
