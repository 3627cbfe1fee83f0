"""The run record tells the truth: ok, failed (why), interrupted (which signal), killed;
one writer at a time; no process left behind."""

from __future__ import annotations

import shutil
import signal
import threading
import time
from pathlib import Path

import pytest
import sqlite_utils
from runs import processes_with, run_rows, start_run, stored, wait_until

from sentinella.flows.nightly import nightly
from sentinella.flows.run_record import RunRecord, WriterLock

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "sample"


@pytest.fixture
def sample_sources(tmp_path: Path) -> Path:
    """All 35 sample pages in one folder source: three batches, long enough to stop midway."""
    shutil.copytree(SAMPLE, tmp_path / "sample", ignore=shutil.ignore_patterns("*.xml", "*.md"))
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "sample"\npublisher = "Sample"\nkind = "folder"\npath = "sample"\n',
        encoding="utf-8",
    )
    return sources


def test_a_failing_store_is_recorded_failed_with_its_error(
    prefect_server, corpus_slice, tmp_path, monkeypatch
):
    from sentinella.flows import nightly as module

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(module.KnowledgeBase, "store_batch", broken)
    state = nightly(sources_file=corpus_slice, db_path=tmp_path / "kb.db", return_state=True)
    summary = state.result(raise_on_failure=False)
    assert state.is_failed() and "disk full" in state.message
    assert (summary.status, summary.error) == ("failed", "RuntimeError: disk full")
    row = sqlite_utils.Database(tmp_path / "kb.db")["runs"].get(summary.run_id)
    assert (row["status"], row["error"]) == ("failed", "RuntimeError: disk full")


def test_a_stale_running_row_is_closed_as_killed(prefect_server, corpus_slice, tmp_path):
    db_path = tmp_path / "kb.db"
    first = RunRecord(db_path, "test", say=lambda m: None)
    assert first.open()
    first.lock.release()  # as if the process died: the kernel drops the flock, the row stays
    second = nightly(sources_file=corpus_slice, db_path=db_path)
    rows = {r["id"]: r for r in sqlite_utils.Database(db_path)["runs"].rows}
    assert rows[first.summary.run_id]["status"] == "killed"
    assert rows[second.run_id]["status"] == "ok"


def test_a_second_writer_waits_then_gives_up_with_one_line(prefect_server, corpus_slice, tmp_path):
    db_path = tmp_path / "kb.db"
    holder = WriterLock(db_path, 0, lambda m: None)
    holder.acquire()
    try:
        state = nightly(sources_file=corpus_slice, db_path=db_path, wait=1, return_state=True)
    finally:
        holder.release()
    assert state.is_failed()
    assert "another run" in state.message and "after 1 s: nothing done" in state.message
    assert not db_path.exists() or sqlite_utils.Database(db_path)["runs"].count == 0


def test_a_second_writer_waits_for_the_first(prefect_server, corpus_slice, tmp_path):
    db_path = tmp_path / "kb.db"
    holder = WriterLock(db_path, 0, lambda m: None)
    holder.acquire()
    threading.Timer(2, holder.release).start()
    started = time.monotonic()
    summary = nightly(sources_file=corpus_slice, db_path=db_path, wait=60)
    assert summary.status == "ok" and summary.total("new") == 6
    assert time.monotonic() - started >= 2


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_run_finishes_its_batch_records_interrupted_and_leaves_nothing(
    sample_sources, tmp_path, stop
):
    """Prefect's own temporary server (no PREFECT_API_URL): it must go with the run."""
    db_path, home = tmp_path / "kb.db", tmp_path / "prefect"
    run = start_run(sample_sources, db_path, home=home)
    try:
        wait_until(lambda: stored(db_path) > 0, timeout=300)
        run.send_signal(stop)
        out, err = run.communicate(timeout=120)
    finally:
        run.kill()
    assert run.returncode == 128 + stop, err
    (row,) = run_rows(db_path)
    status, error, new = row[1], row[2], row[3]
    assert (status, error) == ("interrupted", f"stopped by {stop.name}")
    assert new == stored(db_path) and new % 16 == 0  # whole batches only: 16 pages each
    assert new < 35
    assert "was interrupted (stopped by" in out
    wait_until(lambda: not processes_with(str(home)), timeout=10)


@pytest.mark.slow
def test_a_killed_run_leaves_no_server_and_the_next_run_closes_its_row(
    sample_sources, tmp_path, prefect_server
):
    db_path, home = tmp_path / "kb.db", tmp_path / "prefect"
    run = start_run(sample_sources, db_path, home=home)
    try:
        wait_until(lambda: any(r[1] == "running" for r in run_rows(db_path)), timeout=300)
        assert processes_with(str(home))  # its temporary Prefect server is up
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
    finally:
        run.kill()
    wait_until(lambda: not processes_with(str(home)), timeout=15)  # the server died with it
    again = start_run(sample_sources, db_path, home=tmp_path / "p2", api_url=prefect_server)
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    rows = run_rows(db_path)
    assert [r[1] for r in rows] == ["killed", "ok"]
    assert rows[1][3] == 35 == stored(db_path)
