"""From text to an `Extraction`: run the pipeline in batches and read facts off the Doc."""
from __future__ import annotations

from typing import Iterable, Iterator, Optional

from spacy.language import Language
from spacy.tokens import Doc

from extractors import money
from extractors.model import Actor, Extraction, Site
from extractors.pipeline import load_pipeline, pipeline_id


def extract(text: str, meta: Optional[dict] = None, nlp: Optional[Language] = None) -> Extraction:
    return next(extract_many([(text, meta or {})], nlp=nlp))


def extract_many(items: Iterable[tuple[str, dict]], nlp: Optional[Language] = None,
                 batch_size: int = 16) -> Iterator[Extraction]:
    """(text, metadata) pairs in, one Extraction per pair out, in order."""
    nlp = nlp or load_pipeline()
    pid = pipeline_id(nlp)
    for doc, meta in nlp.pipe(items, as_tuples=True, batch_size=batch_size):
        yield doc_to_extraction(doc, meta, pid)


def doc_to_extraction(doc: Doc, meta: dict, pipeline: str) -> Extraction:
    actors, sites, seen = [], [], set()
    for ent in doc.ents:
        key = (ent.label_, ent.text)
        if key in seen:
            continue
        seen.add(key)
        if ent.label_ in ("PER", "ORG"):
            kind = "person" if ent.label_ == "PER" else "organization"
            actors.append(Actor(name=ent.text, kind=kind, start=ent.start_char, end=ent.end_char))
        elif ent.label_ == "LOC":
            sites.append(Site(name=ent.text, type="altro", start=ent.start_char, end=ent.end_char))
    return Extraction(
        text=doc.text,
        actors=tuple(actors),
        sites=tuple(sites),
        amounts=tuple(money.find_amounts(doc.text)),
        pipeline=pipeline,
        meta=dict(meta),
    )
