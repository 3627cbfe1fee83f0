"""Reading the ledger: promises with filters, one promise's story, totals that add up.

Totals add promises (their latest amount), never statements: a promise announced by
the Giunta, approved a week later and repeated by a mayor counts once. Promises that are
only proposals or were withdrawn are listed but not counted (`counted` = 0).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sentinella.kb.queries import _in, _place_clause, _subset, actor_ids, places_filter
from sentinella.kb.store import KnowledgeBase, KnowledgeBaseError

STATUSES = ("proposed", "announced", "approved", "allocated", "paid", "revised", "withdrawn")
TOTALS_BY = ("actor", "province", "region", "year", "status")
PLEDGE_COLUMNS = [
    "id", "first_date", "last_date", "actor", "amount", "status", "revised", "statements",
    "publishers", "places", "provinces", "purpose", "counted",
]  # fmt: skip


@dataclass(frozen=True)
class LedgerFilters:
    actor: str | None = None
    site: str | None = None
    province: str | None = None
    region: str | None = None
    since: str | None = None  # promises with a statement on or after this date
    until: str | None = None  # promises first made on or before this date
    status: str | None = None  # a stage; "revised" means any promise whose amount changed
    min_amount: float | None = None
    max_amount: float | None = None
    sort: str = "amount"  # amount | date | actor | statements
    limit: int | None = None


_ORDER = {
    "amount": "p.amount desc nulls last, p.first_date",
    "date": "p.first_date desc, p.id",
    "oldest": "p.first_date, p.id",
    "actor": "p.actor, p.amount desc",
    "statements": "p.statements desc, p.amount desc",
}


def _where(kb: KnowledgeBase, f: LedgerFilters) -> tuple[list[str], list]:
    where, params = ["1"], []
    if f.actor:
        clause, p = _in("p.actor_id", actor_ids(kb, f.actor))
        where.append(clause)
        params += p
    for places in places_filter(kb, f):  # type: ignore[arg-type]
        clause, p = _place_clause(places, "pp")
        select = f"select pp.pledge_id from pledge_places pp where {clause}"
        where.append(_subset(kb, "p.id", select, "pp.pledge_id", p))
        params += p
    if f.since:
        where.append("p.last_date >= ?")
        params.append(f.since)
    if f.until:
        where.append("p.first_date <= ?")
        params.append(f.until + "\uffff" if len(f.until) == 10 else f.until)
    if f.status:
        if f.status not in STATUSES:
            raise KnowledgeBaseError(f"unknown status {f.status!r}: one of {', '.join(STATUSES)}")
        where.append("p.revised = 1" if f.status == "revised" else "p.status = ?")
        params += [] if f.status == "revised" else [f.status]
    if f.min_amount is not None:
        where.append("p.amount >= ?")
        params.append(f.min_amount)
    if f.max_amount is not None:
        where.append("p.amount <= ?")
        params.append(f.max_amount)
    return where, params


def pledges(kb: KnowledgeBase, f: LedgerFilters = LedgerFilters()) -> list[dict]:
    """Promises, one row each, with lists (places, provinces) as lists."""
    if f.sort not in _ORDER:
        raise KnowledgeBaseError(f"unknown sort {f.sort!r}: one of {', '.join(_ORDER)}")
    where, params = _where(kb, f)
    sql = (
        f"select {', '.join('p.' + c for c in PLEDGE_COLUMNS)} from pledges p where "
        + " and ".join(where)
        + f" order by {_ORDER[f.sort]}"
    )
    if f.limit:
        sql += " limit ?"
        params.append(f.limit)
    rows = []
    for r in kb.db.query(sql, params):
        row = dict(r)
        row["places"] = json.loads(row["places"] or "[]")
        row["provinces"] = json.loads(row["provinces"] or "[]")
        row["revised"] = bool(row["revised"])
        row["counted"] = bool(row["counted"])
        rows.append(row)
    return rows


def totals(kb: KnowledgeBase, by: str, f: LedgerFilters = LedgerFilters()) -> list[dict]:
    """Money promised by actor, province, region, year or status; each promise once."""
    if by not in TOTALS_BY:
        raise KnowledgeBaseError(f"unknown total {by!r}: one of {', '.join(TOTALS_BY)}")
    where, params = _where(kb, f)
    where.append("p.counted = 1")
    group = {
        "actor": ("p.actor", "from pledges p"),
        "year": ("p.year", "from pledges p"),
        "status": ("p.status", "from pledges p"),
        # A promise made to two provinces counts in each, once; to none, under "(none)".
        "province": (
            "coalesce(pl.province, '(none)')",
            "from pledges p left join (select distinct pp.pledge_id, pl.province from "
            "pledge_places pp join places pl on pl.istat = pp.province_code) pl "
            "on pl.pledge_id = p.id",
        ),
        "region": (
            "coalesce(pl.region, '(none)')",
            "from pledges p left join (select distinct pp.pledge_id, pl.region from "
            "pledge_places pp join places pl on pl.istat = pp.region_code) pl "
            "on pl.pledge_id = p.id",
        ),
    }[by]
    sql = (
        f"select {group[0]} as {by}, count(*) as promises, "
        f"sum(p.amount) as total_eur, sum(p.statements) as statements {group[1]} where "
        + " and ".join(where)
        + f" group by {group[0]} order by total_eur desc"
    )
    return [dict(r) for r in kb.db.query(sql, params)]


def pledge_story(kb: KnowledgeBase, pledge_id: str) -> dict:
    """One promise and its statements in date order, each with its link and reason."""
    rows = list(kb.db.query("select * from pledges where id = ?", [pledge_id]))
    if not rows:
        raise KnowledgeBaseError(f"no promise {pledge_id!r} (see `sentinella ledger`)")
    pledge = dict(rows[0])
    for column in ("places", "provinces", "regions", "amount_history"):
        pledge[column] = json.loads(pledge[column]) if pledge[column] else []
    pledge["statements_list"] = [
        dict(r)
        for r in kb.db.query(
            "select s.published, s.publisher, s.stage, s.amount, c.actor, s.sentence, s.score, "
            "s.reason, s.statement_key, d.title, d.url from pledge_statements s "
            "join commitments c on c.id = s.commitment_id join documents d on d.id = s.document_id "
            "where s.pledge_id = ? order by s.published, s.commitment_id",
            [pledge_id],
        )
    ]
    return pledge


def format_story(p: dict) -> str:
    """A promise's story in dates, for the terminal."""
    amount = _euro(p["amount"]) if p["amount"] is not None else "no amount"
    lines = [
        f"{p['id']}  {p['actor']}: {amount} — {p['purpose'] or ''}",
        f"status {p['status']}{' (revised)' if p['revised'] else ''}; "
        f"{p['statements']} statements by {p['publishers']} publishers, "
        f"{p['first_date'] or '?'} → {p['last_date'] or '?'}",
    ]
    if p["places"]:
        lines.append("places: " + ", ".join(p["places"]))
    if len(p["amount_history"]) > 1:
        steps = " → ".join(f"{_euro(h['amount'])} ({h['date']})" for h in p["amount_history"])
        lines.append("amount: " + steps)
    if not p["counted"]:
        lines.append("not counted in totals (a proposal, withdrawn, or no amount)")
    lines.append("")
    for s in p["statements_list"]:
        money = f", {_euro(s['amount'])}" if s["amount"] is not None else ""
        lines.append(f"{s['published'] or '?'}  {s['stage']}{money} — {s['publisher'] or ''}")
        lines.append(f"    «{s['sentence']}»")
        lines.append(f"    {s['url']}")
        link = f"score {s['score']:.2f}: " if s["score"] is not None else ""
        lines.append(f"    {link}{s['reason']}")
        lines.append(f"    key {s['statement_key']}")
    return "\n".join(lines)


def _euro(value: float) -> str:
    return f"€{value:,.0f}".replace(",", ".")
