"""A temporary local Prefect API for one `sentinella run` or `backfill`, started early.

Prefect's ephemeral mode starts the same server (uvicorn over prefect.server's app, no UI)
when a flow first needs the API, after the flow's process has imported Prefect and, to
spawn it, Prefect's whole server package (seconds of imports the flow's process has no use
for). Started here, before Prefect is imported, the server boots in its own process while
this one imports Prefect and the flow: on two cores the two overlap instead of adding up.
The server keeps its database in Prefect's home (sentinella.settings.prefect_home), which
later runs reuse (once this Prefect version has migrated it, later starts skip the
migration check); it stops when the run's process exits; on Linux it is also told to
stop if that process dies without a word (SIGKILL), so no server outlives its run.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from sentinella.errors import SentinellaError
from sentinella.flows.children import die_with

STARTUP_TIMEOUT = 120.0  # seconds; a busy 2-core machine once took more than Prefect's 20


class LocalApiError(SentinellaError):
    pass


class LocalApi:
    """The server process; `url` is set in PREFECT_API_URL for this process and its children."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.marker: Path | None = None

    def start(self) -> LocalApi:
        with socket.socket() as probe:  # a free port, as Prefect's own start-up picks one
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        spec = importlib.util.find_spec("prefect")  # finds it without importing it
        if spec is None or spec.origin is None:
            raise LocalApiError("Prefect is not installed")
        self.url = f"http://127.0.0.1:{port}/api"
        env = {
            **os.environ,
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",  # what Prefect's ephemeral mode runs
            "PREFECT__SERVER_FINAL": "1",
        }
        self.marker = _migrated_marker()
        if self.marker is not None and self.marker.exists():
            # This Prefect version migrated this database already: skip the check (alembic
            # loads every migration script: about a quarter of the server's start-up).
            env.setdefault("PREFECT_API_DATABASE_MIGRATE_ON_START", "false")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                str(Path(spec.origin).parent.parent),
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            preexec_fn=functools.partial(die_with, os.getpid()),  # noqa: PLW1509 - only prctl, before exec
        )
        os.environ["PREFECT_API_URL"] = self.url
        atexit.register(self.stop)
        return self

    def wait(self, timeout: float = STARTUP_TIMEOUT) -> None:
        """Until the API answers its health check (the database migrated, blocks known)."""
        import httpx

        deadline = time.monotonic() + timeout
        with httpx.Client(trust_env=False, timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.process is None or self.process.poll() is not None:
                    code = self.process.returncode if self.process else None
                    raise LocalApiError(f"the local Prefect API stopped at start-up (exit {code})")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{self.url}/health").status_code == 200:
                        if self.marker is not None:
                            with contextlib.suppress(OSError):
                                self.marker.touch()
                        return
                time.sleep(0.1)
        raise LocalApiError(f"the local Prefect API did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        process, self.process = self.process, None
        if os.environ.get("PREFECT_API_URL") == self.url:
            del os.environ["PREFECT_API_URL"]
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_local_api() -> LocalApi | None:
    """Start a local API for this process, unless PREFECT_API_URL names a server (or Prefect
    was imported already: it read its settings then, and starts its own when needed).

    It stops when the process exits (atexit), after Prefect has sent its last logs and
    events: Prefect drains those at the threads' exit, which comes before atexit's hooks.
    """
    if os.environ.get("PREFECT_API_URL") or "prefect" in sys.modules:
        return None
    os.environ.setdefault("PREFECT_UI_URL", "")  # no UI is served: no "View at" links
    return LocalApi().start()


def _migrated_marker() -> Path | None:
    """A file in Prefect's home saying its database was migrated by this Prefect version;
    None when Prefect's database is not the default SQLite file there."""
    from importlib.metadata import version

    from sentinella.settings import prefect_home

    if os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL") or os.environ.get(
        "PREFECT_SERVER_DATABASE_CONNECTION_URL"
    ):
        return None
    home = prefect_home()
    if not (home / "prefect.db").exists():
        return None  # a new database: migrations create it (and the marker follows)
    return home / f".sentinella-migrated-prefect-{version('prefect')}"
