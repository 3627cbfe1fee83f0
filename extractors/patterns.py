"""Pattern tables: JSONL files of token patterns with ids, read by one spaCy Matcher.

The format is spaCy's SpanRuler/EntityRuler `patterns.jsonl` (one `{"id", "label",
"pattern"}` object per line, token patterns over token attributes) with two additions
that keep long tables readable:

- a line `{"define": {"CAP": {...token spec...}, ...}}` names a token class once; a
  pattern token `{"use": "CAP", "OP": "+"}` is that class with the extra keys merged in;
- `"name": [i, j, ...]` lists the pattern tokens that form the entity itself, when the
  pattern also matches its context ("la vertenza Electrolux": the context word
  "vertenza" is pattern token 0, the name is token 1 and what follows);
- any other key (`"extend"`, `"territory"`, ...) is kept as the pattern's options for the
  component that owns the table.

Overlap resolution is a named filter in spaCy's registry (`spacy.registry.misc`), as
SpanRuler's `spans_filter`: the owning component looks it up by name from its config.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher

from sentinella.errors import SentinellaError

DATA = Path(__file__).resolve().parent / "data"


class PatternError(SentinellaError):
    pass


@dataclass(frozen=True)
class Pattern:
    id: str
    label: str
    tokens: tuple  # the spaCy token pattern, classes expanded
    name: tuple[int, ...] = ()  # pattern-token indices of the entity itself
    options: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Match:
    """A pattern match: `start`/`end` cover the entity (the `name` tokens when given)."""

    pattern: Pattern
    start: int
    end: int
    match_start: int  # the whole match, context words included
    match_end: int


def _expand(token: dict, classes: dict, where: str) -> dict:
    if "use" not in token:
        return token
    base = classes.get(token["use"])
    if base is None:
        raise PatternError(f"{where}: unknown token class {token['use']!r}")
    return {**base, **{k: v for k, v in token.items() if k != "use"}}


def read_table(path: Path) -> list[Pattern]:
    """The patterns of one JSONL table, token classes expanded."""
    classes: dict = {}
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            where = f"{path.name}:{n}"
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as exc:
                raise PatternError(f"{where}: {exc}") from None
            if "define" in entry:
                for name, spec in entry["define"].items():
                    classes[name] = _expand(spec, classes, where)
                continue
            tokens = tuple(_expand(t, classes, where) for t in entry["pattern"])
            options = {
                k: v for k, v in entry.items() if k not in ("id", "label", "pattern", "name")
            }
            out.append(
                Pattern(entry["id"], entry["label"], tokens, tuple(entry.get("name", ())), options)
            )
    return out


class PatternMatcher:
    """One Matcher over a whole table; each pattern id is its own key. Within a key the
    leftmost match wins, the longest at that start (as a regular expression would)."""

    def __init__(self, nlp: Language, patterns: list[Pattern]):
        self.matcher = Matcher(nlp.vocab)
        self.by_key: dict[int, Pattern] = {}
        self.by_id: dict[str, Pattern] = {}
        for p in patterns:
            self.by_id.setdefault(p.id, p)
            self.matcher.add(p.id, [list(p.tokens)], greedy="FIRST")
            self.by_key[nlp.vocab.strings[p.id]] = p

    def __call__(self, doc) -> list[Match]:
        out = []
        for key, start, end, align in self.matcher(doc, with_alignments=True):  # type: ignore[misc]
            p = self.by_key[key]
            s, e = start, end
            if p.name:
                inside = [start + k for k, a in enumerate(align) if a in p.name]
                if not inside:
                    continue
                s, e = inside[0], inside[-1] + 1
            out.append(Match(p, s, e, start, end))
        return sorted(out, key=lambda m: (m.start, -m.end))


def load_matcher(nlp: Language, filename: str) -> PatternMatcher:
    return PatternMatcher(nlp, read_table(DATA / filename))
