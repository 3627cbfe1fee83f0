"""From text to an `Extraction`: run the pipeline in batches and read facts off the Doc.

The components in `extractors.components` leave their results on `doc._.sentinella`;
`doc_to_extraction` turns them into the frozen dataclasses of `sentinella.facts`, with
character offsets, stable actor ids and ISTAT codes. A Doc from a pipeline without the
components (a bare spaCy pipeline) falls back to its `doc.ents` and the money parser.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc

from sentinella.extractors import money, pieces
from sentinella.extractors.actors import office_body, slug
from sentinella.extractors.lexicon import text_of
from sentinella.extractors.pipeline import load_pipeline, pipeline_id
from sentinella.facts import Actor, Extraction, Site


def extract(text: str, meta: dict | None = None, nlp: Language | None = None) -> Extraction:
    return next(extract_many([(text, meta or {})], nlp=nlp))


def extract_many(
    items: Iterable[tuple[str, dict]], nlp: Language | None = None, batch_size: int = 16
) -> Iterator[Extraction]:
    """(text, metadata) pairs in, one Extraction per pair out, in order.

    Texts longer than a piece (`pieces.PIECE_CHARS`, or the pipeline's max_length if smaller)
    are extracted piece by piece and merged (see `extractors.pieces`), never refused.
    """
    nlp = nlp or load_pipeline()
    pid = pipeline_id(nlp)
    limit = min(pieces.PIECE_CHARS, nlp.max_length)
    short: list[tuple[str, dict]] = []

    def flush() -> Iterator[Extraction]:
        for doc, meta in nlp.pipe(short, as_tuples=True, batch_size=batch_size):
            yield doc_to_extraction(doc, meta, pid)
        short.clear()

    for text, meta in items:
        if len(text) <= limit:
            short.append((text, meta))
            if len(short) >= batch_size:
                yield from flush()
            continue
        yield from flush()
        parts = [(start, piece) for start, piece in pieces.pieces(text, limit)]
        docs = nlp.pipe([(piece, meta) for _, piece in parts], as_tuples=True)
        extracted = [
            (start, doc_to_extraction(doc, meta, pid)) for (start, _), (doc, _) in zip(parts, docs)
        ]
        yield pieces.merge(text, extracted, meta)
    yield from flush()


def _char(doc: Doc, s: int, e: int) -> tuple[int, int]:
    return doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text)


def doc_to_extraction(doc: Doc, meta: dict, pipeline: str) -> Extraction:
    facts = doc._.sentinella if Doc.has_extension("sentinella") else None
    if not facts or "persons" not in facts:
        return _from_ents(doc, meta, pipeline)
    actors = []
    for p in facts["persons"]:
        a, b = _char(doc, p.start, p.end)
        mentions = tuple(sorted({_char(doc, s, e) for s, e in p.mentions}))
        role = "; ".join(r for _, r in p.offices) or None
        actors.append(
            Actor(
                name=p.name,
                kind="person",
                start=a,
                end=b,
                role=role,
                organization=office_body(p, facts["context"], meta.get("source")) if role else None,
                id=f"person:{slug(p.name)}",
                mentions=mentions,
            )
        )
    for g in facts["groups"]:
        mentions = tuple(sorted({_char(doc, s, e) for s, e in g["mentions"]}))
        actors.append(
            Actor(
                name=g["name"],
                kind="organization",
                start=g["start"],
                end=g["end"],
                id=f"organization:{slug(g['name'])}",
                mentions=mentions,
            )
        )
    actors.sort(key=lambda a: a.start)
    body = {a.name: a.organization for a in actors if a.kind == "person"}
    commitments = tuple(
        replace(c, organization=body.get(c.actor) or c.organization) if c.actor in body else c
        for c in facts.get("commitments") or ()
    )
    sites, seen = [], set()
    for st in facts["sites"]:
        key = (st.name, st.type)
        if key in seen:
            continue
        seen.add(key)
        sites.append(Site(name=st.name, type=st.type, start=st.start, end=st.end, istat=st.istat))
    amounts = facts.get("amounts")
    if amounts is None:
        amounts = money.find_amounts(text_of(doc))
    return Extraction(
        text=text_of(doc),
        actors=tuple(actors),
        sites=tuple(sites),
        amounts=tuple(amounts),
        commitments=commitments,
        pipeline=pipeline,
        meta=dict(meta),
    )


def _from_ents(doc: Doc, meta: dict, pipeline: str) -> Extraction:
    actors, sites, seen = [], [], set()
    for ent in doc.ents:
        key = (ent.label_, ent.text)
        if key in seen:
            continue
        seen.add(key)
        if ent.label_ in ("PER", "ORG"):
            kind = "person" if ent.label_ == "PER" else "organization"
            actors.append(
                Actor(
                    name=ent.text,
                    kind=kind,
                    start=ent.start_char,
                    end=ent.end_char,
                    id=f"{kind}:{slug(ent.text)}",
                )
            )
        elif ent.label_ == "LOC":
            sites.append(Site(name=ent.text, type="altro", start=ent.start_char, end=ent.end_char))
    return Extraction(
        text=text_of(doc),
        actors=tuple(actors),
        sites=tuple(sites),
        amounts=tuple(money.find_amounts(text_of(doc))),
        pipeline=pipeline,
        meta=dict(meta),
    )
