"""The alert outbox: one row per statement × watch, written with the statement, sent after.

The store step writes outbox rows in the same transaction as the document and its facts
(`KnowledgeBase.store_batch(..., on_stored=hook)`), so a statement is never stored without
its alerts nor an alert queued for a statement that was not stored. Delivery comes after
the commit: a sender claims rows atomically (one `BEGIN IMMEDIATE` update), sends, and
marks each row sent the moment its channels took it. A row is unique per (watch,
document): a rerun, a retry or a second run at the same time cannot queue it twice, and
only its claimer sends it. A claim whose sender died mid-way can be claimed again: at
once when the caller knows the claimer is dead (same machine, process gone), otherwise
after `LEASE_SECONDS`; channels already marked sent are not sent again.

States: pending → sending (claimed) → sent; or back to pending with the error after a
failed attempt; failed (given up) after `MAX_ATTEMPTS` failed attempts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import sqlite_utils

from sentinella.facts import Extraction
from sentinella.records import Document, now_iso

if TYPE_CHECKING:
    from sentinella.kb.store import KnowledgeBase

NEW_STATEMENT, UPDATED_STATEMENT = "nuovo", "aggiornato"
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
LEASE_SECONDS = 600  # a claim older than this belongs to a sender that died
MAX_ATTEMPTS = 5  # failed attempts (one per run) before a row is given up


@dataclass(frozen=True)
class StoredDocument:
    """What the store step just wrote, for the alert hook (called inside the transaction)."""

    document_id: int
    document: Document
    extraction: Extraction | None
    version: int
    duplicate_of: int | None  # the document it republishes
    previous: tuple[dict, dict] | None  # (row, facts) of the version it supersedes


@dataclass(frozen=True)
class OutboxItem:
    """An alert to queue for the stored document."""

    watch: str
    kind: str  # NEW_STATEMENT or UPDATED_STATEMENT
    changes: str | None = None  # JSON: what a corrected release changed
    run_id: int | None = None


AlertHook = Callable[[StoredDocument], Iterable[OutboxItem]]


@dataclass(frozen=True)
class OutboxRow:
    """A claimed row, as the sender sees it."""

    id: int
    watch: str
    document_id: int
    kind: str
    changes: str | None
    attempts: int
    sent_channels: tuple[str, ...]
    created_at: str


def enqueue(
    db: sqlite_utils.Database, items: Iterable[OutboxItem], document_id: int, source: str
) -> int:
    """Queue rows for one stored document (in the caller's transaction); how many were new."""
    rows = [
        {
            "watch": i.watch,
            "document_id": document_id,
            "kind": i.kind,
            "changes": i.changes,
            "run_id": i.run_id,
            "source": source,
            "state": PENDING,
            "attempts": 0,
            "failures": 0,
            "sent_channels": "[]",
            "created_at": now_iso(),
        }
        for i in items
    ]
    before = db.execute("select total_changes()").fetchone()[0]
    db.table("outbox").insert_all(rows, ignore=True)  # unique (watch, document_id)
    return db.execute("select total_changes()").fetchone()[0] - before


class Outbox:
    """Claiming, marking and reading outbox rows; the SQL of alert delivery."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.db = kb.db

    def claimers(self) -> list[str]:
        """The workers holding claims now (to tell the dead ones)."""
        return [
            r["claimed_by"]
            for r in self.db.query(
                "select distinct claimed_by from outbox where state = ? and claimed_by is not null",
                [SENDING],
            )
        ]

    def claim(
        self,
        watches: Iterable[str],
        worker: str,
        now: datetime | None = None,
        dead: Iterable[str] = (),
    ) -> list[OutboxRow]:
        """Atomically take every deliverable row of these watches for `worker`.

        Deliverable: pending, or claimed by a worker in `dead`, or claimed too long ago.
        """
        names = list(watches)
        if not names:
            return []
        now = now or datetime.now(UTC)
        expired = (now - timedelta(seconds=LEASE_SECONDS)).isoformat(timespec="seconds")
        marks = ", ".join("?" * len(names))
        dead = list(dead)
        dead_marks = ", ".join("?" * len(dead))
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")  # one claimer at a time, whatever the process
        try:
            found = conn.execute(
                "update outbox set state = ?, claimed_by = ?, claimed_at = ? "
                f"where watch in ({marks}) and (state = ? or (state = ? and "
                f"(claimed_at < ? or claimed_by in ({dead_marks})))) "
                "returning id, watch, document_id, kind, changes, attempts, sent_channels, "
                "created_at",
                [
                    SENDING,
                    worker,
                    now.isoformat(timespec="seconds"),
                    *names,
                    PENDING,
                    SENDING,
                    expired,
                    *dead,
                ],
            ).fetchall()
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        rows = [
            OutboxRow(
                id=r[0],
                watch=r[1],
                document_id=r[2],
                kind=r[3],
                changes=r[4],
                attempts=r[5] or 0,
                sent_channels=tuple(json.loads(r[6] or "[]")),
                created_at=r[7],
            )
            for r in found
        ]
        return sorted(rows, key=lambda r: r.id)

    def channel_sent(self, row: OutboxRow, channels: Iterable[str], worker: str) -> None:
        """Record the channels that took this row (so a retry never sends to them again)."""
        with self.db.atomic():
            self.db.execute(
                "update outbox set sent_channels = ? where id = ? and claimed_by = ?",
                [json.dumps(sorted(set(channels))), row.id, worker],
            )

    def sent(self, ids: Iterable[int], worker: str) -> None:
        with self.db.atomic():
            for i in ids:
                self.db.execute(
                    "update outbox set state = ?, sent_at = ?, attempts = attempts + 1, "
                    "claimed_by = null, last_attempt_at = ? where id = ? and claimed_by = ?",
                    [SENT, now_iso(), now_iso(), i, worker],
                )

    def failed(self, ids: Iterable[int], error: str, worker: str) -> None:
        """A failed attempt: back to pending with the error, or given up after MAX_ATTEMPTS."""
        with self.db.atomic():
            for i in ids:
                self.db.execute(
                    "update outbox set attempts = attempts + 1, failures = failures + 1, "
                    "last_error = ?, last_attempt_at = ?, claimed_by = null, "
                    "state = case when failures + 1 >= ? then ? else ? end "
                    "where id = ? and claimed_by = ?",
                    [error[:500], now_iso(), MAX_ATTEMPTS, FAILED, PENDING, i, worker],
                )

    def release(self, ids: Iterable[int], worker: str) -> None:
        """Give rows back untried (the run's delivery time ran out)."""
        with self.db.atomic():
            for i in ids:
                self.db.execute(
                    "update outbox set state = ?, claimed_by = null where id = ? and claimed_by = ?",
                    [PENDING, i, worker],
                )

    def pending(self, watches: Iterable[str]) -> dict[str, int]:
        """Rows not yet sent (pending or claimed), by watch."""
        names = list(watches)
        if not names:
            return {}
        marks = ", ".join("?" * len(names))
        return {
            r["watch"]: r["n"]
            for r in self.db.query(
                f"select watch, count(*) as n from outbox where watch in ({marks}) "
                "and state in (?, ?) group by watch",
                [*names, PENDING, SENDING],
            )
        }

    def matched_in_run(self, run_id: int) -> list[dict]:
        """Rows queued by one run, counted by source and watch."""
        return list(
            self.db.query(
                "select source, watch, count(*) as n from outbox where run_id = ? "
                "group by source, watch",
                [run_id],
            )
        )

    def statement(self, document_id: int) -> tuple[dict, dict]:
        """A stored document row and its facts (extraction format)."""
        row = dict(self.db.table("documents").get(document_id))
        return row, self.kb.document_facts(row)

    def republications(self, document_id: int) -> list[dict]:
        """Where a document was republished (near-duplicates linked to it)."""
        return list(
            self.db.query(
                "select publisher, source, url, published from documents "
                "where duplicate_of = ? and current = 1 order by id",
                [document_id],
            )
        )

    def feed_entries(self, watch: str, limit: int = 50) -> list[dict]:
        """The newest rows of a watch, whatever their delivery state, for its feed."""
        return list(
            self.db.query(
                "select o.id, o.kind, o.changes, o.created_at, o.document_id, d.url, d.version "
                "from outbox o join documents d on d.id = o.document_id where o.watch = ? "
                "order by o.id desc limit ?",
                [watch, limit],
            )
        )

    def watch_stats(self) -> dict[str, dict]:
        """Per watch: rows, last match, last delivery, pending, failed attempts, last error."""
        if "outbox" not in self.db.table_names():  # a base no run with watches has written
            return {}
        rows = self.db.query(
            "select watch, count(*) as matched, max(created_at) as last_match, "
            "max(sent_at) as last_delivery, "
            "sum(state in ('pending', 'sending')) as pending, sum(state = 'failed') as given_up, "
            "sum(failures) as failures, "
            "(select last_error from outbox i where i.watch = o.watch and last_error is not null "
            "order by last_attempt_at desc limit 1) as last_error "
            "from outbox o group by watch"
        )
        return {r["watch"]: dict(r) for r in rows}

    def documents_since(self, since: str) -> list[tuple[dict, dict]]:
        """Current statements (not republications) published on or after `since`, with facts."""
        rows = self.db.query(
            "select * from documents where current = 1 and duplicate_of is null "
            "and coalesce(published, substr(fetched_at, 1, 10)) >= ? "
            "order by coalesce(published, fetched_at) desc, id desc",
            [since],
        )
        return [(dict(r), self.kb.document_facts(dict(r))) for r in rows]
