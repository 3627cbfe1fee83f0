"""`sentinella backfill`: a paginated archive walked back to a date, killed halfway and
resumed: nothing stored is fetched twice, nothing found is missed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from webserver import SAMPLE, WebServer

from sentinella.flows.backfill import backfill

SOURCES = """
[[source]]
name = "archivio"
publisher = "Archivio comunicati"
kind = "listing"
url = "{web}/comunicati/"
item_selector = "li.notizia"
link_selector = "a.titolo"
date_selector = ".data"
next_selector = "a[rel=next]"
max_pages = 1  # the nightly run reads the first page only; a back-fill reads them all
allow_private_network = true
delay = 0
"""


def _archive() -> list[tuple[str, str, str]]:
    """The 35 sample pages as a newest-first listing: (path, title, dd/mm/yyyy)."""
    entries = []
    for page in SAMPLE.glob("*/*.html"):
        day = page.name[:10]
        shown = f"{day[8:10]}/{day[5:7]}/{day[:4]}"
        entries.append((f"/{page.parent.name}/{page.name}", page.stem[11:], shown, day))
    entries.sort(key=lambda e: (e[3], e[0]), reverse=True)
    return [e[:3] for e in entries]


def _stored_paths(db_path: Path) -> set[str]:
    with sqlite3.connect(db_path) as db:
        try:
            rows = db.execute("select url from documents").fetchall()
        except sqlite3.OperationalError:  # not created yet
            return set()
    return {urlsplit(url).path for (url,) in rows}


def _page_requests(web: WebServer) -> list[str]:
    return [r.path for r in web.requests if r.path.endswith(".html") and r.status == 200]


@pytest.mark.slow
def test_killed_halfway_it_resumes_where_it_stopped(prefect_server, tmp_path):
    archive = _archive()
    with WebServer(listing=archive, listing_size=5, crawl_delay=0.05) as web:
        sources = tmp_path / "sources.toml"
        sources.write_text(SOURCES.format(web=web.origin()), encoding="utf-8")
        db_path = tmp_path / "kb.db"
        command = [sys.executable, "-m", "sentinella.cli", "backfill", "--sources", str(sources)]
        command += ["--since", "2026-01-01", "--db", str(db_path), "--model", "blank:it"]
        command += ["--chunk", "4"]
        first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 180
        while len(_stored_paths(db_path)) < 10 and first.poll() is None:
            assert time.monotonic() < deadline, "the back-fill stored nothing in 180 s"
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGKILL)  # no goodbye: the hardest stop
        first.wait()
        stored = _stored_paths(db_path)
        assert 10 <= len(stored) < len(archive), "killed too late to show a resume"
        before = list(web.requests)
        web.clear()

        second = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        assert second.returncode == 0, second.stderr[-2000:]

    again = _page_requests(web)
    assert not stored & set(again)  # nothing stored before the kill is fetched again
    assert _stored_paths(db_path) == {path for path, _, _ in archive}  # nothing missed
    listing_pages = [r.path for r in before if r.path.startswith("/comunicati/")]
    resumed = [r.path for r in web.requests if r.path.startswith("/comunicati/")]
    assert "/comunicati/" in listing_pages and "/comunicati/" not in resumed  # walk went on
    assert len(listing_pages) + len(resumed) <= 7 + 1  # 7 pages; one maybe read twice
    with sqlite3.connect(db_path) as db:
        assert db.execute("select count(*) from backfill_pages where done = 0").fetchone() == (0,)
        assert db.execute("select count(*) from documents").fetchone() == (len(archive),)


def test_a_backfill_stops_at_its_date_and_a_rerun_fetches_nothing(prefect_server, tmp_path):
    archive = _archive()
    with WebServer(listing=archive, listing_size=5) as web:
        sources = tmp_path / "sources.toml"
        sources.write_text(SOURCES.format(web=web.origin()), encoding="utf-8")
        db_path = tmp_path / "kb.db"
        since = date(2026, 11, 15)
        summary = backfill(sources_file=sources, db_path=db_path, since=since, model="blank:it")
        recent = {p for p, _, shown in archive if shown[6:] + shown[3:5] + shown[:2] >= "20261115"}
        assert _stored_paths(db_path) == recent
        assert summary.total("new") == len(recent) and summary.total("failed") == 0
        walked = [r.path for r in web.requests if r.path.startswith("/comunicati/")]
        assert len(walked) < 7  # stopped at the first page wholly older than --since
        web.clear()
        again = backfill(sources_file=sources, db_path=db_path, since=since, model="blank:it")
        assert again.total("seen") == 0 and web.requests == []  # the job is done
