"""Questions researchers ask the knowledge base; the CLI's `query` is a thin wrapper.

Every function takes a `KnowledgeBase` and keyword filters and returns a list of plain
dicts (rows), so the same call works from a notebook. Only current document versions
count, and republished near-duplicates are not counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from sentinella.kb.store import KnowledgeBase

KINDS = ("commitments", "actors", "sites", "amounts", "documents")


@dataclass(frozen=True)
class Filters:
    actor: str | None = None  # name or part of it, case-insensitive
    site: str | None = None
    since: str | None = None  # ISO date, inclusive, on the publication date
    until: str | None = None
    min_amount: float | None = None
    text: str | None = None  # full-text search over the documents
    limit: int | None = None


def _document_filters(
    f: Filters, alias: str = "d", *, by_actor: bool = True, by_site: bool = True
) -> tuple[list[str], list]:
    """WHERE clauses on documents; `by_actor`/`by_site` off where the caller filters its own rows."""
    where = [f"{alias}.current = 1", f"{alias}.duplicate_of is null"]
    params: list = []
    if f.since:
        where.append(f"{alias}.published >= ?")
        params.append(f.since)
    if f.until:
        where.append(f"{alias}.published <= ?")
        # "--until 2026-11-30" includes that day whatever the time part of the date.
        params.append(f.until + "\uffff" if len(f.until) == 10 else f.until)
    if f.text:
        where.append(f"{alias}.id in (select rowid from documents_fts where documents_fts match ?)")
        params.append(_fts_query(f.text))
    if f.site and by_site:
        where.append(f"{alias}.id in (select document_id from sites where name like ? escape '\\')")
        params.append(_contains(f.site))
    if f.actor and by_actor:
        where.append(
            f"{alias}.id in (select m.document_id from mentions m join actors a "
            "on a.id = m.actor_id where a.name like ? escape '\\')"
        )
        params.append(_contains(f.actor))
    return where, params


def _contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_query(text: str) -> str:
    """Quote each word so user text is never parsed as FTS syntax (control characters, which
    end an FTS5 string early, are spaces)."""
    text = "".join(" " if ord(c) < 32 else c for c in text)
    return " ".join('"' + w.replace('"', '""') + '"' for w in text.split())


def _run(kb: KnowledgeBase, sql: str, params: list, f: Filters) -> list[dict]:
    if f.limit:
        sql += " limit ?"
        params = [*params, f.limit]
    return [dict(r) for r in kb.db.query(sql, params)]


def commitments(kb: KnowledgeBase, f: Filters = Filters()) -> list[dict]:
    where, params = _document_filters(f, by_actor=False, by_site=False)
    if f.actor:  # for commitments, the actor filter means the committing actor
        where.append("(c.actor like ? escape '\\' or c.organization like ? escape '\\')")
        params += [_contains(f.actor), _contains(f.actor)]
    if f.site:
        where.append("(c.sites like ? escape '\\' or c.sentence like ? escape '\\')")
        params += [_contains(f.site), _contains(f.site)]
    if f.min_amount is not None:
        where.append("c.amount >= ?")
        params.append(f.min_amount)
    sql = (
        "select d.published, c.actor, c.organization, c.verb, c.amount, c.purpose, "
        "c.sites, c.sentence, d.title, d.url from commitments c "
        "join documents d on d.id = c.document_id where "
        + " and ".join(where)
        + " order by d.published desc, c.start"
    )
    return _run(kb, sql, params, f)


def actors(kb: KnowledgeBase, f: Filters = Filters()) -> list[dict]:
    where, params = _document_filters(f, by_actor=False)
    if f.actor:
        where.append("a.name like ? escape '\\'")
        params.append(_contains(f.actor))
    sql = (
        "select a.name, a.kind, group_concat(distinct m.role) as roles, "
        "group_concat(distinct m.organization) as organizations, "
        "count(distinct d.id) as documents, max(d.published) as last_seen "
        "from mentions m join actors a on a.id = m.actor_id "
        "join documents d on d.id = m.document_id where "
        + " and ".join(where)
        + " group by a.id order by documents desc, a.name"
    )
    return _run(kb, sql, params, f)


def sites(kb: KnowledgeBase, f: Filters = Filters()) -> list[dict]:
    where, params = _document_filters(f)
    sql = (
        "select s.name, s.type, s.istat, count(distinct d.id) as documents, "
        "max(d.published) as last_seen from sites s "
        "join documents d on d.id = s.document_id where "
        + " and ".join(where)
        + " group by s.name, s.type order by documents desc, s.name"
    )
    return _run(kb, sql, params, f)


def amounts(kb: KnowledgeBase, f: Filters = Filters()) -> list[dict]:
    where, params = _document_filters(f)
    if f.min_amount is not None:
        where.append("m.value >= ?")
        params.append(f.min_amount)
    sql = (
        "select d.published, m.text, m.value, m.currency, m.qualifier, d.title, d.url "
        "from amounts m join documents d on d.id = m.document_id where "
        + " and ".join(where)
        + " order by m.value desc"
    )
    return _run(kb, sql, params, f)


def documents(kb: KnowledgeBase, f: Filters = Filters()) -> list[dict]:
    where, params = _document_filters(f)
    if f.min_amount is not None:
        where.append("d.id in (select document_id from amounts where value >= ?)")
        params.append(f.min_amount)
    sql = (
        "select d.published, d.publisher, d.title, d.url, d.version, "
        "(select count(*) from commitments c where c.document_id = d.id) as commitments "
        "from documents d where " + " and ".join(where) + " order by d.published desc"
    )
    return _run(kb, sql, params, f)


QUERIES = {
    "commitments": commitments,
    "actors": actors,
    "sites": sites,
    "amounts": amounts,
    "documents": documents,
}
