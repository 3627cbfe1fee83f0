"""Shared fixtures: a Prefect test server per session, a slice of the sample corpus."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

# Prefect reads its settings at import: keep its state out of ~ and analytics off.
_PREFECT_HOME = tempfile.mkdtemp(prefix="sentinella-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
# Logs stay local: the session server stops before Prefect's log shipper would flush.
os.environ["PREFECT_LOGGING_TO_API_ENABLED"] = "false"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "sample"


class PrefectTestServer:
    """One Prefect API server for the session, started as soon as collection shows a test
    needs it, so its start-up (~10 s, mostly imports and migrations) overlaps the tests
    that run first. The same server Prefect's own test harness starts (uvicorn, no UI),
    reached through PREFECT_API_URL, also by the CLI subprocesses that tests start."""

    def __init__(self) -> None:
        # pytest-xdist workers inherit the controller's environment: one server for all.
        self.owner = "SENTINELLA_TEST_PREFECT_URL" not in os.environ
        if self.owner:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            os.environ["SENTINELLA_TEST_PREFECT_URL"] = f"http://127.0.0.1:{port}/api"
        self.url = os.environ["SENTINELLA_TEST_PREFECT_URL"]
        self.port = int(self.url.rsplit(":", 1)[1].split("/")[0])
        self.process: subprocess.Popen | None = None
        # Before anything imports prefect, which reads its settings at import.
        os.environ["PREFECT_API_URL"] = self.url

    def start(self) -> None:
        if not self.owner or self.process is not None:
            return
        spec = importlib.util.find_spec("prefect")
        assert spec is not None and spec.origin is not None
        env = {
            **os.environ,
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT_SERVER_DATABASE_CONNECTION_URL": "sqlite+aiosqlite:///"
            + str(Path(_PREFECT_HOME) / "server.db"),
        }
        app_dir = str(Path(spec.origin).parent.parent)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                app_dir,
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ],
            env=env,
        )

    def wait(self, timeout: float = 120) -> str:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the Prefect test server exited ({self.process.returncode})")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self.url
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the Prefect test server did not start in {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


_SERVER = PrefectTestServer()
_NEEDS_SERVER = {"prefect_server", "sample_base"}


def pytest_configure(config):
    # Under pytest-xdist the controller starts the server (its workers collect, it does not).
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        _SERVER.start()


def pytest_collection_modifyitems(session, config, items):
    if any(_NEEDS_SERVER & set(getattr(item, "fixturenames", ())) for item in items):
        _SERVER.start()


def pytest_sessionfinish(session, exitstatus):
    _SERVER.stop()


@pytest.fixture(scope="session")
def prefect_server() -> str:
    """The session's Prefect API URL (also in PREFECT_API_URL, for subprocesses)."""
    return _SERVER.wait()


def sample_pages(count: int) -> list[Path]:
    """The first `count` sample pages, spread over publishers (sorted, so stable)."""
    pages = sorted(SAMPLE.glob("*/*.html"))
    step = max(1, len(pages) // count)
    return pages[::step][:count]


@pytest.fixture
def corpus_slice(tmp_path: Path) -> Path:
    """A sources.toml over a folder holding 6 sample pages; returns the sources file."""
    folder = tmp_path / "pages"
    for page in sample_pages(6):
        target = folder / page.parent.name / page.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(page, target)
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "slice"\npublisher = "Sample slice"\nkind = "folder"\npath = "pages"\n',
        encoding="utf-8",
    )
    return sources


@pytest.fixture(scope="session")
def sample_base(prefect_server, tmp_path_factory) -> Path:
    """The knowledge base of `sentinella run` over the embedded sample corpus (35 pages).

    Built once per session through the CLI, as `make run` builds it; read-only for tests.
    """
    from click.testing import CliRunner

    from sentinella.cli import cli

    db_path = tmp_path_factory.mktemp("sample") / "sentinella.db"
    result = CliRunner().invoke(cli, ["run", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "pages seen 35, new 35" in result.output
    assert "sentinella query commitments" in result.output  # example queries to paste next
    return db_path


@pytest.fixture(scope="session")
def nlp():
    from sentinella.extractors.pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture
def web():
    """The test web server (tests/webserver.py) on 127.0.0.1, Crawl-delay 0."""
    from webserver import WebServer

    with WebServer() as server:
        yield server
