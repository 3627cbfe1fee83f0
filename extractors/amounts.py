"""Money amounts: the `sentinella_money` component, a thin wrapper of `money.find_amounts`.

Each amount goes into `doc.spans[MONEY]` (label: its currency), with its `Amount` record
(exact character offsets, value, currency, qualifier) in `span._.amounts`; a range gives
two amounts with the same text, held by one span.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from sentinella.extractors.lexicon import text_of
from sentinella.extractors.money import find_amounts
from sentinella.extractors.spans import MONEY
from sentinella.facts import Amount


def amounts_of(doc: Doc) -> list[Amount]:
    """Every amount of a Doc, in text order (from the spans, else from the text)."""
    if MONEY not in doc.spans:
        return find_amounts(text_of(doc))
    return [a for span in doc.spans[MONEY] for a in span._.amounts]


@Language.component("sentinella_money", assigns=["doc.spans", "span._.amounts"])
def money_component(doc: Doc) -> Doc:
    spans: dict[tuple[int, int], tuple] = {}  # token offsets -> (span, amounts)
    for a in find_amounts(text_of(doc)):
        span = doc.char_span(a.start, a.end, label=a.currency, alignment_mode="expand")
        if span is not None:
            _, found = spans.setdefault((span.start, span.end), (span, []))
            found.append(a)
    for span, found in spans.values():
        span._.amounts = tuple(found)
    doc.spans[MONEY] = [span for span, _ in spans.values()]
    return doc
