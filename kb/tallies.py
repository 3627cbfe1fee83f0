"""Summary tables kept with the facts: what `query actors` and `query sites` count.

Both queries count documents per actor (or per place name) among the counted documents —
current versions that are not republished duplicates — under the researcher's filters.
Counting every mention at query time reads every row; these tables hold the counts.

counted_mentions, counted_sites
    The mentions and places of counted documents, each with its document's publication
    date, arrival time and (for mentions) the areas the document names ("p:004" province,
    "r:01" region). Rows come and go with their document; every count below can be
    recomputed from them, and queries that the tallies cannot answer read them directly.
actor_tallies (facet, actor_id, month, fmonth)
    Documents and latest publication date of an actor, in cells: `month`/`fmonth` is the
    publication/arrival month ("YYYY-MM", "" when unknown) or "*" for all time; `facet`
    is "" (every document), an area ("p:004", "r:01": documents naming a place there), or
    at the all-time level the office the actor's mentions in the document carry ("o=" +
    office; "o>" + JSON list when they carry several) or their organisation ("g=", "g>").
    A document falls in exactly one cell per facet kind and level, so sums over cells
    count each document once.
site_tallies (name, type, istats, month, fmonth)
    The same for a place name of a given type; `istats` is the JSON list of the ISTAT codes
    its rows in the document carry, so place filters are decided on whole cells.
month_bounds (dimension, month)
    The earliest and latest date ever stored in each publication/arrival month: a month
    whose every date is inside the filter's range is answered from the cells; only the
    months a bound cuts through are counted from the rows. (Bounds only widen: a removed
    document leaves them valid.)

Writes: `TallyBatch` gathers a batch's rows and cell increments and writes them in the
batch's transaction; a document leaving the counted set (a new version superseded it)
has its rows deleted and the cells of its actors and places recomputed from the rows.
`rebuild_tallies` recomputes everything; both give the same tables (tests/test_tallies.py).

actor_tally_journal, site_tally_journal
    Increments not yet added to the cells (see JOURNAL_ROWS): read with the cells.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlite_utils

ALL = "*"  # the all-time level of a cell
SEP = "\x01"  # between the parts of `site_tallies.latest`: sorts before any character


def month_of(value: str | None) -> str:
    return value[:7] if value else ""


def _set_key(values: Iterable[str | None]) -> str:
    return json.dumps(sorted({v for v in values if v is not None}), ensure_ascii=False)


def areas_of(codes: Iterable[tuple[str | None, str | None]]) -> str:
    """The areas a document names, from its places' (province code, region code):
    " p:004 r:01 " (spaces around every token, so `instr` finds whole tokens)."""
    tokens = set()
    for province, region in codes:
        if province:
            tokens.add("p:" + province)
        if region:
            tokens.add("r:" + region)
    return " " + " ".join(sorted(tokens)) + " " if tokens else " "


@dataclass
class _Cell:
    documents: int = 0
    last: str | None = None  # latest publication date (actors) or latest key (sites)

    def add(self, documents: int, last: str | None) -> None:
        self.documents += documents
        if last is not None and (self.last is None or last > self.last):
            self.last = last


# --- cells of one document ----------------------------------------------------------------


@dataclass(frozen=True)
class ActorPair:
    """An actor in one counted document: what its cells are made of."""

    actor_id: str
    document_id: int
    published: str | None
    fetched_at: str | None
    areas: str
    roles: frozenset[str]
    organizations: frozenset[str]


def actor_cells(p: ActorPair) -> list[tuple[str, str, str, str]]:
    month, fmonth = month_of(p.published), month_of(p.fetched_at)
    keys = []
    for facet in ("", *p.areas.split()):
        keys.append((facet, p.actor_id, ALL, ALL))
        keys.append((facet, p.actor_id, month, fmonth))
    for kind, values in (("o", p.roles), ("g", p.organizations)):
        if len(values) == 1:
            keys.append((f"{kind}={next(iter(values))}", p.actor_id, ALL, ALL))
        elif values:
            keys.append((f"{kind}>{_set_key(values)}", p.actor_id, ALL, ALL))
    return keys


@dataclass(frozen=True)
class SitePair:
    """A place name of one type in one counted document."""

    name: str
    type: str
    document_id: int
    published: str | None
    fetched_at: str | None
    istats: frozenset[str]
    name_key: str

    @property
    def latest(self) -> str:
        """Orders the pair's rows by date, then document, then ISTAT code (`sites` output)."""
        istat = max(self.istats) if self.istats else ""
        return f"{self.published or ''}{SEP}{self.document_id:012d}{SEP}{istat}"


def site_cells(p: SitePair) -> list[tuple[str, str, str, str, str]]:
    istats = _set_key(p.istats)
    month, fmonth = month_of(p.published), month_of(p.fetched_at)
    return [
        (p.name, p.type, istats, ALL, ALL),
        (p.name, p.type, istats, month, fmonth),
    ]


def _actor_pairs(rows: Iterable[tuple]) -> list[ActorPair]:
    """Rows (actor_id, document_id, role, organization, published, fetched_at, areas)."""
    grouped: dict[tuple[str, int], list[tuple]] = defaultdict(list)
    for r in rows:
        grouped[(r[0], r[1])].append(r)
    return [
        ActorPair(
            actor_id,
            document_id,
            group[0][4],
            group[0][5],
            group[0][6],
            frozenset(r[2] for r in group if r[2] is not None),
            frozenset(r[3] for r in group if r[3] is not None),
        )
        for (actor_id, document_id), group in grouped.items()
    ]


def _site_pairs(rows: Iterable[tuple]) -> list[SitePair]:
    """Rows (name, type, document_id, istat, name_key, published, fetched_at)."""
    grouped: dict[tuple[str, str, int], list[tuple]] = defaultdict(list)
    for r in rows:
        grouped[(r[0], r[1], r[2])].append(r)
    return [
        SitePair(
            name,
            type_,
            document_id,
            group[0][5],
            group[0][6],
            frozenset(r[3] for r in group if r[3]),
            group[0][4],
        )
        for (name, type_, document_id), group in grouped.items()
    ]


# --- writing ------------------------------------------------------------------------------

_MENTION_COLUMNS = "id, actor_id, document_id, role, organization, published, fetched_at, areas"
_SITE_COLUMNS = (
    "id, name, type, document_id, istat, name_key, province_code, region_code, "
    "published, fetched_at"
)


@dataclass
class TallyBatch:
    """The counted rows and cell increments of a batch of documents, written at `flush`."""

    mentions: list[tuple] = field(default_factory=list)
    sites: list[tuple] = field(default_factory=list)
    actor_cells: dict[tuple, _Cell] = field(default_factory=lambda: defaultdict(_Cell))
    site_cells: dict[tuple, _Cell] = field(default_factory=lambda: defaultdict(_Cell))
    site_keys: dict[tuple, str] = field(default_factory=dict)  # cell → name key
    bounds: dict[tuple[str, str], list] = field(default_factory=dict)

    def add_document(
        self,
        document_id: int,
        published: str | None,
        fetched_at: str | None,
        mentions: list[tuple[int, str, str | None, str | None]],
        sites: list[dict],
    ) -> None:
        """A counted document: `mentions` are (id, actor_id, role, organization), `sites`
        the rows written to `sites` (with their id)."""
        areas = areas_of((s["province_code"], s["region_code"]) for s in sites)
        for mid, actor_id, role, organization in mentions:
            self.mentions.append(
                (mid, actor_id, document_id, role, organization, published, fetched_at, areas)
            )
        for s in sites:
            self.sites.append(
                (
                    s["id"], s["name"], s["type"] or "", document_id, s["istat"], s["name_key"],
                    s["province_code"], s["region_code"], published, fetched_at,
                )
            )  # fmt: skip
        for pair in _actor_pairs(
            (a, document_id, role, org, published, fetched_at, areas)
            for _, a, role, org in mentions
        ):
            for cell in actor_cells(pair):
                self.actor_cells[cell].add(1, published)
        for sp in _site_pairs(
            (
                s["name"],
                s["type"] or "",
                document_id,
                s["istat"],
                s["name_key"],
                published,
                fetched_at,
            )
            for s in sites
        ):
            for site_cell in site_cells(sp):
                self.site_cells[site_cell].add(1, sp.latest)
                self.site_keys[site_cell] = sp.name_key
        for dimension, value in (("published", published), ("fetched", fetched_at)):
            bound = self.bounds.setdefault((dimension, month_of(value)), [value, value])
            if value is not None:
                bound[0] = value if bound[0] is None else min(bound[0], value)
                bound[1] = value if bound[1] is None else max(bound[1], value)

    def flush(self, db: sqlite_utils.Database) -> None:
        """Write what was gathered (inside the caller's transaction) and start afresh."""
        conn = db.conn
        if self.mentions:
            conn.executemany(
                f"insert into counted_mentions ({_MENTION_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?)",
                self.mentions,
            )
        if self.sites:
            conn.executemany(
                f"insert into counted_sites ({_SITE_COLUMNS}) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self.sites,
            )
        _add_actor_cells(conn, self.actor_cells, "actor_tally_journal")
        _add_site_cells(conn, self.site_cells, self.site_keys, "site_tally_journal")
        fold(conn, when_full=True)
        conn.executemany(
            "insert into month_bounds (dimension, month, first, last) values (?, ?, ?, ?) "
            "on conflict (dimension, month) do update set "
            "first = min(coalesce(first, excluded.first), coalesce(excluded.first, first)), "
            "last = max(coalesce(last, excluded.last), coalesce(excluded.last, last))",
            [(d, m, b[0], b[1]) for (d, m), b in self.bounds.items()],
        )
        self.__init__()  # type: ignore[misc]


# Increments go to a journal first (appended: a few pages per batch), and are folded into
# the cells when it holds this many rows (each cell's page written once per fold, not
# once per batch). Queries read cells and journal together, so nothing is ever missing.
JOURNAL_ROWS = 8192

_ACTOR_CELL = "facet, actor_id, month, fmonth, documents, last_seen"
_SITE_CELL = "name, type, istats, month, fmonth, name_key, documents, latest"


def _add_actor_cells(conn, cells: dict[tuple, _Cell], table: str = "actor_tallies") -> None:
    conn.executemany(
        f"insert into {table} ({_ACTOR_CELL}) values (?, ?, ?, ?, ?, ?)",
        [(*k, c.documents, c.last) for k, c in cells.items()],
    )


def _add_site_cells(
    conn, cells: dict[tuple, _Cell], name_keys: dict[tuple, str], table: str = "site_tallies"
) -> None:
    conn.executemany(
        f"insert into {table} ({_SITE_CELL}) values (?, ?, ?, ?, ?, ?, ?, ?)",
        [(*k, name_keys[k], c.documents, c.last) for k, c in cells.items()],
    )


def fold(conn, *, when_full: bool = False) -> None:
    """Add the journals' increments to the cells and empty them."""
    for journal, size in (
        ("actor_tally_journal", JOURNAL_ROWS),
        ("site_tally_journal", JOURNAL_ROWS),
    ):
        if when_full and conn.execute(f"select count(*) from {journal}").fetchone()[0] < size:
            continue
        if journal == "actor_tally_journal":
            conn.execute(
                f"insert into actor_tallies ({_ACTOR_CELL}) select facet, actor_id, month, "
                "fmonth, sum(documents), max(last_seen) from actor_tally_journal where 1 "
                "group by facet, actor_id, month, fmonth "
                "on conflict (facet, month, fmonth, actor_id) do update set "
                "documents = documents + excluded.documents, last_seen = case when "
                "excluded.last_seen > coalesce(last_seen, '') then excluded.last_seen "
                "else last_seen end"
            )
        else:
            conn.execute(
                f"insert into site_tallies ({_SITE_CELL}) select name, type, istats, month, "
                "fmonth, max(name_key), sum(documents), max(latest) from site_tally_journal "
                "where 1 group by name, type, istats, month, fmonth "
                "on conflict (name, type, istats, month, fmonth) do update set "
                "documents = documents + excluded.documents, "
                "latest = max(latest, excluded.latest)"
            )
        conn.execute(f"delete from {journal}")


def remove_document(db: sqlite_utils.Database, document_id: int) -> None:
    """A document leaves the counted set: its rows go, and the cells of its actors and
    places are recomputed from the rows that remain (call after `TallyBatch.flush`)."""
    conn = db.conn
    actors = {
        r[0]
        for r in conn.execute(
            "select actor_id from counted_mentions where document_id = ?", [document_id]
        )
    }
    places = {
        (r[0], r[1])
        for r in conn.execute(
            "select name, type from counted_sites where document_id = ?", [document_id]
        )
    }
    fold(conn)  # every count is in the cells: what is recomputed replaces them
    for actor_id in actors:
        # The actor's cells are those its rows make (the tables' invariant): they go.
        conn.executemany(
            "delete from actor_tallies where facet = ? and actor_id = ? and month = ? "
            "and fmonth = ?",
            list(_actor_cells_of(_actor_rows(conn, actor_id))),
        )
    conn.execute("delete from counted_mentions where document_id = ?", [document_id])
    conn.execute("delete from counted_sites where document_id = ?", [document_id])
    for actor_id in actors:
        _add_actor_cells(conn, _actor_cells_of(_actor_rows(conn, actor_id)))
    for name, type_ in places:
        conn.execute("delete from site_tallies where name = ? and type = ?", [name, type_])
        rows = conn.execute(
            "select name, type, document_id, istat, name_key, published, fetched_at "
            "from counted_sites where name = ? and type = ?",
            [name, type_],
        )
        cells, keys = _site_cells_of(_site_pairs(rows))
        _add_site_cells(conn, cells, keys)


def _actor_rows(conn, actor_id: str) -> list[ActorPair]:
    return _actor_pairs(
        conn.execute(
            "select actor_id, document_id, role, organization, published, fetched_at, areas "
            "from counted_mentions where actor_id = ?",
            [actor_id],
        )
    )


def _actor_cells_of(pairs: Iterable[ActorPair]) -> dict[tuple, _Cell]:
    cells: dict[tuple, _Cell] = defaultdict(_Cell)
    for pair in pairs:
        for cell in actor_cells(pair):
            cells[cell].add(1, pair.published)
    return cells


def _site_cells_of(pairs: Iterable[SitePair]) -> tuple[dict[tuple, _Cell], dict[tuple, str]]:
    cells: dict[tuple, _Cell] = defaultdict(_Cell)
    keys = {}
    for pair in pairs:
        for cell in site_cells(pair):
            cells[cell].add(1, pair.latest)
            keys[cell] = pair.name_key
    return cells, keys


def rebuild_tallies(db: sqlite_utils.Database) -> None:
    """Every counted row and cell recomputed from the facts (a migration; tests compare)."""
    conn = db.conn
    for table in (
        "counted_mentions", "counted_sites", "actor_tallies", "site_tallies",
        "actor_tally_journal", "site_tally_journal",
    ):  # fmt: skip
        conn.execute(f"delete from {table}")
    conn.execute("delete from month_bounds")
    counted = "d.current = 1 and d.duplicate_of is null"
    conn.execute(
        "create temp table if not exists _areas (document_id integer primary key, areas text)"
    )
    conn.execute("delete from _areas")
    codes: dict[int, set] = defaultdict(set)
    for did, province, region in conn.execute(
        f"select s.document_id, s.province_code, s.region_code from sites s "
        f"join documents d on d.id = s.document_id where {counted}"
    ):
        codes[did].add((province, region))
    conn.executemany(
        "insert into _areas values (?, ?)", [(d, areas_of(c)) for d, c in codes.items()]
    )
    conn.execute(
        f"insert into counted_mentions ({_MENTION_COLUMNS}) select m.id, m.actor_id, "
        "m.document_id, m.role, m.organization, d.published, d.fetched_at, "
        "coalesce(a.areas, ' ') from mentions m join documents d on d.id = m.document_id "
        f"left join _areas a on a.document_id = d.id where {counted} and m.actor_id is not null"
    )
    conn.execute(
        f"insert into counted_sites ({_SITE_COLUMNS}) select s.id, s.name, coalesce(s.type, ''), "
        "s.document_id, s.istat, s.name_key, s.province_code, s.region_code, d.published, "
        f"d.fetched_at from sites s join documents d on d.id = s.document_id where {counted}"
    )
    conn.execute("drop table _areas")
    rows = conn.execute(
        "select actor_id, document_id, role, organization, published, fetched_at, areas "
        "from counted_mentions"
    )
    _add_actor_cells(conn, _actor_cells_of(_actor_pairs(rows)))
    rows = conn.execute(
        "select name, type, document_id, istat, name_key, published, fetched_at from counted_sites"
    )
    cells, keys = _site_cells_of(_site_pairs(rows))
    _add_site_cells(conn, cells, keys)
    for dimension, column in (("published", "published"), ("fetched", "fetched_at")):
        conn.execute(
            "insert into month_bounds (dimension, month, first, last) "
            f"select ?, coalesce(substr({column}, 1, 7), ''), min({column}), max({column}) "
            f"from documents d where {counted} group by 2",
            [dimension],
        )
