"""A statement: one stored document with its facts, the unit a watch is matched against.

Built from what the store step has in hand (a `Document` and its `Extraction`) or from
what the knowledge base gives back (`KnowledgeBase.document_facts`), so the nightly flow
and `sentinella watch test` match the same thing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sentinella.facts import Actor, Amount, Commitment, Extraction, Site
from sentinella.records import Document


@dataclass(frozen=True)
class Statement:
    url: str
    source: str
    text: str
    title: str | None = None
    publisher: str | None = None
    published: str | None = None
    actors: tuple[Actor, ...] = ()
    sites: tuple[Site, ...] = ()
    amounts: tuple[Amount, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    document_id: int | None = None
    version: int = 1


def from_document(
    doc: Document, facts: Extraction | None, document_id: int | None = None, version: int = 1
) -> Statement:
    return Statement(
        url=doc.url,
        source=doc.source,
        text=doc.text,
        title=doc.title,
        publisher=doc.publisher,
        published=doc.published,
        actors=facts.actors if facts else (),
        sites=facts.sites if facts else (),
        amounts=facts.amounts if facts else (),
        commitments=facts.commitments if facts else (),
        document_id=document_id,
        version=version,
    )


def from_record(row: dict, facts: dict) -> Statement:
    """From a `documents` row and its `KnowledgeBase.document_facts` (extraction format)."""
    return Statement(
        url=row["url"],
        source=row["source"],
        text=row["text"],
        title=row["title"],
        publisher=row["publisher"],
        published=row["published"],
        actors=tuple(
            Actor(
                name=a["name"],
                kind=a["kind"],
                start=a.get("start", 0),
                end=a.get("end", 0),
                role=a.get("role"),
                organization=a.get("organization"),
                id=a.get("id"),
            )
            for a in facts["actors"]
        ),
        sites=tuple(
            Site(
                s["name"],
                s.get("type") or "altro",
                s.get("start", 0),
                s.get("end", 0),
                s.get("istat"),
            )
            for s in facts["sites"]
        ),
        amounts=tuple(
            Amount(
                text=m.get("text") or "",
                value=m["value"],
                currency=m.get("currency") or "EUR",
                start=m.get("start", 0),
                end=m.get("end", 0),
                qualifier=m.get("qualifier"),
            )
            for m in facts["amounts"]
        ),
        commitments=tuple(
            Commitment(
                actor=c["actor"],
                sentence=c["sentence"],
                start=c.get("start") or 0,
                end=c.get("end") or 0,
                organization=c.get("organization"),
                amount=c.get("amount"),
                purpose=c.get("purpose"),
                sites=tuple(
                    c["sites"] if isinstance(c["sites"], list) else json.loads(c["sites"] or "[]")
                ),
                verb=c.get("verb"),
            )
            for c in facts["commitments"]
        ),
        document_id=row["id"],
        version=row["version"],
    )
