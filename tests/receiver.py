"""A real webhook receiver on 127.0.0.1 for alert tests: Apprise's json:// posts here.

    with Receiver() as hook:
        hook.channel("/asti")          # "json://127.0.0.1:PORT/asti"
        hook.status = 500              # answer 500 from now on (an outage)
        hook.statuses["/b"] = 503      # ... or on one path only
        hook.messages("/asti")         # every JSON body received on that path, in order

Every POST is recorded, whatever the answer, with the status it got (`hook.received`).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

URL_RE = re.compile(r"https?://[^\s)\]>]+")


@dataclass(frozen=True)
class Received:
    path: str
    status: int
    body: dict

    @property
    def urls(self) -> list[str]:
        return URL_RE.findall(self.body.get("message", ""))


class Receiver:
    def __init__(self, status: int = 200, delay: float = 0.0):
        self.status = status
        self.statuses: dict[str, int] = {}  # per path, over `status`
        self.delay = delay  # seconds before answering (a slow channel)
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, kwargs={"poll_interval": 0.05}
        )

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def channel(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}{path}"

    def messages(self, path: str | None = None, delivered: bool = True) -> list[Received]:
        """What arrived (on `path`); only what was answered 2xx unless `delivered` is False."""
        with self._lock:
            return [
                r
                for r in self.received
                if (path is None or r.path == path) and (not delivered or r.status < 300)
            ]

    def clear(self) -> None:
        with self._lock:
            self.received.clear()


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if receiver.delay:
                time.sleep(receiver.delay)
            status = receiver.statuses.get(self.path, receiver.status)
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"raw": raw.decode("utf-8", "replace")}
            with receiver._lock:
                receiver.received.append(Received(self.path, status, body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    return Handler
