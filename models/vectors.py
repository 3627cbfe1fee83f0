#!/usr/bin/env python
"""Train floret word vectors on the raw Italian text we have (models/build/vectors/).

    .venv/bin/python models/vectors.py      # needs the `train` extra (floret)

Text (labels ignored): KIND's train files (WN, FIC, ADG and the Moro silver file),
WikiNEuRal's two Italian files, the UD treebanks the parser trains or selects on
(multiword tokens merged; not ISDT test, the parser's held-out set, nor ParTUT test, which
shares sentences with it) and the sample corpus's pages. No KIND dev file. 1.63M tokens
(the sample corpus is small).
floret (Explosion's fastText fork) stores subword vectors in a small hash table, so a word
never seen in this text still gets a vector from its character n-grams.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sentinella.extractors.ner_eval import read_conll3
from sentinella.extractors.parse_eval import read_conllu

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared" / "data"
BUILD = HERE / "build"
TEXT = BUILD / "raw_text.txt"
JSONL = BUILD / "raw_text.jsonl"  # the same sentences for `spacy pretrain`
FLORET = BUILD / "vectors.floret"
VECTORS = BUILD / "vectors"

KIND_FILES = ("WN_train", "FIC_train", "ADG_train", "moro_train_silver")
WIKINEURAL_FILES = ("it_val.conllu", "it_test.conllu")
# Not ISDT test (the parser's held-out set) nor ParTUT test (57 of its sentences are in
# ISDT test).
UD_FILES = (
    "ParTUT/it_partut-ud-train",
    "ParTUT/it_partut-ud-dev",
    "MarkIT/it_markit-ud-train",
    "MarkIT/it_markit-ud-dev",
    "MarkIT/it_markit-ud-test",
    "ISDT/it_isdt-ud-dev",
    "VIT/it_vit-ud-dev",
    "VIT/it_vit-ud-test",
)


def kind_sentences(path: Path):
    words = []
    for line in path.open(encoding="utf-8"):
        token = line.split("\t")[0].strip()
        if token:
            words.append(token)
        elif words:
            yield words
            words = []
    if words:
        yield words


def corpus_sentences(folder: Path):
    """The sample corpus's pages as text, one paragraph a line."""
    from sentinella.ingest.read import ReadError, read_html

    for path in sorted(folder.rglob("*.html")):
        try:
            text = read_html(path.read_bytes()).text
        except ReadError:
            continue
        for para in text.splitlines():
            if para.strip():
                yield para.split()


def all_sentences():
    for name in KIND_FILES:
        yield from kind_sentences(SHARED / "kind" / f"{name}.tsv")
    for name in WIKINEURAL_FILES:
        for words, _tags in read_conll3(SHARED / "wikineural" / name):
            yield words
    for name in UD_FILES:
        for sent in read_conllu(SHARED / "ud" / f"{name}.conllu"):
            yield list(sent.words)
    yield from corpus_sentences(ROOT / "corpus" / "sample")


def write_text() -> int:
    BUILD.mkdir(parents=True, exist_ok=True)
    n = 0
    with TEXT.open("w", encoding="utf-8") as out, JSONL.open("w", encoding="utf-8") as jsonl:
        for words in all_sentences():
            text = " ".join(words)
            out.write(text + "\n")
            jsonl.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
            n += len(words)
    return n


def train(dim: int = 100, bucket: int = 50_000, epoch: int = 10) -> None:
    import floret

    model = floret.train_unsupervised(
        str(TEXT),
        model="cbow",
        mode="floret",
        hashCount=2,
        bucket=bucket,
        minn=3,
        maxn=5,
        minCount=2,
        dim=dim,
        epoch=epoch,
        thread=1,
    )
    model.save_floret_vectors(str(FLORET))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy",
            "init",
            "vectors",
            "it",
            str(FLORET),
            str(VECTORS),
            "--mode",
            "floret",
            "--name",
            "it_sentinella_floret",
        ],
        check=True,
    )


def main() -> None:
    print(f"{write_text():,} tokens -> {TEXT}", flush=True)
    train()
    print(f"vectors -> {VECTORS}", flush=True)


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
