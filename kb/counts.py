"""`query actors` and `query sites`: documents counted per actor and per place name.

Both rank every actor (place) by the documents that pass the filters, so the answer
needs a count for each of them. Where the filters allow, the counts come from the
summary cells of kb/tallies.py — whole months from the cells, the months a date bound cuts
through from the rows; otherwise (a text search, a publisher, an actor, a municipality,
several broad filters at once) from the counted rows, which only hold counted documents.
Either way the numbers are those of counting every mention: tests/test_tallies.py checks
both paths against each other on random bases.

For the actors shown, their offices, organisations and latest document come from their
own counted rows under the same filters.
"""

from __future__ import annotations

from dataclasses import dataclass

from sentinella.kb.places import PlaceSet
from sentinella.kb.queries import (
    LAST_RUN,
    Filters,
    _contains,
    _in,
    actor_ids,
    last_run_start,
    places_filter,
    publishers,
)
from sentinella.kb.store import KnowledgeBase
from sentinella.kb.tallies import ALL, SEP
from sentinella.kb.text import fts_query


@dataclass(frozen=True)
class Months:
    """What the date bounds of one dimension (publication or arrival) make of its months."""

    full: tuple[str, ...] = ()  # months whose every stored date passes
    partial: tuple[str, ...] = ()  # months a bound cuts through: counted from the rows
    unbounded: bool = True  # no bound, or one that every stored date passes


def months(kb: KnowledgeBase, dimension: str, lower: str | None, upper: str | None) -> Months:
    if lower is None and upper is None:
        return Months()
    full, partial, dropped = [], [], False
    for month, first, last in kb.db.conn.execute(
        "select month, first, last from month_bounds where dimension = ?", [dimension]
    ):
        if first is None or (lower is not None and last < lower) or (upper and first > upper):
            dropped = True  # unknown dates never pass a bound
        elif (lower is None or first >= lower) and (upper is None or last <= upper):
            full.append(month)
        else:
            partial.append(month)
    return Months(tuple(full), tuple(partial), not dropped and not partial)


def _prefix_range(column: str, prefix: str) -> tuple[str, list]:
    """Values of `column` starting with `prefix`, as a range its index can walk."""
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return f"({column} >= ? and {column} < ?)", [prefix, after]


@dataclass(frozen=True)
class _Dates:
    since: str | None
    until: str | None  # inclusive, as compared with stored strings
    fetched_since: str | None
    published: Months
    fetched: Months

    @property
    def unbounded(self) -> bool:
        return self.published.unbounded and self.fetched.unbounded

    def row_clauses(self, prefix: str) -> tuple[list[str], list]:
        where, params = [], []
        for clause, value in (
            (f"{prefix}published >= ?", self.since),
            (f"{prefix}published <= ?", self.until),
            (f"{prefix}fetched_at >= ?", self.fetched_since),
        ):
            if value is not None:
                where.append(clause)
                params.append(value)
        return where, params

    def partial_clause(self, prefix: str) -> tuple[str, list] | None:
        """Rows in a month a bound cuts through (None: there is no such month)."""
        parts, params = [], []
        for column, months_ in (("published", self.published), ("fetched_at", self.fetched)):
            for month in months_.partial:
                if not month:
                    continue
                clause, p = _prefix_range(prefix + column, month)
                parts.append(clause)
                params += p
        return ("(" + " or ".join(parts) + ")", params) if parts else None

    def cell_clauses(self) -> tuple[list[str], list]:
        """Cells counted whole: the all-time level, or months every date of which passes."""
        if self.unbounded:
            return ["t.month = ?", "t.fmonth = ?"], [ALL, ALL]
        where, params = ["t.month != ?"], [ALL]
        for column, months_ in (("t.month", self.published), ("t.fmonth", self.fetched)):
            if not months_.unbounded:
                clause, p = _in(column, months_.full)
                where.append(clause)
                params += p
        return where, params


def _dates(kb: KnowledgeBase, f: Filters) -> _Dates:
    # "--until 2026-11-30" includes that day whatever the time part of the date.
    until = f.until + "\uffff" if f.until and len(f.until) == 10 else f.until
    fetched = last_run_start(kb) if f.fetched_since == LAST_RUN else f.fetched_since
    return _Dates(
        f.since,
        until,
        fetched,
        months(kb, "published", f.since, until),
        months(kb, "fetched", fetched, None),
    )


def _area_facet(places: list[PlaceSet]) -> str | None:
    """The one area facet a place filter means, when it is a single province or region."""
    if len(places) != 1:
        return None
    p = places[0]
    if p.comuni or p.names or len(p.provinces) + len(p.regions) != 1:
        return None
    return "p:" + next(iter(p.provinces)) if p.provinces else "r:" + next(iter(p.regions))


def _areas_clause(places: PlaceSet, column: str) -> tuple[str, list] | None:
    """A provinces/regions filter on the `areas` tokens of a counted row."""
    if places.comuni or places.names:
        return None
    tokens = [f" p:{c} " for c in sorted(places.provinces)]
    tokens += [f" r:{c} " for c in sorted(places.regions)]
    return "(" + " or ".join(f"instr({column}, ?)" for _ in tokens) + ")", tokens


def _document_clauses(
    kb: KnowledgeBase, f: Filters, column: str, *, with_actor: bool
) -> tuple[list[str], list]:
    """Filters on a counted row's document that no column of the row holds. `column` is
    the row's document id, written "+cm.document_id" where the rows are found otherwise
    (the planner must not walk the documents' list for each actor)."""
    where, params = [], []
    if f.publisher:
        by_publisher, by_source = publishers(kb, f.publisher)
        clause, p = _in("d.publisher", by_publisher)
        if by_source:  # a source without a publisher name: match either column
            b, q = _in("d.source", by_source)
            clause, p = f"({clause} or {b})", p + q
        where.append(f"{column} in (select d.id from documents d where {clause})")
        params += p
    if f.text:
        where.append(
            f"{column} in (select rowid from documents_stem_fts where documents_stem_fts match ?)"
        )
        params.append(fts_query(f.text) or '""')
    if f.actor and with_actor:
        clause, p = _in("m.actor_id", actor_ids(kb, f.actor))
        where.append(f"{column} in (select m.document_id from mentions m where {clause})")
        params += p
    return where, params


def _site_clause(places: PlaceSet, prefix: str, *, names: bool = True) -> tuple[str, list]:
    """The place filter on sites rows (prefix "cs.") as `queries._place_clause` words it;
    without `names`, on the codes only."""
    parts, params = [], []
    for column, values in (
        ("istat", places.comuni | places.provinces | places.regions),
        ("province_code", places.provinces),
        ("region_code", places.regions),
        ("name_key", places.names if names else frozenset()),
    ):
        if values:
            clause, p = _in(f"{prefix}{column}", values)
            parts.append(clause)
            params += p
    return "(" + " or ".join(parts or ["0"]) + ")", params


# --- actors -------------------------------------------------------------------------------


ACTOR_ORDER = {"actor": "a.name, a.id", "oldest": "r.last_seen, a.id"}
ACTOR_DEFAULT_ORDER = "r.documents desc, a.name, a.id"


def count_actors(kb: KnowledgeBase, f: Filters) -> list[dict]:
    places = places_filter(kb, f)
    dates = _dates(kb, f)
    ranking, params = _actor_ranking(kb, f, places, dates)
    sql = (
        f"select a.id, a.name, a.kind, r.documents, r.last_seen from ({ranking}) r "
        f"join actors a on a.id = r.actor_id "
        f"order by {ACTOR_ORDER.get(f.sort, ACTOR_DEFAULT_ORDER)}"
    )
    if f.limit:
        sql += " limit ?"
        params = [*params, f.limit]
    ranked = kb.db.conn.execute(sql, params).fetchall()
    details = _actor_details(kb, f, places, dates, [r[0] for r in ranked])
    rows = []
    for aid, name, kind, documents, last_seen in ranked:
        d = details.get(aid)  # the counts are the ranking's (the cells'); the rows add the rest
        if d is None:  # its only document was superseded between the two reads (a run)
            continue
        url = kb.db.conn.execute("select url from documents where id = ?", [d[3]]).fetchone()[0]
        rows.append(
            {
                "name": name,
                "kind": kind,
                "roles": d[4],
                "organizations": d[5],
                "documents": documents,
                "last_seen": last_seen,
                "example_url": url,
            }
        )
    return rows


def _actor_filters(
    kb: KnowledgeBase, f: Filters, places: list[PlaceSet], dates: _Dates, *, by_actor: bool
) -> tuple[list[str], list]:
    """Every filter, on counted_mentions rows (alias cm); `by_actor` when the rows are
    read actor by actor (the shown actors' details)."""
    where, params = dates.row_clauses("cm.")
    document = "+cm.document_id" if by_actor else "cm.document_id"
    w, p = _document_clauses(kb, f, document, with_actor=False)
    where += w
    params += p
    for place in places:
        areas = _areas_clause(place, "cm.areas")
        if areas is None:
            clause, p = _site_clause(place, "s.")
            areas = (f"{document} in (select s.document_id from sites s where {clause})", p)
        where.append(areas[0])
        params += areas[1]
    if f.actor:
        clause, p = _in("cm.actor_id", actor_ids(kb, f.actor))
        where.append(clause)
        params += p
    for column, value in (("cm.role", f.office), ("cm.organization", f.organization)):
        if value:
            where.append(f"{column} like ? escape '\\'")
            params.append(_contains(value))
    return where, params


def _actor_facet(f: Filters, places: list[PlaceSet], dates: _Dates) -> tuple[str, str] | None:
    """Which cells answer these filters: ("=", facet), or ("o"|"g", LIKE pattern) for the
    cells of the offices/organisations that match; None when only the rows can."""
    if f.publisher or f.text or f.actor:
        return None
    area = _area_facet(places) if places else ""
    if area is None:
        return None
    by_mention = [(k, v) for k, v in (("o", f.office), ("g", f.organization)) if v]
    if not by_mention:
        return ("=", area)
    if len(by_mention) > 1 or area or not dates.unbounded:
        return None  # offices and organisations are tallied over all time and all areas
    kind, value = by_mention[0]
    return (kind, _contains(value))


# The cells, and the increments not yet folded into them (kb/tallies.py).
ACTOR_CELLS = ("actor_tallies", "actor_tally_journal")
SITE_CELLS = ("site_tallies", "site_tally_journal")


def _cells(
    tables: tuple[str, str], alias: str, columns: str, where: list[str], params: list
) -> tuple[str, list]:
    """The cells passing `where`, from the table and its journal. The filter is written
    into each arm: SQLite does not push a subquery filter into a UNION ALL view, and
    would scan every cell."""
    body = " and ".join(where) or "1"
    sql = " union all ".join(f"select {columns} from {t} {alias} where {body}" for t in tables)
    return sql, params * len(tables)


# The distinct facets of one kind, one index step each ("o=..." and "o>[...]" sort
# together before "o?"): the offices (organisations) stored, read without their cells.
_FACETS = """with recursive stored(facet) as (
    select min(facet) from actor_tallies where facet > ? and facet < ?
    union all
    select (select min(facet) from actor_tallies where facet > stored.facet and facet < ?)
    from stored where stored.facet is not null
), facets(facet) as (
    select facet from stored
    union select facet from actor_tally_journal where facet > ? and facet < ?
)"""


def _actor_ranking(
    kb: KnowledgeBase, f: Filters, places: list[PlaceSet], dates: _Dates
) -> tuple[str, list]:
    """SQL of (actor_id, documents, last_seen) for every actor with a document passing."""
    facet = _actor_facet(f, places, dates)
    where, params = _actor_filters(kb, f, places, dates, by_actor=False)
    from_rows = (
        "select cm.actor_id, count(distinct cm.document_id) as documents, "
        "max(cm.published) as last_seen from counted_mentions cm where "
    )
    if facet is None:
        return from_rows + " and ".join(where or ["1"]) + " group by cm.actor_id", params
    cells, cell_params = dates.cell_clauses()
    prefix, prefix_params = "", []
    if facet[0] == "=":
        cells.append("t.facet = ?")
        cell_params.append(facet[1])
    else:  # the facets of one office (organisation), or of a set where one matches
        kind = facet[0]
        prefix = _FACETS + " "
        cells.append(
            "t.facet in (select facet from facets where substr(facet, 2, 1) = '=' and "
            "substr(facet, 3) like ? escape '\\' or substr(facet, 2, 1) = '>' and exists "
            "(select 1 from json_each(substr(facet, 3)) j where j.value like ? escape '\\'))"
        )
        bounds = [kind + "=", kind + "?"]
        prefix_params = [*bounds, bounds[1], *bounds]
        cell_params += [facet[1], facet[1]]
    sql, cell_params = _cells(
        ACTOR_CELLS, "t", "t.actor_id, t.documents, t.last_seen", cells, cell_params
    )
    partial = dates.partial_clause("cm.")
    if partial is not None:
        sql += " union all " + from_rows + " and ".join([*where, partial[0]])
        sql += " group by cm.actor_id"
        cell_params += params + partial[1]
    return (
        prefix + "select actor_id, sum(documents) as documents, max(last_seen) as last_seen "
        f"from ({sql}) group by actor_id",
        prefix_params + cell_params,
    )


def _actor_details(
    kb: KnowledgeBase, f: Filters, places: list[PlaceSet], dates: _Dates, ids: list[str]
) -> dict[str, tuple]:
    """(actor_id, documents, last_seen, latest document id, offices, organisations)."""
    out: dict[str, tuple] = {}
    where, params = _actor_filters(kb, f, places, dates, by_actor=True)
    for start in range(0, len(ids), 500):
        clause, p = _in("cm.actor_id", ids[start : start + 500])
        for row in kb.db.conn.execute(
            "select cm.actor_id, count(distinct cm.document_id), max(cm.published), "
            "max(cm.document_id), group_concat(distinct cm.role), "
            "group_concat(distinct cm.organization) from counted_mentions cm where "
            + " and ".join([clause, *where])
            + " group by cm.actor_id",
            p + params,
        ):
            out[row[0]] = row
    return out


# --- sites --------------------------------------------------------------------------------


SITE_ORDER = {"oldest": "last_seen, name, type", "actor": "name, type"}
SITE_DEFAULT_ORDER = "documents desc, name, type"


def count_sites(kb: KnowledgeBase, f: Filters) -> list[dict]:
    places = places_filter(kb, f)
    dates = _dates(kb, f)
    ranking, params = _site_ranking(kb, f, places, dates)
    sql = (
        "select name, type, documents, latest, "
        f"nullif(substr(latest, 1, instr(latest, char(1)) - 1), '') as last_seen from ({ranking}) "
        f"order by {SITE_ORDER.get(f.sort, SITE_DEFAULT_ORDER)}"
    )
    if f.limit:
        sql += " limit ?"
        params = [*params, f.limit]
    rows = []
    for name, type_, documents, latest, last_seen in kb.db.conn.execute(sql, params).fetchall():
        istat = latest.split(SEP)[2] or None
        place = _place(kb, istat)
        rows.append(
            {
                "name": name,
                "type": type_,
                "istat": istat,
                "province": place.get("province"),
                "region": place.get("region"),
                "documents": documents,
                "last_seen": last_seen,
            }
        )
    return rows


def _place(kb: KnowledgeBase, istat: str | None) -> dict:
    if not istat:
        return {}
    row = kb.db.conn.execute(
        "select province, region from places where istat = ?", [istat]
    ).fetchone()
    return {"province": row[0], "region": row[1]} if row else {}


def _site_ranking(
    kb: KnowledgeBase, f: Filters, places: list[PlaceSet], dates: _Dates
) -> tuple[str, list]:
    """SQL of (name, type, documents, latest) for every place name with a document passing."""
    where, params = dates.row_clauses("cs.")
    w, p = _document_clauses(kb, f, "cs.document_id", with_actor=True)
    where += w
    params += p
    for place in places:
        clause, p = _site_clause(place, "cs.")
        where.append(clause)
        params += p
    latest = (
        "max(coalesce(cs.published, '') || char(1) || printf('%012d', cs.document_id) "
        "|| char(1) || coalesce(cs.istat, ''))"
    )
    from_rows = (
        f"select cs.name, cs.type, count(distinct cs.document_id) as documents, {latest} as "
        "latest from counted_sites cs where "
    )
    if f.publisher or f.text or f.actor:
        return from_rows + " and ".join(where or ["1"]) + " group by cs.name, cs.type", params
    cells, cell_params = dates.cell_clauses()
    if places:  # the cells of the names and codes that pass, found at the all-time level
        passing, passing_params = [], []
        for place in places:  # one of a cell's ISTAT codes passes, or its name
            clause, p = _site_clause(place, "pl.", names=False)
            names, q = _in("k.name_key", place.names)
            passing.append(
                "(exists (select 1 from json_each(k.istats) j join places pl on pl.istat = "
                f"j.value where {clause}) or {names})"
            )
            passing_params += p + q
        names_sql, names_params = _cells(
            SITE_CELLS,
            "k",
            "k.name, k.type, k.istats",
            ["k.month = ?", "k.fmonth = ?", *passing],
            [ALL, ALL, *passing_params],
        )
        cells.append(f"(t.name, t.type, t.istats) in ({names_sql})")
        cell_params += names_params
    sql, cell_params = _cells(
        SITE_CELLS, "t", "t.name, t.type, t.documents, t.latest", cells, cell_params
    )
    partial = dates.partial_clause("cs.")
    if partial is not None:
        sql += " union all " + from_rows + " and ".join([*where, partial[0]])
        sql += " group by cs.name, cs.type"
        cell_params += params + partial[1]
    return (
        "select name, type, sum(documents) as documents, max(latest) as latest "
        f"from ({sql}) group by name, type",
        cell_params,
    )
