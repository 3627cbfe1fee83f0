"""What an office asks about its watches: what would this one match, how did they fare.

The library side of `sentinella watch test` and `sentinella watch list`.
"""

from __future__ import annotations

import difflib
from datetime import date, timedelta

from sentinella.alerts.matching import Match, match
from sentinella.alerts.money import euro
from sentinella.alerts.statement import from_record
from sentinella.alerts.watches import Watch, WatchError, describe_channel
from sentinella.kb import KnowledgeBase
from sentinella.kb.outbox import Outbox

TEST_COLUMNS = ("published", "publisher", "title", "matched", "url")
LIST_COLUMNS = (
    "watch",
    "conditions",
    "channels",
    "alerts",
    "last_match",
    "last_delivery",
    "pending",
    "failures",
    "given_up",
    "last_error",
)


def find_watch(watches: list[Watch], name: str, where: str) -> Watch:
    for watch in watches:
        if watch.name == name:
            return watch
    names = [w.name for w in watches]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]!r}?)" if close else f"; watches: {', '.join(names)}"
    raise WatchError(f"{where}: no watch named {name!r}{hint}")


def test_watch(kb: KnowledgeBase, watch: Watch, days: int, today: date | None = None) -> list[dict]:
    """The statements of the last `days` days (by publication date) that `watch` matches."""
    since = ((today or date.today()) - timedelta(days=days)).isoformat()
    rows = []
    for record, facts in Outbox(kb).documents_since(since):
        statement = from_record(record, facts)
        found = match(watch, statement)
        if found is not None:
            rows.append(
                {
                    "published": statement.published,
                    "publisher": statement.publisher or statement.source,
                    "title": statement.title,
                    "matched": why(found),
                    "url": statement.url,
                }
            )
    return rows


def why(found: Match) -> str:
    """The evidence of a match in a few words."""
    parts = [f"«{k}»" for k in found.keywords]
    parts += [euro(a) for a in dict.fromkeys(a.value for a in found.amounts)][:3]
    if found.commitments:
        n = len(found.commitments)
        parts.append(f"{n} impegn{'i' if n > 1 else 'o'} ({found.commitments[0].actor})")
    return "; ".join(parts)


def list_watches(kb: KnowledgeBase | None, watches: list[Watch]) -> list[dict]:
    """Each watch with its conditions, channels (no secret), and how its alerts fared."""
    stats = Outbox(kb).watch_stats() if kb is not None else {}
    rows = []
    for watch in watches:
        s = stats.get(watch.name, {})
        conditions = "; ".join(
            f"{k} = {', '.join(map(str, v)) if isinstance(v, list) else v}"
            for k, v in watch.conditions().items()
        )
        rows.append(
            {
                "watch": watch.name,
                "conditions": conditions or "(every new statement)",
                "channels": ", ".join(describe_channel(c) for c in watch.channels)
                + (" (daily digest)" if watch.digest else ""),
                "alerts": s.get("matched", 0),
                "last_match": s.get("last_match"),
                "last_delivery": s.get("last_delivery"),
                "pending": s.get("pending", 0),
                "failures": s.get("failures") or 0,
                "given_up": s.get("given_up") or 0,
                "last_error": s.get("last_error"),
            }
        )
    return rows
