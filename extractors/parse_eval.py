"""Read Universal Dependencies (CoNLL-U) files and score a pipeline's parse on them.

Multiword tokens ("della" = di + la, "farlo" = far + lo) are merged into one token,
because spaCy's Italian tokenizer keeps them whole: the merged token takes the form of
the multiword token and the head, relation, part of speech and features of its syntactic
head (the first sub-word whose head lies outside the multiword token), so "farlo" is a
VERB with VerbForm=Inf and "della" an ADP. Training data (models/ud.py) and evaluation
use the same merge. Empty nodes (ids like "8.1") are skipped.

`evaluate_parse` runs the pipeline on gold tokens and gold sentence boundaries (one Doc
per sentence) and reports, as spaCy does for its own pipelines: UAS and LAS over all
tokens except punctuation (labels with subtypes, e.g. `nsubj:pass`), accuracy of the
universal part of speech, and of the full feature set (`morph_acc`), plus per-feature
accuracy for the features the extractors read (Mood, Tense, Person, Number, VerbForm,
PronType: Italian UD marks "non" PronType=Neg).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from sentinella.errors import SentinellaError

FEATURES = ("Mood", "Tense", "Person", "Number", "VerbForm", "PronType")
PUNCT = "punct"


class ParseEvalError(SentinellaError):
    """The parse cannot be scored (e.g. the pipeline has no parser)."""


class ConlluError(ParseEvalError):
    """A CoNLL-U file that cannot be read; the message names the line."""


@dataclass(frozen=True)
class UDSentence:
    words: tuple[str, ...]
    spaces: tuple[bool, ...]
    heads: tuple[int, ...]  # absolute index of the head in the sentence; the root points to itself
    deps: tuple[str, ...]  # "ROOT" for the root, as spaCy names it
    pos: tuple[str, ...]
    morphs: tuple[str, ...]
    lemmas: tuple[str, ...]


@dataclass
class _Word:
    id: int
    form: str
    lemma: str
    upos: str
    feats: str
    head: int  # 1-based, 0 = root
    deprel: str
    space_after: bool


def _parse_word(parts: list[str], where: str) -> _Word:
    try:
        wid, head = int(parts[0]), int(parts[6])
    except ValueError:
        raise ConlluError(f"{where}: id and head must be integers") from None
    return _Word(
        id=wid,
        form=parts[1],
        lemma=parts[2],
        upos="" if parts[3] == "_" else parts[3],
        feats="" if parts[5] == "_" else parts[5],
        head=head,
        deprel=parts[7],
        space_after="SpaceAfter=No" not in parts[9],
    )


def _merge(words: list[_Word], ranges: list[tuple[int, int, str, bool]]) -> UDSentence:
    """Merge each multiword range (first, last, form, space_after) into one token."""
    by_id = {w.id: w for w in words}
    group_of: dict[int, int] = {}  # word id -> id of the word that represents its token
    merged: dict[int, tuple[str, bool, str]] = {}  # representative id -> (form, space, lemma)
    for first, last, form, space in ranges:
        members = [by_id[i] for i in range(first, last + 1) if i in by_id]
        if not members:
            continue
        outside = [w for w in members if not first <= w.head <= last] or members
        rep = outside[0]
        for w in members:
            group_of[w.id] = rep.id
        merged[rep.id] = (form, space, " ".join(w.lemma for w in members))
    kept = [w for w in words if group_of.get(w.id, w.id) == w.id]
    index = {w.id: i for i, w in enumerate(kept)}
    for wid, rep_id in group_of.items():
        index[wid] = index[rep_id]
    heads, deps = [], []
    for i, w in enumerate(kept):
        heads.append(i if w.head == 0 else index[w.head])
        deps.append("ROOT" if w.head == 0 else w.deprel)
    forms = [merged.get(w.id, (w.form, w.space_after, w.lemma)) for w in kept]
    forms[-1] = (forms[-1][0], False, forms[-1][2])  # no space after the last word
    return UDSentence(
        words=tuple(f[0] for f in forms),
        spaces=tuple(f[1] for f in forms),
        heads=tuple(heads),
        deps=tuple(deps),
        pos=tuple(w.upos for w in kept),
        morphs=tuple(w.feats for w in kept),
        lemmas=tuple(f[2] for f in forms),
    )


def _sentence_blocks(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number of the first line, lines) for each sentence, comments dropped."""
    block: list[str] = []
    start = 0
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip():
                if block:
                    yield start, block
                block = []
                continue
            if line.startswith("#"):
                continue
            if not block:
                start = n
            block.append(line)
    if block:
        yield start, block


def _read_block(start: int, lines: list[str], path: Path) -> UDSentence:
    words: list[_Word] = []
    ranges: list[tuple[int, int, str, bool]] = []
    for k, line in enumerate(lines):
        where = f"{path.name}:{start + k}"
        parts = line.split("\t")
        if len(parts) != 10:
            raise ConlluError(f"{where}: expected 10 tab-separated columns, found {len(parts)}")
        if "." in parts[0]:
            continue  # empty node of enhanced dependencies
        if "-" in parts[0]:
            first, _, last = parts[0].partition("-")
            if not (first.isdigit() and last.isdigit()):
                raise ConlluError(f"{where}: bad multiword token id {parts[0]!r}")
            ranges.append((int(first), int(last), parts[1], "SpaceAfter=No" not in parts[9]))
            continue
        words.append(_parse_word(parts, where))
    ids = [w.id for w in words]
    if ids != list(range(1, len(words) + 1)):
        raise ConlluError(f"{path.name}:{start}: word ids are not 1..n")
    if any(not 0 <= w.head <= len(words) for w in words):
        raise ConlluError(f"{path.name}:{start}: a head points outside the sentence")
    return _merge(words, ranges)


def read_conllu(path) -> list[UDSentence]:
    """All sentences of a CoNLL-U file, multiword tokens merged (see the module doc)."""
    path = Path(path)
    sentences = [_read_block(start, lines, path) for start, lines in _sentence_blocks(path)]
    if not sentences:
        raise ConlluError(f"{path.name}: no sentences")
    return sentences


def gold_doc(vocab, sent: UDSentence) -> Doc:
    """A Doc with the gold annotation of one sentence (for training and scoring)."""
    return Doc(
        vocab,
        words=list(sent.words),
        spaces=list(sent.spaces),
        heads=list(sent.heads),
        deps=list(sent.deps),
        pos=list(sent.pos),
        morphs=list(sent.morphs),
        lemmas=list(sent.lemmas),
    )


def input_doc(vocab, sent: UDSentence) -> Doc:
    """Gold tokens and one gold sentence, nothing else: what the pipeline is given."""
    starts: list[bool | int | None] = [i == 0 for i in range(len(sent.words))]
    return Doc(vocab, words=list(sent.words), spaces=list(sent.spaces), sent_starts=starts)


def _feats(morph: str) -> dict[str, str]:
    return dict(f.split("=", 1) for f in morph.split("|") if "=" in f)


class _Counts:
    def __init__(self) -> None:
        self.tokens = self.scored = self.head = self.label = self.pos = self.morph = 0
        self.feat_ok = dict.fromkeys(FEATURES, 0)
        self.feat_n = dict.fromkeys(FEATURES, 0)

    def add(self, sent: UDSentence, doc: Doc) -> None:
        for i, tok in enumerate(doc):
            self.tokens += 1
            self.pos += tok.pos_ == sent.pos[i]
            self.morph += _feats(str(tok.morph)) == _feats(sent.morphs[i])
            gold_f, pred_f = _feats(sent.morphs[i]), _feats(str(tok.morph))
            for f in FEATURES:
                if f in gold_f or f in pred_f:
                    self.feat_n[f] += 1
                    self.feat_ok[f] += gold_f.get(f) == pred_f.get(f)
            if sent.deps[i] == PUNCT:
                continue
            self.scored += 1
            if tok.head.i == sent.heads[i]:
                self.head += 1
                self.label += tok.dep_.lower() == sent.deps[i].lower()


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def parse_components(nlp: Language) -> list[str]:
    """The components the parse needs: everything but the NER side and the project's rules."""
    skip = {"ner", "sentinella_gazetteer", "lemmatizer", "entity_ruler"}
    names = nlp.pipe_names
    if "ud_tok2vec" in names:  # the shipped pipeline: its "tok2vec" feeds only the NER
        skip.add("tok2vec")
    return [p for p in names if p not in skip and not p.startswith("sentinella_")]


def evaluate_parse(nlp: Language, path, batch_size: int = 256) -> dict:
    """Score `nlp`'s parse, part of speech and features against the CoNLL-U file at `path`."""
    return score_parse(nlp, read_conllu(path), batch_size)


def score_parse(nlp: Language, sentences: list[UDSentence], batch_size: int = 256) -> dict:
    """Score `nlp` on gold sentences (see `evaluate_parse`).

    Speed is the wall-clock time of `nlp.pipe` over all sentences with the components
    the parse needs (`parse_components`).
    """
    if "parser" not in nlp.pipe_names:
        raise ParseEvalError(f"pipeline {nlp.meta.get('name', '?')} has no parser")
    docs = [input_doc(nlp.vocab, s) for s in sentences]
    enabled = parse_components(nlp)
    with nlp.select_pipes(enable=enabled):
        start = time.perf_counter()
        predicted = list(nlp.pipe(docs, batch_size=batch_size))
        elapsed = time.perf_counter() - start
    counts = _Counts()
    for sent, doc in zip(sentences, predicted):
        counts.add(sent, doc)
    return {
        "uas": _ratio(counts.head, counts.scored),
        "las": _ratio(counts.label, counts.scored),
        "pos_acc": _ratio(counts.pos, counts.tokens),
        "morph_acc": _ratio(counts.morph, counts.tokens),
        "morph_per_feat": {f: _ratio(counts.feat_ok[f], counts.feat_n[f]) for f in FEATURES},
        "words": counts.tokens,
        "sentences": len(sentences),
        "words_per_second": round(counts.tokens / elapsed, 1) if elapsed > 0 else 0.0,
        "components": enabled,
    }


def format_parse_table(scores: dict) -> str:
    """A plain-text summary of the scores returned by `evaluate_parse`."""
    feats = "  ".join(f"{f} {v:.4f}" for f, v in scores["morph_per_feat"].items())
    return "\n".join(
        [
            f"UAS    {scores['uas']:.4f}   (punctuation excluded)",
            f"LAS    {scores['las']:.4f}",
            f"POS    {scores['pos_acc']:.4f}",
            f"morph  {scores['morph_acc']:.4f}   (all features of a token right)",
            f"       {feats}",
            f"{scores['words']} words, {scores['sentences']} sentences, "
            f"{scores['words_per_second']:.0f} words/s ({' + '.join(scores['components'])})",
        ]
    )
