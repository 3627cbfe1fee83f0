"""The message of an alert, in Italian, short enough to read on a phone.

Title, publisher and date; the facts that matched (who, how much, where, what for); the
evidence sentence of each matched commitment; where it was republished; the link. Each
message comes as plain text and as Markdown (which Apprise turns into HTML for e-mail).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sentinella.alerts.matching import Match
from sentinella.alerts.money import euro
from sentinella.alerts.planning import Changes
from sentinella.alerts.statement import Statement
from sentinella.alerts.watches import Watch
from sentinella.kb.outbox import UPDATED_STATEMENT

MAX_EVIDENCE = 3  # commitments quoted in one message
MAX_SENTENCE = 280  # characters of one quoted sentence
MAX_ITEMS = 4  # names or places listed on one line


@dataclass(frozen=True)
class Message:
    title: str
    text: str
    markdown: str


@dataclass(frozen=True)
class Alert:
    """One statement for one watch, with what the knowledge base knows at delivery time."""

    watch: Watch
    statement: Statement
    match: Match
    kind: str = "nuovo"
    changes: Changes = field(default_factory=Changes)
    republished: tuple[str, ...] = ()  # publishers (or addresses) of republications


def render(alert: Alert) -> Message:
    st = alert.statement
    title = st.title or st.url
    if alert.kind == UPDATED_STATEMENT:
        title = f"Aggiornato: {title}"
    lines = _lines(alert)
    text = "\n".join([*(f"{label}: {value}" if label else value for label, value in lines)])
    md = "\n".join(
        f"**{label}:** {_md(value)}" if label else _md_line(value) for label, value in lines
    )
    text += f"\n{st.url}\nAvviso «{alert.watch.name}» · Sentinella"
    md += f"\n\n[Leggi il comunicato]({st.url})\n\n_Avviso «{_md(alert.watch.name)}» · Sentinella_"
    return Message(title=_short(title, 120), text=text, markdown=md)


def render_digest(watch: Watch, day: str, alerts: list[Alert]) -> Message:
    """One message listing a day's matches of a `digest = "daily"` watch."""
    n = len(alerts)
    title = f"{watch.name}: {n} comunicat{'i' if n != 1 else 'o'} del {_date(day)}"
    text, md = [], []
    for a in alerts:
        st = a.statement
        head = ("Aggiornato: " if a.kind == UPDATED_STATEMENT else "") + (st.title or st.url)
        facts = "; ".join(value for label, value in _facts(a)[:2])
        origin = _origin(st)
        text.append(f"• {head}\n  {origin}" + (f"\n  {facts}" if facts else "") + f"\n  {st.url}")
        md.append(
            f"- [{_md(head)}]({st.url})  \n  {_md(origin)}"
            + (f"  \n  {_md(facts)}" if facts else "")
        )
    footer = f"Avviso «{watch.name}» · Sentinella"
    return Message(
        title=_short(title, 120),
        text="\n".join(text) + f"\n{footer}",
        markdown="\n".join(md) + f"\n\n_{_md(footer)}_",
    )


def _lines(alert: Alert) -> list[tuple[str, str]]:
    """(label, value) lines of the body; an empty label is a line of its own."""
    st = alert.statement
    lines: list[tuple[str, str]] = [("", _origin(st))]
    if alert.kind == UPDATED_STATEMENT:
        lines.append(("Cosa è cambiato", describe_changes(alert.changes)))
    lines += _facts(alert)
    for c in alert.match.commitments[:MAX_EVIDENCE]:
        lines.append(("", f"«{_short(c.sentence, MAX_SENTENCE)}»"))
    more = len(alert.match.commitments) - MAX_EVIDENCE
    if more > 0:
        lines.append(("", f"… e altri {more} impegni"))
    if alert.republished:
        lines.append(("Ripreso da", _list(alert.republished)))
    return lines


def _facts(alert: Alert) -> list[tuple[str, str]]:
    """Who, how much, where, what for: from the matched commitments, else from the statement."""
    st, found = alert.statement, alert.match.commitments
    roles = {a.name: a.role for a in st.actors if a.role}
    if found:
        who = [c.actor + (f" ({roles[c.actor]})" if c.actor in roles else "") for c in found]
        amounts = [euro(c.amount) for c in found if c.amount is not None]
        where = [p for c in found for p in c.sites] or _places(st)
        purposes = [c.purpose for c in found if c.purpose]
    else:
        people = [a for a in st.actors if a.kind == "person"] + [
            a for a in st.actors if a.kind != "person"
        ]
        who = [a.name + (f" ({a.role})" if a.role else "") for a in people]
        matched = alert.match.amounts or sorted(st.amounts, key=lambda a: -a.value)
        amounts = [euro(a.value) for a in matched if a.currency == "EUR"]
        where = _places(st)
        purposes = []
    out = []
    for label, values in (
        ("Chi", who),
        ("Quanto", amounts),
        ("Dove", where),
        ("Per cosa", [_short(p, 140) for p in purposes]),
    ):
        if values:
            out.append((label, _list(values)))
    return out


def describe_changes(changes: Changes) -> str:
    parts = []
    for what, added, removed in (
        ("importi", changes.amounts_added, changes.amounts_removed),
        ("attori", changes.actors_added, changes.actors_removed),
        ("impegni", changes.commitments_added, changes.commitments_removed),
    ):
        if added:
            parts.append(f"{what} aggiunti {', '.join(added)}")
        if removed:
            parts.append(f"{what} tolti {', '.join(removed)}")
    return "; ".join(parts) or "i fatti estratti"


def _origin(st: Statement) -> str:
    parts = [p for p in (st.publisher or st.source, _date(st.published)) if p]
    return " · ".join(parts)


def _places(st: Statement) -> list[str]:
    rank = {"comune": 0, "provincia": 1, "regione": 2}
    sites = sorted(st.sites, key=lambda s: rank.get(s.type, 3))
    return [s.name for s in sites]


def _list(values: list[str] | tuple[str, ...]) -> str:
    unique = list(dict.fromkeys(values))
    shown = ", ".join(unique[:MAX_ITEMS])
    return shown + (f" e altri {len(unique) - MAX_ITEMS}" if len(unique) > MAX_ITEMS else "")


def _date(iso: str | None) -> str:
    if not iso or not re.match(r"\d{4}-\d{2}-\d{2}", iso):
        return iso or ""
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    """Text from a page, safe inside Markdown (no accidental emphasis, links or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_line(text: str) -> str:
    if text.startswith("«"):
        return f"> {_md(text)}"
    return _md(text)
