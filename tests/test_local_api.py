"""The temporary local Prefect API that `sentinella run` starts before importing Prefect:
it answers, and it never outlives the process that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from sentinella.local_api import start_local_api

STARTS_AND_DIES = """
import os, signal, sys
os.environ.pop("PREFECT_API_URL", None)
from sentinella.local_api import start_local_api
api = start_local_api()
print(api.process.pid, flush=True)
sys.stdin.readline()  # until the test has the server's pid
os.kill(os.getpid(), signal.SIGKILL)  # no atexit, no finally: only the kernel knows
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is not alive
        return stat.read().split()[2] != "Z"


@pytest.mark.skipif(sys.platform != "linux", reason="prctl(PR_SET_PDEATHSIG) is Linux's")
def test_the_server_dies_with_a_run_killed_without_a_word():
    run = subprocess.Popen(
        [sys.executable, "-c", STARTS_AND_DIES],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"},
    )
    assert run.stdout is not None and run.stdin is not None
    server = int(run.stdout.readline())
    assert _alive(server)
    run.stdin.write("\n")
    run.stdin.flush()
    assert run.wait(timeout=30) == -signal.SIGKILL
    deadline = time.monotonic() + 20
    while _alive(server) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(server)


def test_no_local_api_when_a_server_is_configured(monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert start_local_api() is None


def test_the_migration_check_is_skipped_once_this_prefect_version_migrated(tmp_path, monkeypatch):
    from importlib.metadata import version

    from sentinella.local_api import _migrated_marker

    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    assert _migrated_marker() is None  # no database yet: migrations will create it
    (tmp_path / "prefect.db").touch()
    marker = _migrated_marker()
    assert marker == tmp_path / f".sentinella-migrated-prefect-{version('prefect')}"
    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", "postgresql+asyncpg://db/prefect")
    assert _migrated_marker() is None  # another database: Prefect's own rules
