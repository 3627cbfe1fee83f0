"""The purpose of a commitment: the phrase its trigger governs, not a raw slice of text.

With a dependency parse, the purpose is the subtree of the trigger verb's object or
complement (`obj`, `xcomp`, `ccomp`; for a passive allocation, its subject: "saranno
destinati 4 milioni alla ricerca" -> "4 milioni alla ricerca"), with the purpose clause
that follows it ("per la formazione"). Without a parse, it is the text after the trigger
up to the end of its clause, cut at a comma when long, and never left hanging on a
preposition, an article or a conjunction.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from sentinella.extractors.lexicon import text_of
from sentinella.extractors.sentences import Sentence
from sentinella.extractors.triggers import Trigger

MAX_WORDS = 18
COMPLEMENT_DEPS = ("obj", "xcomp", "ccomp", "nsubj:pass")
_CLAUSE_END = re.compile(r"[.;:«»“”(]|,\s+(?:che|mentre|con|e|ha|hanno|ha detto|spiega)\b")
_DANGLING = frozenset(
    [
        "a",
        "ad",
        "al",
        "alla",
        "allo",
        "ai",
        "agli",
        "alle",
        "all’",
        "all'",
        "di",
        "del",
        "della",
        "dello",
        "dei",
        "degli",
        "delle",
        "dell’",
        "dell'",
        "da",
        "dal",
        "dalla",
        "dai",
        "dalle",
        "in",
        "nel",
        "nella",
        "nei",
        "nelle",
        "per",
        "con",
        "su",
        "sul",
        "sulla",
        "tra",
        "fra",
        "e",
        "ed",
        "o",
        "il",
        "lo",
        "la",
        "i",
        "gli",
        "le",
        "l’",
        "l'",
        "un",
        "una",
        "uno",
        "che",
        "cui",
        "come",
        "entro",
        "oltre",
    ]
)


def purpose_of(doc: Doc, sent: Sentence, t: Trigger) -> str | None:
    if doc.has_annotation("DEP"):
        phrase = _parsed(doc, sent, t)
        if phrase:
            return phrase
    return _surface(sent.text[t.end :])


def _surface(tail: str) -> str | None:
    tail = tail.strip(" ,")
    m = _CLAUSE_END.search(tail)
    part = tail[: m.start()] if m else tail
    words = part.split()
    if len(words) > MAX_WORDS:
        # a clause comma, not the decimal one of "14,6 milioni"
        cut = part.rfind(", ", 0, len(" ".join(words[:MAX_WORDS])))
        words = part[:cut].split() if cut > 0 else words[:MAX_WORDS]
    while words and words[-1].lower() in _DANGLING:
        words.pop()
    return " ".join(words) or None


def _parsed(doc: Doc, sent: Sentence, t: Trigger) -> str | None:
    span = doc.char_span(sent.start + t.start, sent.start + t.end, alignment_mode="expand")
    if span is None:
        return None
    verb = span.root
    comps = [ch for ch in verb.children if ch.dep_ in COMPLEMENT_DEPS]
    if not comps:
        return None
    head = comps[0]
    toks = sorted(head.subtree, key=lambda tok: tok.i)
    # the purpose clause after the object: "stanzia 2 milioni per la formazione"
    for ch in verb.children:
        if ch.dep_ == "obl" and ch.i > head.i and any(c.lower_ == "per" for c in ch.children):
            toks += sorted(ch.subtree, key=lambda tok: tok.i)
    toks = [tok for tok in toks if sent.start <= tok.idx < sent.end]
    if not toks:
        return None
    text = text_of(doc)[toks[0].idx : toks[-1].idx + len(toks[-1].text)]
    return _surface(text) if len(text.split()) > MAX_WORDS else text
