"""Long texts are extracted in pieces with offsets into the whole text, never refused."""

from __future__ import annotations

import itertools

from sentinella.extractors import pieces
from sentinella.extractors.extract import extract, extract_many

RELEASE = (
    "Il presidente della Regione Piemonte Alberto Cirio ha annunciato che la Regione "
    "stanzierà 3,7 milioni di euro per le scuole di Asti.\n\n"
    "L'assessora al Lavoro Elena Chiorino ha firmato un accordo da 250.000 euro con il "
    "Comune di Novara."
)


def test_spans_cover_the_text_and_cut_at_paragraphs():
    text = "\n\n".join(f"Paragrafo {i}. " + "parola " * 30 for i in range(50))
    found = pieces.spans(text, limit=1_000)
    assert found[0][0] == 0 and found[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(found))
    assert all(end - start <= 1_000 for start, end in found)
    assert all(text[start:].startswith("Paragrafo") for start, _ in found)


def test_a_text_without_boundaries_is_cut_hard():
    text = "x" * 2_500
    assert pieces.spans(text, limit=1_000) == [(0, 1_000), (1_000, 2_000), (2_000, 2_500)]


def test_a_text_over_max_length_is_extracted_in_pieces(nlp):
    copies = 6
    text = "\n\n".join([RELEASE] * copies)
    whole = extract(RELEASE, nlp=nlp)
    saved = nlp.max_length
    nlp.max_length = len(RELEASE) + 10  # spaCy would raise E088 on the whole text
    try:
        (long,) = list(extract_many([(text, {"url": "long"})], nlp=nlp))
    finally:
        nlp.max_length = saved
    assert long.meta["url"] == "long"
    assert len(long.amounts) == copies * len(whole.amounts) > 0
    for amount in long.amounts:
        assert text[amount.start : amount.end] == amount.text
    for commitment in long.commitments:
        assert text[commitment.start : commitment.end] == commitment.sentence
    names = [a.name for a in long.actors]
    assert len(names) == len(set(names)) == len(whole.actors)  # one actor, many mentions
    cirio = next(a for a in long.actors if a.name == "Alberto Cirio")
    assert len(cirio.mentions) >= copies
    assert all(text[s:e].endswith("Cirio") for s, e in cirio.mentions)
