"""Random knowledge bases for property tests: small, seeded, with the awkward cases.

Documents repeat URLs (new versions supersede old ones), republish others (duplicates),
lack dates or carry times, name places linked and unlinked, and carry commitments of a
few institutions with amounts that are equal, revised or absent, so the summary tables
and the incremental ledger meet what a full recomputation has to handle.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sentinella.facts import Actor, Amount, Commitment, Extraction, Site
from sentinella.kb import KnowledgeBase
from sentinella.kb.places import place_rows
from sentinella.records import Document

WORDS = ["lavoratori", "scuola", "ponte", "ospedale", "assunzioni", "biblioteca", "strade"]
PEOPLE = [
    ("Elena Rossi", "assessora al lavoro", "Regione Piemonte"),
    ("Marco Bianchi", "sindaco", "Comune di Alba"),
    ("Marco Bianchi", "presidente", None),
    ("Anna Verdi", None, None),
    ("Luca Neri", "assessore", "Comune di Asti"),
]
BODIES = ["Regione Piemonte", "Comune di Alba", "Comune di Asti", "Provincia di Cuneo"]
DAYS = ["2025-01-03", "2025-01-31", "2025-02-14", "2025-02-28T10:00:00", "2025-03-01", None]
AMOUNTS = [None, 100_000.0, 250_000.0, 1_000_000.0]


@dataclass(frozen=True)
class Places:
    sites: list[tuple[str, str, str | None]]  # (name, type, istat)


def places() -> Places:
    rows = place_rows()
    comuni = [r for r in rows if r["type"] == "comune"]
    picked = [r for r in comuni if r["province_code"] == "004"][:3]
    picked += [r for r in comuni if r["province_code"] == "005"][:2]
    picked += [r for r in comuni if r["region_code"] == "03"][:2]
    sites = [(r["name"], "comune", r["istat"]) for r in picked]
    sites += [
        ("Cuneo", "provincia", "004"),
        ("Lombardia", "regione", "03"),
        ("piazza Alfieri", "altro", None),
        ("Alba", "comune", "004003"),
        ("Alba", "comune", None),  # the same name, unlinked in another document
    ]
    return Places(sites)


def random_items(rng: random.Random, n: int, where: Places) -> list[tuple[Document, Extraction]]:
    """`n` documents with their facts; some share a URL (later ones are new versions)."""
    items = []
    for i in range(n):
        url = f"https://example.org/r/{rng.randrange(max(3, n * 2 // 3))}"
        chosen = rng.sample(where.sites, rng.randint(0, 3))
        people = rng.sample(PEOPLE, rng.randint(0, 3))
        words = " ".join(rng.choice(WORDS) for _ in range(4))
        text = f"Comunicato {i} su {words}. " + " ".join(s[0] for s in chosen) + "."
        actors = tuple(
            Actor(name, "person", 0, 5, role=role, organization=org) for name, role, org in people
        ) + ((Actor(rng.choice(BODIES), "organization", 0, 5),) if rng.random() < 0.4 else ())
        sites = tuple(Site(name, typ, 0, 5, istat=istat) for name, typ, istat in chosen)
        commitments = tuple(_commitment(rng, i, chosen) for _ in range(rng.randint(0, 2)))
        amounts = tuple(
            Amount(f"{c.amount:.0f} euro", c.amount, "EUR", 0, 5)
            for c in commitments
            if c.amount is not None
        )
        extraction = Extraction(
            text=text,
            pipeline="random-1",
            actors=actors,
            sites=sites,
            amounts=amounts,
            commitments=commitments,
        )
        day = rng.choice(DAYS)
        doc = Document(
            url=url,
            text=text,
            source="random",
            title=f"Comunicato {i}",
            published=day,
            publisher=rng.choice(["Regione Piemonte", "Comune di Alba", "ANSA", None]),
            fetched_at=f"2025-0{rng.randint(1, 3)}-{rng.randint(10, 28)}T02:00:00+00:00",
        )
        items.append((doc, extraction))
    return items


def _commitment(rng: random.Random, i: int, chosen) -> Commitment:
    body = rng.choice(BODIES)
    amount = rng.choice(AMOUNTS)
    topic = rng.choice(["il ponte sul Tanaro", "la scuola media", "le strade provinciali"])
    revised = amount is not None and rng.random() < 0.2
    verb = rng.choice(["stanziato", "approvato", "annunciato", "assegnato"])
    words = "ha aumentato a" if revised else f"ha {verb}"
    sentence = f"{body} {words} {amount or 'risorse'} euro per {topic} ({i})."
    return Commitment(
        body,
        sentence,
        0,
        len(sentence),
        organization=body,
        amount=amount,
        purpose=topic,
        sites=tuple(s[0] for s in chosen[:1]),
        verb="aumentato" if revised else verb,
    )


def store_randomly(
    kb: KnowledgeBase, rng: random.Random, items: list[tuple[Document, Extraction]]
) -> None:
    """Store `items` in random batches; some documents republish an earlier one."""
    start = 0
    while start < len(items):
        size = rng.randint(1, 6)
        batch = items[start : start + size]
        duplicates: dict[str, int | str] = {}
        for doc, _ex in batch:
            if rng.random() < 0.15:
                ids = [
                    r[0]
                    for r in kb.db.execute(
                        "select id from documents where current = 1 and url != ? order by id",
                        [doc.url],
                    )
                ]
                if ids:
                    duplicates[doc.url] = rng.choice(ids)
        kb.store_batch(batch, duplicates=duplicates)
        start += size
