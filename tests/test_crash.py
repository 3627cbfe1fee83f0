"""Crash safety at scale: runs killed with SIGKILL at seeded random moments, then rerun, end
with the same knowledge base as a run never killed; several runs at once on one base; readers
answering during a run.

Each run is a real `sentinella run` process against the session's Prefect server, over the
sample corpus served on 127.0.0.1 (35 pages fetched one by one, three batches of 16),
with the rules-only pipeline so that a kill costs seconds.
"""

from __future__ import annotations

import json
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from runs import query, run_rows, start_run, stored, wait_until
from webserver import WebServer

KILLS = 20
SEED = 14
MODEL = ("--model", "blank:it")
METADATA = Path(__file__).resolve().parent.parent / "kb" / "datasette.yml"


@pytest.fixture(scope="module")
def site():
    with WebServer() as web:
        yield web


@pytest.fixture
def registry(site, tmp_path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(
        f'[[source]]\nname = "sample"\npublisher = "Sample"\nkind = "feed"\n'
        f'url = "{site.url("/feed.xml")}"\nallow_private_network = true\ndelay = 0.05\n',
        encoding="utf-8",
    )
    return path


def _run(registry: Path, db: Path, home: Path, api_url: str, *args: str) -> subprocess.Popen:
    return start_run(
        registry, db, home=home, api_url=api_url, args=(*MODEL, *args), PREFECT_LOGGING_LEVEL="INFO"
    )


def _last_run(db: Path) -> int:
    return max((r[0] for r in run_rows(db)), default=0)


def _export(db: Path) -> list[dict]:
    """Every current document with its facts, without the ids that differ between bases."""
    out = subprocess.run(
        [str(Path(sys.executable).parent / "sentinella"), "export", "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    records = [json.loads(line) for line in out.splitlines()]
    urls = {r["id"]: r["url"] for r in records}
    for r in records:
        r.pop("id")
        r["duplicate_of"] = urls.get(r["duplicate_of"], r["duplicate_of"])
    return sorted(records, key=lambda r: r["url"])


def _sound(db: Path) -> None:
    assert query(db, "pragma integrity_check") == [("ok",)]
    assert query(db, "pragma foreign_key_check") == []
    assert (
        query(db, "select url from documents where current = 1 group by url having count(*) > 1")
        == []
    )
    for table in ("amounts", "sites", "mentions", "commitments"):  # no fact stored twice
        columns = ", ".join(f"[{c[1]}]" for c in query(db, f"pragma table_info({table})")[1:])
        duplicated = f"select {columns} from {table} group by {columns} having count(*) > 1"
        assert query(db, duplicated) == [], table


@pytest.mark.slow
def test_runs_killed_at_random_moments_end_as_an_uninterrupted_run(
    registry, tmp_path, prefect_server
):
    reference = tmp_path / "reference.db"
    started = time.monotonic()
    clean = _run(registry, reference, tmp_path / "h0", prefect_server)
    wait_until(lambda: run_rows(reference), timeout=300)
    opened = time.monotonic()
    _, err = clean.communicate(timeout=600)
    assert clean.returncode == 0, err
    work = time.monotonic() - opened  # from the run's row to its end: fetch, extract, store
    assert stored(reference) == 35
    print(f"uninterrupted run: {time.monotonic() - started:.1f} s, {work:.1f} s of work")

    # Kills follow each other on one base until it holds every page; then a rerun must give
    # the uninterrupted run's export, and the next kills start on a new, empty base.
    rnd, moments, bases = random.Random(SEED), [], 0
    db = tmp_path / "kb-0.db"
    while len(moments) < KILLS:
        before = _last_run(db)
        run = _run(registry, db, tmp_path / f"h{len(moments)}", prefect_server)
        try:
            started = lambda: _last_run(db) > before or run.poll() is not None  # noqa: B023, E731
            wait_until(started, timeout=300)
            assert _last_run(db) > before, run.communicate(timeout=60)[1]
            if len(moments) % 3 == 2 and stored(db) == 0:
                # Between two store transactions: right after the first batch is stored.
                opened = time.monotonic()
                wait_until(lambda: stored(db) >= 16 or run.poll() is not None, 300, step=0.01)  # noqa: B023
                time.sleep(rnd.uniform(0, 0.2))
                delay = time.monotonic() - opened
            else:
                delay = rnd.uniform(0, work)
                time.sleep(delay)
            had = stored(db)
            run.send_signal(signal.SIGKILL)
            _, err = run.communicate(timeout=60)
        finally:
            run.kill()
        _sound(db)  # after every kill, not only at the end
        if run.returncode == -signal.SIGKILL:
            step = (
                "stored" if "so far" in err else ("fetched" if "pages to check" in err else "start")
            )
            moments.append((round(delay, 2), step, had))
        else:
            assert run.returncode == 0, err  # it ended before its moment came
        if had == 35 or run.returncode == 0 or len(moments) == KILLS:
            _rerun_and_compare(registry, db, reference, tmp_path / f"r{bases}", prefect_server)
            bases += 1
            db = tmp_path / f"kb-{bases}.db"
    print(f"{len(moments)} kills over {bases} bases, each then rerun and compared;")
    print("kills (seconds into the work, last step logged, documents stored):", moments)
    # The kills landed while pages were fetched and between store transactions. (The first
    # step, from the run's row to discovery, lasts milliseconds now that no pipeline loads
    # before there is text to extract: random kills rarely land there.)
    assert {"fetched", "stored"} <= {step for _, step, _ in moments}
    assert sum(had < 35 for _, _, had in moments) >= KILLS // 2  # most on unfinished bases
    assert any(0 < had < 35 for _, _, had in moments)  # some between two store transactions


def _rerun_and_compare(registry: Path, db: Path, reference: Path, home: Path, api_url: str):
    final = _run(registry, db, home, api_url)
    _, err = final.communicate(timeout=600)
    assert final.returncode == 0, err
    _sound(db)
    assert _export(db) == _export(reference)
    # Each killed run's row says `killed` (closed by the next run), or `ok` when the kill came
    # after the row was closed (the work was all done); never `running`.
    statuses = [r[1] for r in run_rows(db)]
    assert set(statuses) <= {"killed", "ok"} and statuses[-1] == "ok", statuses


@pytest.mark.slow
@pytest.mark.parametrize("together", [2, 3])
def test_runs_at_once_on_one_base_take_turns(registry, tmp_path, prefect_server, together):
    db = tmp_path / "kb.db"
    runs = [_run(registry, db, tmp_path / f"h{i}", prefect_server) for i in range(together)]
    outputs = [run.communicate(timeout=900) for run in runs]
    for run, (_, err) in zip(runs, outputs):
        assert run.returncode == 0, err
    rows = run_rows(db)
    assert [r[1] for r in rows] == ["ok"] * together
    # One run stored the pages; the others, after it, found the feed unchanged (304) and
    # so saw no pages at all.
    assert sorted((r[3], r[5]) for r in rows) == [(0, 0)] * (together - 1) + [(35, 0)]
    for out, _ in outputs:  # each summary agrees with itself
        line = next(line for line in out.splitlines() if line.startswith("sources "))
        assert line in (
            "sources 1, pages seen 35, new 35, changed 0, unchanged 0, failed 0, "
            f"facts extracted {line.rsplit(' ', 1)[-1]}",
            "sources 1, pages seen 0, new 0, changed 0, unchanged 0, failed 0, facts extracted 0"
            " (feeds, sitemaps, listings unchanged since last run: 1)",
        ), line
    _sound(db)
    assert stored(db) == 35


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_readers_answer_during_a_run(registry, tmp_path, prefect_server):
    db = tmp_path / "kb.db"
    first = _run(registry, db, tmp_path / "h0", prefect_server)  # a base to read
    assert first.wait(timeout=600) == 0
    port = _free_port()
    datasette = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            str(db),
            "--metadata",
            str(METADATA),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/{db.stem}"
    try:
        wait_until(lambda: _answers(url + "/documents.json?_size=1"), timeout=60)
        page = sorted(
            (Path(__file__).resolve().parent.parent / "corpus" / "sample").glob("*/*.html")
        )[0]
        (tmp_path / "changed").write_text("")  # nothing changes: the run rereads all 35
        run = _run(registry, db, tmp_path / "h1", prefect_server)
        answered = queried = 0
        while run.poll() is None:
            queried += 1
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as con:
                con.execute("select count(*) from documents where current = 1").fetchone()
            answered += _answers(url + "/commitments.json?_size=5")
            cli = subprocess.run(
                [
                    str(Path(sys.executable).parent / "sentinella"),
                    "query",
                    "amounts",
                    "--db",
                    str(db),
                    "--limit",
                    "3",
                    "--format",
                    "json",
                ],
                capture_output=True,
                check=False,
                text=True,
                timeout=60,
            )
            assert cli.returncode == 0, cli.stderr
        assert run.returncode == 0
        assert queried >= 2 and answered == queried
        assert page.exists()
    finally:
        datasette.terminate()
        datasette.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=10).status_code == 200
    except httpx.TransportError:
        return False
