"""Questions researchers ask the knowledge base; the CLI's `query` is a thin wrapper.

Every function takes a `KnowledgeBase` and `Filters` and returns a list of plain dicts
(rows), so the same call works from a notebook. Only current document versions count,
and republished near-duplicates are not counted twice. Filters work on facts, not on
strings: `site` is a place of the fact (a whole name, accents and case ignored, or an
ISTAT code), `province`/`region` reach every municipality in them, `actor` is the
canonical actor with its aliases and, for an institution, its organs and officers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sentinella.kb.actors import canonical_organization, load_institutions, org_key
from sentinella.kb.places import PlaceSet, resolve
from sentinella.kb.store import KnowledgeBase, KnowledgeBaseError
from sentinella.kb.text import best_sentence, fts_query, key, mark

KINDS = ("commitments", "actors", "sites", "amounts", "documents")
SORTS = ("date", "oldest", "amount", "actor", "publisher")
LAST_RUN = "last-run"


@dataclass(frozen=True)
class Filters:
    actor: str | None = None  # canonical actor, alias, or a whole word of the name
    site: str | None = None  # place name (whole) or ISTAT code
    province: str | None = None  # name, sigla ("AT") or ISTAT code ("005")
    region: str | None = None  # name or ISTAT code ("01")
    publisher: str | None = None  # whole words of the publisher's name
    office: str | None = None  # a word of the speaker's office ("assessora", "sindaco")
    organization: str | None = None  # the body that commits, or the office's body
    since: str | None = None  # ISO date, inclusive, on the publication date
    until: str | None = None
    fetched_since: str | None = None  # ISO time, or "last-run": arrived since then
    min_amount: float | None = None
    max_amount: float | None = None
    text: str | None = None  # Italian full-text search (stems) over the documents
    sort: str = "date"
    limit: int | None = None


def _in(column: str, values: Iterable) -> tuple[str, list]:
    values = sorted(set(values))
    if not values:
        return "0", []
    return f"{column} in ({', '.join('?' * len(values))})", values


def actor_ids(kb: KnowledgeBase, name: str) -> set[str]:
    """Ids of the actors and institutions that `name` means.

    An exact name or alias (by key) means that actor; otherwise every actor whose name
    holds the words of `name` ("Chiorino" → "Elena Chiorino"). An institution's name
    means the institution itself (the ledger and `commitments.institution_id` use it).
    """
    from sentinella.kb.store import actor_id

    k, ok = key(name), org_key(name)
    ids = set()
    inst = load_institutions()
    for alias, name_of in inst.canonical.items():
        if alias == ok or key(name_of) == k:
            ids.add(actor_id("organization", name_of))
    canonical = canonical_organization(name, inst)
    if canonical and org_key(canonical) != ok:
        ids.add(actor_id("organization", canonical))
    padded = f" {k} "
    for aid, name_key, name_org_key in _actor_keys(kb):
        if name_key == k or name_org_key == ok or padded in f" {name_key} ":
            ids.add(aid)
    return ids


def _actor_keys(kb: KnowledgeBase) -> list[tuple[str, str, str]]:
    """(id, key, organisation key) of every actor, kept while the actors table is unchanged."""
    stamp = kb.db.execute("select count(*), max(rowid) from actors").fetchone()
    cached = kb.actor_keys
    if cached is None or cached[0] != stamp:
        rows = [
            (r[0], key(r[1]), org_key(r[1])) for r in kb.db.execute("select id, name from actors")
        ]
        cached = (stamp, rows)
        kb.actor_keys = cached
    return cached[1]


def publishers(kb: KnowledgeBase, name: str) -> tuple[set[str], set[str]]:
    """Publishers, and sources of documents without one, whose name holds every word of
    `name` ("comune asti" → "Comune di Asti")."""
    wanted = set(key(name).split())
    if not wanted:  # no word at all ("_%", punctuation): names no publisher
        return set(), set()

    def matches(value: str | None) -> bool:
        return bool(value) and wanted <= set(key(value).split())

    names = [r[0] for r in kb.db.execute("select distinct publisher from documents")]
    sources = [
        r[0] for r in kb.db.execute("select distinct source from documents where publisher is null")
    ]
    return {n for n in names if matches(n)}, {s for s in sources if matches(s)}


def last_run_start(kb: KnowledgeBase) -> str:
    row = kb.db.execute("select started_at from runs order by id desc limit 1").fetchone()
    if row is None:
        raise KnowledgeBaseError("no run recorded yet: --fetched-since last-run has no meaning")
    return row[0]


def places_filter(kb: KnowledgeBase, f: Filters) -> list[PlaceSet]:
    """One PlaceSet per place filter given; each must match (site AND province AND region)."""
    out = []
    for value, level in ((f.site, None), (f.province, "provincia"), (f.region, "regione")):
        if value:
            found = resolve(kb.db, value, level)
            if level and not found:
                raise KnowledgeBaseError(f"unknown {level} {value!r}")
            out.append(found)
    return out


BROAD = 2000  # a filter matching at least this many rows is checked row by row, not listed


def _subset(kb: KnowledgeBase, column: str, select: str, key: str, params: list) -> str:
    """`column` is among the rows of `select` (whose WHERE clause ends the string).

    A narrow subset is listed once (`column in (select ...)`) and drives the query; a broad
    one (a whole region, a big institution) is checked for each row as the query walks
    its sort order (`exists (...)`), so the first rows come back without sorting them all.
    The parameters are appended to `params` in the order the returned SQL needs them.
    """
    probe = kb.db.execute(f"select count(*) from ({select} limit {BROAD})", params).fetchone()[0]
    if probe >= BROAD:
        return f"exists ({select} and {key} = {column})"
    return f"{column} in ({select})"


def _place_clause(places: PlaceSet, table: str) -> tuple[str, list]:
    parts, params = [], []
    for column, values in (
        ("istat", places.comuni | places.provinces | places.regions),
        ("province_code", places.provinces),
        ("region_code", places.regions),
        ("name_key", places.names),
    ):
        if values:
            clause, p = _in(f"{table}.{column}", values)
            parts.append(clause)
            params += p
    return "(" + " or ".join(parts or ["0"]) + ")", params


def _document_filters(
    kb: KnowledgeBase, f: Filters, alias: str = "d", *, by_actor: bool = True, by_site: bool = True
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
    if f.fetched_since:
        where.append(f"{alias}.fetched_at >= ?")
        params.append(last_run_start(kb) if f.fetched_since == LAST_RUN else f.fetched_since)
    if f.publisher:
        by_publisher, by_source = publishers(kb, f.publisher)
        if by_source:  # a source without a publisher name: match either column
            a, p = _in(f"{alias}.publisher", by_publisher)
            b, q = _in(f"{alias}.source", by_source)
            where.append(f"({a} or {b})")
            params += p + q
        else:
            clause, p = _in(f"{alias}.publisher", by_publisher)
            count = kb.db.execute(
                f"select count(*) from (select 1 from documents {alias} where {clause} limit {BROAD})",
                p,
            ).fetchone()[0]
            where.append("+" + clause if count >= BROAD else clause)  # see _subset
            params += p
    if f.text:
        where.append(
            f"{alias}.id in (select rowid from documents_stem_fts where documents_stem_fts match ?)"
        )
        params.append(fts_query(f.text) or '""')
    if by_site:
        for places in places_filter(kb, f):
            clause, p = _place_clause(places, "s")
            select = f"select s.document_id from sites s where {clause}"
            where.append(_subset(kb, f"{alias}.id", select, "s.document_id", p))
            params += p
    if f.actor and by_actor:
        clause, p = _in("m.actor_id", actor_ids(kb, f.actor))
        select = f"select m.document_id from mentions m where {clause}"
        where.append(_subset(kb, f"{alias}.id", select, "m.document_id", p))
        params += p
    return where, params


def _finish(kb: KnowledgeBase, sql: str, params: list, f: Filters, order: str) -> list[dict]:
    sql += " order by " + order
    if f.limit:
        sql += " limit ?"
        params = [*params, f.limit]
    return [dict(r) for r in kb.db.query(sql, params)]


_COMMITMENT_ORDER = {  # by the documents' (current, published) index where it can
    "date": "d.published desc, d.id desc",
    "oldest": "d.published, d.id",
    "amount": "c.amount desc, d.published desc",
    "actor": "c.institution, c.actor, d.published desc",
    "publisher": "d.publisher, d.published desc",
}


def commitments(kb: KnowledgeBase, f: Filters = Filters()) -> list[dict]:
    """Commitments with their evidence sentence, document link and places (nested)."""
    where, params = _document_filters(kb, f, by_actor=False, by_site=False)
    if f.actor:  # for commitments, the actor is who commits: the speaker or their institution
        ids = actor_ids(kb, f.actor)
        a, p = _in("c.actor_id", ids)
        i, _ = _in("c.institution_id", ids)
        where.append(f"({a} or {i})")
        params += p + p
    for places in places_filter(kb, f):
        clause, p = _place_clause(places, "cs")
        select = f"select cs.commitment_id from commitment_sites cs where {clause}"
        where.append(_subset(kb, "c.id", select, "cs.commitment_id", p))
        params += p
    if f.organization:
        clause, p = _in("c.institution_id", actor_ids(kb, f.organization))
        where.append(clause)
        params += p
    if f.office:
        where.append(
            "c.actor_id in (select m.actor_id from mentions m where m.document_id = "
            "c.document_id and m.role like ? escape '\\')"
        )
        params.append(_contains(f.office))
    _amount_range(f, "c.amount", where, params, kb if f.sort != "amount" else None)
    sql = (
        "select c.id, d.published, d.publisher, c.actor, "
        "(select m.role from mentions m where m.document_id = c.document_id and "
        "m.actor_id = c.actor_id and m.role is not null limit 1) as office, "
        "c.institution, c.verb, c.stage, c.amount, c.purpose, c.sentence, d.title, d.url "
        # By amount: walk the amount index (CROSS JOIN keeps commitments the outer loop).
        + (
            "from commitments c cross join documents d on d.id = c.document_id where "
            if f.sort == "amount"
            else "from documents d join commitments c on c.document_id = d.id where "
        )
        + " and ".join(where)
    )
    rows = _finish(kb, sql, params, f, _COMMITMENT_ORDER[f.sort])
    by_commitment = _commitment_places(kb, [r["id"] for r in rows])
    for row in rows:
        row["sites"] = by_commitment.get(row["id"], [])
    return rows


def _amount_range(
    f: Filters, column: str, where: list[str], params: list, kb: KnowledgeBase | None = None
) -> None:
    """min/max amount; a range holding many rows is checked per row (`+column`), not used
    to drive the query, so the sort order's index can give the first rows."""
    bounds = [(">=", f.min_amount), ("<=", f.max_amount)]
    bounds = [(op, v) for op, v in bounds if v is not None]
    if not bounds:
        return
    if kb is not None:
        table, col = column.split(".")
        full = {"c": "commitments", "m": "amounts"}[table]
        probe = kb.db.execute(
            f"select count(*) from (select 1 from {full} where "
            + " and ".join(f"{col} {op} ?" for op, _ in bounds)
            + f" limit {BROAD})",
            [v for _, v in bounds],
        ).fetchone()[0]
        if probe >= BROAD:
            column = "+" + column
    for op, value in bounds:
        where.append(f"{column} {op} ?")
        params.append(value)


def _commitment_places(kb: KnowledgeBase, ids: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for start in range(0, len(ids), 500):
        clause, params = _in("cs.commitment_id", ids[start : start + 500])
        for r in kb.db.query(
            "select cs.commitment_id, cs.name, cs.type, cs.istat, p.province, p.region "
            "from commitment_sites cs left join places p on p.istat = cs.istat "
            f"where {clause} order by cs.id",
            params,
        ):
            place = {k: r[k] for k in ("name", "type", "istat", "province", "region") if r[k]}
            out.setdefault(r["commitment_id"], []).append(place)
    return out


def _contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def actors(kb: KnowledgeBase, f: Filters = Filters()) -> list[dict]:
    """Actors by the documents that mention them (kb/counts.py)."""
    from sentinella.kb.counts import count_actors

    return count_actors(kb, f)


def sites(kb: KnowledgeBase, f: Filters = Filters()) -> list[dict]:
    """Place names by the documents that name them (kb/counts.py)."""
    from sentinella.kb.counts import count_sites

    return count_sites(kb, f)


def amounts(kb: KnowledgeBase, f: Filters = Filters()) -> list[dict]:
    where, params = _document_filters(kb, f)
    _amount_range(f, "m.value", where, params, kb if f.sort != "amount" else None)
    sql = (
        "select d.published, d.publisher, m.value, m.currency, m.text, m.qualifier, m.sentence, "
        "d.title, d.url "
        + (  # by amount: walk the value index (CROSS JOIN keeps amounts the outer loop)
            "from amounts m cross join documents d on d.id = m.document_id where "
            if f.sort == "amount"
            else "from documents d join amounts m on m.document_id = d.id where "
        )
        + " and ".join(where)
    )
    order = {"date": "d.published desc, m.id", "oldest": "d.published, m.id"}.get(
        f.sort, "m.value desc"
    )
    return _finish(kb, sql, params, f, order)


def documents(kb: KnowledgeBase, f: Filters = Filters()) -> list[dict]:
    where, params = _document_filters(kb, f)
    if f.min_amount is not None or f.max_amount is not None:
        inner: list[str] = []
        inner_params: list = []
        _amount_range(f, "am.value", inner, inner_params)
        select = f"select am.document_id from amounts am where {' and '.join(inner)}"
        where.append(_subset(kb, "d.id", select, "am.document_id", inner_params))
        params += inner_params
    sql = (
        "select d.id, d.published, d.publisher, d.title, d.url, d.version, d.fetched_at, "
        "(select count(*) from commitments c where c.document_id = d.id) as commitments "
        "from documents d where " + " and ".join(where)
    )
    order = {"oldest": "d.published", "publisher": "d.publisher, d.published desc"}.get(
        f.sort, "d.published desc"
    )
    rows = _finish(kb, sql, params, f, order)
    if f.text:  # the sentence that matched, with the words marked
        for row in rows:
            text = kb.document_text(row["id"]) or ""
            sentence = best_sentence(text, f.text)
            row["sentence"] = mark(sentence, f.text) if sentence else None
    return rows


QUERIES = {
    "commitments": commitments,
    "actors": actors,
    "sites": sites,
    "amounts": amounts,
    "documents": documents,
}


def run_query(kb: KnowledgeBase, kind: str, f: Filters = Filters()) -> list[dict]:
    if kind not in QUERIES:
        raise KnowledgeBaseError(f"unknown query {kind!r}: one of {', '.join(KINDS)}")
    if f.sort not in SORTS:
        raise KnowledgeBaseError(f"unknown sort {f.sort!r}: one of {', '.join(SORTS)}")
    return QUERIES[kind](kb, f)
