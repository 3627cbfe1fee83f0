"""Long texts in pieces: spaCy refuses texts over `nlp.max_length` (E088), and a press
release is 2–10 thousand characters, so a page of a million is an archive dump, a PDF's
text or a page of listings. Such a text is cut at paragraph (else line, else sentence)
boundaries into pieces under a limit, each piece is extracted on its own, and the
extractions are merged back with their offsets shifted into the whole text.

What is lost: a sentence or a name cut by a hard boundary (only when a piece has no
paragraph, line or sentence end), and document-level resolution across pieces (an actor
named in one piece and referred to in another).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from sentinella.facts import Actor, Extraction

PIECE_CHARS = 100_000  # far under spaCy's default max_length (1,000,000)

_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"[.!?»”]\s"))


def spans(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces covering `text`, each at most `limit` long."""
    out, start = [], 0
    while len(text) - start > limit:
        end = _cut(text, start, start + limit)
        out.append((start, end))
        start = end
    out.append((start, len(text)))
    return out


def _cut(text: str, start: int, hard: int) -> int:
    """The last boundary after the middle of the window, else a hard cut."""
    floor = start + (hard - start) // 2
    for pattern in _BREAKS:
        ends = [m.end() for m in pattern.finditer(text, floor, hard)]
        if ends:
            return ends[-1]
    return hard


def merge(text: str, parts: list[tuple[int, Extraction]], meta: dict) -> Extraction:
    """One extraction of `text` from the extractions of its pieces at their offsets."""
    actors: dict[tuple[str, str], Actor] = {}
    sites, seen_sites, amounts, commitments = [], set(), [], []
    for offset, ex in parts:
        for a in ex.actors:
            moved = _shift(a, offset)
            known = actors.get((a.kind, a.name))
            actors[(a.kind, a.name)] = _join(known, moved) if known else moved
        for s in ex.sites:
            if (s.name, s.type) not in seen_sites:
                seen_sites.add((s.name, s.type))
                sites.append(_shift(s, offset))
        amounts += [_shift(m, offset) for m in ex.amounts]
        commitments += [_shift(c, offset) for c in ex.commitments]
    pipeline = parts[0][1].pipeline if parts else ""
    return Extraction(
        text=text,
        actors=tuple(sorted(actors.values(), key=lambda a: a.start)),
        sites=tuple(sites),
        amounts=tuple(amounts),
        commitments=tuple(commitments),
        pipeline=pipeline,
        meta=dict(meta),
    )


def pieces(text: str, limit: int = PIECE_CHARS) -> Iterator[tuple[int, str]]:
    for start, end in spans(text, limit):
        yield start, text[start:end]


def _shift(item, offset: int):
    if offset == 0:
        return item
    changes = {"start": item.start + offset, "end": item.end + offset}
    if isinstance(item, Actor):
        changes["mentions"] = tuple((s + offset, e + offset) for s, e in item.mentions)
    return replace(item, **changes)


def _join(first: Actor, later: Actor) -> Actor:
    """The first mention stays the actor's; later pieces add mentions and missing offices."""
    return replace(
        first,
        role=first.role or later.role,
        organization=first.organization or later.organization,
        mentions=tuple(sorted({*first.mentions, *later.mentions})),
    )
