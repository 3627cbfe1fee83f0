"""The knowledge base's tables, their schema version, and forward migrations.

How the schema changes (read this before adding a table or a column):

1. A new table or a new column is one entry in `TABLES` (the declarative schema only
   grows): `ensure_schema` creates missing tables and adds missing columns on every open,
   on new and old bases alike. Indexes go in `INDEXES`, views in `VIEWS`. Nothing else
   is needed.
2. What "add a table/column" cannot express (a foreign key on an existing table, a
   backfill of a new column from old rows, a rename, a rebuilt index) is a numbered
   migration: append `(N, "what it does", function)` to `MIGRATIONS` with N one more than
   the last, and make the function idempotent. `SCHEMA_VERSION` follows the last number;
   a new base is created at that version and skips the migrations. Each migration runs once, in its own transaction, after the
   additive step; the base's `PRAGMA user_version` records how far it got.
3. Never remove or retype a column in `TABLES`: old bases keep their data and readers.

documents      one row per (url, version); `current` marks the latest version of a URL,
               older versions stay with their facts (superseded, never deleted)
actors         one row per canonical actor (person or organisation) across the whole base
mentions       an actor in a document version, with the role and organisation given there
sites, amounts, commitments
               facts of a document version, with character offsets into its text and the
               pipeline that produced them; `amounts.sentence` is the amount's sentence;
               `commitments.institution` the body that commits, `stage` the stage shown
commitment_sites
               the places of a commitment, with ISTAT, province and region codes
places         ISTAT reference list: municipalities, provinces, regions (kb/places.py)
pledges, pledge_statements, pledge_places, ledger_builds
               the ledger (kb/ledger.py): one row per promise, its statements with the
               link score and reason, its places; one row per rebuild
runs           one row per run of the nightly flow, with its summary (and `stages`: busy
               seconds per stage, JSON)
source_health  one row per source per run
documents_fts  full text (title, text), accents ignored
documents_stem_fts, commitments_stem_fts
               Italian stems of documents and commitment sentences (kb/search.py)
statements     (view) current commitments with their document's date, publisher, link
               and promise
outbox         one alert per statement × watch, queued with the statement, then sent
               (kb/outbox.py)
backfill_walks, backfill_pages
               a back-fill's progress through each source's archive (resumable)
counted_mentions, counted_sites, actor_tallies, site_tallies, actor_tally_journal,
site_tally_journal, month_bounds
               summary tables of `query actors`/`query sites`, kept by the store in the
               batch's transaction (kb/tallies.py; schema v4 fills them for older bases)
index_pages    a source's feed, sitemaps or listing pages as last fetched: validators for
               the next run's conditional GET (listing pages with their body), for the
               source's configuration `config` (a fingerprint)
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from sentinella.kb.places import seed_places

_FACT_COMMON = {
    "document_id": int,
    "start": int,
    "end": int,
    "pipeline": str,
}

TABLES: dict[str, dict] = {
    "documents": {
        "columns": {
            "id": int,
            "url": str,
            "version": int,
            "current": int,
            "source": str,
            "publisher": str,
            "title": str,
            "published": str,
            "date_source": str,  # where `published` came from (ingest/dates.py)
            "author": str,
            "language": str,
            "text": str,
            "content_hash": str,
            "simhash": str,
            "duplicate_of": int,
            "fetched_at": str,
            "fetched_url": str,
            "etag": str,
            "last_modified": str,
            "pipeline": str,
        },
        "pk": "id",
        "not_null": {"url", "version", "current", "text", "content_hash"},
    },
    "actors": {
        "columns": {"id": str, "name": str, "kind": str},
        "pk": "id",
        "not_null": {"name", "kind"},
    },
    "mentions": {
        "columns": {
            **_FACT_COMMON,
            "actor_id": str,
            "role": str,
            "organization": str,
            "source": str,  # where the actor was found: gazetteer | rule | ner
            "rule": str,  # the gazetteer entry, pattern or rule of the mention
        },
        "pk": "id",
        "foreign_keys": [("document_id", "documents", "id"), ("actor_id", "actors", "id")],
    },
    "sites": {
        "columns": {
            **_FACT_COMMON,
            "name": str,
            "type": str,
            "istat": str,
            "name_key": str,
            "province_code": str,
            "region_code": str,
            "rule": str,  # the gazetteer or pattern that found it
        },
        "pk": "id",
        "foreign_keys": [("document_id", "documents", "id")],
    },
    "amounts": {
        "columns": {
            **_FACT_COMMON,
            "text": str,
            "value": float,
            "currency": str,
            "qualifier": str,
            "sentence": str,
        },
        "pk": "id",
        "foreign_keys": [("document_id", "documents", "id")],
    },
    "commitments": {
        "columns": {
            **_FACT_COMMON,
            "actor": str,
            "actor_id": str,
            "organization": str,
            "verb": str,
            "amount": float,
            "purpose": str,
            "sites": str,  # JSON list of site names
            "sentence": str,
            "component": str,  # the pipeline component that produced the commitment
            "trigger": str,  # the trigger pattern ("past", "phrase", ...)
            "resolver": str,  # the rule that chose the actor ("quoted-speaker", ...)
            "institution": str,  # the body that commits (kb/actors.py)
            "institution_id": str,
            "lemma": str,  # the verb's lemma and the stage it shows (kb/stages.py)
            "stage": str,
        },
        "pk": "id",
        "foreign_keys": [("document_id", "documents", "id"), ("actor_id", "actors", "id")],
    },
    "places": {
        "columns": {
            "istat": str,
            "name": str,
            "name_key": str,
            "type": str,
            "province_code": str,
            "province": str,
            "sigla": str,
            "region_code": str,
            "region": str,
        },
        "pk": "istat",
    },
    "commitment_sites": {
        "columns": {
            "commitment_id": int,
            "name": str,
            "name_key": str,
            "type": str,
            "istat": str,
            "province_code": str,
            "region_code": str,
        },
        "pk": "id",
        "foreign_keys": [("commitment_id", "commitments", "id"), ("istat", "places", "istat")],
    },
    "pledges": {
        "columns": {
            "id": str,  # "p-" + hash of its first statement's key: stable across rebuilds
            "actor": str,  # the institution
            "actor_id": str,
            "amount": float,  # the latest stated amount, in euro
            "amount_history": str,  # JSON [{"date", "amount", "commitment_id"}] when revised
            "purpose": str,
            "places": str,  # JSON list of place names
            "provinces": str,  # JSON list of province names
            "regions": str,  # JSON list of region names
            "status": str,  # furthest stage reached (kb/data/stages.toml)
            "revised": int,
            "first_date": str,
            "last_date": str,
            "year": int,
            "statements": int,
            "publishers": int,
            "counted": int,  # 1 when its amount counts in totals (not a mere proposal)
        },
        "pk": "id",
        "foreign_keys": [("actor_id", "actors", "id")],
    },
    "pledge_statements": {
        "columns": {
            "commitment_id": int,
            "pledge_id": str,
            "document_id": int,
            "statement_key": str,  # url#hash of the sentence: what overrides name
            "published": str,
            "publisher": str,
            "stage": str,
            "amount": float,
            "linked_to": int,  # the statement it was joined to (null for the first)
            "score": float,
            "reason": str,
            "sentence": str,
        },
        "pk": "commitment_id",
        "foreign_keys": [
            ("commitment_id", "commitments", "id"),
            ("pledge_id", "pledges", "id"),
            ("document_id", "documents", "id"),
        ],
    },
    "pledge_places": {
        "columns": {
            "pledge_id": str,
            "istat": str,
            "name": str,
            "name_key": str,
            "province_code": str,
            "region_code": str,
        },
        "pk": "id",
        "foreign_keys": [("pledge_id", "pledges", "id")],
    },
    "ledger_builds": {
        "columns": {
            "built_at": str,
            "commitments": int,  # count and last id of commitments the build saw
            "last_commitment_id": int,
            "overrides": str,  # the overrides file and its modification time
            "statements": int,
            "pledges": int,
            "linked": int,
            "seconds": float,
        },
        "pk": "id",
    },
    # Summary tables kept with the facts (kb/tallies.py). WITHOUT ROWID: each is read in
    # its key order (an actor's rows, a facet's cells), which is then its storage order.
    "counted_mentions": {
        "columns": {
            "actor_id": str,
            "document_id": int,
            "id": int,  # mentions.id
            "role": str,
            "organization": str,
            "published": str,
            "fetched_at": str,
            "areas": str,  # " p:004 r:01 ": the provinces and regions the document names
        },
        "pk": ("actor_id", "document_id", "id"),
        "without_rowid": True,
    },
    "counted_sites": {
        "columns": {
            "name": str,
            "type": str,
            "document_id": int,
            "id": int,  # sites.id
            "istat": str,
            "name_key": str,
            "province_code": str,
            "region_code": str,
            "published": str,
            "fetched_at": str,
        },
        "pk": ("name", "type", "document_id", "id"),
        "without_rowid": True,
    },
    "actor_tallies": {
        "columns": {
            "facet": str,
            "actor_id": str,
            "month": str,
            "fmonth": str,
            "documents": int,
            "last_seen": str,
        },
        "pk": ("facet", "month", "fmonth", "actor_id"),
        "without_rowid": True,
    },
    "site_tallies": {
        "columns": {
            "name": str,
            "type": str,
            "istats": str,
            "month": str,
            "fmonth": str,
            "name_key": str,
            "documents": int,
            "latest": str,  # date, document id, ISTAT code of the latest document (tallies.SEP)
        },
        "pk": ("name", "type", "istats", "month", "fmonth"),
        "without_rowid": True,
    },
    # Increments not yet folded into the cells (kb/tallies.py): appended, read with them.
    "actor_tally_journal": {
        "columns": {
            "facet": str,
            "actor_id": str,
            "month": str,
            "fmonth": str,
            "documents": int,
            "last_seen": str,
        },
        "pk": "id",
    },
    "site_tally_journal": {
        "columns": {
            "name": str,
            "type": str,
            "istats": str,
            "month": str,
            "fmonth": str,
            "name_key": str,
            "documents": int,
            "latest": str,
        },
        "pk": "id",
    },
    "month_bounds": {
        "columns": {"dimension": str, "month": str, "first": str, "last": str},
        "pk": ("dimension", "month"),
        "without_rowid": True,
    },
    "runs": {
        "columns": {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "status": str,  # running | ok | failed | interrupted | killed
            "error": str,  # why a run failed or was interrupted
            "flow_run_id": str,  # the Prefect flow run
            "pipeline": str,
            "sources": int,
            "seen": int,
            "new": int,
            "changed": int,
            "unchanged": int,
            "duplicates": int,
            "failed": int,
            "facts": int,
            "seconds": float,
            "kind": str,  # "nightly" (null on older rows) or "reextract"
            "replaced_pipelines": str,  # reextract: JSON list of the pipelines it replaced
            "stages": str,  # JSON: busy seconds per stage
            "alerts_sent": int,
            "alerts_failed": int,
            "alerts_pending": int,
        },
        "pk": "id",
    },
    "source_health": {
        "columns": {
            "run_id": int,
            "source": str,
            "seen": int,
            "fetched": int,
            "not_modified": int,
            "new": int,
            "changed": int,
            "unchanged": int,
            "duplicates": int,
            "failed": int,
            "dates_missing": int,
            "empty": int,
            "not_italian": int,
            "facts": int,
            "failures": str,  # JSON list of "url: reason"
            "alerts": int,  # alerts queued for this source's statements
            "index_not_modified": int,  # feeds, sitemaps, listing pages answered 304
        },
        "pk": ("run_id", "source"),
        "foreign_keys": [("run_id", "runs", "id")],
    },
    "outbox": {
        "columns": {
            "id": int,
            "watch": str,  # the watch's name (never its channel: channels may hold secrets)
            "document_id": int,
            "kind": str,  # "nuovo" | "aggiornato"
            "changes": str,  # JSON: what a corrected release changed
            "run_id": int,  # the run that queued it
            "source": str,
            "state": str,  # pending | sending | sent | failed
            "attempts": int,
            "failures": int,
            "last_error": str,
            "sent_channels": str,  # JSON list of keys of the channels that took it
            "created_at": str,
            "claimed_by": str,
            "claimed_at": str,
            "last_attempt_at": str,
            "sent_at": str,
        },
        "pk": "id",
        "not_null": {"watch", "document_id", "kind", "state"},
        "foreign_keys": [("document_id", "documents", "id")],
    },
}

TABLES["index_pages"] = {
    "columns": {
        "source": str,
        "url": str,
        "config": str,
        "etag": str,
        "last_modified": str,
        "body": bytes,
        "checked_at": str,
    },
    "pk": ("source", "url"),
}

# A back-fill's progress (sentinella backfill): per job ("since DATE") and source, the
# walk through the archive (JSON, see ingest.archive.Walk) and the pages it found, each
# `done` once stored (or failed); a killed back-fill goes on from there.
TABLES["backfill_walks"] = {
    "columns": {"job": str, "source": str, "walk": str, "finished": int, "updated_at": str},
    "pk": ("job", "source"),
}
TABLES["backfill_pages"] = {
    "columns": {
        "job": str,
        "url": str,
        "source": str,
        "published": str,
        "title": str,
        "done": int,
        "found_at": str,
    },
    "pk": ("job", "url"),
}
# Tables whose rows are the facts of stored documents: created with `documents`, so one
# missing beside stored documents means damage a run cannot repair (the pages are unchanged,
# they would not be extracted again).
FACT_TABLES = ("actors", "mentions", "sites", "amounts", "commitments")

INDEXES = [
    ("documents", ["url", "version"], True),
    ("documents", ["current", "published"], False),
    ("documents", ["content_hash"], False),
    ("mentions", ["actor_id"], False),
    ("mentions", ["document_id"], False),
    ("documents", ["fetched_at"], False),
    # Covers the filters that joins to documents check, so no query reads a page's text
    # (stored inline, before duplicate_of) only to know whether the page counts.
    ("documents", ["id", "current", "duplicate_of", "published", "publisher"], False),
    ("documents", ["fetched_url"], False),
    ("documents", ["publisher"], False),
    ("sites", ["name"], False),
    ("sites", ["name_key"], False),
    ("sites", ["istat"], False),
    ("sites", ["province_code"], False),
    ("sites", ["region_code"], False),
    ("sites", ["document_id"], False),
    ("amounts", ["document_id"], False),
    ("commitments", ["document_id"], False),
    ("commitments", ["actor_id"], False),
    ("documents", ["fetched_url"], False),
    ("backfill_pages", ["job", "source", "done"], False),
    ("commitments", ["institution_id"], False),
    ("commitments", ["amount"], False),
    ("amounts", ["value"], False),
    ("commitment_sites", ["commitment_id"], False),
    ("commitment_sites", ["istat"], False),
    ("commitment_sites", ["name_key"], False),
    ("commitment_sites", ["province_code"], False),
    ("commitment_sites", ["region_code"], False),
    ("places", ["name_key"], False),
    ("pledges", ["actor_id"], False),
    ("pledges", ["first_date"], False),
    ("pledges", ["amount"], False),
    # Totals read these in order, without sorting every promise.
    ("pledges", ["counted", "actor", "amount", "statements"], False),
    ("pledges", ["counted", "year", "amount", "statements"], False),
    ("pledge_statements", ["pledge_id"], False),
    ("pledge_places", ["pledge_id"], False),
    ("pledge_places", ["istat"], False),
    ("pledge_places", ["province_code"], False),
    ("pledge_places", ["region_code"], False),
    ("counted_mentions", ["document_id", "published"], False),
    ("counted_mentions", ["published"], False),
    ("counted_mentions", ["fetched_at", "published"], False),
    ("counted_sites", ["document_id", "published", "istat"], False),
    ("counted_sites", ["published", "istat"], False),
    ("counted_sites", ["fetched_at", "published", "istat"], False),
    # The cells of one level (all time, or one month) together, with what they count.
    ("site_tallies", ["month", "fmonth", "name", "type", "istats", "documents", "latest"], False),
    ("outbox", ["watch", "document_id"], True),  # one alert per statement × watch
    ("outbox", ["state"], False),
    ("outbox", ["run_id"], False),
]

# Views for reading (Datasette): one entry each, (re)created on open when missing.
VIEWS = {
    # Every commitment beside its document's date, publisher and link, and its promise.
    "statements": """
        select c.id, d.published, d.publisher, c.actor, c.institution, c.lemma, c.stage,
               c.amount, c.purpose, c.sentence, ps.pledge_id as promise, d.title, d.url,
               c.document_id
        from commitments c join documents d on d.id = c.document_id
        left join pledge_statements ps on ps.commitment_id = c.id
        where d.current = 1 and d.duplicate_of is null
    """,
}

# Full-text indexes of Italian stems, contentless (rowid = documents.id / commitments.id).
STEM_INDEXES = {"documents_stem_fts": "documents", "commitments_stem_fts": "commitments"}


def _add_actor_foreign_key(db: sqlite_utils.Database) -> None:
    """commitments.actor_id → actors.id (an actor's page lists their commitments)."""
    if any(fk.column == "actor_id" for fk in db["commitments"].foreign_keys):
        return
    # Ids the first release wrote without an actors row would break the key: give them one.
    db.execute(
        "insert or ignore into actors (id, name, kind) select distinct c.actor_id, c.actor, "
        "substr(c.actor_id, 1, instr(c.actor_id, ':') - 1) from commitments c "
        "where c.actor_id is not null and c.actor_id not in (select id from actors)"
    )
    db["commitments"].transform(add_foreign_keys=[("actor_id", "actors", "id")])


def _count_old_facts(db: sqlite_utils.Database) -> None:
    """Fill the summary tables of `query actors`/`query sites` from the stored facts."""
    from sentinella.kb.tallies import rebuild_tallies

    rebuild_tallies(db)


def _derive_old_facts(db: sqlite_utils.Database) -> None:
    """Fill what release 1 did not store: places of commitments, sentences, stems."""
    from sentinella.kb.store import derive_facts

    derive_facts(db)


# (number, what it does, function): see the module docstring. Release 1 was version 1.
MIGRATIONS: list[tuple[int, str, Callable[[sqlite_utils.Database], None]]] = [
    (2, "commitments.actor_id becomes a foreign key to actors", _add_actor_foreign_key),
    (3, "derived facts (commitment places, sentences, stems) for existing rows", _derive_old_facts),
    (4, "summary tables of actors and places counted per document", _count_old_facts),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create missing tables, columns and indexes, then run pending migrations, in order."""
    was_new = "documents" not in db.table_names()
    with db.atomic():
        _create_tables(db)
    if was_new:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return
    version = max(schema_version(db), 1)  # a base without a version is release 1's
    for number, _what, migrate in MIGRATIONS:
        if number > version:
            # transform() manages foreign keys itself: they must be off outside the transaction.
            db.execute("PRAGMA foreign_keys = OFF")
            with db.atomic():
                migrate(db)
                db.execute(f"PRAGMA user_version = {number}")
            db.execute("PRAGMA foreign_keys = ON")


_SQL_TYPES = {int: "INTEGER", str: "TEXT", float: "FLOAT"}


def _without_rowid_sql(name: str, spec: dict) -> str:
    """CREATE TABLE for a table stored in its primary key's order (sqlite-utils cannot)."""
    pk = spec["pk"]
    columns = [
        f"[{c}] {_SQL_TYPES[kind]}{' NOT NULL' if c in pk else ''}"
        for c, kind in spec["columns"].items()
    ]
    keys = ", ".join(f"[{c}]" for c in pk)
    return f"CREATE TABLE [{name}] ({', '.join(columns)}, PRIMARY KEY ({keys})) WITHOUT ROWID"


def _create_tables(db: sqlite_utils.Database) -> None:
    for name, spec in TABLES.items():
        if name in db.table_names():
            # Columns added since the table was created (the schema only grows).
            existing = set(db[name].columns_dict)
            for column, kind in spec["columns"].items():
                if column not in existing:
                    db[name].add_column(column, kind)
            continue
        if spec.get("without_rowid"):
            db.execute(_without_rowid_sql(name, spec))
            continue
        pk = spec["pk"]
        columns = dict(spec["columns"])
        if pk == "id" and "id" not in columns:
            columns = {"id": int, **columns}
        db[name].create(
            columns,
            pk=pk,
            not_null=spec.get("not_null"),
            foreign_keys=spec.get("foreign_keys"),
        )
    for table, cols, unique in INDEXES:
        db[table].create_index(cols, unique=unique, if_not_exists=True)
    if "documents_fts" not in db.table_names():
        # A dropped index leaves its triggers behind (every insert would fail): they go, and
        # the index is rebuilt from the documents (enable_fts fills it).
        for trigger in ("documents_ai", "documents_ad", "documents_au"):
            db.execute(f"DROP TRIGGER IF EXISTS [{trigger}]")
        # porter is English-only; unicode61 without diacritics suits Italian ("città" = "citta").
        db["documents"].enable_fts(
            ["title", "text"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
        )
    for fts in STEM_INDEXES:
        db.execute(
            f"create virtual table if not exists {fts} using fts5(stems, content='', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
    for name, sql in VIEWS.items():
        db.execute(f"create view if not exists {name} as {sql}")
    seed_places(db)
