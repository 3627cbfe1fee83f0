"""Universal Dependencies data for the pipeline's morphologizer and parser (train extra).

Which file serves what (../shared/data/ud, README there):

- train: ParTUT train, ISDT dev, VIT dev, VIT test (ISDT and VIT have no train file here),
  and with `markit=True` the three MarkIT files (grammar examples, CC BY 4.0).
- select (checkpoint choice only): ParTUT dev and ParTUT test, minus the ParTUT test
  sentences that also occur in ISDT test (57 sentences of a licence text are in both).
- held out (never trained on, never used to choose a checkpoint): ISDT test. Its score is
  the one models/README.md and scores.json report.

Sentences are converted with `extractors.parse_eval` (multiword tokens merged the way
spaCy's tokenizer keeps them) and saved as .spacy files under models/build/ud/.
"""

from __future__ import annotations

import os
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from sentinella.extractors.parse_eval import gold_doc, read_conllu

HERE = Path(__file__).resolve().parent
UD = Path(os.environ.get("UD_DIR", HERE.parent.parent / "shared" / "data" / "ud"))
OUT = HERE / "build" / "ud"

TRAIN = (
    "ParTUT/it_partut-ud-train.conllu",
    "ISDT/it_isdt-ud-dev.conllu",
    "VIT/it_vit-ud-dev.conllu",
    "VIT/it_vit-ud-test.conllu",
)
MARKIT = (
    "MarkIT/it_markit-ud-train.conllu",
    "MarkIT/it_markit-ud-dev.conllu",
    "MarkIT/it_markit-ud-test.conllu",
)
SELECT = ("ParTUT/it_partut-ud-dev.conllu", "ParTUT/it_partut-ud-test.conllu")
HELD_OUT = "ISDT/it_isdt-ud-test.conllu"


def _save(sentences, path: Path, vocab) -> int:
    db = DocBin(store_user_data=False)
    for sent in sentences:
        db.add(gold_doc(vocab, sent))
    path.parent.mkdir(parents=True, exist_ok=True)
    db.to_disk(path)
    return sum(len(s.words) for s in sentences)


def convert(markit: bool = False, out: Path = OUT) -> None:
    """Write out/train/*.spacy and out/select.spacy; held-out text never enters either."""
    vocab = spacy.blank("it").vocab
    held_out = {s.words for s in read_conllu(UD / HELD_OUT)}
    train_dir = out / "train"
    for old in train_dir.glob("*.spacy"):
        old.unlink()
    for name in TRAIN + (MARKIT if markit else ()):
        sents = [s for s in read_conllu(UD / name) if s.words not in held_out]
        n = _save(sents, train_dir / (Path(name).stem + ".spacy"), vocab)
        print(f"train  {name}: {len(sents)} sentences, {n} words", flush=True)
    select = [s for name in SELECT for s in read_conllu(UD / name) if s.words not in held_out]
    n = _save(select, out / "select.spacy", vocab)
    print(f"select {' + '.join(SELECT)}: {len(select)} sentences, {n} words", flush=True)


def held_out_path() -> Path:
    return UD / HELD_OUT


if __name__ == "__main__":
    import sys

    convert(markit="--markit" in sys.argv)
