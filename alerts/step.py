"""The nightly flow's alert step: deliver what is pending, count, write the feeds.

Called once at the end of a run, after every store has committed. It never raises:
whatever goes wrong (a locked base, a full disk for the feeds) is reported in the run's
summary, and undelivered alerts stay pending for the next run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sentinella.alerts.delivery import deliver
from sentinella.alerts.feeds import write_feeds
from sentinella.alerts.watches import Watch
from sentinella.kb import KnowledgeBase
from sentinella.kb.outbox import Outbox
from sentinella.records import WatchHealth

logger = logging.getLogger(__name__)


@dataclass
class AlertReport:
    watches: list[WatchHealth] = field(default_factory=list)
    by_source: dict[str, int] = field(default_factory=dict)  # alerts queued per source
    feeds: list[Path] = field(default_factory=list)
    error: str | None = None


def alert_step(
    db_path: Path, watches: list[Watch], run_id: int | None, feeds_dir: Path
) -> AlertReport:
    report = AlertReport(watches=[WatchHealth(w.name) for w in watches])
    try:
        kb = KnowledgeBase.open(db_path, create=False)
    except Exception as exc:
        report.error = f"{type(exc).__name__}: {exc}"
        return report
    try:
        report.watches = deliver(kb, watches)
        queued = Outbox(kb).matched_in_run(run_id) if run_id is not None else []
        for health in report.watches:
            health.matched = sum(r["n"] for r in queued if r["watch"] == health.watch)
        for r in queued:
            report.by_source[r["source"]] = report.by_source.get(r["source"], 0) + r["n"]
        report.feeds = write_feeds(kb, watches, feeds_dir)
    except Exception as exc:  # delivery never fails the run: report it, retry next run
        logger.exception("alerts")
        report.error = f"{type(exc).__name__}: {exc}"
        _count_pending(kb, report)
    finally:
        kb.close()
    return report


def _count_pending(kb: KnowledgeBase, report: AlertReport) -> None:
    """After a failed step, still say how many alerts wait (if the base can tell)."""
    try:
        pending = Outbox(kb).pending(w.watch for w in report.watches)
    except Exception:
        return
    for health in report.watches:
        health.pending = pending.get(health.watch, 0)
