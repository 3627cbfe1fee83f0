"""The shipped pipeline's syntax: what the extractors read, and what it must not change.

Regression checks on the shipped model (no training here): the parse is there and sane on
plain sentences, sentences are the sentencizer's, and the UD side changes neither the
entities nor leaves the gazetteer's marks in token.morph.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from sentinella.extractors.pipeline import SHIPPED
from sentinella.ingest.read import ReadError, read_html

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "sample"
UD_PIPES = ["ud_tok2vec", "morphologizer", "parser"]


@pytest.fixture(scope="module")
def shipped():
    """The shipped pipeline alone (the session's `nlp` fixture adds the rules)."""
    return spacy.load(SHIPPED)


@pytest.fixture(scope="module")
def sample_texts():
    texts = []
    for path in sorted(SAMPLE.rglob("*.html"))[:12]:
        try:
            texts.append(read_html(path.read_bytes()).text)
        except ReadError:
            continue
    assert len(texts) >= 10
    return texts


def test_parse_sets_what_commitment_detection_reads(shipped):
    doc = shipped("La Regione non stanzierà altri fondi per la sede di Asti.")
    assert doc.has_annotation("DEP") and doc.has_annotation("POS")
    verb = next(t for t in doc if t.text == "stanzierà")
    assert verb.dep_ == "ROOT" and verb.pos_ == "VERB"
    assert verb.morph.get("Mood") == ["Ind"] and verb.morph.get("Tense") == ["Fut"]
    assert verb.morph.get("Person") == ["3"] and verb.morph.get("Number") == ["Sing"]
    children = {t.text: t.dep_ for t in verb.children}
    assert children["Regione"] == "nsubj"
    assert children["fondi"] == "obj"
    assert children["non"] == "advmod"
    assert doc[1].head == verb


def test_sentences_are_the_sentencizers(shipped, sample_texts):
    """The parser keeps the rule-based sentences: the extraction copies them verbatim."""
    with shipped.select_pipes(enable=["sentencizer"]):
        rule = [[s.text for s in doc.sents] for doc in shipped.pipe(sample_texts)]
    parsed = [[s.text for s in doc.sents] for doc in shipped.pipe(sample_texts)]
    assert parsed == rule


def test_no_break_after_abbreviations_with_the_parser(shipped):
    doc = shipped("Lo ha detto l'on. Rossi. La Telecontact Italia S.p.A. assume 20 persone.")
    assert [s.text for s in doc.sents] == [
        "Lo ha detto l'on. Rossi.",
        "La Telecontact Italia S.p.A. assume 20 persone.",
    ]


def test_ud_side_changes_no_entity_and_clears_gazetteer_marks(shipped, sample_texts):
    with shipped.select_pipes(disable=UD_PIPES):
        before = [[(e.start, e.end, e.label_) for e in d.ents] for d in shipped.pipe(sample_texts)]
        marked = sum("Loc=" in str(t.morph) for d in shipped.pipe(sample_texts[:3]) for t in d)
    docs = list(shipped.pipe(sample_texts))
    assert [[(e.start, e.end, e.label_) for e in d.ents] for d in docs] == before
    assert marked > 0  # the NER's tok2vec did get the marks ...
    # ... and the morphologizer replaced them with morphology
    assert not any(k in str(t.morph) for d in docs for t in d for k in ("Loc=", "First=", "Org="))
