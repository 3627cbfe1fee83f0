"""Entity-level evaluation of a spaCy pipeline's NER on KIND-format files.

KIND format: one token per line, `token<TAB>IOB2-tag`, a blank line between
sentences. Each sentence becomes a `Doc` built from the given tokens (so gold
and predicted offsets align), the pipeline runs on the Docs in batches
(`nlp.pipe`), and predicted `doc.ents` are compared with the gold spans by exact
match of (start token, end token, label). Only PER, ORG and LOC count.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

LABELS = ("PER", "ORG", "LOC")

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


def evaluate_ner(nlp: Language, path, batch_size: int = 256) -> dict:
    """Score `nlp`'s entities against the KIND-format file at `path`.

    Returns {"p", "r", "f", "per_type": {"PER"|"ORG"|"LOC": {"p","r","f"}},
    "words_per_second", "words", "sentences"} with micro averages over the three
    types. Speed is the wall-clock time of `nlp.pipe` over all sentences.
    """
    sentences = read_kind(Path(path))
    n_words = sum(len(w) for w, _ in sentences)
    tp = {lab: 0 for lab in LABELS}
    n_pred = {lab: 0 for lab in LABELS}
    n_gold = {lab: 0 for lab in LABELS}
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
    scores = _prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    scores["per_type"] = {lab: _prf(tp[lab], n_pred[lab], n_gold[lab]) for lab in LABELS}
    scores["words_per_second"] = round(n_words / elapsed, 1) if elapsed > 0 else 0.0
    scores["words"] = n_words
    scores["sentences"] = len(sentences)
    return scores


def format_ner_table(scores: dict) -> str:
    """A plain-text table of the scores returned by `evaluate_ner`."""
    lines = [f"{'type':<6} {'P':>7} {'R':>7} {'F':>7}"]
    for lab in LABELS:
        s = scores["per_type"].get(lab, {"p": 0.0, "r": 0.0, "f": 0.0})
        lines.append(f"{lab:<6} {s['p']:>7.4f} {s['r']:>7.4f} {s['f']:>7.4f}")
    lines.append(f"{'micro':<6} {scores['p']:>7.4f} {scores['r']:>7.4f} {scores['f']:>7.4f}")
    lines.append(
        f"{scores['words']} words, {scores['sentences']} sentences, "
        f"{scores['words_per_second']:.0f} words/s"
    )
    return "\n".join(lines)
