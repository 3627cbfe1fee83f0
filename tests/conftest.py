"""Shared fixtures: a Prefect test server per session, a slice of the sample corpus."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Prefect reads its settings at import: keep its state out of ~ and analytics off.
_PREFECT_HOME = tempfile.mkdtemp(prefix="sentinella-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "sample"


@pytest.fixture(scope="session")
def prefect_server():
    """One Prefect server for the whole session; yields its API URL for subprocesses."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    # A generous start-up limit: the default 30 s is tight on a busy 2-core machine.
    with prefect_test_harness(server_startup_timeout=120):
        yield PREFECT_API_URL.value()


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
