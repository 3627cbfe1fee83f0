"""One Atom feed per watch, rewritten after each run, for any feed reader.

`<folder>/<watch slug>.xml` lists the watch's newest alerts (whatever happened to their
delivery: a feed is there even when a channel is down). An entry's id is derived from
the watch, the statement's URL and version and the kind of alert, so it stays the same
across runs and rebuilds, and readers never show an alert twice.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

from feedgen.feed import FeedGenerator

from sentinella.alerts.delivery import load_alert
from sentinella.alerts.messages import render
from sentinella.alerts.watches import Watch
from sentinella.kb import KnowledgeBase
from sentinella.kb.outbox import Outbox

ENTRIES = 50  # newest alerts kept in a feed
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def entry_id(watch: Watch, url: str, version: int, kind: str) -> str:
    return "urn:uuid:" + str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"{watch.name}\n{url}\n{version}\n{kind}")
    )


def feed_path(folder: Path, watch: Watch) -> Path:
    return folder / f"{watch.slug}.xml"


def write_feeds(kb: KnowledgeBase, watches: list[Watch], folder: Path) -> list[Path]:
    """Write every watch's feed into `folder` (created if needed); the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    outbox = Outbox(kb)
    return [_write(outbox, watch, feed_path(folder, watch)) for watch in watches]


def _write(outbox: Outbox, watch: Watch, path: Path) -> Path:
    rows = outbox.feed_entries(watch.name, ENTRIES)
    feed = FeedGenerator()
    feed.id("urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"sentinella watch\n{watch.name}")))
    feed.title(f"Sentinella · {watch.name}")
    feed.subtitle("Nuovi comunicati che corrispondono all'avviso")
    feed.language("it")
    feed.generator("Sentinella")
    feed.link(href=path.resolve().as_uri(), rel="self")
    # The feed's date is its newest entry's: an unchanged feed is byte for byte the same.
    feed.updated(max((_when(r["created_at"]) for r in rows), default=EPOCH))
    for row in reversed(rows):  # feedgen puts each new entry first
        alert = load_alert(outbox, watch, row["document_id"], row["kind"], row["changes"])
        message = render(alert)
        entry = feed.add_entry()
        entry.id(entry_id(watch, row["url"], row["version"], row["kind"]))
        entry.title(message.title)
        entry.link(href=row["url"])
        entry.published(_when(row["created_at"]))
        entry.updated(_when(row["created_at"]))
        entry.content(message.text, type="text")
    tmp = path.with_suffix(".xml.tmp")
    feed.atom_file(str(tmp), pretty=True)
    os.replace(tmp, path)  # a reader never sees half a file
    return path


def _when(iso: str) -> datetime:
    when = datetime.fromisoformat(iso)
    return when if when.tzinfo else when.replace(tzinfo=UTC)
