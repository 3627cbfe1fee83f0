"""Pattern tables: JSONL files of token patterns with ids, read by one spaCy Matcher.

The format is spaCy's SpanRuler/EntityRuler `patterns.jsonl` (one `{"id", "label",
"pattern"}` object per line, token patterns over token attributes) with two additions
that keep long tables readable:

- a line `{"define": {"CAP": {...token spec...}, ...}}` names a token class once; a
  pattern token `{"use": "CAP", "OP": "+"}` is that class with the extra keys merged in;
- `"name": [i, j, ...]` lists the pattern tokens that form the entity itself, when the
  pattern also matches its context ("la vertenza Electrolux": the context word
  "vertenza" is pattern token 0, the name is token 1 and what follows);
- `"anchor": i` names the pattern token whose fixed words locate it in a text (the first
  by default): the Matcher runs only on windows around such words;
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
from sentinella.extractors.lexicon import tokens_of

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


WINDOW = 16  # tokens from an anchor word that a pattern may cover (names are shorter)


class PatternMatcher:
    """The Matcher of one table; each pattern id is its own key. Within a key the leftmost
    match wins, the longest at that start (as a regular expression would).

    Most patterns open with fixed words ("Comune", "via", ...): they are grouped by those
    words, and each group runs only where its word occurs, on a window that starts there.
    (A Matcher checks every pattern's first token at every token of a text, a Python call
    for each set of words: on press releases that was most of the extraction's time.)
    Patterns that open otherwise run on the whole Doc."""

    def __init__(self, nlp: Language, patterns: list[Pattern]):
        self.vocab = nlp.vocab
        self.free = Matcher(nlp.vocab)
        self.by_key: dict[int, Pattern] = {}
        self.by_id: dict[str, Pattern] = {}
        # (attribute, word) -> {tokens before the anchor: Matcher of the patterns}
        self.groups: dict[tuple[str, str], dict[int, Matcher]] = {}
        self.words: dict[str, set[str]] = {"ORTH": set(), "LOWER": set()}
        for n, p in enumerate(patterns):
            self.by_id.setdefault(p.id, p)
            key = f"{p.id}#{n}"  # one key per line: lines of one id differ in their "name"
            self.by_key[nlp.vocab.strings.add(key)] = p
            at = p.options.get("anchor", 0)
            words = _anchor_words(p.tokens[at])
            if words is None or any("OP" in t for t in p.tokens[:at]):
                self.free.add(key, [list(p.tokens)], greedy="FIRST")
                continue
            for w in words[1]:
                self.words[words[0]].add(w)
                by_back = self.groups.setdefault((words[0], w), {})
                by_back.setdefault(at, Matcher(nlp.vocab)).add(
                    key, [list(p.tokens)], greedy="FIRST"
                )

    def _raw(self, doc) -> list[tuple]:
        """(key, start, end, alignments) of every match."""
        out: set[tuple] = set()
        if len(self.free):
            out.update(_aligned(self.free, doc, 0))
        table = tokens_of(doc)
        orth, lower = self.words["ORTH"], self.words["LOWER"]
        for k in range(table.n):
            if table.text[k] not in orth and table.lower[k] not in lower:
                continue
            for attr, word in (("ORTH", table.text[k]), ("LOWER", table.lower[k])):
                for back, matcher in self.groups.get((attr, word), {}).items():
                    a = k - back
                    if a < 0:
                        continue
                    window = doc[a : min(table.n, a + WINDOW)]
                    out.update(m for m in _aligned(matcher, window, a) if m[1] == a)
        return sorted(out)

    def __call__(self, doc) -> list[Match]:
        out = []
        for key, start, end, align in self._raw(doc):
            p = self.by_key[key]
            s, e = start, end
            if p.name:
                inside = [start + k for k, a in enumerate(align) if a in p.name]
                if not inside:
                    continue
                s, e = inside[0], inside[-1] + 1
            out.append(Match(p, s, e, start, end))
        return _leftmost_per_pattern(out)


def _aligned(matcher: Matcher, doclike, offset: int) -> list[tuple]:
    """(key, start, end, alignments) of a Matcher's matches, shifted by `offset`."""
    out = []
    for match in matcher(doclike, with_alignments=True):
        key, s, e, al = match  # type: ignore[misc]
        out.append((key, offset + s, offset + e, tuple(al)))
    return out


def _leftmost_per_pattern(matches: list[Match]) -> list[Match]:
    """Per pattern id, the leftmost match wins, the longest at that start, no overlaps
    (what one Matcher call with greedy="FIRST" gives on a whole Doc)."""
    keep: list[Match] = []
    taken: dict[str, list[tuple[int, int]]] = {}
    for m in sorted(matches, key=lambda m: (m.match_start, -m.match_end)):
        spans = taken.setdefault(m.pattern.id, [])
        if any(a < m.match_end and m.match_start < b for a, b in spans):
            continue
        spans.append((m.match_start, m.match_end))
        keep.append(m)
    return sorted(keep, key=lambda m: (m.start, -m.end))


def _anchor_words(first: dict) -> tuple[str, list[str]] | None:
    """(attribute, words) when a pattern's first token is fixed words, else None."""
    keys = [k for k in first if k in ("ORTH", "LOWER", "TEXT")]
    if len(keys) != 1 or first.get("OP"):
        return None
    attr, spec = ("ORTH" if keys[0] == "TEXT" else keys[0]), first[keys[0]]
    if isinstance(spec, str):
        return attr, [spec if attr == "ORTH" else spec.lower()]
    if isinstance(spec, dict) and set(spec) == {"IN"}:
        return attr, [w if attr == "ORTH" else w.lower() for w in spec["IN"]]
    return None


def load_matcher(nlp: Language, filename: str) -> PatternMatcher:
    return PatternMatcher(nlp, read_table(DATA / filename))
