#!/usr/bin/env python
"""Benchmark the extraction: words/s of the bare spaCy pipeline vs the full extraction.

    .venv/bin/python bench/bench_extract.py [--model NAME_OR_PATH] [--corpus corpus/sample]

Texts: the HTML pages of the sample corpus read with `flows.read.read_html` (falls back
to the press-dev gold texts when the corpus is not there). "bare" is the statistical
pipeline with Sentinella's rule components disabled (`nlp.select_pipes`); "full" is
`extract_many`, i.e. every component plus the conversion to `Extraction`s. Target: full
extraction at 80% or more of the bare pipeline's speed.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from sentinella.extractors.components import COMPONENTS
from sentinella.extractors.extract import extract_many
from sentinella.extractors.pipeline import load_pipeline, pipeline_id

ROOT = Path(__file__).resolve().parent.parent

PRESS_DEV = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "press-dev" / "gold.jsonl"
)


def corpus_texts(folder: Path) -> list[str]:
    from sentinella.ingest.read import ReadError, read_html

    texts = []
    for path in sorted(folder.rglob("*.html")):
        try:
            texts.append(read_html(path.read_bytes()).text)
        except ReadError:
            continue
    return texts


def best_of(n: int, fn) -> float:
    best = None
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus" / "sample")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=3, help="take the best of N passes")
    ap.add_argument("--copies", type=int, default=3, help="repeat the texts to get a longer run")
    args = ap.parse_args()

    nlp = load_pipeline(args.model)
    texts = corpus_texts(args.corpus) if args.corpus.exists() else []
    source = f"{args.corpus} ({len(texts)} pages)"
    if not texts:
        texts = [
            json.loads(line)["text"]
            for line in PRESS_DEV.read_text(encoding="utf-8").splitlines()
            if line
        ]
        source = f"{PRESS_DEV} ({len(texts)} texts)"
    texts = texts * args.copies
    n_words = sum(len(t.split()) for t in texts)
    # warm up (lazy tables, first-call caches)
    list(extract_many([(t, {}) for t in texts[:3]], nlp=nlp))

    ours = [p for p in COMPONENTS if p in nlp.pipe_names]

    def bare():
        with nlp.select_pipes(disable=ours):
            for _ in nlp.pipe(texts, batch_size=args.batch_size):
                pass

    def full():
        for _ in extract_many([(t, {}) for t in texts], nlp=nlp, batch_size=args.batch_size):
            pass

    # interleaved, best of N each: the machine may be shared, so both see the same load
    t_bare = t_full = None
    for _ in range(args.repeat):
        tb, tf = best_of(1, bare), best_of(1, full)
        t_bare = tb if t_bare is None else min(t_bare, tb)
        t_full = tf if t_full is None else min(t_full, tf)
    with nlp.select_pipes(disable=ours):
        bare_pipes = nlp.pipe_names
    print(f"pipeline     {pipeline_id(nlp)}  bare pipes {bare_pipes}; full adds {ours}")
    print(f"texts        {source} x{args.copies}, {n_words:,} words")
    print(f"bare         {n_words / t_bare:,.0f} words/s")
    print(f"full         {n_words / t_full:,.0f} words/s (extract_many, batch {args.batch_size})")
    print(f"ratio        {t_bare / t_full:.2f} (target >= 0.80)")


if __name__ == "__main__":
    main()
