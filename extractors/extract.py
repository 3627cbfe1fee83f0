"""From text to an `Extraction`: run the pipeline in batches and read facts off the Doc.

The components (extractors/components.py) leave labelled spans in `doc.spans[...]`;
`doc_to_extraction` turns them into the frozen records of `sentinella.facts`, with
character offsets, stable actor ids, ISTAT codes, and for every fact the component and
rule that produced it. A Doc from a pipeline without the components (a bare spaCy
pipeline) falls back to its `doc.ents` and the money parser.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span

from sentinella.extractors import money, pieces
from sentinella.extractors.amounts import amounts_of
from sentinella.extractors.lexicon import text_of
from sentinella.extractors.organizations import slug
from sentinella.extractors.pipeline import load_pipeline, pipeline_id
from sentinella.extractors.spans import COMMITMENTS, ORGS, PERSONS, PLACES, group
from sentinella.facts import Actor, Commitment, Extraction, Site


def extract(text: str, meta: dict | None = None, nlp: Language | None = None) -> Extraction:
    return next(extract_many([(text, meta or {})], nlp=nlp))


def extract_many(
    items: Iterable[tuple[str, dict]], nlp: Language | None = None, batch_size: int = 16
) -> Iterator[Extraction]:
    """(text, metadata) pairs in, one Extraction per pair out, in order.

    The metadata (source, url, title, published) travels on `doc._.meta`: the publisher
    tells the components which region and town a text belongs to. Texts longer than a
    piece (`pieces.PIECE_CHARS`, or the pipeline's max_length if smaller) are extracted
    piece by piece and merged (see `extractors.pieces`), never refused.
    """
    nlp = nlp or load_pipeline()
    pid = pipeline_id(nlp)
    limit = min(pieces.PIECE_CHARS, nlp.max_length)
    short: list[Doc] = []

    def flush() -> Iterator[Extraction]:
        for doc in nlp.pipe(short, batch_size=batch_size):
            yield doc_to_extraction(doc, doc._.meta or {}, pid)
        short.clear()

    for text, meta in items:
        if len(text) <= limit:
            short.append(_make_doc(nlp, text, meta))
            if len(short) >= batch_size:
                yield from flush()
            continue
        yield from flush()
        parts = list(pieces.pieces(text, limit))
        docs = nlp.pipe([_make_doc(nlp, piece, meta) for _, piece in parts])
        extracted = [
            (start, doc_to_extraction(doc, meta, pid)) for (start, _), doc in zip(parts, docs)
        ]
        yield pieces.merge(text, extracted, meta)
    yield from flush()


def _make_doc(nlp: Language, text: str, meta: dict) -> Doc:
    doc = nlp.make_doc(text)
    doc._.meta = dict(meta)
    return doc


def doc_to_extraction(doc: Doc, meta: dict, pipeline: str) -> Extraction:
    if PERSONS not in doc.spans:
        return _from_ents(doc, meta, pipeline)
    actors = _persons(doc) + _organizations(doc)
    actors.sort(key=lambda a: a.start)
    return Extraction(
        text=text_of(doc),
        actors=tuple(actors),
        sites=tuple(_sites(doc)),
        amounts=tuple(amounts_of(doc)),
        commitments=tuple(_commitments(doc, actors)),
        pipeline=pipeline,
        meta=dict(meta),
    )


def _by_actor(spans: list[Span]) -> dict[str, list[Span]]:
    out: dict[str, list[Span]] = {}
    for span in spans:
        out.setdefault(span._.actor.name, []).append(span)
    return out


def _persons(doc: Doc) -> list[Actor]:
    out = []
    for name, mentions in _by_actor(group(doc, PERSONS)).items():
        # the first mention in full ("Mario Rossi"), not an earlier bare surname
        first = next((m for m in mentions if m.text == name), mentions[0])
        info = first._.actor
        role = "; ".join(o.role for o in info.offices) or None
        out.append(
            Actor(
                name=name,
                kind="person",
                start=first.start_char,
                end=first.end_char,
                role=role,
                organization=info.organization if role else None,
                id=f"person:{slug(name)}",
                mentions=tuple(sorted({(m.start_char, m.end_char) for m in mentions})),
                source=info.source,
                rule=info.rule,
            )
        )
    return out


def _organizations(doc: Doc) -> list[Actor]:
    out = []
    for name, mentions in _by_actor(group(doc, ORGS)).items():
        first = mentions[0]
        out.append(
            Actor(
                name=name,
                kind="organization",
                start=first.start_char,
                end=first.end_char,
                id=f"organization:{slug(name)}",
                mentions=tuple(sorted({(m.start_char, m.end_char) for m in mentions})),
                source=first._.actor.source,
                rule=first._.actor.rule,
            )
        )
    return out


def _sites(doc: Doc) -> list[Site]:
    out, seen = [], set()
    for span in group(doc, PLACES):
        p = span._.place
        if (p.name, p.type) in seen:
            continue
        seen.add((p.name, p.type))
        out.append(Site(p.name, p.type, span.start_char, span.end_char, p.istat, rule=p.rule))
    return out


def _commitments(doc: Doc, actors: list[Actor]) -> list[Commitment]:
    bodies = {a.name: a.organization for a in actors if a.kind == "person"}
    out = []
    for span in group(doc, COMMITMENTS):
        for f in span._.commitments:
            # a person's commitment belongs to the body of their office; an
            # organisation's (or an institution's, through an organ) to itself
            organization = bodies.get(f.actor, f.actor)
            out.append(
                Commitment(
                    actor=f.actor,
                    sentence=span.text,
                    start=span.start_char,
                    end=span.end_char,
                    organization=organization,
                    amount=f.amount,
                    purpose=f.purpose,
                    sites=f.sites,
                    verb=f.verb,
                    component=f.component,
                    trigger=f.trigger,
                    resolver=f.resolver,
                )
            )
    return out


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
                    source="ner",
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
