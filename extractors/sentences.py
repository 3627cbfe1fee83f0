"""Sentences and clauses as the commitment rules see them.

- `sentences(doc)`: evidence sentences, without surrounding whitespace; a blank line
  always ends one (headlines, datelines, list items), and an opening quotation mark that
  the sentence splitter left at the end of a sentence moves to the next one.
- `clauses(text)`: the stretches of a sentence between quotation marks, semicolons and
  colons, each marked as inside a quotation or not; a sentence that closes a quotation it
  did not open continues an earlier quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from sentinella.extractors.lexicon import text_of

QUOTE_OPEN, QUOTE_CLOSE = "«“", "»”"
_DELIM = re.compile(r"[«“»”;:]")
_PARAGRAPH_LINES = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*")


@dataclass(frozen=True)
class Sentence:
    start: int  # character offsets in the Doc's text
    end: int
    text: str


@dataclass(frozen=True)
class Clause:
    start: int  # character offsets in the sentence
    end: int
    quoted: bool


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while b > a and text[b - 1].isspace():
        b -= 1
    while a < b and text[a].isspace():
        a += 1
    return a, b


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """Character spans of the evidence sentences (see the module docstring)."""
    text = text_of(doc)
    spans: list[tuple[int, int]] = []
    carry = None
    for sent in doc.sents:
        a, b = (carry if carry is not None else sent.start_char), sent.end_char
        carry = None
        a, b = _strip(text, a, b)
        if b > a and text[b - 1] in QUOTE_OPEN:
            carry = b - 1
            a, b = _strip(text, a, b - 1)
        for part in _PARAGRAPH_LINES.finditer(text, a, b):
            p0, p1 = _strip(text, part.start(), part.end())
            if p1 > p0:
                spans.append((p0, p1))
    if carry is not None and spans:
        spans[-1] = (spans[-1][0], len(text.rstrip()))
    return spans


def sentences(doc: Doc) -> list[Sentence]:
    text = text_of(doc)
    return [Sentence(a, b, text[a:b]) for a, b in sentence_spans(doc)]


def clauses(text: str) -> list[Clause]:
    """Stretches between quotation marks and semicolons/colons (see the module docstring)."""
    out = []
    marks = [(m.start(), m.group(0)) for m in _DELIM.finditer(text)]
    first = next((ch for _, ch in marks if ch in QUOTE_OPEN or ch in QUOTE_CLOSE), None)
    depth = 1 if first is not None and first in QUOTE_CLOSE else 0
    start = 0
    for i, ch in marks:
        if i > start:
            out.append(Clause(start, i, depth > 0))
        if ch in QUOTE_OPEN:
            depth += 1
        elif ch in QUOTE_CLOSE:
            depth = max(0, depth - 1)
        start = i + 1
    if start < len(text):
        out.append(Clause(start, len(text), depth > 0))
    return out


def clause_at(cl: list[Clause], pos: int, length: int) -> Clause:
    return next((c for c in cl if c.start <= pos < c.end), Clause(0, length, False))


def in_quote(pos: int, cl: list[Clause]) -> bool:
    return any(c.quoted and c.start <= pos < c.end for c in cl)
