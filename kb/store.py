"""The one place that writes the knowledge base.

Writes are idempotent: a document whose text has not changed is not written again, a
changed text becomes a new version (the old one and its facts stay, marked superseded),
and every batch is one transaction, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlite_utils

from sentinella.errors import ConfigError, SentinellaError
from sentinella.facts import Extraction
from sentinella.kb.actors import institution_of
from sentinella.kb.outbox import AlertHook, StoredDocument, enqueue
from sentinella.kb.schema import FACT_TABLES, SCHEMA_VERSION, ensure_schema, schema_version
from sentinella.kb.stages import lemma_and_stage
from sentinella.kb.tallies import TallyBatch, remove_document
from sentinella.kb.text import SentenceFinder, key, stem_text
from sentinella.records import Document, IndexPage, RunSummary, now_iso

# ISTAT code → (province code, region code), and name key → municipality code
PlaceCodes = dict[str, tuple[str | None, str | None]]


@dataclass
class _Speakers:
    """The actors of one document by name: their ids, kinds and the bodies they speak for."""

    ids: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)


class KnowledgeBaseError(SentinellaError):
    pass


class DatabasePathError(KnowledgeBaseError, ConfigError):
    """The database path cannot work (no folder, not writable, a newer schema): exit 2."""


NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"


def _check_path(path: Path, create: bool) -> None:
    if not path.parent.is_dir():
        raise DatabasePathError(f"database folder does not exist: {path.parent}")
    if not create and not path.exists():
        raise KnowledgeBaseError(f"no knowledge base at {path} (run `sentinella run` first)")
    if path.exists() and path.is_dir():
        raise DatabasePathError(f"database path is a folder: {path}")
    if create and not os.access(path if path.exists() else path.parent, os.W_OK):
        where = path if path.exists() else f"{path.parent} (to create {path.name})"
        raise DatabasePathError(f"cannot write the database: {where} is not writable")


def check_version(db: sqlite_utils.Database, path: Path) -> None:
    """A base written by a newer Sentinella is not touched: its schema may mean other things."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise DatabasePathError(
            f"{path} was written by a newer Sentinella (schema {version}; this one knows "
            f"{SCHEMA_VERSION}): upgrade Sentinella, or use another --db"
        )


def check_damage(db: sqlite_utils.Database, path: Path) -> None:
    """Refuse a base whose fact tables are gone while documents are stored (see FACT_TABLES)."""
    tables = set(db.table_names())
    if "documents" not in tables:
        return
    missing = [t for t in FACT_TABLES if t not in tables]
    count = db.execute("select count(*) from documents").fetchone()[0] if missing else 0
    if count:
        raise KnowledgeBaseError(
            f"{path} is damaged: table {', '.join(missing)} is missing while {count} "
            "documents are stored, and a run would not extract unchanged pages again; "
            "restore the file from a backup, or delete it and run again to rebuild it"
        )


def actor_id(kind: str, name: str) -> str:
    """A stable id for a canonical actor: "person:alberto-cirio", "organization:regione-piemonte"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return f"{kind}:{slug}"


class KnowledgeBase:
    """A Sentinella knowledge base in one SQLite file."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        # (actors' count and last rowid, [(id, key, organisation key)]): kb/queries.py
        self.actor_keys: tuple[tuple, list[tuple[str, str, str]]] | None = None
        self._tallies = TallyBatch()  # summary rows of the batch being stored (kb/tallies.py)

    @classmethod
    def open(cls, path: Path | str, *, create: bool = True) -> KnowledgeBase:
        path = Path(path)
        _check_path(path, create)
        try:
            db = sqlite_utils.Database(path)
            check_version(db, path)  # before anything is written to it
            check_damage(db, path)
            db.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL: a crash of the program loses nothing committed; only a power cut
            # may lose the last transactions (never corrupts). Much cheaper per batch.
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA cache_size = -65536")  # 64 MB
            # A ledger rebuild from the CLI and the nightly flow may write at the same time.
            db.execute("PRAGMA busy_timeout = 30000")
            db.execute("PRAGMA foreign_keys = ON")
            if not create and "documents" not in db.table_names():
                raise KnowledgeBaseError(f"{path} is not a Sentinella knowledge base")
            if create or schema_version(db) < SCHEMA_VERSION:
                ensure_schema(db)  # an older base is migrated forward on first open
        except sqlite3.DatabaseError as exc:
            raise KnowledgeBaseError(f"cannot open database {path}: {exc}") from exc
        return cls(db)

    @classmethod
    def check(cls, path: Path | str) -> None:
        """Raise what `open(path)` would, without writing anything (not even a new file)."""
        path = Path(path)
        _check_path(path, create=True)
        if not path.exists():
            return
        try:
            db = sqlite_utils.Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
            try:
                check_version(db, path)
                check_damage(db, path)
            finally:
                db.close()
        except sqlite3.DatabaseError as exc:
            raise KnowledgeBaseError(f"cannot open database {path}: {exc}") from exc

    def close(self) -> None:
        self.db.close()

    # --- reading what the flow needs -------------------------------------------------

    def current(self, url: str) -> dict | None:
        cursor = self.db.conn.execute(
            # "+current": look the URL up by its index, not every current document.
            "select id, version, content_hash, etag, last_modified, duplicate_of from documents "
            "where url = ? and +current = 1",
            [url],
        )
        row = cursor.fetchone()
        return dict(zip([c[0] for c in cursor.description], row)) if row else None

    def classify(self, doc: Document) -> str:
        """new, changed or unchanged, against the current version of the same URL."""
        row = self.current(doc.url)
        if row is None:
            return NEW
        return UNCHANGED if row["content_hash"] == doc.content_hash else CHANGED

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """ETag and Last-Modified of the current version, for a conditional GET.

        `url` is the address to fetch, which may differ from the page's canonical URL.
        """
        rows = list(
            self.db.query(
                "select etag, last_modified from documents where +current = 1 "
                "and (url = ? or fetched_url = ?) order by id desc limit 1",
                [url, url],
            )
        )
        return (rows[0]["etag"], rows[0]["last_modified"]) if rows else (None, None)

    def validators_for(self, urls: list[str]) -> dict[str, tuple[str | None, str | None]]:
        """`validators` for many addresses in one query each 500 (the flow asks per batch)."""
        found: dict[str, tuple[str | None, str | None]] = {}
        for start in range(0, len(urls), 500):
            chunk = urls[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.db.query(
                "select url, fetched_url, etag, last_modified from documents where +current = 1 "
                f"and (url in ({marks}) or fetched_url in ({marks})) order by id",
                [*chunk, *chunk],
            )
            for r in rows:  # later versions (higher ids) win, as in `validators`
                for address in (r["url"], r["fetched_url"]):
                    if address in chunk:
                        found[address] = (r["etag"], r["last_modified"])
        return found

    def index_pages(self, source: str, config: str) -> dict[str, IndexPage]:
        """A source's index pages as last fetched, if stored for this configuration."""
        if "index_pages" not in self.db.table_names():
            return {}
        rows = self.db.query(
            "select url, etag, last_modified, body from index_pages "
            "where source = ? and config = ?",
            [source, config],
        )
        return {r["url"]: IndexPage(**r) for r in rows}

    def keep_index_pages(self, source: str, config: str, pages: Iterable[IndexPage]) -> None:
        """Replace a source's index pages with those of this run, in one transaction."""
        checked = now_iso()
        with self.db.atomic():
            self.db.execute("delete from index_pages where source = ?", [source])
            self.db["index_pages"].insert_all(
                {
                    "source": source,
                    "url": p.url,
                    "config": config,
                    "etag": p.etag,
                    "last_modified": p.last_modified,
                    "body": p.body,
                    "checked_at": checked,
                }
                for p in pages
                if p.etag or p.last_modified  # nothing to ask conditionally with otherwise
            )

    # --- back-fills ----------------------------------------------------------------------

    def backfill_walk(self, job: str, source: str) -> str | None:
        """The stored walk (JSON) of a back-fill through one source's archive, if any."""
        rows = list(
            self.db.query(
                "select walk from backfill_walks where job = ? and source = ?", [job, source]
            )
        )
        return rows[0]["walk"] if rows else None

    def backfill_step(
        self, job: str, source: str, walk: str, finished: bool, pages: list[dict]
    ) -> int:
        """One step of a walk, in one transaction: the pages it found (url, published, title)
        and where the walk stands after it. Returns how many pages were new to the job."""
        found = now_iso()
        with self.db.atomic():
            before = self.db["backfill_pages"].count_where("job = ?", [job])
            self.db["backfill_pages"].insert_all(
                ({**p, "job": job, "source": source, "done": 0, "found_at": found} for p in pages),
                ignore=True,
            )
            added = self.db["backfill_pages"].count_where("job = ?", [job]) - before
            self.db["backfill_walks"].upsert(
                {
                    "job": job,
                    "source": source,
                    "walk": walk,
                    "finished": int(finished),
                    "updated_at": found,
                },
                pk=("job", "source"),
            )
        return added

    def backfill_pending(
        self, job: str, source: str, limit: int, exclude: set[str] | frozenset = frozenset()
    ) -> list[dict]:
        """Pages found and not yet done, in the order they were found (less `exclude`)."""
        marks = ", ".join("?" * len(exclude))
        skip = f"and url not in ({marks})" if exclude else ""
        return list(
            self.db.query(
                "select url, published, title from backfill_pages "
                f"where job = ? and source = ? and done = 0 {skip} order by rowid limit ?",
                [job, source, *exclude, limit],
            )
        )

    def backfill_done(self, job: str, urls: list[str]) -> None:
        with self.db.atomic():
            for start in range(0, len(urls), 500):
                chunk = urls[start : start + 500]
                self.db.execute(
                    f"update backfill_pages set done = 1 where job = ? and url in "
                    f"({', '.join('?' * len(chunk))})",
                    [job, *chunk],
                )

    def stored_urls(self, urls: list[str]) -> set[str]:
        """Which of these addresses the knowledge base holds a document for."""
        found: set[str] = set()
        for start in range(0, len(urls), 500):
            chunk = urls[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for r in self.db.query(
                f"select url, fetched_url from documents where url in ({marks}) "
                f"or fetched_url in ({marks})",
                [*chunk, *chunk],
            ):
                found.update(u for u in (r["url"], r["fetched_url"]) if u in chunk)
        return found

    def fingerprints(self) -> list[tuple[int, str, str]]:
        """(id, url, simhash) of current documents, for near-duplicate detection."""
        return [
            (r["id"], r["url"], r["simhash"])
            for r in self.db.query(
                "select id, url, simhash from documents where current = 1 and simhash is not null"
            )
        ]

    def document_text(self, document_id: int) -> str | None:
        """The text of one document version, to confirm a near-duplicate."""
        rows = list(self.db.query("select text from documents where id = ?", [document_id]))
        return rows[0]["text"] if rows else None

    # --- writing -----------------------------------------------------------------------

    def store_batch(
        self,
        items: Iterable[tuple[Document, Extraction | None]],
        *,
        simhashes: dict[str, str] | None = None,
        duplicates: dict[str, int | str] | None = None,
        on_stored: AlertHook | None = None,
    ) -> list[str]:
        """Store documents with their extractions in one transaction; returns each status.

        `simhashes` maps a URL to its fingerprint, `duplicates` a URL to the id of the
        document it republishes (or to the URL of one stored earlier in the same batch).
        `on_stored` is called for each new or changed document after its facts are written
        and gives the alerts to queue: they go into the outbox in the same transaction.
        """
        simhashes = simhashes or {}
        duplicates = duplicates or {}
        statuses = []
        self._tallies = TallyBatch()
        try:
            with self.db.atomic():
                for doc, extraction in items:
                    statuses.append(
                        self._store_one(
                            doc,
                            extraction,
                            simhashes.get(doc.url),
                            duplicates.get(doc.url),
                            on_stored,
                        )
                    )
                self._tallies.flush(self.db)
        except sqlite3.DatabaseError as exc:
            raise KnowledgeBaseError(f"could not write the batch: {exc}") from exc
        finally:
            self._tallies = TallyBatch()
        return statuses

    def _store_one(
        self,
        doc: Document,
        extraction: Extraction | None,
        simhash: str | None,
        duplicate_of: int | str | None,
        on_stored: AlertHook | None = None,
    ) -> str:
        if isinstance(duplicate_of, str):  # a page stored earlier in this batch
            original = self.current(duplicate_of)
            duplicate_of = original["id"] if original else None
        row = self.current(doc.url)
        if row is not None and row["content_hash"] == doc.content_hash:
            if (doc.etag, doc.last_modified) != (row["etag"], row["last_modified"]):
                # Same text, new validators: keep conditional GETs working, no new version.
                self.db["documents"].update(
                    row["id"],
                    {
                        "etag": doc.etag,
                        "last_modified": doc.last_modified,
                        "fetched_url": doc.fetched_url,
                    },
                )
            return UNCHANGED
        version = 1
        if row is not None:
            self.db.conn.execute("update documents set current = 0 where id = ?", [row["id"]])
            if row["duplicate_of"] is None:  # it was counted: its summaries change
                self._tallies.flush(self.db)
                remove_document(self.db, row["id"])
            version = row["version"] + 1
        record = {
            "url": doc.url,
            "version": version,
            "current": 1,
            "source": doc.source,
            "publisher": doc.publisher,
            "title": doc.title,
            "published": doc.published,
            "date_source": doc.date_source,
            "author": doc.author,
            "language": doc.language,
            "text": doc.text,
            "content_hash": doc.content_hash,
            "simhash": simhash,
            "duplicate_of": duplicate_of,
            "fetched_at": doc.fetched_at or now_iso(),
            "fetched_url": doc.fetched_url,
            "etag": doc.etag,
            "last_modified": doc.last_modified,
            "pipeline": extraction.pipeline if extraction else None,
        }
        document_id = self._insert("documents", [record])
        self.db.conn.execute(
            "insert into documents_stem_fts (rowid, stems) values (?, ?)",
            [document_id, stem_text(f"{doc.title or ''} {doc.text}")],
        )
        if extraction is not None:
            self._store_facts(document_id, extraction, record if duplicate_of is None else None)
        if on_stored is not None:
            previous = None
            if row is not None:
                old = dict(self.db["documents"].get(row["id"]))
                previous = (old, self.document_facts(old))
            stored = StoredDocument(document_id, doc, extraction, version, duplicate_of, previous)
            enqueue(self.db, on_stored(stored), document_id, doc.source)
        return NEW if row is None else CHANGED

    def _store_facts(self, document_id: int, ex: Extraction, counted: dict | None) -> None:
        """The facts of one document version; `counted` is its record when it counts
        (current and no duplicate): its summary rows go into the batch's tallies."""
        common = {"document_id": document_id, "pipeline": ex.pipeline}
        codes = place_codes(self.db)
        actors, mentions = self._store_actors(common, ex)
        sites = self._store_sites(common, ex, codes)
        if counted is not None:
            self._tallies.add_document(
                document_id, counted["published"], counted["fetched_at"], mentions, sites
            )
        self._store_amounts(common, ex)
        self._store_commitments(common, ex, actors, codes)

    def _store_actors(self, common: dict, ex: Extraction) -> tuple[_Speakers, list[tuple]]:
        """Actors and their mentions; who spoke, for the commitments, and the mention rows."""
        speakers = _Speakers()
        mentions = []
        for a in ex.actors:
            aid = a.id or actor_id(a.kind, a.name)
            speakers.ids[a.name] = aid
            speakers.kinds[a.name] = a.kind
            if a.organization:
                speakers.bodies.setdefault(a.name, a.organization)
            self._insert("actors", [{"id": aid, "name": a.name, "kind": a.kind}], ignore=True)
            mid = self._insert(
                "mentions",
                [
                    {
                        **common,
                        "actor_id": aid,
                        "role": a.role,
                        "organization": a.organization,
                        "source": a.source,
                        "rule": a.rule,
                        "start": a.start,
                        "end": a.end,
                    }
                ],
            )
            mentions.append((mid, aid, a.role, a.organization))
        return speakers, mentions

    def _store_sites(self, common: dict, ex: Extraction, codes: PlaceCodes) -> list[dict]:
        sites = []
        for s in ex.sites:
            site = {
                **common,
                "name": s.name,
                "type": s.type,
                "istat": s.istat,
                "rule": s.rule,
                "start": s.start,
                "end": s.end,
                **site_columns(s.name, s.istat, codes),
            }
            site["id"] = self._insert("sites", [site])
            sites.append(site)
        return sites

    def _store_amounts(self, common: dict, ex: Extraction) -> None:
        sentence_at = SentenceFinder(ex.text).at  # one split of the text for every amount
        self._insert(
            "amounts",
            [
                {
                    **common,
                    "text": m.text,
                    "value": m.value,
                    "currency": m.currency,
                    "qualifier": m.qualifier,
                    "start": m.start,
                    "end": m.end,
                    "sentence": sentence_at(m.start, m.end),
                }
                for m in ex.amounts
            ],
        )

    def _store_commitments(
        self, common: dict, ex: Extraction, speakers: _Speakers, codes: PlaceCodes
    ) -> None:
        """Commitments with the institution they bind, their places and their stems."""
        doc_sites = {s.name: (s.type, s.istat) for s in ex.sites}
        for c in ex.commitments:
            # A person whose statement names no body speaks for the body of their office.
            institution, institution_id = institution_of(
                c.actor,
                c.organization
                or speakers.bodies.get(c.actor)
                or known_body(self.db, speakers.ids.get(c.actor)),
                speakers.kinds.get(c.actor),
            )
            lemma, stage = lemma_and_stage(c.verb, c.sentence)
            self._ensure_actor(institution_id, institution)
            cid = self._insert(
                "commitments",
                [
                    {
                        **common,
                        "actor": c.actor,
                        "actor_id": speakers.ids.get(c.actor),
                        "organization": c.organization,
                        "verb": c.verb,
                        "amount": c.amount,
                        "purpose": c.purpose,
                        "sites": json.dumps(list(c.sites), ensure_ascii=False),
                        "sentence": c.sentence,
                        "component": c.component,
                        "trigger": c.trigger,
                        "resolver": c.resolver,
                        "start": c.start,
                        "end": c.end,
                        "institution": institution,
                        "institution_id": institution_id,
                        "lemma": lemma,
                        "stage": stage,
                    }
                ],
            )
            self._insert(
                "commitment_sites", commitment_site_rows(self.db, cid, c.sites, doc_sites, codes)
            )
            self.db.conn.execute(
                "insert into commitments_stem_fts (rowid, stems) values (?, ?)",
                [cid, stem_text(c.sentence)],
            )

    def _ensure_actor(self, aid: str | None, name: str | None) -> None:
        """Institutions are actors too (filters and Datasette pages find them by id)."""
        if aid:
            kind = aid.split(":", 1)[0]
            self._insert("actors", [{"id": aid, "name": name, "kind": kind}], ignore=True)

    def _insert(self, table: str, rows: list[dict], *, ignore: bool = False) -> int | None:
        """Plain INSERTs (sqlite-utils' per-call checks cost more than the writes here);
        returns the last rowid. Runs inside the caller's transaction."""
        if not rows:
            return None
        columns = list(rows[0])
        sql = (
            f"insert {'or ignore ' if ignore else ''}into [{table}] "
            f"({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' * len(columns))})"
        )
        if len(rows) == 1:
            return self.db.conn.execute(sql, [rows[0][c] for c in columns]).lastrowid
        self.db.conn.executemany(sql, [[r[c] for c in columns] for r in rows])
        return None

    # --- re-extraction ---------------------------------------------------------------

    REPLACED_FACTS = ("mentions", "sites", "amounts", "commitments")
    # rows derived from a document's commitments: they go with them
    COMMITMENT_DERIVED = ("commitment_sites", "pledge_statements")

    def stored_documents(
        self, *, since: str | None = None, source: str | None = None
    ) -> list[dict]:
        """Current documents to extract again (id, text and metadata), oldest first;
        `since` compares with the publication date, `source` with the source name."""
        where, params = ["current = 1"], []
        if since:
            where.append("published >= ?")
            params.append(since)
        if source:
            where.append("source = ?")
            params.append(source)
        return list(
            self.db.query(
                "select id, url, source, publisher, title, published, text, pipeline "
                f"from documents where {' and '.join(where)} order by published, id",
                params,
            )
        )

    def replace_facts(self, items: Iterable[tuple[int, Extraction]]) -> int:
        """Replace the facts of stored documents with new extractions, in one transaction:
        either every document of the batch gets its new facts or none does. Returns the
        number of facts written."""
        written = 0
        self._tallies = TallyBatch()
        try:
            with self.db.atomic():
                for document_id, extraction in items:
                    counted = self._counted(document_id)
                    if counted is not None:  # its summary rows go with its old facts
                        self._tallies.flush(self.db)
                        remove_document(self.db, document_id)
                    self._delete_facts(document_id)
                    self._store_facts(document_id, extraction, counted)
                    self.db["documents"].update(document_id, {"pipeline": extraction.pipeline})
                    written += extraction.fact_count
                self._tallies.flush(self.db)
        except sqlite3.DatabaseError as exc:
            raise KnowledgeBaseError(f"could not replace the facts: {exc}") from exc
        finally:
            self._tallies = TallyBatch()
        return written

    def _counted(self, document_id: int) -> dict | None:
        """The dates of a document that counts (current, no duplicate), else None."""
        row = self.db.conn.execute(
            "select published, fetched_at from documents where id = ? and current = 1 "
            "and duplicate_of is null",
            [document_id],
        ).fetchone()
        return {"published": row[0], "fetched_at": row[1]} if row else None

    def _delete_facts(self, document_id: int) -> None:
        rows = self.db.execute(
            "select id, sentence from commitments where document_id = ?", [document_id]
        ).fetchall()
        ids = [r[0] for r in rows]
        if ids:
            marks = ",".join("?" * len(ids))
            for table in self.COMMITMENT_DERIVED:
                self.db.execute(f"delete from {table} where commitment_id in ({marks})", ids)
            # A contentless FTS5 table refuses DELETE (SQLite < 3.43): its 'delete' command
            # takes the row's indexed values, the stems it was given when stored.
            self.db.conn.executemany(
                "insert into commitments_stem_fts (commitments_stem_fts, rowid, stems) "
                "values ('delete', ?, ?)",
                [(cid, stem_text(sentence)) for cid, sentence in rows],
            )
        for table in self.REPLACED_FACTS:
            self.db.execute(f"delete from {table} where document_id = ?", [document_id])

    def fact_count(self, document_ids: Iterable[int]) -> int:
        ids = list(document_ids)
        if not ids:
            return 0
        marks = ",".join("?" * len(ids))
        return sum(
            self.db.execute(
                f"select count(*) from {table} where document_id in ({marks})", ids
            ).fetchone()[0]
            for table in self.REPLACED_FACTS
        )

    def record_reextract(
        self, pipeline: str, replaced: list[str], documents: int, facts: int, seconds: float
    ) -> int:
        """One `runs` row for a re-extraction, with the pipelines whose facts it replaced."""
        with self.db.atomic():
            return (
                self.db["runs"]
                .insert(
                    {
                        "started_at": now_iso(),
                        "finished_at": now_iso(),
                        "status": "ok",
                        "kind": "reextract",
                        "pipeline": pipeline,
                        "replaced_pipelines": json.dumps(replaced, ensure_ascii=False),
                        "changed": documents,
                        "facts": facts,
                        "seconds": round(seconds, 2),
                    }
                )
                .last_pk
            )

    # --- runs --------------------------------------------------------------------------

    def start_run(self, pipeline: str | None = None, flow_run_id: str | None = None) -> int:
        with self.db.atomic():
            row = {
                "started_at": now_iso(),
                "status": "running",
                "pipeline": pipeline,
                "flow_run_id": flow_run_id,
                "kind": "nightly",
            }
            return self.db["runs"].insert(row).last_pk

    def close_stale_runs(self) -> list[int]:
        """Rows a killed run left `running`, closed as `killed`; call holding the writer lock."""
        with self.db.atomic():
            ids = [r["id"] for r in self.db.query("select id from runs where status = 'running'")]
            for run_id in ids:
                self.db["runs"].update(
                    run_id,
                    {
                        "status": "killed",
                        "error": "the process ended without closing its run (killed?)",
                    },
                )
        return ids

    def finish_run(self, summary: RunSummary) -> None:
        totals = {
            k: summary.total(k)
            for k in ("seen", "new", "changed", "unchanged", "duplicates", "failed", "facts")
        }
        with self.db.atomic():
            self.db["runs"].update(
                summary.run_id,
                {
                    "finished_at": now_iso(),
                    "status": summary.status,
                    "error": summary.error,
                    "sources": len(summary.sources),
                    "seconds": round(summary.seconds, 2),
                    "pipeline": summary.pipeline or None,
                    "stages": json.dumps({k: round(v, 3) for k, v in summary.stages.items()}),
                    **totals,
                    **{f"alerts_{k}": summary.alerts(k) for k in ("sent", "failed", "pending")},
                },
            )
            for health in summary.sources:
                record = asdict(health)
                record["failures"] = json.dumps(record["failures"], ensure_ascii=False)
                self.db["source_health"].insert({"run_id": summary.run_id, **record}, replace=True)

    # --- reading back in the extraction format ----------------------------------------------

    def export(self) -> Iterator[dict]:
        """Every current document with its facts, in the shape of the extraction format."""
        for doc in self.db.query(
            "select * from documents where current = 1 order by published, url"
        ):
            yield self.document_facts(doc)

    def document_facts(self, doc: dict) -> dict:
        did = doc["id"]
        actors = [
            dict(r)
            for r in self.db.query(
                "select a.name, a.kind, m.role, m.organization, a.id, m.start, m.end "
                "from mentions m join actors a on a.id = m.actor_id where m.document_id = ? "
                "order by m.start",
                [did],
            )
        ]
        sites = list(
            self.db.query(
                "select name, type, istat, start, end from sites where document_id = ? "
                "order by start",
                [did],
            )
        )
        amounts = list(
            self.db.query(
                "select text, value, currency, qualifier, start, end from amounts "
                "where document_id = ? order by start",
                [did],
            )
        )
        commitments = []
        for c in self.db.query(
            "select actor, organization, sentence, amount, purpose, sites, verb, component, "
            "trigger, resolver, start, end "
            "from commitments where document_id = ? order by start",
            [did],
        ):
            commitments.append({**c, "sites": json.loads(c["sites"] or "[]")})
        return {
            "id": did,
            "source": doc["publisher"] or doc["source"],
            "url": doc["url"],
            "title": doc["title"],
            "published": doc["published"],
            "version": doc["version"],
            "duplicate_of": doc["duplicate_of"],
            "pipeline": doc["pipeline"],
            "text": doc["text"],
            "actors": [_drop_none(a) for a in actors],
            "sites": [_drop_none(s) for s in sites],
            "amounts": [_drop_none(a) for a in amounts],
            "commitments": commitments,
        }


def known_body(db: sqlite_utils.Database, aid: str | None) -> str | None:
    """The organisation a person's latest mention gave them, anywhere in the base."""
    if not aid or not aid.startswith("person:"):
        return None
    row = db.execute(
        "select organization from mentions where actor_id = ? and organization is not null "
        "order by id desc limit 1",
        [aid],
    ).fetchone()
    return row[0] if row else None


def place_codes(db: sqlite_utils.Database) -> PlaceCodes:
    """ISTAT code → (province code, region code), and name key → municipality code."""
    cache = getattr(db, "_sentinella_place_codes", None)
    if cache is None:
        cache = {}
        for r in db.query("select istat, name_key, type, province_code, region_code from places"):
            cache[r["istat"]] = (r["province_code"], r["region_code"])
            if r["type"] == "comune":
                cache.setdefault("comune:" + r["name_key"], r["istat"])
        db._sentinella_place_codes = cache  # reference data: read once per connection
    return cache


def site_columns(name: str, istat: str | None, codes: dict) -> dict:
    """The derived columns of a place: its name key, province and region codes."""
    province, region = codes.get(istat, (None, None)) if istat else (None, None)
    return {"name_key": key(name), "province_code": province, "region_code": region}


def commitment_site_rows(
    db: sqlite_utils.Database,
    commitment_id: int,
    names: Iterable[str],
    doc_sites: dict[str, tuple[str, str | None]],
    codes: dict,
) -> list[dict]:
    """Rows of commitment_sites: each place named by a commitment, linked where possible.

    The document's own site facts give type and ISTAT code; a name the document's sites do
    not list is looked up as a municipality.
    """
    rows = []
    for name in dict.fromkeys(names):
        typ, istat = doc_sites.get(name, (None, None))
        if istat is None and typ in (None, "comune"):
            istat = codes.get("comune:" + key(name))
            typ = "comune" if istat else typ
        if istat is not None and istat not in codes:
            istat = None  # a code the reference list does not know
        rows.append(
            {
                "commitment_id": commitment_id,
                "name": name,
                "type": typ,
                "istat": istat,
                **site_columns(name, istat, codes),
            }
        )
    return rows


def derive_facts(db: sqlite_utils.Database) -> None:
    """Fill derived columns and tables for rows stored without them (a migration step).

    Idempotent: only rows that lack their derived values are touched.
    """
    codes = place_codes(db)
    for s in list(db.query("select id, name, istat from sites where name_key is null")):
        db["sites"].update(s["id"], site_columns(s["name"], s["istat"], codes))
    finders: dict[int, SentenceFinder] = {}

    def finder(document_id: int) -> SentenceFinder:
        if document_id not in finders:
            finders[document_id] = SentenceFinder(db["documents"].get(document_id)["text"])
        return finders[document_id]

    for m in list(
        db.query("select id, document_id, start, end from amounts where sentence is null")
    ):
        sentence = finder(m["document_id"]).at(m["start"], m["end"])
        db["amounts"].update(m["id"], {"sentence": sentence})
    _derive_commitments(db, codes)
    indexed = {r["rowid"] for r in db.query("select rowid from documents_stem_fts")}
    for d in db.query("select id, title, text from documents"):
        if d["id"] not in indexed:
            db.execute(
                "insert into documents_stem_fts (rowid, stems) values (?, ?)",
                [d["id"], stem_text(f"{d['title'] or ''} {d['text']}")],
            )


def _derive_commitments(db: sqlite_utils.Database, codes: dict) -> None:
    placed = {r["commitment_id"] for r in db.query("select commitment_id from commitment_sites")}
    indexed = {r["rowid"] for r in db.query("select rowid from commitments_stem_fts")}
    doc_sites: dict[int, dict] = {}
    for c in list(
        db.query(
            "select c.*, a.kind, coalesce((select m.organization from mentions m where "
            "m.actor_id = c.actor_id and m.document_id = c.document_id and m.organization "
            "is not null limit 1), (select m.organization from mentions m where m.actor_id = "
            "c.actor_id and m.organization is not null order by m.id desc limit 1)) as body "
            "from commitments c "
            "left join actors a on a.id = c.actor_id"
        )
    ):
        if c["stage"] is None:
            institution, iid = institution_of(c["actor"], c["organization"] or c["body"], c["kind"])
            lemma, stage = lemma_and_stage(c["verb"], c["sentence"])
            db["commitments"].update(
                c["id"],
                {"institution": institution, "institution_id": iid, "lemma": lemma, "stage": stage},
            )
            KnowledgeBase(db)._ensure_actor(iid, institution)
        names = json.loads(c["sites"] or "[]")
        if names and c["id"] not in placed:
            did = c["document_id"]
            if did not in doc_sites:
                doc_sites[did] = {
                    r["name"]: (r["type"], r["istat"])
                    for r in db.query(
                        "select name, type, istat from sites where document_id = ?", [did]
                    )
                }
            db["commitment_sites"].insert_all(
                commitment_site_rows(db, c["id"], names, doc_sites[did], codes)
            )
        if c["id"] not in indexed:
            db.execute(
                "insert into commitments_stem_fts (rowid, stems) values (?, ?)",
                [c["id"], stem_text(c["sentence"] or "")],
            )


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}
