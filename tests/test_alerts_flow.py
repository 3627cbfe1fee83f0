"""Alerts end to end: the sample corpus served on 127.0.0.1, a real webhook receiver, the
nightly flow run after run — new statements, nothing twice, a correction, a republication,
an outage, a process killed between commit and delivery — and the feeds they leave."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
import sqlite_utils
from receiver import Receiver
from webserver import WebServer

from sentinella.alerts import delivery
from sentinella.flows.nightly import nightly

pytestmark = pytest.mark.slow

SOURCES = """
[[source]]
name = "sample"
publisher = "Sentinella sample corpus"
kind = "sitemap"
url = "{web}/sitemap.xml"
allow_private_network = true
delay = 0

[[source]]
name = "alba"
publisher = "Comune di Alba"
kind = "url"
url = "{web}/extra/rettifica.html"
allow_private_network = true
delay = 0
"""
REPUBLISHER = """
[[source]]
name = "risveglio"
publisher = "Il Risveglio del Canavese"
kind = "url"
url = "{other}/extra/ripubblicato.html"
allow_private_network = true
delay = 0
"""
WATCHES = """
[[watch]]
name = "Tutto"
channel = "{tutto}"

[[watch]]
name = "Telecontact e call center"
channel = "{keyword}"
keyword = ["Telecontact", "call center"]

[[watch]]
name = "Grandi importi in provincia di Asti"
channel = "{asti}"
province = "Asti"
min_amount = 1000000
"""

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "sample"
PAGES = sorted(p.relative_to(SAMPLE).as_posix() for p in SAMPLE.glob("*/*.html"))
# Every page that names Telecontact or a call center (checked by reading them).
TELECONTACT = [
    "citta-ivrea/2026-11-18-telecontact-sportello.html",
    "comune-asti/2026-11-13-telecontact-consiglio-straordinario.html",
    "cronache-astigiane/2026-11-12-telecontact-chiusura-asti.html",
    "gazzetta-canavese/2026-11-20-telecontact-presidio-ivrea.html",
    "regione-piemonte/2026-11-20-telecontact-tavolo.html",
    "slc-cgil/2026-11-24-telecontact-tavolo-regione-esito.html",
]
# A place in the province of Asti and an amount of at least a million euro.
ASTI = [
    "consiglio-regionale/2026-09-16-commissione-ferrovia-asti-alba.html",  # Castagnole delle Lanze, 48 M
    "cronache-astigiane/2026-10-06-ferrovia-asti-alba-pendolari.html",  # Canelli, 48 M
    "cronache-astigiane/2026-11-12-telecontact-chiusura-asti.html",  # Asti, revenue of 210 M
    "slc-cgil/2026-11-24-telecontact-tavolo-regione-esito.html",  # Asti, 1.5 M for training
]
MODEL = "blank:it"  # rules only: places and amounts need no statistical model
PATHS = {"tutto": "/tutto", "keyword": "/telecontact", "asti": "/asti"}


def _pages(messages) -> list[str]:
    """The sample pages (publisher/file) the messages link to, sorted."""
    found = [url.split("/", 3)[3] for m in messages for url in m.urls]
    return sorted(found)


@pytest.fixture(scope="module")
def runs(prefect_server, tmp_path_factory):
    """Four runs against the test site, each followed by what the receiver got."""
    tmp = tmp_path_factory.mktemp("alerts")
    with WebServer() as web, Receiver() as hook:
        web.flaky.clear()
        sources = tmp / "sources.toml"
        sources.write_text(SOURCES.format(web=web.origin()), encoding="utf-8")
        watches = tmp / "watches.toml"
        watches.write_text(
            WATCHES.format(**{k: hook.channel(p) for k, p in PATHS.items()}), encoding="utf-8"
        )
        db, feeds = tmp / "kb.db", tmp / "feeds"

        def run(label: str, sources_file: Path = sources):
            hook.clear()
            state = nightly(
                sources_file=sources_file,
                db_path=db,
                watches_file=watches,
                feeds_dir=feeds,
                allow_private_network=True,
                model=MODEL,
                return_state=True,
            )
            got = {k: hook.messages(p) for k, p in PATHS.items()}
            feed = feedparser.parse((feeds / "tutto.xml").read_bytes())
            return {"state": state, "summary": state.result(), "got": got, "feed": feed}

        out = {"first": run("first"), "second": run("second")}
        web.generation = 2  # the corrected release
        out["correction"] = run("correction")
        both = tmp / "with-republisher.toml"
        both.write_text(
            sources.read_text() + REPUBLISHER.format(other=web.origin("localhost")),
            encoding="utf-8",
        )
        out["republication"] = run("republication", both)
        out["db"] = db
        return out


def test_first_run_delivers_exactly_the_expected_alerts(runs):
    got = runs["first"]["got"]
    assert _pages(got["tutto"]) == sorted([*PAGES, "extra/rettifica.html"])
    assert _pages(got["keyword"]) == TELECONTACT
    assert _pages(got["asti"]) == ASTI
    summary = runs["first"]["summary"]
    assert (summary.alerts("matched"), summary.alerts("sent")) == (36 + 6 + 4, 46)
    assert (summary.alerts("failed"), summary.alerts("pending")) == (0, 0)
    assert {s.source: s.alerts for s in summary.sources} == {"sample": 35 + 6 + 4, "alba": 1}
    assert runs["first"]["state"].message == "completed, 0 sources failed, 0 alerts pending"
    db = sqlite_utils.Database(runs["db"])
    run = next(db.query("select alerts_sent, alerts_failed, alerts_pending from runs where id = 1"))
    assert run == {"alerts_sent": 46, "alerts_failed": 0, "alerts_pending": 0}


def test_a_message_is_short_italian_and_carries_the_facts(runs):
    (message,) = [
        m for m in runs["first"]["got"]["asti"] if "telecontact-tavolo-regione-esito" in m.urls[0]
    ]
    body = message.body
    assert (
        body["title"]
        == "Telecontact, al tavolo in Regione l'azienda congela la chiusura per 60 giorni"
    )
    assert body["message"].startswith("Sentinella sample corpus · 24/11/2026\n")
    assert "**Quanto:** 1,5 milioni di euro" in body["message"]
    assert "**Dove:** Asti" in body["message"]
    assert "**Chi:** " in body["message"]
    assert "_Avviso «Grandi importi in provincia di Asti» · Sentinella_" in body["message"]
    assert len(body["message"]) < 1200  # a phone screen or two


def test_second_run_delivers_nothing(runs):
    second = runs["second"]
    assert all(messages == [] for messages in second["got"].values())
    assert (second["summary"].alerts("matched"), second["summary"].alerts("sent")) == (0, 0)


def test_a_corrected_release_delivers_one_aggiornato_alert(runs):
    got = runs["correction"]["got"]
    assert (got["keyword"], got["asti"]) == ([], [])  # Alba: neither Telecontact nor Asti
    (update,) = got["tutto"]
    assert update.urls[0].endswith("/extra/rettifica.html")
    assert update.body["title"].startswith("Aggiornato: Alba, 1,5 milioni di euro")
    assert "**Cosa è cambiato:** importi aggiunti 1,5 milioni di euro" in update.body["message"]


def test_a_republication_delivers_nothing_and_is_listed_with_its_original(runs):
    republication = runs["republication"]
    assert all(messages == [] for messages in republication["got"].values())
    assert republication["summary"].total("duplicates") == 1
    original = [
        e
        for e in republication["feed"].entries
        if e.link.endswith("/regione-piemonte/2026-11-20-telecontact-tavolo.html")
    ]
    assert "Ripreso da: Il Risveglio del Canavese" in original[0].content[0].value


def test_the_feed_keeps_its_entry_ids_across_runs(runs):
    first = [e.id for e in runs["first"]["feed"].entries]
    assert len(first) == len(set(first)) == 36
    assert not runs["first"]["feed"].bozo
    assert [e.id for e in runs["second"]["feed"].entries] == first
    after = [e.id for e in runs["correction"]["feed"].entries]
    assert len(after) == 37 and set(first) <= set(after)
    assert runs["correction"]["feed"].entries[0].title.startswith("Aggiornato: ")


def _watches(tmp_path, channel: str) -> Path:
    path = tmp_path / "watches.toml"
    path.write_text(f'[[watch]]\nname = "Tutto"\nchannel = "{channel}"\n', encoding="utf-8")
    return path


def test_an_outage_is_retried_recorded_and_delivered_by_a_later_run(
    prefect_server, corpus_slice, tmp_path, monkeypatch
):
    monkeypatch.setattr(delivery, "RETRY_WAIT", 0.05)
    with Receiver(status=500) as hook:
        watches = _watches(tmp_path, hook.channel("/hook"))
        db = tmp_path / "kb.db"
        state = nightly(
            sources_file=corpus_slice, db_path=db, watches_file=watches, return_state=True
        )
        summary = state.result()
        assert (summary.alerts("sent"), summary.alerts("failed"), summary.alerts("pending")) == (
            0,
            6,
            6,
        )
        assert state.message == "completed, 0 sources failed, 6 alerts pending"
        assert "500" in summary.watches[0].errors[0]
        assert len(hook.messages("/hook", delivered=False)) == 1 + delivery.RETRIES
        hook.status = 200
        later = nightly(sources_file=corpus_slice, db_path=db, watches_file=watches, model=MODEL)
        assert (later.total("new"), later.alerts("sent"), later.alerts("pending")) == (0, 6, 0)
        urls = [u for m in hook.messages("/hook") for u in m.urls]
        assert len(urls) == len(set(urls)) == 6


@pytest.mark.parametrize("moment", ["before-delivery", "after-first-send"])
def test_a_process_killed_between_commit_and_delivery_loses_nothing_and_sends_nothing_twice(
    prefect_server, corpus_slice, tmp_path, moment
):
    crash = Path(__file__).resolve().parent / "crash_run.py"
    with Receiver() as hook:
        watches = _watches(tmp_path, hook.channel("/hook"))
        db = tmp_path / "kb.db"
        killed = subprocess.run(
            [sys.executable, str(crash), str(corpus_slice), str(db), str(watches), moment, MODEL],
            env={**os.environ, "PREFECT_API_URL": prefect_server},
            check=False,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert killed.returncode == -9, killed.stderr[-2000:]
        stored = sqlite_utils.Database(db)
        assert stored["documents"].count == 6  # committed before the kill...
        assert stored["outbox"].count == 6  # ...with the alerts to send
        before = len(hook.messages("/hook"))
        assert before == (0 if moment == "before-delivery" else 1)
        summary = nightly(sources_file=corpus_slice, db_path=db, watches_file=watches, model=MODEL)
        assert summary.total("new") == 0
        assert summary.alerts("sent") == 6 - before and summary.alerts("pending") == 0
        urls = [u for m in hook.messages("/hook") for u in m.urls]
        assert len(urls) == len(set(urls)) == 6  # every alert once, none twice


def test_sentinella_serve_alerts_and_publishes_the_morning_report(
    prefect_server, corpus_slice, tmp_path
):
    """The real deployment: `sentinella serve --watches` against the session's Prefect
    server, one run asked of it, its alerts, final state and Markdown artifact."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        FlowRunFilter,
        FlowRunFilterId,
    )

    from sentinella.flows.report import ARTIFACT_KEY

    with Receiver() as hook:
        watches = _watches(tmp_path, hook.channel("/serve"))
        args = ["--sources", str(corpus_slice), "--db", str(tmp_path / "kb.db")]
        args += ["--watches", str(watches), "--model", MODEL, "--cron", "30 1 * * *"]
        env = {**os.environ, "PREFECT_API_URL": prefect_server}
        env["PREFECT_RUNNER_POLL_FREQUENCY"] = "1"
        serving = subprocess.Popen(
            [sys.executable, "-m", "sentinella.cli", "serve", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            with get_client(sync_client=True) as client:
                deployment = _wait(lambda: _deployment(client), "the deployment")
                run = client.create_flow_run_from_deployment(deployment.id)
                done = _wait(lambda: _final(client, run.id), "the flow run", timeout=300)
                artifacts = client.read_artifacts(
                    artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[ARTIFACT_KEY])),
                    flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])),
                )
        finally:
            serving.send_signal(signal.SIGINT)
            try:
                serving.wait(timeout=60)
            except subprocess.TimeoutExpired:
                serving.kill()
        assert done.state.is_completed(), serving.stderr.read()[-3000:] if serving.stderr else ""
        assert done.state.message == "completed, 0 sources failed, 0 alerts pending"
        assert len(hook.messages("/serve")) == 6
        (artifact,) = artifacts
        assert artifact.data.startswith("# Sentinella, run 1: completed, 0 sources failed")
        assert "| slice | 6 | 6 | 0 | 0 | 0 | 0 |" in artifact.data
        assert "| Tutto | 6 | 6 | 0 | 0 |" in artifact.data


def _deployment(client):
    try:
        return client.read_deployment_by_name("sentinella-nightly/nightly")
    except Exception:
        return None


def _final(client, run_id):
    run = client.read_flow_run(run_id)
    return run if run.state and run.state.is_final() else None


def _wait(probe, what: str, timeout: float = 120):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found is not None:
            return found
        time.sleep(0.5)
    raise AssertionError(f"{what}: not there after {timeout} s")
