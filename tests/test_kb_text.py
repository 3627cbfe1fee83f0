"""The knowledge base's sentence lookup: the evidence sentence stored with each amount."""

from __future__ import annotations

from sentinella.kb.text import SentenceFinder, sentence_at, sentences

TEXT = (
    "La Regione stanzia 3 milioni di euro. Il Comune di Asti aggiunge 200.000 euro!\n\n"
    "  Lavori entro marzo con la S.p.A. incaricata, n. 23 del piano.  "
)


def brute_force(text: str, start: int, end: int) -> str:
    """The definition: every sentence that ends after `start` and begins before `end`."""
    inside = [(s, e) for s, e in sentences(text) if s < max(end, start + 1) and e > start]
    return text[inside[0][0] : inside[-1][1]] if inside else text[start:end]


def test_the_sentences_around_a_span():
    amount = TEXT.index("200.000 euro")
    assert sentence_at(TEXT, amount, amount + 12) == "Il Comune di Asti aggiunge 200.000 euro!"
    across = TEXT.index("euro.")
    assert sentence_at(TEXT, across, TEXT.index("Comune")) == (
        "La Regione stanzia 3 milioni di euro. Il Comune di Asti aggiunge 200.000 euro!"
    )
    gap = TEXT.index("\n\n")
    assert sentence_at(TEXT, gap + 1, gap + 2) == "\n"  # between sentences: the span itself


def test_one_split_answers_every_span_as_the_definition_does():
    finder = SentenceFinder(TEXT)
    for start in range(len(TEXT) + 1):
        for end in range(start, len(TEXT) + 1):
            assert finder.at(start, end) == brute_force(TEXT, start, end), (start, end)
