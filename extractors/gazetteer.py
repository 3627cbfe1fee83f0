"""Gazetteer features for the statistical NER (the `sentinella_gazetteer` component).

The component runs before `tok2vec` in the shipped pipeline and marks every token that is
part of a known place, first name, surname or organisation. The marks are *features*, not
entities: `tok2vec` embeds them next to the word's form, prefix, suffix and shape, and the
NER learns from the training data how far to trust them ("Viola" the first name against
"viola" the colour, "Alba" the town against "Alba" the woman).

spaCy's `MultiHashEmbed` reads only built-in token attributes, so the marks travel in
`token.morph`, which the shipped pipeline does not otherwise use (it has no
morphologizer): e.g. `Loc=B|First=B` for "Rio" in "Rio de Janeiro". The lists are
built by `models/gazetteers.py` from external sources (never from the NER training
labels) and saved inside the model, so loading needs no network and no extra package.

Registered through the `spacy_factories` entry point, so `spacy.load("models/it_sentinella")`
finds the factory whenever Sentinella is installed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

FILENAME = "gazetteer.json"


class Gazetteer:
    """Marks tokens covered by gazetteer entries.

    Terms are tokenised once, when the lists from models/gazetteers.py are loaded at
    training time, and saved tokenised, so loading the model is a set build, not 177,000
    tokenizer calls. Matching is case-sensitive; each class takes its longest entry at each
    position, left to right, and classes overlap freely ("Rio" is a place and a first name).
    """

    def __init__(self, nlp: Language, name: str = "sentinella_gazetteer"):
        self.name = name
        self._lang = nlp.lang
        self._tokenizer = nlp.tokenizer
        self.entries: dict[str, list[str]] = {}  # class -> entries, tokens joined by "\t"
        self._single: dict[str, set[str]] = {}  # class -> one-token entries
        # class -> first token -> (length, entries of that length), longest first
        self._multi: dict[str, dict[str, list[tuple[int, set[tuple[str, ...]]]]]] = {}
        self._starts: dict[str, list[str]] = {}  # word -> classes with an entry starting with it

    def set_entries(self, entries: dict[str, Iterable[str]]) -> None:
        """Entries are token texts joined by tabs; most are one token, kept as plain strings."""
        self.entries = {cls: sorted(set(items)) for cls, items in entries.items()}
        self._single, self._multi, self._starts = {}, {}, {}
        for cls, items in self.entries.items():
            self._single[cls] = {e for e in items if "\t" not in e}
            by_first: dict[str, dict[int, set[tuple[str, ...]]]] = {}
            for e in items:
                if "\t" in e:
                    toks = tuple(e.split("\t"))
                    by_first.setdefault(toks[0], {}).setdefault(len(toks), set()).add(toks)
            self._multi[cls] = {
                first: sorted(lengths.items(), reverse=True) for first, lengths in by_first.items()
            }
            for word in self._single[cls] | self._multi[cls].keys():
                self._starts.setdefault(word, []).append(cls)

    def _match_length(self, cls: str, words: list[str], i: int) -> int:
        for n, terms in self._multi[cls].get(words[i], ()):
            if i + n <= len(words) and tuple(words[i : i + n]) in terms:
                return n
        return 1 if words[i] in self._single[cls] else 0

    def __call__(self, doc: Doc) -> Doc:
        words = [t.text for t in doc]
        marks: dict[int, dict[str, str]] = {}
        free = dict.fromkeys(self.entries, 0)  # per class: first token after its last match
        for i, word in enumerate(words):
            for cls in self._starts.get(word, ()):  # one dict lookup for most words
                n = self._match_length(cls, words, i) if i >= free[cls] else 0
                if n:
                    for j in range(i, i + n):
                        marks.setdefault(j, {})[cls] = "B" if j == i else "I"
                    free[cls] = i + n
        for i, mark in marks.items():
            doc[i].set_morph("|".join(f"{cls}={pos}" for cls, pos in sorted(mark.items())))
        return doc

    def initialize(
        self, get_examples: Callable | None = None, *, nlp=None, path: str | None = None
    ) -> None:
        """Load plain term lists ({class: [term, ...]}) and tokenise them once."""
        if path:
            classes = json.loads(Path(path).read_text(encoding="utf-8"))
            # A scratch copy of the tokenizer, so the terms' strings are not interned
            # in the model's vocab (they would be saved with it and slow its loading).
            scratch = spacy.blank(self._lang)
            scratch.tokenizer.from_bytes(self._tokenizer.to_bytes())
            self.set_entries(
                {
                    cls: ["\t".join(t.text for t in scratch.make_doc(term)) for term in terms]
                    for cls, terms in classes.items()
                }
            )

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / FILENAME).write_text(json.dumps(self.entries, ensure_ascii=False), encoding="utf-8")

    def from_disk(self, path, *, exclude=tuple()) -> Gazetteer:
        self.set_entries(json.loads((Path(path) / FILENAME).read_text(encoding="utf-8")))
        return self


@Language.factory("sentinella_gazetteer")
def make_gazetteer(nlp: Language, name: str) -> Gazetteer:
    return Gazetteer(nlp, name)
