"""The one place that writes the knowledge base.

Writes are idempotent: a document whose text has not changed is not written again, a
changed text becomes a new version (the old one and its facts stay, marked superseded),
and every batch is one transaction, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path

import sqlite_utils

from sentinella.errors import SentinellaError
from sentinella.facts import Extraction
from sentinella.kb.schema import ensure_schema
from sentinella.records import Document, IndexPage, RunSummary, now_iso


class KnowledgeBaseError(SentinellaError):
    pass


NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"


def actor_id(kind: str, name: str) -> str:
    """A stable id for a canonical actor: "person:alberto-cirio", "organization:regione-piemonte"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return f"{kind}:{slug}"


class KnowledgeBase:
    """A Sentinella knowledge base in one SQLite file."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    @classmethod
    def open(cls, path: Path | str, *, create: bool = True) -> KnowledgeBase:
        path = Path(path)
        if not path.parent.is_dir():
            raise KnowledgeBaseError(f"database folder does not exist: {path.parent}")
        if not create and not path.exists():
            raise KnowledgeBaseError(f"no knowledge base at {path} (run `sentinella run` first)")
        if path.exists() and path.is_dir():
            raise KnowledgeBaseError(f"database path is a folder: {path}")
        try:
            db = sqlite_utils.Database(path)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA foreign_keys = ON")
            if create:
                ensure_schema(db)
            elif "documents" not in db.table_names():
                raise KnowledgeBaseError(f"{path} is not a Sentinella knowledge base")
        except sqlite3.DatabaseError as exc:
            raise KnowledgeBaseError(f"cannot open database {path}: {exc}") from exc
        return cls(db)

    def close(self) -> None:
        self.db.close()

    # --- reading what the flow needs -------------------------------------------------

    def current(self, url: str) -> dict | None:
        rows = list(
            self.db.query(
                "select id, version, content_hash, etag, last_modified from documents "
                "where url = ? and current = 1",
                [url],
            )
        )
        return rows[0] if rows else None

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
                "select etag, last_modified from documents where current = 1 "
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
                "select url, fetched_url, etag, last_modified from documents where current = 1 "
                f"and (url in ({marks}) or fetched_url in ({marks})) order by id",
                [*chunk, *chunk],
            )
            for r in rows:  # later versions (higher ids) win, as in `validators`
                for key in (r["url"], r["fetched_url"]):
                    if key in chunk:
                        found[key] = (r["etag"], r["last_modified"])
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
    ) -> list[str]:
        """Store documents with their extractions in one transaction; returns each status.

        `simhashes` maps a URL to its fingerprint, `duplicates` a URL to the id of the
        document it republishes (or to the URL of one stored earlier in the same batch).
        """
        simhashes = simhashes or {}
        duplicates = duplicates or {}
        statuses = []
        try:
            with self.db.atomic():
                for doc, extraction in items:
                    statuses.append(
                        self._store_one(
                            doc, extraction, simhashes.get(doc.url), duplicates.get(doc.url)
                        )
                    )
        except sqlite3.DatabaseError as exc:
            raise KnowledgeBaseError(f"could not write the batch: {exc}") from exc
        return statuses

    def _store_one(
        self,
        doc: Document,
        extraction: Extraction | None,
        simhash: str | None,
        duplicate_of: int | str | None,
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
            self.db["documents"].update(row["id"], {"current": 0})
            version = row["version"] + 1
        record = {
            "url": doc.url,
            "version": version,
            "current": 1,
            "source": doc.source,
            "publisher": doc.publisher,
            "title": doc.title,
            "published": doc.published,
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
        document_id = self.db["documents"].insert(record).last_pk
        if extraction is not None:
            self._store_facts(document_id, extraction)
        return NEW if row is None else CHANGED

    def _store_facts(self, document_id: int, ex: Extraction) -> None:
        common = {"document_id": document_id, "pipeline": ex.pipeline}
        ids_by_name = {}
        for a in ex.actors:
            aid = a.id or actor_id(a.kind, a.name)
            ids_by_name[a.name] = aid
            self.db["actors"].insert({"id": aid, "name": a.name, "kind": a.kind}, ignore=True)
            self.db["mentions"].insert(
                {
                    **common,
                    "actor_id": aid,
                    "role": a.role,
                    "organization": a.organization,
                    "start": a.start,
                    "end": a.end,
                }
            )
        self.db["sites"].insert_all(
            [
                {
                    **common,
                    "name": s.name,
                    "type": s.type,
                    "istat": s.istat,
                    "start": s.start,
                    "end": s.end,
                }
                for s in ex.sites
            ]
        )
        self.db["amounts"].insert_all(
            [
                {
                    **common,
                    "text": m.text,
                    "value": m.value,
                    "currency": m.currency,
                    "qualifier": m.qualifier,
                    "start": m.start,
                    "end": m.end,
                }
                for m in ex.amounts
            ]
        )
        self.db["commitments"].insert_all(
            [
                {
                    **common,
                    "actor": c.actor,
                    "actor_id": ids_by_name.get(c.actor),
                    "organization": c.organization,
                    "verb": c.verb,
                    "amount": c.amount,
                    "purpose": c.purpose,
                    "sites": json.dumps(list(c.sites), ensure_ascii=False),
                    "sentence": c.sentence,
                    "start": c.start,
                    "end": c.end,
                }
                for c in ex.commitments
            ]
        )

    # --- runs --------------------------------------------------------------------------

    def start_run(self, pipeline: str | None = None) -> int:
        with self.db.atomic():
            return (
                self.db["runs"]
                .insert({"started_at": now_iso(), "status": "running", "pipeline": pipeline})
                .last_pk
            )

    def finish_run(self, summary: RunSummary, status: str = "ok") -> None:
        totals = {
            k: summary.total(k)
            for k in ("seen", "new", "changed", "unchanged", "duplicates", "failed", "facts")
        }
        with self.db.atomic():
            self.db["runs"].update(
                summary.run_id,
                {
                    "finished_at": now_iso(),
                    "status": status,
                    "sources": len(summary.sources),
                    "seconds": round(summary.seconds, 2),
                    "pipeline": summary.pipeline or None,
                    "stages": json.dumps({k: round(v, 3) for k, v in summary.stages.items()}),
                    **totals,
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
            "select actor, organization, sentence, amount, purpose, sites, verb, start, end "
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


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}
