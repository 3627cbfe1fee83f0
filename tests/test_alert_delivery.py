"""Delivery to a real webhook on 127.0.0.1 (Apprise json://): once, retried, never blocking."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace

import feedparser
import pytest
from alertkit import document, facts, store, watch
from receiver import Receiver

from sentinella.alerts import delivery
from sentinella.alerts.delivery import deliver
from sentinella.alerts.feeds import feed_path, write_feeds
from sentinella.kb import KnowledgeBase


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(delivery, "RETRY_WAIT", 0.05)


@pytest.fixture
def hook():
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def kb(tmp_path):
    kb = KnowledgeBase.open(tmp_path / "kb.db")
    yield kb
    kb.close()


def _queue(kb, watches, n: int = 3) -> list[str]:
    docs = [document(i) for i in range(1, n + 1)]
    store(kb, watches, *((d, facts(d, (i * 1e6,))) for i, d in enumerate(docs, 1)))
    return [d.url for d in docs]


def _states(kb) -> list[str]:
    return [r["state"] for r in kb.db.query("select state from outbox order by id")]


def test_each_alert_is_delivered_once_with_its_facts(kb, hook):
    w = watch("Asti", hook.channel("/asti"), province=("Asti",))
    urls = _queue(kb, [w])
    (health,) = deliver(kb, [w])
    assert (health.sent, health.failed, health.pending) == (3, 0, 0)
    received = hook.messages("/asti")
    assert [r.urls for r in received] == [[u] for u in urls]
    first = received[0].body
    assert first["title"] == "Comunicato 1"
    assert "Comune di Asti · 20/11/2026" in first["message"]
    assert "**Chi:** Comune di Asti" in first["message"]  # json:// takes Markdown
    assert "**Quanto:** 1 milione di euro" in first["message"]
    assert "**Dove:** Asti" in first["message"]
    assert "**Per cosa:** la scuola" in first["message"]
    assert "> «La Giunta di Asti ha stanziato 1 milioni di euro" in first["message"]
    assert _states(kb) == ["sent"] * 3
    # Delivering again sends nothing: each row went once.
    (again,) = deliver(kb, [w])
    assert (again.sent, again.pending) == (0, 0)
    assert len(hook.messages()) == 3


def test_a_text_only_channel_gets_plain_text(kb, hook):
    w = watch("Testo", hook.channel("/t") + "?format=text")
    _queue(kb, [w], 1)
    deliver(kb, [w])
    (message,) = hook.messages("/t")
    assert "Chi: Comune di Asti\nQuanto: 1 milione di euro" in message.body["message"]
    assert "**" not in message.body["message"]


def test_an_answer_500_is_retried_recorded_and_delivered_when_the_receiver_recovers(kb, hook):
    w = watch("Asti", hook.channel("/asti"))
    _queue(kb, [w])
    hook.status = 500
    (health,) = deliver(kb, [w])
    assert (health.sent, health.failed, health.pending) == (0, 3, 3)
    # The first alert was tried 1 + RETRIES times; the channel was then left alone this run.
    assert [r.status for r in hook.messages("/asti", delivered=False)] == [500] * (
        1 + delivery.RETRIES
    )
    assert "500" in health.errors[0]
    rows = list(kb.db.query("select state, failures, last_error from outbox"))
    assert {r["state"] for r in rows} == {"pending"}
    assert all(r["failures"] == 1 and "500" in r["last_error"] for r in rows)
    hook.status = 200
    (later,) = deliver(kb, [w])
    assert (later.sent, later.failed, later.pending) == (3, 0, 0)
    assert len(hook.messages("/asti")) == 3


def test_an_unreachable_channel_never_holds_up_the_run(kb, monkeypatch):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    w = watch("Spento", f"json://127.0.0.1:{port}/hook")
    _queue(kb, [w], 20)
    started = time.monotonic()
    (health,) = deliver(kb, [w])
    assert time.monotonic() - started < 10  # one channel, tried once per run, not 20 times
    assert (health.failed, health.pending) == (20, 20)
    assert "Connection error" in health.errors[0]


def test_delivery_stops_at_its_time_budget_and_leaves_the_rest_pending(kb, hook):
    w = watch("Lento", hook.channel("/lento"))
    _queue(kb, [w], 5)
    # The first send starts inside the budget and takes longer than all of it: no second.
    hook.delay = 1.0
    (health,) = deliver(kb, [w], budget=0.5)
    assert (health.sent, health.failed, health.pending) == (1, 0, 4)
    hook.delay = 0
    (rest,) = deliver(kb, [w])
    assert rest.sent == 4 and len(hook.messages("/lento")) == 5


def test_a_secret_channel_is_never_stored_nor_shown(kb, hook, monkeypatch):
    secret_path = "/hook-s3cr3t-t0ken"
    monkeypatch.setenv("SENTINELLA_TEST_HOOK", hook.channel(secret_path))
    w = watch("Segreto", "${SENTINELLA_TEST_HOOK}")
    _queue(kb, [w], 1)
    hook.status = 500
    (health,) = deliver(kb, [w])
    assert health.failed == 1 and "s3cr3t" not in " ".join(health.errors)
    dump = "\n".join(kb.db.iterdump())
    assert "s3cr3t" not in dump
    assert "${SENTINELLA_TEST_HOOK}: Failed to send" in dump  # the channel as written
    hook.status = 200
    deliver(kb, [w])
    assert len(hook.messages(secret_path)) == 1
    monkeypatch.delenv("SENTINELLA_TEST_HOOK")
    _queue(kb, [w], 2)  # the second statement is new
    (health,) = deliver(kb, [w])
    assert "environment variable SENTINELLA_TEST_HOOK is not set" in health.errors[0]


def test_two_runs_delivering_at_once_send_each_alert_once(kb, hook, tmp_path):
    w = watch("Doppio", hook.channel("/doppio"))
    urls = _queue(kb, [w], 10)
    hook.delay = 0.05
    barrier = threading.Barrier(2)
    results = []

    def run() -> None:
        own = KnowledgeBase.open(tmp_path / "kb.db", create=False)
        try:
            barrier.wait()
            results.append(deliver(own, [w])[0].sent)
        finally:
            own.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 10
    assert sorted(u for r in hook.messages("/doppio") for u in r.urls) == sorted(urls)


def test_a_channel_that_took_the_alert_does_not_get_it_again(kb, hook):
    w = watch("Due canali", hook.channel("/buono"))
    w = replace(w, channels=(hook.channel("/buono"), hook.channel("/guasto")))
    _queue(kb, [w], 1)
    hook.statuses["/guasto"] = 503
    (first,) = deliver(kb, [w])
    assert (first.sent, first.failed, first.pending) == (0, 1, 1)
    del hook.statuses["/guasto"]
    (second,) = deliver(kb, [w])
    assert (second.sent, second.pending) == (1, 0)
    assert len(hook.messages("/buono")) == 1  # not twice
    assert len(hook.messages("/guasto")) == 1


def test_a_daily_digest_is_one_message_listing_the_days_matches(kb, hook):
    w = watch("Riassunto", hook.channel("/giorno"), digest="daily")
    urls = _queue(kb, [w], 3)
    (health,) = deliver(kb, [w])
    assert health.sent == 3
    (message,) = hook.messages("/giorno")
    assert message.body["title"].startswith("Riassunto: 3 comunicati del ")
    assert message.urls == urls


def test_feeds_parse_and_keep_their_entry_ids(kb, tmp_path):
    w = watch("Asti e dintorni")
    _queue(kb, [w], 2)
    folder = tmp_path / "feeds"
    (path,) = write_feeds(kb, [w], folder)
    assert path == feed_path(folder, w) == folder / "asti-e-dintorni.xml"
    first = feedparser.parse(path.read_bytes())
    assert not first.bozo and first.version == "atom10"
    assert first.feed.title == "Sentinella · Asti e dintorni"
    ids = [e.id for e in first.entries]
    assert len(set(ids)) == 2 and [e.title for e in first.entries] == [
        "Comunicato 2",
        "Comunicato 1",
    ]
    assert first.entries[0].link == "https://example.org/comunicati/2.html"
    before = path.read_bytes()
    write_feeds(kb, [w], folder)
    assert path.read_bytes() == before  # nothing new: the same file
    _queue(kb, [w], 3)
    write_feeds(kb, [w], folder)
    again = feedparser.parse(path.read_bytes())
    assert [e.id for e in again.entries][1:] == ids  # old entries keep their ids


def test_the_alert_step_reports_instead_of_raising(kb, tmp_path, monkeypatch):
    from sentinella.alerts import step

    w = watch("Tutto", "json://127.0.0.1:9/x")
    _queue(kb, [w], 2)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(step, "deliver", broken)
    report = step.alert_step(tmp_path / "kb.db", [w], None, tmp_path / "feeds")
    assert report.error == "OSError: disk full"
    assert [(h.watch, h.pending) for h in report.watches] == [("Tutto", 2)]


def test_a_slow_channel_gets_each_alert_once():
    # Answering after 5 s (more than Apprise's default 4 s read timeout) must not make the
    # sender give up and send the same alert again.
    with Receiver(delay=5.0) as slow:
        message = delivery.Message(title="Comunicato", text="testo", markdown="testo")
        assert delivery.send(slow.channel("/lento"), message) is None
        assert len(slow.messages("/lento", delivered=False)) == 1
