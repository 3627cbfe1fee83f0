"""Small builders for alert tests: documents with hand-made facts, stored without the flow."""

from __future__ import annotations

from sentinella.alerts.planning import AlertPlanner
from sentinella.alerts.watches import Watch
from sentinella.facts import Actor, Amount, Commitment, Extraction, Site
from sentinella.kb import KnowledgeBase
from sentinella.records import Document


def document(n: int, text: str | None = None, **meta) -> Document:
    text = text or f"La Giunta di Asti ha stanziato {n} milioni di euro per la scuola numero {n}."
    return Document(
        url=meta.pop("url", f"https://example.org/comunicati/{n}.html"),
        text=text,
        source=meta.pop("source", "comune-asti"),
        title=meta.pop("title", f"Comunicato {n}"),
        published=meta.pop("published", "2026-11-20"),
        publisher=meta.pop("publisher", "Comune di Asti"),
        **meta,
    )


def facts(
    doc: Document, amounts: tuple[float, ...] = (), actor: str = "Comune di Asti"
) -> Extraction:
    return Extraction(
        text=doc.text,
        actors=(Actor(actor, "organization", 0, 5),),
        sites=(Site("Asti", "comune", 13, 17, "005005"),),
        amounts=tuple(Amount(f"{v:.0f} euro", v, "EUR", 30, 50) for v in amounts),
        commitments=tuple(
            Commitment(
                actor, doc.text, 0, len(doc.text), actor, v, "la scuola", ("Asti",), "stanziato"
            )
            for v in amounts
        ),
        pipeline="test-0",
        meta={"url": doc.url},
    )


def watch(name: str, channel: str = "json://127.0.0.1:9/x", **conditions) -> Watch:
    return Watch(name=name, channels=(channel,), **conditions)


def store(
    kb: KnowledgeBase, watches: list[Watch], *pairs, duplicates=None, run_id=None
) -> list[str]:
    return kb.store_batch(
        list(pairs), duplicates=duplicates, on_stored=AlertPlanner(tuple(watches), run_id)
    )
