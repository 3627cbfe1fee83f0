"""A page's versions and what changed between them: text and facts.

Every changed text is a new version (kb/store.py); nothing is overwritten, so the
difference between two versions is always there to show.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from sentinella.kb.store import KnowledgeBase, KnowledgeBaseError
from sentinella.kb.text import sentences


@dataclass(frozen=True)
class Change:
    """What changed from one version of a page to the next."""

    version: int
    fetched_at: str | None
    published: str | None
    title: str | None
    diff: list[str]  # unified diff of the text, one sentence per line
    added: list[str] = field(default_factory=list)  # facts, as "kind: description"
    removed: list[str] = field(default_factory=list)


def _facts(kb: KnowledgeBase, document_id: int) -> set[str]:
    facts = set()
    for r in kb.db.query(
        "select actor, amount, sentence from commitments where document_id = ?", [document_id]
    ):
        amount = f" ({r['amount']:,.0f} EUR)" if r["amount"] is not None else ""
        facts.add(f"commitment: {r['actor']}{amount}: {r['sentence']}")
    for r in kb.db.query(
        "select value, currency, text from amounts where document_id = ?", [document_id]
    ):
        facts.add(f"amount: {r['value']:,.0f} {r['currency']} «{r['text']}»")
    for r in kb.db.query("select name, type from sites where document_id = ?", [document_id]):
        facts.add(f"site: {r['name']} ({r['type']})")
    for r in kb.db.query(
        "select a.name, m.role from mentions m join actors a on a.id = m.actor_id where m.document_id = ?",
        [document_id],
    ):
        facts.add(f"actor: {r['name']}" + (f" — {r['role']}" if r["role"] else ""))
    return facts


def _lines(text: str) -> list[str]:
    return [text[s:e] for s, e in sentences(text)]


def history(kb: KnowledgeBase, url: str) -> list[Change]:
    """Every stored version of `url`, oldest first, each with its changes from the one before."""
    rows = list(
        kb.db.query(
            "select id, version, fetched_at, published, title, text from documents "
            "where url = ? or fetched_url = ? order by version",
            [url, url],
        )
    )
    if not rows:
        raise KnowledgeBaseError(f"no page stored with URL {url}")
    changes: list[Change] = []
    before: dict | None = None
    before_facts: set[str] = set()
    for r in rows:
        facts = _facts(kb, r["id"])
        diff: list[str] = []
        if before is not None:
            diff = list(
                difflib.unified_diff(
                    _lines(before["text"]),
                    _lines(r["text"]),
                    f"version {before['version']}",
                    f"version {r['version']}",
                    lineterm="",
                )
            )
        changes.append(
            Change(
                version=r["version"],
                fetched_at=r["fetched_at"],
                published=r["published"],
                title=r["title"],
                diff=diff,
                added=sorted(facts - before_facts) if before is not None else [],
                removed=sorted(before_facts - facts),
            )
        )
        before, before_facts = r, facts
    return changes


def format_history(url: str, changes: list[Change]) -> str:
    lines = [f"{url}: {len(changes)} version{'s' if len(changes) != 1 else ''}"]
    for c in changes:
        lines.append("")
        lines.append(
            f"== version {c.version}  fetched {c.fetched_at or '?'}  published {c.published or '?'}"
        )
        lines.append(f"   {c.title or ''}")
        if c.version == changes[0].version:
            continue
        lines += [f"   {d}" for d in c.diff] or ["   (text unchanged)"]
        lines += [f"   + {f}" for f in c.added]
        lines += [f"   - {f}" for f in c.removed]
        if not c.added and not c.removed:
            lines.append("   (same facts)")
    return "\n".join(lines)
