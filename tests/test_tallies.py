"""The summary tables of `query actors`/`query sites` (kb/tallies.py) against counting every
mention: random bases stored in random batches, then the same answers both ways."""

from __future__ import annotations

import gzip
import random
import sqlite3
from pathlib import Path

import pytest
from random_kb import places, random_items, store_randomly

from sentinella.kb import KnowledgeBase, tallies
from sentinella.kb.queries import (
    Filters,
    _contains,
    _document_filters,
    _in,
    _place_clause,
    actor_ids,
    places_filter,
)
from sentinella.kb.queries import actors as query_actors
from sentinella.kb.queries import sites as query_sites
from sentinella.kb.schema import SCHEMA_VERSION
from sentinella.kb.tallies import fold, rebuild_tallies

V3_DUMP = Path(__file__).parent / "data" / "kb-v3-sample.sql.gz"

FILTERS = [
    Filters(),
    Filters(since="2025-02-01"),
    Filters(since="2025-01-15", until="2025-02-28"),
    Filters(until="2025-02-14"),
    Filters(fetched_since="2025-02-10T00:00:00"),
    Filters(fetched_since="2025-02-20T00:00:00", region="Piemonte"),
    Filters(since="2025-02-01", fetched_since="2025-03-01"),
    Filters(province="CN"),
    Filters(province="AT", since="2025-02-01"),
    Filters(region="Lombardia"),
    Filters(region="Piemonte", until="2025-01-31"),
    Filters(site="Alba"),
    Filters(site="piazza Alfieri"),
    Filters(site="Cuneo"),
    Filters(office="assess"),
    Filters(office="sindaco", since="2025-02-01"),
    Filters(organization="Regione"),
    Filters(office="a", organization="Comune"),
    Filters(office="sindaco"),  # Marco Bianchi: "sindaco" alone, or with "presidente"
    Filters(office="presid"),
    Filters(organization="alba"),
    Filters(office="_"),  # LIKE wildcards taken literally: matches no office
    Filters(organization="%"),
    Filters(publisher="ANSA"),
    Filters(text="lavoratore"),
    Filters(text="scuole", province="CN"),
    Filters(actor="Marco Bianchi"),
    Filters(actor="Regione Piemonte", since="2025-02-01"),
]


def reference_actors(kb: KnowledgeBase, f: Filters) -> dict:
    """Counting every mention of every counted document (the query before the tallies)."""
    where, params = _document_filters(kb, f, by_actor=False)
    if f.actor:
        clause, p = _in("a.id", actor_ids(kb, f.actor))
        where.append(clause)
        params += p
    for column, value in (("m.role", f.office), ("m.organization", f.organization)):
        if value:
            where.append(f"{column} like ? escape '\\'")
            params.append(_contains(value))
    rows = kb.db.query(
        "select a.name, a.kind, group_concat(distinct m.role) as roles, "
        "group_concat(distinct m.organization) as organizations, "
        "count(distinct d.id) as documents, max(d.published) as last_seen, "
        "max(d.id) as example_url "
        "from mentions m join actors a on a.id = m.actor_id "
        "join documents d on d.id = m.document_id where "
        + " and ".join(where)
        + " group by a.id order by documents desc, a.name, a.id",
        params,
    )
    out = {}
    for r in rows:
        r["example_url"] = kb.db.execute(
            "select url from documents where id = ?", [r["example_url"]]
        ).fetchone()[0]
        out[(r["name"], r["kind"])] = _as_sets(r)
    return out


def reference_sites(kb: KnowledgeBase, f: Filters) -> dict:
    where, params = _document_filters(kb, f, by_site=False)
    for place in places_filter(kb, f):
        clause, p = _place_clause(place, "s")
        where.append(clause)
        params += p
    rows = kb.db.query(
        "select s.name, coalesce(s.type, '') as type, count(distinct d.id) as documents, "
        "max(d.published) as last_seen, max(coalesce(d.published, '') || char(1) || "
        "printf('%012d', d.id) || char(1) || coalesce(s.istat, '')) as latest "
        "from sites s join documents d on d.id = s.document_id where "
        + " and ".join(where)
        + " group by s.name, s.type order by documents desc, s.name, type",
        params,
    )
    out = {}
    for r in rows:
        istat = r.pop("latest").split("\x01")[2] or None
        out[(r["name"], r["type"])] = {**r, "istat": istat}
    return out


def _as_sets(row: dict) -> dict:
    row = dict(row)
    for column in ("roles", "organizations"):
        row[column] = set(row[column].split(",")) if row[column] else None
    return row


def answers(kb: KnowledgeBase, f: Filters) -> tuple[dict, dict]:
    actors = {(r["name"], r["kind"]): _as_sets(r) for r in query_actors(kb, f)}
    sites = {
        (r["name"], r["type"]): {
            k: r[k] for k in ("name", "type", "documents", "last_seen", "istat")
        }
        for r in query_sites(kb, f)
    }
    return actors, sites


def tables(kb: KnowledgeBase) -> dict:
    fold(kb.db.conn)
    return {
        t: sorted(map(tuple, kb.db.execute(f"select * from {t}").fetchall()), key=repr)
        for t in ("counted_mentions", "counted_sites", "actor_tallies", "site_tallies")
    }


@pytest.mark.parametrize("seed", range(6))
def test_tallies_answer_as_counting_every_mention(tmp_path, monkeypatch, seed):
    rng = random.Random(seed)
    if seed % 2:  # journals folded into the cells between batches, not only at the end
        monkeypatch.setattr(tallies, "JOURNAL_ROWS", 5)
    kb = KnowledgeBase.open(tmp_path / "kb.db")
    store_randomly(kb, rng, random_items(rng, 70, places()))
    assert kb.db.execute("select count(*) from documents where current = 0").fetchone()[0] > 0
    # `sentinella reextract`: some documents (counted or not) get other facts, in batches
    ids = [r[0] for r in kb.db.execute("select id from documents order by id")]
    others = [ex for _doc, ex in random_items(rng, 12, places())]
    replaced = list(zip(rng.sample(ids, 12), others))
    kb.replace_facts(replaced[:5])
    kb.replace_facts(replaced[5:])
    indexed = {r[0] for r in kb.db.execute("select rowid from commitments_stem_fts")}
    assert indexed == {r[0] for r in kb.db.execute("select id from commitments")}
    for f in FILTERS:
        actors, sites = answers(kb, f)
        # the same rows in the same order (the order is the ranking: counts, then names)
        assert list(actors.items()) == list(reference_actors(kb, f).items()), f
        assert list(sites.items()) == list(reference_sites(kb, f).items()), f
    # the tables kept batch by batch are those a recomputation from the facts gives
    kept = tables(kb)
    rebuild_tallies(kb.db)
    assert tables(kb) == kept
    kb.close()


def test_limit_and_order(tmp_path):
    rng = random.Random(11)
    kb = KnowledgeBase.open(tmp_path / "kb.db")
    store_randomly(kb, rng, random_items(rng, 40, places()))
    everyone = query_actors(kb, Filters(since="2025-01-15"))
    assert query_actors(kb, Filters(since="2025-01-15", limit=3)) == everyone[:3]
    counts = [r["documents"] for r in everyone]
    assert counts == sorted(counts, reverse=True)
    by_date = query_sites(kb, Filters(sort="oldest"))
    dates = [r["last_seen"] or "" for r in by_date]
    assert dates == sorted(dates)
    kb.close()


def test_a_v3_base_gains_its_tallies(tmp_path):
    """tests/data/kb-v3-sample.sql.gz: the sample corpus stored by schema v3 (no tallies)."""
    path = tmp_path / "v3.db"
    old = sqlite3.connect(path)
    old.executescript(gzip.decompress(V3_DUMP.read_bytes()).decode("utf-8"))
    old.close()
    kb = KnowledgeBase.open(path, create=False)  # migrates forward
    assert kb.db.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
    assert kb.db["counted_mentions"].count > 0
    sample_dates = [  # the sample's releases are of September-November 2026
        Filters(since="2026-10-15"),
        Filters(since="2026-09-20", until="2026-11-10"),
        Filters(province="AT", until="2026-10-31"),
        Filters(office="assessor"),
    ]
    for f in FILTERS[:12] + sample_dates:
        actors, sites = answers(kb, f)
        assert list(actors.items()) == list(reference_actors(kb, f).items()), f
        assert list(sites.items()) == list(reference_sites(kb, f).items()), f
    migrated = tables(kb)
    kb.close()
    again = KnowledgeBase.open(path)  # nothing runs twice
    assert tables(again) == migrated
    rebuild_tallies(again.db)  # and a recomputation gives the same tables
    assert tables(again) == migrated
    again.close()
