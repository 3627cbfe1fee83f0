"""The knowledge base's tables. Created idempotently on open; `SCHEMA_VERSION` tracks changes.

documents      one row per (url, version); `current` marks the latest version of a URL,
               older versions stay with their facts (superseded, never deleted)
actors         one row per canonical actor (person or organisation) across the whole base
mentions       an actor in a document version, with the role and organisation given there
sites, amounts, commitments
               facts of a document version, with character offsets into its text and the
               pipeline that produced them
runs           one row per run of the nightly flow, with its summary (and `stages`: busy
               seconds per stage, JSON)
source_health  one row per source per run
backfill_walks, backfill_pages
               a back-fill's progress through each source's archive (resumable)
index_pages    a source's feed, sitemaps or listing pages as last fetched: validators for
               the next run's conditional GET (listing pages with their body), for the
               source's configuration `config` (a fingerprint)
"""

from __future__ import annotations

import sqlite_utils

SCHEMA_VERSION = 1

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
        "columns": {**_FACT_COMMON, "actor_id": str, "role": str, "organization": str},
        "pk": "id",
        "foreign_keys": [("document_id", "documents", "id"), ("actor_id", "actors", "id")],
    },
    "sites": {
        "columns": {**_FACT_COMMON, "name": str, "type": str, "istat": str},
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
        },
        "pk": "id",
        "foreign_keys": [("document_id", "documents", "id")],
    },
    "runs": {
        "columns": {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "status": str,
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
            "stages": str,  # JSON: busy seconds per stage
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
        },
        "pk": ("run_id", "source"),
        "foreign_keys": [("run_id", "runs", "id")],
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

INDEXES = [
    ("documents", ["url", "version"], True),
    ("documents", ["current", "published"], False),
    ("documents", ["content_hash"], False),
    ("mentions", ["actor_id"], False),
    ("mentions", ["document_id"], False),
    ("sites", ["name"], False),
    ("sites", ["document_id"], False),
    ("amounts", ["document_id"], False),
    ("commitments", ["document_id"], False),
    ("commitments", ["actor_id"], False),
    ("documents", ["fetched_url"], False),
    ("backfill_pages", ["job", "source", "done"], False),
]


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create missing tables, indexes and the full-text index; a no-op on an existing base."""
    for name, spec in TABLES.items():
        if name in db.table_names():
            # Columns added since the table was created (the schema only grows).
            existing = set(db[name].columns_dict)
            for column, kind in spec["columns"].items():
                if column not in existing:
                    db[name].add_column(column, kind)
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
        # porter is English-only; unicode61 without diacritics suits Italian ("città" = "citta").
        db["documents"].enable_fts(
            ["title", "text"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
        )
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
