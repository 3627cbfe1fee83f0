"""The outbox: written with the statement, one row per statement × watch, claimed atomically."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from alertkit import document, facts, store, watch

from sentinella.alerts.planning import AlertPlanner
from sentinella.kb import KnowledgeBase
from sentinella.kb.outbox import LEASE_SECONDS, MAX_ATTEMPTS, Outbox, OutboxItem, enqueue

ALL = watch("Tutto")
BIG = watch("Grandi importi", min_amount=2_000_000.0)


@pytest.fixture
def kb(tmp_path):
    kb = KnowledgeBase.open(tmp_path / "kb.db")
    yield kb
    kb.close()


def _rows(kb) -> list[dict]:
    return [dict(r) for r in kb.db.query("select * from outbox order by id")]


def test_a_new_statement_queues_one_row_per_matching_watch(kb):
    one, three = document(1), document(3)
    statuses = store(
        kb, [ALL, BIG], (one, facts(one, (1e6,))), (three, facts(three, (3e6,))), run_id=7
    )
    assert statuses == ["new", "new"]
    rows = _rows(kb)
    assert [(r["watch"], r["document_id"], r["kind"], r["state"]) for r in rows] == [
        ("Tutto", 1, "nuovo", "pending"),
        ("Tutto", 2, "nuovo", "pending"),
        ("Grandi importi", 2, "nuovo", "pending"),
    ]
    assert {r["run_id"] for r in rows} == {7} and {r["source"] for r in rows} == {"comune-asti"}
    # An unchanged page queues nothing, however often it is stored again.
    assert store(kb, [ALL, BIG], (one, facts(one, (1e6,)))) == ["unchanged"]
    assert len(_rows(kb)) == 3


def test_the_rows_are_written_in_the_documents_transaction(kb):
    planner = AlertPlanner((ALL,))

    def crash_on_second(stored):
        if stored.document_id == 2:
            raise RuntimeError("the process dies in the middle of the batch")
        return planner(stored)

    one, two = document(1), document(2)
    batch = [(one, facts(one, (1e6,))), (two, facts(two, (2e6,)))]
    with pytest.raises(RuntimeError):
        kb.store_batch(batch, on_stored=crash_on_second)
    # The batch failed as a whole: neither the first document nor its alert is there...
    assert (kb.db["documents"].count, kb.db["amounts"].count, kb.db["outbox"].count) == (0, 0, 0)
    # ...and a rerun stores both, with one alert each.
    kb.store_batch(batch, on_stored=planner)
    assert [r["document_id"] for r in _rows(kb)] == [1, 2]


def test_a_republication_is_not_new(kb):
    original, copy = document(1), document(2, url="https://altro.example/ripreso.html")
    store(kb, [ALL], (original, facts(original)))
    statuses = store(kb, [ALL], (copy, facts(copy)), duplicates={copy.url: 1})
    assert statuses == ["new"]  # stored, linked to the original...
    assert [r["document_id"] for r in _rows(kb)] == [1]  # ...but no alert of its own
    assert Outbox(kb).republications(1)[0]["url"] == copy.url


def test_a_corrected_release_alerts_only_when_its_facts_change(kb):
    v1 = document(1, "La Giunta di Asti ha stanziato 1,2 milioni di euro per la scuola.")
    store(kb, [ALL], (v1, facts(v1, (1_200_000.0,))))
    reworded = document(
        1, "La Giunta di Asti ha deciso di stanziare 1,2 milioni di euro per la scuola."
    )
    assert store(kb, [ALL], (reworded, facts(reworded, (1_200_000.0,)))) == ["changed"]
    assert len(_rows(kb)) == 1  # a new version, the same facts: nothing to say
    corrected = document(1, "Rettifica: la Giunta di Asti ha stanziato 1,5 milioni di euro.")
    assert store(kb, [ALL], (corrected, facts(corrected, (1_500_000.0,)))) == ["changed"]
    _, update = _rows(kb)
    assert (update["kind"], update["document_id"]) == ("aggiornato", 3)
    changes = json.loads(update["changes"])
    assert changes["amounts_added"] == ["1,5 milioni di euro"]
    assert changes["amounts_removed"] == ["1,2 milioni di euro"]
    assert changes["commitments_added"] == [
        "Comune di Asti: stanziato 1,5 milioni di euro per la scuola"
    ]


def test_a_correction_tells_a_watch_the_old_version_matched(kb):
    v1 = document(1)
    store(kb, [BIG], (v1, facts(v1, (3e6,))))
    v2 = document(1, "Rettifica: la Giunta ha stanziato un milione di euro.")
    store(kb, [BIG], (v2, facts(v2, (1e6,))))  # now below min_amount: the watcher must know
    assert [r["kind"] for r in _rows(kb)] == ["nuovo", "aggiornato"]


def test_one_row_per_statement_and_watch(kb):
    doc = document(1)
    store(kb, [ALL], (doc, facts(doc)))
    with kb.db.atomic():
        added = enqueue(kb.db, [OutboxItem("Tutto", "nuovo"), OutboxItem("Altro", "nuovo")], 1, "s")
    assert added == 1  # "Tutto" was there already
    assert len(_rows(kb)) == 2


def _queued(kb, n: int) -> None:
    pairs = [(d, facts(d)) for d in (document(i) for i in range(1, n + 1))]
    store(kb, [ALL], *pairs)


def test_two_senders_at_once_never_claim_the_same_row(kb, tmp_path):
    _queued(kb, 40)
    barrier = threading.Barrier(4)
    claimed: list[list[int]] = [[] for _ in range(4)]

    def sender(i: int) -> None:
        other = KnowledgeBase.open(tmp_path / "kb.db", create=False)  # its own connection
        try:
            barrier.wait()
            for _ in range(5):
                claimed[i] += [r.id for r in Outbox(other).claim(["Tutto"], f"w{i}")]
        finally:
            other.close()

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [i for ids in claimed for i in ids]
    assert sorted(everything) == list(range(1, 41))  # every row once, none twice


def test_a_claim_whose_sender_died_is_taken_again_after_the_lease(kb):
    _queued(kb, 2)
    outbox = Outbox(kb)
    start = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)
    assert len(outbox.claim(["Tutto"], "dead", now=start)) == 2
    assert outbox.claim(["Tutto"], "alive", now=start + timedelta(seconds=60)) == []
    later = start + timedelta(seconds=LEASE_SECONDS + 1)
    assert [r.id for r in outbox.claim(["Tutto"], "alive", now=later)] == [1, 2]
    outbox.sent([1], "dead")  # the dead sender's late word changes nothing
    assert next(kb.db.query("select state from outbox where id = 1"))["state"] == "sending"


def test_failures_go_back_to_pending_then_are_given_up(kb):
    _queued(kb, 1)
    outbox = Outbox(kb)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        (row,) = outbox.claim(["Tutto"], "w")
        outbox.failed([row.id], "HTTP 500", "w")
        state = next(kb.db.query("select state, failures, last_error from outbox"))
        expected = "failed" if attempt == MAX_ATTEMPTS else "pending"
        assert (state["state"], state["failures"], state["last_error"]) == (
            expected,
            attempt,
            "HTTP 500",
        )
    assert outbox.claim(["Tutto"], "w") == []  # given up: reported, not retried
    assert outbox.watch_stats()["Tutto"]["given_up"] == 1
