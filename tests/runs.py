"""Running `sentinella run` as a real process for tests that stop, kill or race it.

    proc = start_run(sources, db, home=tmp_path / "prefect", api_url=prefect_server)
    wait_until(lambda: stored(db) > 0)
    proc.send_signal(signal.SIGTERM)

`api_url` points the run at the session's Prefect server (fast); without it the run starts
Prefect's own temporary server, which is what the leftover-process tests look at.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

SENTINELLA = Path(sys.executable).parent / "sentinella"


def run_env(home: Path, api_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PREFECT_") or k == "PREFECT_LOGGING_LEVEL"
    }
    env.update(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
            "PREFECT_LOGGING_LEVEL": "WARNING",
            **extra,
        }
    )
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def start_run(
    sources: Path, db: Path, *, home: Path, api_url: str | None = None, args=(), **extra: str
) -> subprocess.Popen:
    return subprocess.Popen(
        [str(SENTINELLA), "run", "--sources", str(sources), "--db", str(db), *args],
        env=run_env(home, api_url, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until(condition: Callable[[], bool], timeout: float = 120, step: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(step)
    raise AssertionError(f"condition not met in {timeout} s")


def query(db: Path, sql: str, params=()) -> list[tuple]:
    """Read the base as a reader would (never blocks the writer: WAL)."""
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as con:
            return con.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # not created yet
        return []


def stored(db: Path) -> int:
    rows = query(db, "select count(*) from documents")
    return rows[0][0] if rows else 0


def run_rows(db: Path) -> list[tuple]:
    return query(
        db, "select id, status, error, new, changed, unchanged, failed from runs order by id"
    )


def processes_with(marker: str) -> list[int]:
    """Live processes whose environment or command line holds `marker` (a unique path)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            blob = (entry / "environ").read_bytes() + (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if marker.encode() in blob and state != "Z":
            found.append(int(entry.name))
    return found
