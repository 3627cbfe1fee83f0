"""Delivery: the one place that sends alerts, through Apprise, after the statements are stored.

`deliver(kb, watches)` claims the outbox rows of these watches (atomically: two runs at
once never take the same row), renders each message from what the knowledge base holds
now (so an original's alert can list republications stored in the same run), and sends
it to each of the watch's channels that has not taken it yet. Each row records a channel
the moment it took the message, so a crash repeats at most the send in flight (the next run
cannot know whether a request its killed predecessor never saw answered arrived).

Apprise retries a failed send (`RETRIES` more times, `RETRY_WAIT` seconds apart, or what
the channel URL's own `?retry=`/`?wait=` say); after that the row goes back to pending
with the error and is tried again by the next run, up to `kb.outbox.MAX_ATTEMPTS` runs.
A channel that failed is not tried again in the same run, and delivery stops after
`BUDGET` seconds: an unreachable channel never holds up the run. Nothing here raises for
a channel's sake; errors are returned with any secret blanked out.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from zoneinfo import ZoneInfo

import apprise
from apprise import NotifyFormat

from sentinella.alerts.matching import Match, match
from sentinella.alerts.messages import Alert, Message, render, render_digest
from sentinella.alerts.planning import Changes
from sentinella.alerts.statement import from_record
from sentinella.alerts.watches import (
    Watch,
    WatchError,
    describe_channel,
    resolve_channel,
    secrets_of,
)
from sentinella.kb import KnowledgeBase
from sentinella.kb.outbox import Outbox, OutboxRow
from sentinella.records import WatchHealth

RETRIES = 2  # extra tries of one send within a run
RETRY_WAIT = 1.0  # seconds between them
SEND_TIMEOUT = 30.0  # one send, retries included
# How long a channel may take to answer. Apprise's default (4 s) is shorter than a slow
# webhook: it gave up, retried, and the receiver got the same alert three times.
READ_TIMEOUT = 20.0
BUDGET = 120.0  # seconds one run spends delivering; the rest waits for the next run
ROME = ZoneInfo("Europe/Rome")

logger = logging.getLogger(__name__)


@dataclass
class _Run:
    """One delivery pass: who claims, until when, and the channels that failed in it."""

    outbox: Outbox
    worker: str
    deadline: float
    environ: Mapping[str, str]
    broken: dict[str, str]  # channel key → error


def deliver(
    kb: KnowledgeBase,
    watches: list[Watch],
    *,
    budget: float = BUDGET,
    environ: Mapping[str, str] | None = None,
) -> list[WatchHealth]:
    """Send every deliverable alert of these watches; how each watch fared."""
    outbox = Outbox(kb)
    run = _Run(
        outbox=outbox,
        worker=worker_id(),
        deadline=time.monotonic() + budget,
        environ=os.environ if environ is None else environ,
        broken={},
    )
    by_name = {w.name: w for w in watches}
    health = {w.name: WatchHealth(w.name) for w in watches}
    rows = outbox.claim(by_name, run.worker, dead=dead_workers(outbox.claimers()))
    for watch, batch in _batches(rows, by_name):
        ids = [r.id for r in batch]
        if time.monotonic() > run.deadline:
            outbox.release(ids, run.worker)
            continue
        error = _deliver_batch(run, watch, batch)
        if error is None:
            outbox.sent(ids, run.worker)
            health[watch.name].sent += len(batch)
        else:
            outbox.failed(ids, error, run.worker)
            health[watch.name].failed += len(batch)
            health[watch.name].errors.append(error)
    for name, count in outbox.pending(by_name).items():
        health[name].pending = count
    return list(health.values())


def _batches(
    rows: list[OutboxRow], watches: dict[str, Watch]
) -> Iterator[tuple[Watch, list[OutboxRow]]]:
    """One row per message; a daily-digest watch's rows of one day (Rome) in one message."""
    days: dict[tuple[str, str], list[OutboxRow]] = {}
    for row in rows:
        watch = watches[row.watch]
        if watch.digest == "daily":
            days.setdefault((watch.name, _day(row.created_at)), []).append(row)
        else:
            yield watch, [row]
    for (name, _), batch in days.items():
        yield watches[name], batch


def _day(created_at: str) -> str:
    return datetime.fromisoformat(created_at).astimezone(ROME).date().isoformat()


def _deliver_batch(run: _Run, watch: Watch, batch: list[OutboxRow]) -> str | None:
    """Send one message to each channel that has not taken it; the errors, or None."""
    try:
        message = _message(run.outbox, watch, batch)
    except Exception as exc:  # a row the knowledge base cannot render: record, go on
        logger.exception("alert %s: cannot render", watch.name)
        return f"message: {type(exc).__name__}: {exc}"
    done = set.intersection(*(set(r.sent_channels) for r in batch))
    errors = []
    for channel in watch.channels:
        key = channel_key(channel)
        if key in done:
            continue
        if key in run.broken:
            errors.append(
                f"{describe_channel(channel)}: {run.broken[key]} (not retried in this run)"
            )
            continue
        error = send(channel, message, run.environ)
        if error:
            run.broken[key] = error
            errors.append(f"{describe_channel(channel)}: {error}")
            continue
        done.add(key)
        for row in batch:
            run.outbox.channel_sent(row, done, run.worker)
    return "; ".join(errors) or None


def _message(outbox: Outbox, watch: Watch, batch: list[OutboxRow]) -> Message:
    alerts = [load_alert(outbox, watch, r.document_id, r.kind, r.changes) for r in batch]
    if watch.digest == "daily":
        return render_digest(watch, _day(batch[0].created_at), alerts)
    return render(alerts[0])


def load_alert(
    outbox: Outbox, watch: Watch, document_id: int, kind: str, changes: str | None
) -> Alert:
    """An outbox row with what the knowledge base knows now (facts, republications)."""
    statement = from_record(*outbox.statement(document_id))
    republished = tuple(r["publisher"] or r["source"] for r in outbox.republications(document_id))
    return Alert(
        watch=watch,
        statement=statement,
        match=match(watch, statement) or Match(),  # a correction may match no longer
        kind=kind,
        changes=Changes.from_json(changes),
        republished=republished,
    )


def worker_id() -> str:
    """Who claims: this machine, this process, and a nonce (a process may deliver twice)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def dead_workers(claimers: list[str]) -> list[str]:
    """The claimers that were processes of this machine and are gone (killed mid-delivery)."""
    dead = []
    for claimer in claimers:
        host, _, rest = claimer.partition(":")
        pid = rest.partition(":")[0]
        if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            dead.append(claimer)
        except PermissionError:  # alive, someone else's
            pass
    return dead


def channel_key(channel: str) -> str:
    """A channel's key in the outbox: a hash of the channel as written (no secret in it)."""
    return sha256(channel.encode()).hexdigest()[:12]


def send(channel: str, message: Message, environ: Mapping[str, str] | None = None) -> str | None:
    """Send one message to one channel through Apprise; the error (secrets blanked) or None."""
    environ = os.environ if environ is None else environ
    try:
        url = resolve_channel(channel, environ)
    except WatchError as exc:
        return str(exc)
    secrets = [*secrets_of(channel, environ), url]
    asset = apprise.AppriseAsset(default_service_retry=RETRIES, default_service_wait=RETRY_WAIT)
    sender = apprise.Apprise(asset=asset)
    if not sender.add(url):
        return "Apprise cannot send to this URL"
    if "rto=" not in url:  # the channel's own ?rto= wins
        sender[0].socket_read_timeout = READ_TIMEOUT
    if sender[0].resolve_format(NotifyFormat.MARKDOWN) == NotifyFormat.TEXT:
        body, body_format = message.text, NotifyFormat.TEXT
    else:  # Markdown as it is, or turned into HTML by Apprise (e-mail)
        body, body_format = message.markdown, NotifyFormat.MARKDOWN
    try:
        result = sender.notify(
            body=body, title=message.title, body_format=body_format, timeout=SEND_TIMEOUT
        )
    except Exception as exc:  # a plugin that raises must not stop the run
        return _blank(f"{type(exc).__name__}: {exc}", secrets)
    if result:
        return None
    reasons = [e.message for e in result.logs() if "trying again" not in e.message]
    return _blank(reasons[-1] if reasons else result.status.name.lower(), secrets)


def _blank(text: str, secrets: list[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return " ".join(text.split())[:300]
