"""A synthetic knowledge base for the query and ledger benchmark (bench/bench_kb.py).

    .venv/bin/python bench/make_synthetic_kb.py --documents 100000 --out /tmp/sentinella-bench.db

Documents are stored through `KnowledgeBase.store_batch`, the path the nightly flow uses,
with synthetic extractions: 10 facts per document (3 actor mentions, 3 places, 2 amounts,
2 commitments), so 100,000 documents give 1,000,000 facts. Places are real ISTAT
municipalities of Piedmont; promises are re-announced 1-4 times by different publishers
within a few weeks, sometimes with a revised amount, so the ledger has real work to do.
The generator is seeded: the same arguments give the same base.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from sentinella.facts import Actor, Amount, Commitment, Extraction, Site
from sentinella.kb import KnowledgeBase
from sentinella.kb.places import place_rows
from sentinella.records import Document

FACTS_PER_DOCUMENT = 10
TOPICS = [
    "digitalizzazione dei servizi sanitari",
    "manutenzione delle strade provinciali",
    "messa in sicurezza delle scuole",
    "rifacimento del ponte sul fiume",
    "assunzione di personale infermieristico",
    "sostegno ai lavoratori in cassa integrazione",
    "recupero degli alloggi popolari",
    "potenziamento del trasporto ferroviario",
    "ristrutturazione della biblioteca civica",
    "nuovi posti letto in ospedale",
    "bonifica dell'area industriale",
    "piste ciclabili e mobilità sostenibile",
]
VERBS = ["stanziato", "approvato", "annunciato", "destinato", "firmato", "assegnato", "deliberato"]
FIRST = ["Marco", "Giulia", "Luca", "Chiara", "Paolo", "Elena", "Andrea", "Sara", "Franco", "Anna"]
LAST = [
    "Rossi",
    "Bianchi",
    "Ferrero",
    "Gallo",
    "Conti",
    "Bruno",
    "Ricci",
    "Greco",
    "Costa",
    "Fontana",
]
AMOUNTS = [50_000, 120_000, 300_000, 500_000, 750_000, 1_000_000, 1_500_000, 2_000_000, 3_700_000]


def institutions(towns: list[dict]) -> list[str]:
    return ["Regione Piemonte", "Città metropolitana di Torino"] + [
        f"Comune di {t['name']}" for t in towns[:300]
    ]


def people(rng: random.Random, count: int) -> list[str]:
    return [f"{rng.choice(FIRST)} {rng.choice(LAST)}{i}" for i in range(count)]


def make_document(i: int, rng: random.Random, ctx: dict) -> tuple[Document, Extraction]:
    """Document i with two commitments; the second restates an earlier promise when one is due."""
    day = ctx["start"] + timedelta(days=i * ctx["span"] // ctx["documents"])
    publisher = rng.choice(ctx["publishers"])
    towns = rng.sample(ctx["towns"], 3)
    facts = {"actors": [], "sites": [], "amounts": [], "commitments": []}
    promises = []
    fresh = _new_promise(rng, ctx, towns[0])
    promises.append(fresh)
    due = ctx["due"].pop(i, None)
    promises.append(due or _new_promise(rng, ctx, towns[1]))
    for _ in range(rng.choice((0, 1, 1, 2, 3))):  # re-announcements to come
        later = i + rng.randint(5, 4000)
        if later < ctx["documents"] and later not in ctx["due"]:
            revised = rng.random() < 0.1
            ctx["due"][later] = {
                **fresh,
                "amount": fresh["amount"] * (1.2 if revised else 1),
                "revised": revised,
            }
    text = ""
    for n, p in enumerate(promises):
        person = rng.choice(ctx["people"])
        cue = "ha aumentato a" if p.get("revised") else rng.choice(VERBS)
        amount_text = f"{p['amount']:,.0f}".replace(",", ".") + " euro"
        sentence = (
            f"L'assessore {person} della {p['institution']} ha {cue} {amount_text} "
            f"per la {p['topic']} a {p['town']['name']}. "
        )
        start = len(text)
        text += sentence
        a_start = start + sentence.index(amount_text)
        t_start = start + sentence.rindex(p["town"]["name"])
        facts["actors"].append(
            Actor(
                person,
                "person",
                start + 12,
                start + 12 + len(person),
                role="assessore",
                organization=p["institution"],
            )
        )
        facts["amounts"].append(
            Amount(amount_text, p["amount"], "EUR", a_start, a_start + len(amount_text))
        )
        facts["sites"].append(
            Site(
                p["town"]["name"],
                "comune",
                t_start,
                t_start + len(p["town"]["name"]),
                istat=p["town"]["istat"],
            )
        )
        facts["commitments"].append(
            Commitment(
                person,
                sentence.strip(),
                start,
                start + len(sentence) - 1,
                organization=p["institution"],
                amount=p["amount"],
                purpose=p["topic"],
                sites=(p["town"]["name"],),
                verb=cue.split()[-1] if not p.get("revised") else "aumentato",
            )
        )
        if n == 0:
            extra = f"Il progetto interessa anche {towns[2]['name']}. "
            t2 = len(text) + extra.index(towns[2]["name"])
            text += extra
            facts["sites"].append(
                Site(
                    towns[2]["name"],
                    "comune",
                    t2,
                    t2 + len(towns[2]["name"]),
                    istat=towns[2]["istat"],
                )
            )
    spokes = rng.choice(ctx["people"])
    text += (
        f"Ha commentato {spokes}, portavoce. "
        + " ".join(rng.choice(ctx["filler"]) for _ in range(40))
        + "."
    )
    facts["actors"].append(
        Actor(
            spokes, "person", text.index(spokes), text.index(spokes) + len(spokes), role="portavoce"
        )
    )
    url = f"https://bench.example/{publisher.lower().replace(' ', '-')}/{i}"
    doc = Document(
        url=url,
        text=text,
        source="bench",
        title=f"Comunicato {i}: {promises[0]['topic']}",
        published=day.isoformat(),
        publisher=publisher,
        fetched_at=f"{day.isoformat()}T02:00:00+00:00",
    )
    ex = Extraction(
        text=text,
        pipeline="synthetic-1",
        actors=tuple(facts["actors"]),
        sites=tuple(facts["sites"]),
        amounts=tuple(facts["amounts"]),
        commitments=tuple(facts["commitments"]),
    )
    assert ex.fact_count == FACTS_PER_DOCUMENT
    return doc, ex


def _new_promise(rng: random.Random, ctx: dict, town: dict) -> dict:
    return {
        "institution": rng.choice(ctx["institutions"]),
        "amount": float(rng.choice(AMOUNTS)),
        "topic": rng.choice(TOPICS),
        "town": town,
    }


def context(documents: int, seed: int = 7) -> tuple[random.Random, dict]:
    rng = random.Random(seed)
    towns = [r for r in place_rows() if r["type"] == "comune" and r["region"] == "Piemonte"]
    filler = [
        "il",
        "la",
        "di",
        "per",
        "con",
        "che",
        "una",
        "nel",
        "della",
        "sono",
        "progetto",
        "servizi",
        "cittadini",
        "territorio",
        "anni",
        "lavori",
    ]
    return rng, {
        "documents": documents,
        "start": date(2024, 1, 1),
        "span": 3 * 365,
        "towns": towns,
        "institutions": institutions(towns),
        "people": people(rng, 2000),
        "publishers": [f"Editore {n}" for n in range(50)],
        "filler": filler,
        "due": {},
    }


def generate(out: Path, documents: int, batch: int = 500, quiet: bool = False) -> float:
    """Write `documents` synthetic documents into a new base at `out`; returns seconds."""
    if out.exists():
        sys.exit(f"{out} exists: remove it first")
    rng, ctx = context(documents)
    kb = KnowledgeBase.open(out)
    started = time.perf_counter()
    for first in range(0, documents, batch):
        items = [make_document(i, rng, ctx) for i in range(first, min(first + batch, documents))]
        kb.store_batch(items)
        if not quiet and (first // batch) % 20 == 0:
            done = first + len(items)
            print(
                f"{done:,}/{documents:,} documents, {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
    seconds = time.perf_counter() - started
    kb.db.execute("analyze")
    kb.close()
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=100_000)
    ap.add_argument("--out", type=Path, default=Path("/tmp/sentinella-bench.db"))
    args = ap.parse_args()
    seconds = generate(args.out, args.documents)
    print(
        f"{args.documents:,} documents, {args.documents * FACTS_PER_DOCUMENT:,} facts in {seconds:.1f} s -> {args.out}"
    )


if __name__ == "__main__":
    main()
