"""A real web server on 127.0.0.1 for tests: the sample corpus as publishers would serve it.

    with WebServer(crawl_delay=0.2) as web:
        web.url("/feed.xml")                    # http://127.0.0.1:PORT/feed.xml
        web.url("/feed.xml", host="localhost")  # the same server under a second host name
        web.requests                            # every request: method, path, host, headers

It serves (every page with an ETag and a Last-Modified, and 304 when they match):

/robots.txt                 Crawl-delay (`crawl_delay`) and `Disallow: /privato/`
/feed.xml, /sitemap.xml     the sample corpus's, with https://sentinella.example/ replaced
                            by the origin the request was made to (Host header)
/atom.xml                   the newest feed items as an Atom feed
/sitemap-index.xml          an index of /sitemaps/before-november.xml and
                            /sitemaps/november.xml, each with its lastmod
/<publisher>/<page>.html    the sample pages
/extra/<name>.html          tests/fixtures/web/<name>.html; rettifica.html serves
                            rettifica-v<generation>.html (set `web.generation = 2`);
                            latin1.html is sent as-is (Latin-1 bytes, declared UTF-8)
/comunicati/?page=N         a paginated listing of `web.listing` (LISTING by default),
                            `listing_size` items per page, rel=next to the following page
/vecchio/<path>             301 to /<path>
/privato/...                a page robots.txt forbids (served if asked: tests assert it is not)

`web.flaky[path] = n` answers 503 to the first n requests for that path. `web.routes[path]`
takes a function (WebServer, Request) -> (status, headers, body) to add or override a
path; a body that is an iterable of chunks (not bytes) is sent chunk by chunk, without a
Content-Length (a slow or endless server). Only 127.0.0.1 is bound; "localhost" resolves to it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "sample"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "web"
BASE = b"https://sentinella.example/"

# (path, title, date shown in the listing or None)
LISTING = [
    ("/extra/latin1.html", "Vercelli, più corse per la linea per Novara", "18/11/2026"),
    ("/extra/english.html", "Piedmont launches a fund for mountain tourism", "17/11/2026"),
    (
        "/extra/senza-data.html?utm_source=newsletter&utm_medium=email",
        "Biblioteca civica di Bra, orari estesi",
        None,
    ),
    ("/extra/rettifica.html", "Alba, nuovo polo scolastico di corso Piave", "19/11/2026"),
    (
        "/vecchio/comune-novara/2026-09-10-servizi-digitali-anagrafe.html",
        "Novara, servizi digitali all'anagrafe",
        "10/09/2026",
    ),
    (
        "/cittametropolitana-torino/2026-10-26-strade-provinciali-riparto.html",
        "Strade provinciali, il riparto",
        "26/10/2026",
    ),
    ("/privato/bozza-non-pubblicata.html", "Bozza riservata", "20/11/2026"),
    ("/extra/pagina-rimossa.html", "Una pagina che non c'è più", "05/11/2026"),
    ("/comune-torino/2026-10-21-scuole-pnrr-cantieri.html", "Scuole, cantieri PNRR", "21/10/2026"),
    ("/comune-cuneo/2026-10-19-viadotto-soleri.html", "Viadotto Soleri", "19/10/2026"),
]
FLAKY = {"/cittametropolitana-torino/2026-10-26-strade-provinciali-riparto.html": 1}

MODIFIED = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
MODIFIED_LATER = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # the corrected release

Response = tuple[int, dict, bytes]


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with the query string
    host: str  # the Host header
    headers: dict = field(default_factory=dict)  # lower-case names
    status: int = 0
    at: float = 0.0  # time.monotonic() when it arrived

    @property
    def conditional(self) -> bool:
        return "if-none-match" in self.headers or "if-modified-since" in self.headers


class WebServer:
    def __init__(
        self, *, crawl_delay: float = 0.0, listing_size: int = 3, listing: list | None = None
    ):
        self.crawl_delay = crawl_delay
        self.listing_size = listing_size
        self.listing = list(LISTING if listing is None else listing)
        self.generation = 1
        self.flaky: dict[str, int] = dict(FLAKY)
        self.routes: dict[str, Callable[[WebServer, Request], Response]] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, kwargs={"poll_interval": 0.05}
        )

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> WebServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> WebServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- what tests use ---------------------------------------------------------------------

    def origin(self, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}"

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return self.origin(host) + path

    def requests_for(self, prefix: str = "/", host: str | None = None) -> list[Request]:
        with self._lock:
            return [
                r
                for r in self.requests
                if r.path.startswith(prefix) and (host is None or r.host.split(":")[0] == host)
            ]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    # --- the site ---------------------------------------------------------------------------

    def respond(self, request: Request) -> Response:  # noqa: C901 - one branch per route family of the test site
        path = urlsplit(request.path).path
        if request.path in self.routes or path in self.routes:
            return self.routes.get(request.path, self.routes.get(path))(self, request)
        with self._lock:
            if self.flaky.get(path, 0) > 0:
                self.flaky[path] -= 1
                return 503, {"Retry-After": "0"}, b"Servizio temporaneamente non disponibile"
        origin = f"http://{request.host}/".encode()
        if path == "/robots.txt":
            body = (
                f"User-agent: *\nCrawl-delay: {self.crawl_delay}\nDisallow: /privato/\n"
            ).encode()
            return 200, {"Content-Type": "text/plain"}, body
        if path.startswith("/vecchio/"):
            return 301, {"Location": path[len("/vecchio") :]}, b""
        if path == "/comunicati/":
            return self._page(request, self._listing_page(request), "text/html; charset=utf-8")
        if path == "/sitemap-index.xml":
            return self._page(request, self._sitemap_index(origin), "application/xml")
        if path.startswith("/sitemaps/"):
            part = self._sitemap_part(path.rsplit("/", 1)[-1], origin)
            return self._page(request, part, "application/xml") if part else _not_found()
        if path == "/atom.xml":
            return self._page(request, self._atom(origin), "application/atom+xml")
        if path == "/extra/latin1.html":
            return self._page(
                request,
                (FIXTURES / "latin1.html").read_bytes().replace(BASE, origin),
                "text/html; charset=utf-8",
            )
        if path.startswith("/extra/"):
            name = path[len("/extra/") :]
            if name == "rettifica.html":
                name = f"rettifica-v{self.generation}.html"
            file = FIXTURES / name
        elif path.startswith("/privato/"):
            return self._page(
                request, b"<html><body><p>riservato</p></body></html>", "text/html; charset=utf-8"
            )
        else:
            file = SAMPLE / path.lstrip("/")
        if ".." in path or not file.is_file():
            return _not_found()
        content_type = {".xml": "application/xml"}.get(file.suffix, "text/html; charset=utf-8")
        return self._page(request, file.read_bytes().replace(BASE, origin), content_type)

    def _page(self, request: Request, body: bytes, content_type: str) -> Response:
        """200 with validators, or 304 when the request's validators still hold."""
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = MODIFIED
        if self.generation > 1 and "rettifica" in request.path:
            modified = MODIFIED_LATER
        headers = {
            "ETag": etag,
            "Last-Modified": format_datetime(modified, usegmt=True),
            "Content-Type": content_type,
        }
        if_none = request.headers.get("if-none-match")
        if_since = request.headers.get("if-modified-since")
        if if_none is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none.split(",")}
            if etag in tags or "*" in tags:
                return 304, headers, b""
        elif if_since:
            try:
                if parsedate_to_datetime(if_since) >= modified:
                    return 304, headers, b""
            except (TypeError, ValueError):
                pass
        return 200, headers, body

    def _listing_page(self, request: Request) -> bytes:
        query = parse_qs(urlsplit(request.path).query)
        number = int(query.get("page", ["1"])[0])
        size = self.listing_size
        items = self.listing[(number - 1) * size : number * size]
        rows = "\n".join(
            f'<li class="notizia"><a class="titolo" href="{path}">{title}</a>'
            + (f' <span class="data">{shown}</span>' if shown else "")
            + "</li>"
            for path, title, shown in items
        )
        more = number * size < len(self.listing)
        following = (
            (
                f'<a rel="next" class="pager-next" href="/comunicati/?page={number + 1}">'
                "Pagina successiva</a>"
            )
            if more
            else ""
        )
        return (
            f'<!DOCTYPE html><html lang="it"><head><meta charset="utf-8">'
            f"<title>Comunicati stampa - pagina {number}</title></head><body>"
            f'<nav><a href="/">Home</a></nav><h1>Comunicati stampa</h1>'
            f'<ul class="elenco">\n{rows}\n</ul>{following}</body></html>'
        ).encode()

    def _sitemap_entries(self, origin: bytes) -> list[tuple[str, str]]:
        import re

        text = (SAMPLE / "sitemap.xml").read_bytes().replace(BASE, origin).decode()
        return re.findall(r"<loc>(.*?)</loc>\s*<lastmod>(.*?)</lastmod>", text)

    def _sitemap_parts(self, origin: bytes) -> dict[str, list[tuple[str, str]]]:
        entries = self._sitemap_entries(origin)
        return {
            "before-november.xml": [e for e in entries if e[1] < "2026-11-01"],
            "november.xml": [e for e in entries if e[1] >= "2026-11-01"],
        }

    def _sitemap_index(self, origin: bytes) -> bytes:
        rows = "".join(
            f"<sitemap><loc>{origin.decode()}sitemaps/{name}</loc>"
            f"<lastmod>{max(e[1] for e in entries)}</lastmod></sitemap>\n"
            for name, entries in self._sitemap_parts(origin).items()
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns='
            f'"http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</sitemapindex>\n'
        ).encode()

    def _sitemap_part(self, name: str, origin: bytes) -> bytes | None:
        entries = self._sitemap_parts(origin).get(name)
        if entries is None:
            return None
        rows = "".join(
            f"<url><loc>{loc}</loc><lastmod>{mod}</lastmod></url>\n" for loc, mod in entries
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
            f'"http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</urlset>\n'
        ).encode()

    def _atom(self, origin: bytes) -> bytes:
        entries = sorted(self._sitemap_entries(origin), key=lambda e: e[1], reverse=True)[:4]
        rows = "".join(
            f'<entry><title>Comunicato {i}</title><link rel="alternate" href="{loc}"/>'
            f"<id>{loc}</id><updated>{mod}T12:00:00+01:00</updated>"
            f"<published>{mod}T12:00:00+01:00</published></entry>\n"
            for i, (loc, mod) in enumerate(entries, 1)
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Sentinella Atom</title><id>{origin.decode()}</id>"
            f"<updated>2026-11-24T12:00:00Z</updated>\n{rows}</feed>\n"
        ).encode()


def _not_found() -> Response:
    return 404, {"Content-Type": "text/plain"}, b"Pagina non trovata"


def _handler(web: WebServer):  # noqa: C901 - one small method per HTTP concern
    import time

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else headers and body wait 40 ms for a delayed ACK
        wbufsize = 1 << 16  # one write per response (http.server flushes after each)

        def do_GET(self) -> None:
            self._serve(send_body=True)

        def do_HEAD(self) -> None:
            self._serve(send_body=False)

        def _serve(self, send_body: bool) -> None:
            arrived = time.monotonic()
            host = self.headers.get("Host", f"127.0.0.1:{web.port}")
            if host.split(":")[0] not in ("127.0.0.1", "localhost"):
                host = f"127.0.0.1:{web.port}"
            headers = {k.lower(): v for k, v in self.headers.items()}
            request = Request(self.command, self.path, host, headers, 0, arrived)
            try:
                status, extra, body = web.respond(request)
            except Exception as exc:
                status, extra, body = 500, {"Content-Type": "text/plain"}, repr(exc).encode()
            with web._lock:
                web.requests.append(
                    Request(self.command, self.path, host, headers, status, arrived)
                )
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            if isinstance(body, bytes | bytearray):
                self.send_header("Content-Length", str(len(body) if send_body else 0))
            else:  # the body ends when the connection does
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if send_body and status != 304:
                self._write(body)

        def _write(self, body) -> None:
            """Bytes at once; an iterable of chunks one by one, flushed (slow servers)."""
            if isinstance(body, bytes | bytearray):
                self.wfile.write(body)
                return
            try:
                for chunk in body:
                    self.wfile.write(chunk)
                    self.wfile.flush()
            except OSError:  # the client gave up: the point of a slow-server test
                self.close_connection = True

        def log_message(self, *args) -> None:
            pass

    return Handler
