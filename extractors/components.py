"""Sentinella's own spaCy components, added on top of whichever Italian pipeline loaded."""
from __future__ import annotations

from spacy.language import Language


def customize(nlp: Language) -> None:
    """Idempotent: safe to call on a pipeline that already has the components."""
    if not (nlp.has_pipe("parser") or nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")):
        nlp.add_pipe("sentencizer")
