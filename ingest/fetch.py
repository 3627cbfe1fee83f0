"""Fetching: the one place that talks HTTP.

A `Fetcher` is polite and careful by default:

- it names itself (a user agent with the project's address and a contact) and obeys
  robots.txt (Disallow, Crawl-delay, Request-rate), cached per host for its lifetime;
- it paces requests per host (one at a time, by default a second after the previous one
  ended; several hosts in parallel);
- it asks conditionally (If-None-Match / If-Modified-Since): a 304 costs nothing;
- it retries 5xx answers and connection errors with exponential backoff, a bounded
  number of times, and 429 after the Retry-After it asks (up to `max_backoff`; a longer
  wait is a failure for this run), and never other 4xx answers;
- it follows redirects itself (at most `max_redirects`), checking every hop;
- it caps size (`max_bytes`) and time: each read (`timeout`) and the whole body
  (`max_seconds`, so a server trickling a byte a second cannot hold a run), and decodes
  text whose declared charset is missing or wrong;
- it refuses private, loopback and link-local addresses unless told otherwise
  (`allow_private_network`, per source or for the whole run).

Errors are values: every call returns a `FetchResult`, whose `error` is a one-line
reason when there is no page; no exception escapes.
"""

from __future__ import annotations

import codecs
import ipaddress
import re
import socket
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from sentinella import __version__

USER_AGENT = (
    f"Sentinella/{__version__} (+https://github.com/sentinella-it/sentinella; "
    "sentinella@example.org)"
)
ROBOTS_AGENT = "Sentinella"  # the product token robots.txt rules are matched against
REDIRECTS = {301, 302, 303, 307, 308}
MAX_CRAWL_DELAY = 60.0  # a robots.txt asking for more is honoured at this much

Validators = tuple[str | None, str | None]


@dataclass(frozen=True)
class FetchResult:
    """What one GET gave: a page, a 304, or the reason why there is nothing."""

    url: str  # as asked
    final_url: str | None = None  # after redirects
    status: int | None = None
    content: bytes | None = None
    text: str | None = None  # `content` decoded (see decode_text)
    encoding: str | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None  # one line; None when the fetch worked
    requests: int = 0  # HTTP requests it took, robots.txt excluded

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def transient(self) -> bool:
        """A failure that may not happen on a later run: network, 5xx, 429, too slow."""
        if self.error is None:
            return False
        if self.status is not None:
            return self.status >= 500 or self.status == 429
        return " attempts" in self.error or "too slow" in self.error


class _Refused(Exception):
    """Internal: a one-line reason to stop fetching one URL."""


class _Rules:
    """robots.txt of one origin: what may be fetched and how slowly."""

    def __init__(
        self,
        parser: urllib.robotparser.RobotFileParser | None = None,
        crawl_delay: float | None = None,
        refusal: str | None = None,
    ):
        self.parser, self.crawl_delay = parser, crawl_delay
        self.refusal = refusal  # set when the whole origin is out of bounds, and why

    def can_fetch(self, url: str) -> bool:
        if self.refusal:
            return False
        return self.parser is None or self.parser.can_fetch(ROBOTS_AGENT, url)

    @property
    def delay(self) -> float:
        """Seconds between requests asked by Crawl-delay or Request-rate (0 if neither)."""
        seconds = self.crawl_delay or 0.0
        rate = self.parser.request_rate(ROBOTS_AGENT) if self.parser else None
        if rate is not None and rate.requests:
            seconds = max(seconds, rate.seconds / rate.requests)
        return min(seconds, MAX_CRAWL_DELAY)


def crawl_delay(robots_txt: str, agent: str = ROBOTS_AGENT) -> float | None:
    """Crawl-delay for `agent` (else for *), decimals allowed (urllib.robotparser only
    reads whole seconds and ignores "Crawl-delay: 0.5")."""
    delays: dict[str, float] = {}
    agents: list[str] = []
    in_rules = False
    for raw in robots_txt.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if in_rules:
                agents, in_rules = [], False
            agents.append(value.lower())
            continue
        in_rules = True
        if key == "crawl-delay":
            try:
                seconds = float(value)
            except ValueError:
                continue
            for name in agents:
                delays.setdefault(name, max(0.0, seconds))
    for name, seconds in delays.items():
        if name != "*" and name in agent.lower():
            return seconds
    return delays.get("*")


class Fetcher:
    """One HTTP client for a whole run; thread-safe; `close()` when done."""

    def __init__(
        self,
        *,
        allow_private_network: bool = False,
        user_agent: str = USER_AGENT,
        per_host_delay: float = 1.0,
        timeout: float = 20.0,
        max_retries: int = 3,
        max_bytes: int = 5_000_000,
        max_redirects: int = 5,
        max_seconds: float = 60.0,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        workers: int = 4,
        obey_robots: bool = True,
    ):
        self.allow_private_network = allow_private_network
        self.user_agent = user_agent
        self.per_host_delay = per_host_delay
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.max_seconds = max_seconds
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.workers = workers
        self.obey_robots = obey_robots
        self._client = httpx.Client(
            headers={
                "User-Agent": user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "Accept-Language": "it-IT,it;q=0.9,en;q=0.5",
            },
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
        )
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._last_done: dict[str, float] = {}
        self._robots: dict[str, _Rules] = {}

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- the public calls ---------------------------------------------------------------

    def get(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        *,
        allow_private_network: bool = False,
        delay: float | None = None,
        revalidate: Callable[[str], Validators] | None = None,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """GET one URL (conditionally when validators are given).

        `delay` overrides the per-host pause for this call (robots.txt may ask for more);
        `revalidate(url)` gives the validators to send after a redirect to another URL;
        `max_bytes` overrides the size cap (sitemaps may be 50 MB).
        """
        allow = allow_private_network or self.allow_private_network
        pause = self.per_host_delay if delay is None else delay
        try:
            return self._get(
                url, etag, last_modified, allow, pause, revalidate, max_bytes or self.max_bytes
            )
        except _Refused as exc:
            return FetchResult(url=url, error=str(exc))
        except Exception as exc:
            return FetchResult(url=url, error=f"unexpected {type(exc).__name__}: {_line(exc)}")

    def fetch_many(
        self,
        requests: list[tuple[str, str | None, str | None]],
        *,
        allow_private_network: bool = False,
        delay: float | None = None,
        revalidate: Callable[[str], Validators] | None = None,
    ) -> list[FetchResult]:
        """GET every (url, etag, last_modified), hosts in parallel, each host paced; in order."""
        by_host: dict[str, list[int]] = {}
        for i, (url, _, _) in enumerate(requests):
            by_host.setdefault(_host_key(url), []).append(i)
        results: list[FetchResult | None] = [None] * len(requests)

        def run(indexes: list[int]) -> None:
            for i in indexes:
                url, etag, modified = requests[i]
                results[i] = self.get(
                    url,
                    etag,
                    modified,
                    allow_private_network=allow_private_network,
                    delay=delay,
                    revalidate=revalidate,
                )

        groups = list(by_host.values())
        if len(groups) <= 1:
            for group in groups:
                run(group)
        else:
            with ThreadPoolExecutor(max_workers=min(self.workers, len(groups))) as pool:
                list(pool.map(run, groups))
        return results  # type: ignore[return-value]

    # --- one URL, hop by hop ------------------------------------------------------------

    def _get(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        allow: bool,
        pause: float,
        revalidate,
        max_bytes: int,
    ) -> FetchResult:
        current, requests = url, 0
        for _ in range(self.max_redirects + 1):
            self._check_address(current, allow)
            rules = self._rules(current, allow, pause) if self.obey_robots else _Rules()
            if not rules.can_fetch(current):
                where = f" (redirected to {current})" if current != url else ""
                raise _Refused(rules.refusal or f"disallowed by robots.txt{where}")
            headers = {}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            response, body, tries = self._request(
                current, headers, max(pause, rules.delay), max_bytes, allow
            )
            requests += tries
            location = response.headers.get("location")
            if response.status_code in REDIRECTS and location:
                current = urljoin(current, location.strip())
                etag, last_modified = revalidate(current) if revalidate else (None, None)
                continue
            common = dict(
                url=url,
                final_url=current,
                status=response.status_code,
                requests=requests,
                content_type=response.headers.get("content-type"),
                etag=response.headers.get("etag") or etag,
                last_modified=response.headers.get("last-modified") or last_modified,
            )
            if response.status_code == 304:
                return FetchResult(**common, not_modified=True)
            if response.status_code >= 300:
                return FetchResult(
                    **common, error=f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
                )
            text, encoding = decode_text(body, common["content_type"])
            return FetchResult(
                **{
                    **common,
                    "etag": response.headers.get("etag"),
                    "last_modified": response.headers.get("last-modified"),
                },
                content=body,
                text=text,
                encoding=encoding,
            )
        raise _Refused(f"more than {self.max_redirects} redirects from {url}")

    def _request(
        self, url: str, headers: dict, pause: float, max_bytes: int | None, allow: bool
    ) -> tuple[httpx.Response, bytes, int]:
        """One GET with retries on 5xx and connection errors; raises _Refused at the end."""
        host = _host_key(url)
        for attempt in range(self.max_retries + 1):
            last_try = attempt == self.max_retries
            try:
                with self._turn(host, pause):
                    response, body = self._send(url, headers, max_bytes or self.max_bytes, allow)
            except _Refused:
                raise
            except httpx.TransportError as exc:
                if last_try:
                    raise _Refused(
                        f"{_transport_reason(exc)} after {attempt + 1} attempts"
                    ) from None
                time.sleep(self._backoff(attempt, None))
                continue
            if response.status_code == 429 and not last_try:
                time.sleep(self._retry_after(response))
                continue
            if response.status_code >= 500 and not last_try:
                time.sleep(self._backoff(attempt, response.headers.get("retry-after")))
                continue
            if response.status_code >= 500:
                raise _Refused(
                    f"HTTP {response.status_code} {response.reason_phrase} "
                    f"after {attempt + 1} attempts"
                )
            return response, body, attempt + 1
        raise AssertionError("unreachable")

    def _send(
        self, url: str, headers: dict, max_bytes: int, allow: bool
    ) -> tuple[httpx.Response, bytes]:
        """The request itself, the body read up to `max_bytes` and within the time cap.

        Unless private addresses are allowed, the address actually connected to is checked
        too (the name may resolve differently than when it was checked: DNS rebinding), and
        nothing is read from a private one.
        """
        deadline = time.monotonic() + self.max_seconds
        with self._client.stream("GET", url, headers=headers) as response:
            if not allow:
                stream = response.extensions.get("network_stream")
                peer = stream.get_extra_info("server_addr") if stream is not None else None
                if peer and not _is_public(peer[0]):
                    raise _Refused(
                        f"refused: connected to a private or loopback address "
                        f"({peer[0]}) (allow_private_network is off)"
                    )
            if response.status_code != 200:
                return response, b""
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _Refused(f"too large: {declared} bytes (limit {max_bytes})")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise _Refused(f"too large: more than {max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise _Refused(f"too slow: body not received in {self.max_seconds:.0f} s")
                chunks.append(chunk)
            return response, b"".join(chunks)

    def _retry_after(self, response: httpx.Response) -> float:
        """Seconds a 429 asks us to wait; more than `max_backoff` ends the attempts."""
        asked = response.headers.get("retry-after")
        wait = _retry_after_seconds(asked) if asked else self.backoff
        if wait > self.max_backoff:
            raise _Refused(
                f"HTTP 429 Too Many Requests: Retry-After {asked} is more than "
                f"{self.max_backoff:.0f} s (trying again next run)"
            )
        return wait

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        wait = self.backoff * (2**attempt)
        if retry_after:
            wait = max(wait, _retry_after_seconds(retry_after))
        return min(wait, self.max_backoff)

    # --- politeness ---------------------------------------------------------------------

    @contextmanager
    def _turn(self, host: str, pause: float) -> Iterator[None]:
        """This host's turn: one request at a time per host, `pause` seconds after the end
        of the previous one (so the server sees them at least `pause` apart)."""
        with self._lock:
            lock = self._host_locks.setdefault(host, threading.Lock())
        with lock:
            wait = self._last_done.get(host, float("-inf")) + pause - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                yield
            finally:
                self._last_done[host] = time.monotonic()

    def _rules(self, url: str, allow: bool, pause: float) -> _Rules:
        """robots.txt of the URL's origin, fetched once per Fetcher."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        with self._lock:
            lock = self._host_locks.setdefault("robots " + origin, threading.Lock())
        with lock:
            if origin not in self._robots:
                self._robots[origin] = self._load_robots(origin, allow, pause)
            return self._robots[origin]

    def _load_robots(self, origin: str, allow: bool, pause: float) -> _Rules:
        """RFC 9309: 4xx means no rules; 5xx means keep out; an unreachable host is down."""
        url = origin + "/robots.txt"
        try:
            for _ in range(self.max_redirects + 1):
                self._check_address(url, allow)
                response, body, _ = self._request(url, {}, pause, None, allow)
                location = response.headers.get("location")
                if response.status_code in REDIRECTS and location:
                    url = urljoin(url, location.strip())
                    continue
                break
            else:
                return _Rules()
        except _Refused as exc:
            if str(exc).startswith("HTTP 5"):
                return _Rules(
                    refusal=f"disallowed by robots.txt (robots.txt answered {exc}: "
                    "keeping out, RFC 9309)"
                )
            return _Rules(refusal=f"{exc} (fetching robots.txt)")
        if response.status_code >= 400:
            return _Rules()
        parser = urllib.robotparser.RobotFileParser(url)
        text, _ = decode_text(body, response.headers.get("content-type"))
        parser.parse(text.splitlines())
        return _Rules(parser, crawl_delay(text))

    def _check_address(self, url: str, allow: bool) -> None:
        """Only http(s); only public addresses unless private ones are allowed."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _Refused(f"not an http(s) URL: {url}")
        if allow:
            return
        refusal = private_address(
            parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        )
        if refusal:
            raise _Refused(f"refused: {refusal} (allow_private_network is off)")


# --- helpers, public because tests and other modules use them ------------------------------


def private_address(host: str, port: int = 80) -> str | None:
    """Why `host` must not be fetched (it is or resolves to a non-public address), or None.

    The name is resolved again when connecting; the Fetcher also checks the address it
    actually connected to, before reading anything (DNS rebinding).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        return f"cannot resolve {host}: {getattr(exc, 'strerror', None) or exc}"
    for info in infos:
        address = str(info[4][0])
        if not _is_public(address):
            return f"{host} is a private or loopback address ({address.split('%')[0]})"
    return None


def _is_public(text: str) -> bool:
    address = ipaddress.ip_address(text.split("%")[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def declared_charset(content: bytes, content_type: str | None) -> str | None:
    """The charset the server (Content-Type) or the page (<meta charset>) declares."""
    if content_type:
        match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.I)
        if match:
            return match.group(1)
    match = _META_CHARSET.search(content[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None


def decode_text(content: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Bytes to text, trusting the bytes over the declaration.

    A BOM wins; then valid UTF-8 is UTF-8 whatever the page says (Latin-1 text is
    almost never valid UTF-8); then the declared charset when it is not UTF-8 (Latin-1
    read as Windows-1252, as browsers do); then Windows-1252 when every byte is defined
    there (what a Western European page that is not UTF-8 is, in practice; for our
    Latin-1 Italian fixture charset_normalizer guessed cp1258); then charset_normalizer's
    guess; then Windows-1252 with replacement characters.
    """
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if content.startswith(bom):
            return content.decode(name, errors="replace"), name
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _codec(declared_charset(content, content_type))
    if declared and declared not in ("utf-8", "utf-8-sig"):
        if declared in ("latin-1", "iso8859-1", "ascii"):
            declared = "cp1252"
        try:
            return content.decode(declared), declared
        except UnicodeDecodeError:
            pass
    try:
        return content.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(content[:200_000]).best()
        if best is not None and best.encoding not in ("utf_8", "ascii"):
            return content.decode(best.encoding, errors="replace"), best.encoding
    except Exception:
        pass
    return content.decode("cp1252", errors="replace"), "cp1252"


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _host_key(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _retry_after_seconds(value: str) -> float:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return 0.0


def _transport_reason(exc: httpx.TransportError) -> str:
    kind = {
        httpx.ConnectError: "connection failed",
        httpx.ConnectTimeout: "connect timeout",
        httpx.ReadTimeout: "read timeout",
        httpx.RemoteProtocolError: "protocol error",
    }
    reason = kind.get(type(exc), type(exc).__name__)
    detail = _line(exc)
    return f"{reason}: {detail}" if detail else reason


def _line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else ""
