"""Entity-level evaluation of a spaCy pipeline's NER on KIND or WikiNEuRal files.

Two formats, one token per line and a blank line between sentences:
- KIND (`.tsv` or any other name): `token<TAB>IOB2-tag`;
- WikiNEuRal (`.conllu`): `index<TAB>token<TAB>IOB2-tag`.
Each sentence becomes a `Doc` built from the given tokens (so gold and predicted
offsets align), the pipeline runs on the Docs in batches (`nlp.pipe`), and predicted
`doc.ents` are compared with the gold spans by exact match of (start token, end token,
label). Only PER, ORG and LOC count (WikiNEuRal's MISC is not scored).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from sentinella.errors import SentinellaError

LABELS = ("PER", "ORG", "LOC")
# Components that the entities do not depend on (the shipped pipeline's parse side has its
# own tok2vec; in spaCy's it_core_news_* pipelines the NER has its own as well).
NOT_FOR_NER = frozenset(
    {"ud_tok2vec", "morphologizer", "parser", "tagger", "attribute_ruler", "senter", "lemmatizer"}
)

Sentence = tuple[list[str], list[str]]


def read_kind(path) -> list[Sentence]:
    """Read a KIND-format file into a list of (words, tags)."""
    sentences: list[Sentence] = []
    words: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip():
                if words:
                    sentences.append((words, tags))
                    words, tags = [], []
                continue
            parts = line.split("\t")
            token = parts[0]
            tag = parts[-1].strip() if len(parts) > 1 else "O"
            if not token:
                continue
            words.append(token)
            tags.append(tag or "O")
    if words:
        sentences.append((words, tags))
    return sentences


class NerDataError(SentinellaError):
    """An NER file that cannot be read; the message names the line."""


def read_conll3(path) -> list[Sentence]:
    """Read a three-column file (`index<TAB>token<TAB>IOB2-tag`, WikiNEuRal's format)."""
    path = Path(path)
    sentences: list[Sentence] = []
    words: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip():
                if words:
                    sentences.append((words, tags))
                    words, tags = [], []
                continue
            parts = line.split("\t")
            if len(parts) != 3 or not parts[0].strip().isdigit():
                raise NerDataError(
                    f"{path.name}:{n}: expected index<TAB>token<TAB>IOB2-tag, found {line[:60]!r}"
                )
            words.append(parts[1])
            tags.append(parts[2].strip() or "O")
    if words:
        sentences.append((words, tags))
    return sentences


def read_ner_file(path) -> list[Sentence]:
    """Sentences of a `.conllu` (three columns) or KIND-format file; empty files are refused."""
    path = Path(path)
    sentences = read_conll3(path) if path.suffix == ".conllu" else read_kind(path)
    if not sentences:
        raise NerDataError(f"{path.name}: no sentences")
    return sentences


def iob_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Spans (start, end, label) from IOB2 tags, conlleval-style: an I- tag that
    does not continue an entity of the same type starts a new one."""
    spans: list[tuple[int, int, str]] = []
    start, label = None, None
    for i, tag in enumerate([*list(tags), "O"]):
        prefix, _, typ = tag.partition("-")
        if prefix not in ("B", "I") or not typ:
            prefix, typ = "O", None
        if label is not None and (prefix != "I" or typ != label):
            spans.append((start, i, label))
            start, label = None, None
        if prefix == "B" or (prefix == "I" and label is None):
            start, label = i, typ
    return spans


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4)}


def _docs(nlp: Language, sentences: Iterable[Sentence]) -> Iterator[Doc]:
    for words, _ in sentences:
        yield Doc(nlp.vocab, words=words)


def ner_components(nlp: Language) -> list[str]:
    """The components the entities need: not the parse, the lemmas or Sentinella's rules."""
    return [
        p
        for p in nlp.pipe_names
        if p not in NOT_FOR_NER and (p == "sentinella_gazetteer" or not p.startswith("sentinella_"))
    ]


def evaluate_ner(nlp: Language, path, batch_size: int = 256) -> dict:
    """Score `nlp`'s entities against the KIND or three-column file at `path`.

    Returns {"p", "r", "f", "per_type": {"PER"|"ORG"|"LOC": {"p","r","f"}},
    "words_per_second", "words", "sentences"} with micro averages over the three
    types. Speed is the wall-clock time of `nlp.pipe` over all sentences.
    """
    return score_ner(nlp, read_ner_file(path), batch_size)


Span3 = tuple[int, int, str]
ERROR_KINDS = ("type", "boundary", "missed", "spurious")


def _overlaps(a: Span3, b: Span3) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def classify_errors(gold: set[Span3], pred: set[Span3], errors: dict) -> None:
    """Add one sentence's errors to `errors[label][kind]`.

    A gold entity not found exactly is a `type` error (the same span with another label),
    a `boundary` error (an overlapping prediction) or `missed`, counted under its gold
    label; a prediction that overlaps no gold entity is `spurious`, under its own label.
    """
    for g in gold - pred:
        if any(p[:2] == g[:2] for p in pred):
            kind = "type"
        elif any(_overlaps(p, g) for p in pred):
            kind = "boundary"
        else:
            kind = "missed"
        errors[g[2]][kind] += 1
    for p in pred - gold:
        if not any(_overlaps(p, g) for g in gold):
            errors[p[2]]["spurious"] += 1


def score_ner(nlp: Language, sentences: list[Sentence], batch_size: int = 256) -> dict:
    """Score `nlp` on gold (words, tags) sentences (see `evaluate_ner`)."""
    n_words = sum(len(w) for w, _ in sentences)
    tp = {lab: 0 for lab in LABELS}
    n_pred = {lab: 0 for lab in LABELS}
    n_gold = {lab: 0 for lab in LABELS}
    errors = {lab: dict.fromkeys(ERROR_KINDS, 0) for lab in LABELS}
    start = time.perf_counter()
    predicted = list(nlp.pipe(_docs(nlp, sentences), batch_size=batch_size))
    elapsed = time.perf_counter() - start
    for (_words, tags), doc in zip(sentences, predicted):
        gold = {s for s in iob_spans(tags) if s[2] in LABELS}
        pred = {(e.start, e.end, e.label_) for e in doc.ents if e.label_ in LABELS}
        for s in gold:
            n_gold[s[2]] += 1
        for s in pred:
            n_pred[s[2]] += 1
        for s in gold & pred:
            tp[s[2]] += 1
        classify_errors(gold, pred, errors)
    scores = _prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    scores["per_type"] = {lab: _prf(tp[lab], n_pred[lab], n_gold[lab]) for lab in LABELS}
    scores["errors"] = errors
    scores["words_per_second"] = round(n_words / elapsed, 1) if elapsed > 0 else 0.0
    scores["words"] = n_words
    scores["sentences"] = len(sentences)
    return scores


def format_ner_table(scores: dict) -> str:
    """A plain-text table of the scores returned by `evaluate_ner`."""
    kinds = "".join(f" {k:>9}" for k in ERROR_KINDS)
    lines = [f"{'type':<6} {'P':>7} {'R':>7} {'F':>7}  errors:{kinds}"]
    for lab in LABELS:
        s = scores["per_type"].get(lab, {"p": 0.0, "r": 0.0, "f": 0.0})
        errs = "".join(f" {scores['errors'][lab][k]:>9}" for k in ERROR_KINDS)
        lines.append(f"{lab:<6} {s['p']:>7.4f} {s['r']:>7.4f} {s['f']:>7.4f}         {errs}")
    lines.append(f"{'micro':<6} {scores['p']:>7.4f} {scores['r']:>7.4f} {scores['f']:>7.4f}")
    lines.append(
        f"{scores['words']} words, {scores['sentences']} sentences, "
        f"{scores['words_per_second']:.0f} words/s"
    )
    return "\n".join(lines)
