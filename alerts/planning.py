"""What goes into the outbox when the store step writes a document (inside its transaction).

- A document stored for the first time is a new statement: one "nuovo" row per watch
  that matches it.
- A republication (the near-duplicate check linked it to an earlier document) is not new:
  no row; the original's message lists where it was republished.
- A corrected release (a new version of a stored URL) gives one "aggiornato" row per watch
  that matches the new or the old version, only when its facts changed (amounts, actors,
  commitments added or removed), and says what changed. Reworded text alone sends nothing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from sentinella.alerts.matching import match
from sentinella.alerts.money import euro
from sentinella.alerts.statement import Statement, from_document, from_record
from sentinella.alerts.text import fold
from sentinella.alerts.watches import Watch
from sentinella.facts import Commitment
from sentinella.kb.outbox import NEW_STATEMENT, UPDATED_STATEMENT, OutboxItem, StoredDocument


@dataclass(frozen=True)
class Changes:
    """What a corrected release changed in the facts."""

    amounts_added: tuple[str, ...] = ()
    amounts_removed: tuple[str, ...] = ()
    actors_added: tuple[str, ...] = ()
    actors_removed: tuple[str, ...] = ()
    commitments_added: tuple[str, ...] = ()
    commitments_removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return any(asdict(self).values())

    def to_json(self) -> str:
        return json.dumps({k: list(v) for k, v in asdict(self).items() if v}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | None) -> Changes:
        return cls(**{k: tuple(v) for k, v in json.loads(text or "{}").items()})


def changes(old: Statement, new: Statement) -> Changes:
    def amounts(st: Statement) -> dict[float, str]:
        return {a.value: euro(a.value) for a in st.amounts if a.currency == "EUR"}

    def actors(st: Statement) -> dict[str, str]:
        return {fold(a.name): a.name for a in st.actors}

    def commitments(st: Statement) -> dict[tuple, str]:
        return {_commitment_key(c): _describe(c) for c in st.commitments}

    parts: dict[str, tuple[str, ...]] = {}
    for name, of in (("amounts", amounts), ("actors", actors), ("commitments", commitments)):
        before, after = of(old), of(new)
        parts[f"{name}_added"] = tuple(v for k, v in after.items() if k not in before)
        parts[f"{name}_removed"] = tuple(v for k, v in before.items() if k not in after)
    return Changes(**parts)


def _commitment_key(c: Commitment) -> tuple:
    # Actor, verb and amount: a reworded purpose or sentence is not a changed commitment.
    return (fold(c.actor), fold(c.verb or ""), c.amount)


def _describe(c: Commitment) -> str:
    amount = f" {euro(c.amount)}" if c.amount is not None else ""
    purpose = f" per {c.purpose}" if c.purpose else ""
    return f"{c.actor}: {c.verb or 'impegno'}{amount}{purpose}"[:200]


@dataclass(frozen=True)
class AlertPlanner:
    """The store step's hook: outbox rows for one stored document (pure; kb writes them)."""

    watches: tuple[Watch, ...]
    run_id: int | None = None

    def __call__(self, stored: StoredDocument) -> list[OutboxItem]:
        if stored.duplicate_of is not None:
            return []
        new = from_document(stored.document, stored.extraction, stored.document_id, stored.version)
        if stored.previous is None:
            return [self._item(w, NEW_STATEMENT) for w in self.watches if match(w, new)]
        old = from_record(*stored.previous)
        diff = changes(old, new)
        if not diff:
            return []
        return [
            self._item(w, UPDATED_STATEMENT, diff.to_json())
            for w in self.watches
            if match(w, new) or match(w, old)
        ]

    def _item(self, watch: Watch, kind: str, changed: str | None = None) -> OutboxItem:
        return OutboxItem(watch=watch.name, kind=kind, changes=changed, run_id=self.run_id)
