"""Crash safety at scale: runs killed with SIGKILL at seeded random moments, then rerun, end
with the same knowledge base as a run never killed and every alert delivered, none twice
but the one in flight; several runs at once on one base; readers answering during a run.

Each run is a real `sentinella run` process against the session's Prefect server, over the
sample corpus served on 127.0.0.1 (35 pages fetched one by one, three batches of 16),
with the rules-only pipeline so that a kill costs seconds. The killed runs carry a
catch-all watch delivering to a real webhook on 127.0.0.1 (Apprise json://) that takes
ALERT_DELAY seconds to answer each alert, so that kills land while alerts are sent.
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
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from receiver import Receiver
from runs import query, run_rows, start_run, stored, wait_until
from webserver import WebServer

KILLS = 20
SEED = 14
MODEL = ("--model", "blank:it")
METADATA = Path(__file__).resolve().parent.parent / "kb" / "datasette.yml"
ALERT_DELAY = 0.1  # seconds the webhook takes to answer each alert (a slow channel)


@pytest.fixture(scope="module")
def site():
    with WebServer() as web:
        yield web


@pytest.fixture(scope="module")
def hook():
    with Receiver(delay=ALERT_DELAY) as receiver:
        yield receiver


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


@dataclass
class Base:
    """One base of the kill sequence, with its own webhook path."""

    index: int
    db: Path
    watches: Path
    path: str
    in_flight: set[str] = field(default_factory=set)  # links whose send a kill cut short


@dataclass(frozen=True)
class Kill:
    delay: float  # seconds into the work
    step: str  # the last step the run reached: start, fetched, stored, alert
    had: int  # documents stored when the kill came
    received: int  # alerts the webhook answered during the killed run


def _base(tmp_path: Path, hook: Receiver, index: int | str) -> Base:
    path = f"/base-{index}"
    watches = tmp_path / f"watches-{index}.toml"
    watches.write_text(
        f'[[watch]]\nname = "Tutto"\nchannel = "{hook.channel(path)}"\n', encoding="utf-8"
    )
    return Base(index if isinstance(index, int) else -1, tmp_path / f"kb-{index}.db", watches, path)


def _delivered(hook: Receiver, path: str) -> list[tuple[str, str]]:
    """(statement link, title) of each alert the webhook took on `path`, in order."""
    return [(m.urls[-1], m.body["title"]) for m in hook.messages(path) if m.urls]


def _outbox(db: Path) -> Counter:
    return Counter(dict(query(db, "select state, count(*) from outbox group by state")))


def _unconfirmed(db: Path) -> set[str]:
    """Links of the outbox rows that no channel is recorded to have taken."""
    rows = query(
        db,
        "select d.url from outbox o join documents d on d.id = o.document_id "
        "where o.sent_channels = '[]'",
    )
    return {r[0] for r in rows}


@pytest.mark.slow
def test_runs_killed_at_random_moments_end_as_an_uninterrupted_run(
    registry, tmp_path, prefect_server, hook
):
    ref = _base(tmp_path, hook, "reference")
    started = time.monotonic()
    clean = _run(registry, ref.db, tmp_path / "h0", prefect_server, "--watches", str(ref.watches))
    wait_until(lambda: run_rows(ref.db), timeout=300)
    opened = time.monotonic()
    _, err = clean.communicate(timeout=600)
    assert clean.returncode == 0, err
    work = time.monotonic() - opened  # from the run's row to its end: fetch ... alerts
    assert stored(ref.db) == 35
    expected = Counter(link for link, _ in _delivered(hook, ref.path))
    # One alert per new statement (republications send none), each once.
    assert set(expected.values()) == {1}
    assert set(expected) == {
        r[0]
        for r in query(ref.db, "select url from outbox o join documents d on d.id = o.document_id")
    }
    alerting = len(expected) * ALERT_DELAY  # at least that long at the end of the work
    print(
        f"uninterrupted run: {time.monotonic() - started:.1f} s, {work:.1f} s of work, "
        f"{len(expected)} alerts"
    )

    # Kills follow each other on one base until it holds every page; then a rerun must give
    # the uninterrupted run's export and alerts, and the next kills start on a new base.
    rnd, kills, totals = random.Random(SEED), [], Counter()
    base = _base(tmp_path, hook, 0)
    while len(kills) < KILLS:
        kill = _kill_one(
            registry, base, tmp_path, prefect_server, hook, rnd, len(kills), work, alerting
        )
        if kill:
            kills.append(kill)
        if kill is None or kill.had == 35 or len(kills) == KILLS:
            totals += _rerun_and_compare(registry, base, ref, tmp_path, prefect_server, hook)
            base = _base(tmp_path, hook, base.index + 1)
    steps = Counter(k.step for k in kills)
    print(f"{len(kills)} kills over {base.index} bases, each then rerun and compared;")
    print("kills by last step:", dict(steps))
    print("alerts:", dict(totals))
    print("kills (seconds into the work, last step, documents stored, alerts taken):")
    print([(k.delay, k.step, k.had, k.received) for k in kills])
    # The kills landed while pages were fetched, between store transactions and while
    # alerts were sent. (The first step, from the run's row to discovery, lasts milliseconds
    # now that no pipeline loads before there is text to extract: random kills rarely land
    # there.)
    assert {"fetched", "stored", "alert"} <= set(steps)
    assert steps["alert"] >= KILLS // 5
    assert sum(k.had < 35 for k in kills) >= KILLS // 3  # many on unfinished bases
    assert any(0 < k.had < 35 for k in kills)  # some between two store transactions


def _kill_one(registry, base, tmp_path, api_url, hook, rnd, n, work, alerting):
    """Start a run on the base, SIGKILL it at its moment; the Kill (None if it ended first)."""
    before, outbox_before = _last_run(base.db), _outbox(base.db)
    taken = len(_delivered(hook, base.path))
    home = tmp_path / f"h{n + 1}"
    run = _run(registry, base.db, home, api_url, "--watches", str(base.watches))
    try:
        started = lambda: _last_run(base.db) > before or run.poll() is not None  # noqa: E731
        wait_until(started, timeout=300)
        assert _last_run(base.db) > before, run.communicate(timeout=60)[1]
        opened = time.monotonic()
        if n % 4 == 1:  # while alerts are sent: after the webhook took the first one
            wait_until(
                lambda: len(_delivered(hook, base.path)) > taken or run.poll() is not None,
                300,
                step=0.01,
            )
            time.sleep(rnd.uniform(0, alerting))
        elif n % 4 == 2 and stored(base.db) == 0:
            # Between two store transactions: right after the first batch is stored.
            wait_until(lambda: stored(base.db) >= 16 or run.poll() is not None, 300, step=0.01)
            time.sleep(rnd.uniform(0, 0.2))
        else:
            time.sleep(rnd.uniform(0, work))
        delay = time.monotonic() - opened
        had = stored(base.db)
        run.send_signal(signal.SIGKILL)
        _, err = run.communicate(timeout=60)
    finally:
        run.kill()
    _sound(base.db)  # after every kill, not only at the end
    if run.returncode != -signal.SIGKILL:
        assert run.returncode == 0, err  # it ended before its moment came
        return None
    time.sleep(3 * ALERT_DELAY)  # the webhook records a request it was answering
    got = {link for link, _ in _delivered(hook, base.path)[taken:]}
    outbox = _outbox(base.db)
    if (
        got
        or outbox["sending"] > outbox_before["sending"]
        or outbox["sent"] > outbox_before["sent"]
    ):
        step = "alert"
        # The one send a kill can cut short: taken by the webhook, not yet recorded.
        in_flight = got & _unconfirmed(base.db)
        assert len(in_flight) <= 1, in_flight
        base.in_flight |= in_flight
    else:
        step = "stored" if "so far" in err else ("fetched" if "pages to check" in err else "start")
    return Kill(round(delay, 2), step, had, len(got))


def _rerun_and_compare(registry, base, ref, tmp_path, api_url, hook) -> Counter:
    """Rerun the base; its export and alerts must be the uninterrupted run's. Counts."""
    home = tmp_path / f"r{base.index}"
    final = _run(registry, base.db, home, api_url, "--watches", str(base.watches))
    _, err = final.communicate(timeout=600)
    assert final.returncode == 0, err
    _sound(base.db)
    assert _export(base.db) == _export(ref.db)
    # Each killed run's row says `killed` (closed by the next run), or `ok` when the kill came
    # after the row was closed (the work was all done); never `running`.
    statuses = [r[1] for r in run_rows(base.db)]
    assert set(statuses) <= {"killed", "ok"} and statuses[-1] == "ok", statuses
    # Every (statement, watch) of the uninterrupted run delivered; none twice, except a send
    # a kill cut short (the webhook took it, the outbox had not recorded it), sent again
    # once, with the same title and link.
    delivered = _delivered(hook, base.path)
    counts = Counter(link for link, _ in delivered)
    expected = {link for link, _ in _delivered(hook, ref.path)}
    assert set(counts) == expected
    twice = {link for link, n in counts.items() if n > 1}
    assert max(counts.values()) <= 2 and twice <= base.in_flight, (twice, base.in_flight)
    for link in twice:
        assert len({title for got, title in delivered if got == link}) == 1
    assert _outbox(base.db) == Counter(sent=len(expected))
    return Counter(delivered=len(delivered), statements=len(counts), duplicates=len(twice))


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
