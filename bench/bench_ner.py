#!/usr/bin/env python
"""Benchmark the shipped pipeline: load time, words/s over WN_dev (NER part, parse part,
whole pipeline), size on disk. Ends with one JSON line.

.venv/bin/python bench/bench_ner.py [--model models/it_sentinella] [--data ../shared/data/kind/WN_dev.tsv]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from sentinella.extractors.ner_eval import ner_components, read_kind
from sentinella.extractors.parse_eval import parse_components

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "it_sentinella")
    ap.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared" / "data" / "kind" / "WN_dev.tsv"
    )
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--repeat", type=int, default=3, help="take the best of N passes")
    args = ap.parse_args()

    start = time.perf_counter()
    import spacy  # counted in load time, as in a fresh process

    nlp = spacy.load(args.model)
    load_s = time.perf_counter() - start

    from spacy.tokens import Doc

    sentences = read_kind(args.data)
    n_words = sum(len(w) for w, _ in sentences)

    def timed(pipe_names) -> float:
        best = None
        with nlp.select_pipes(enable=pipe_names):
            for _ in range(args.repeat):
                docs = [Doc(nlp.vocab, words=w) for w, _ in sentences]
                t0 = time.perf_counter()
                for _doc in nlp.pipe(docs, batch_size=args.batch_size):
                    pass
                elapsed = time.perf_counter() - t0
                best = elapsed if best is None else min(best, elapsed)
        return best

    best = timed(nlp.pipe_names)
    ner_only = ner_components(nlp)
    best_ner = timed(ner_only)
    parse_only = parse_components(nlp) if "parser" in nlp.pipe_names else []
    best_parse = timed(parse_only) if parse_only else None
    # also raw text through the tokenizer, as the extractors use it
    texts = [" ".join(w) for w, _ in sentences]
    t0 = time.perf_counter()
    for _doc in nlp.pipe(texts, batch_size=args.batch_size):
        pass
    text_elapsed = time.perf_counter() - t0

    size_mb = sum(f.stat().st_size for f in args.model.rglob("*") if f.is_file()) / 1e6
    figures = {
        "model": f"{nlp.meta.get('name')}-{nlp.meta.get('version')}",
        "load_seconds": round(load_s, 2),
        "words": n_words,
        "words_per_second_full": round(n_words / best),
        "words_per_second_ner": round(n_words / best_ner),
        "words_per_second_parse": round(n_words / best_parse) if best_parse else None,
        "words_per_second_text": round(n_words / text_elapsed),
        "size_mb": round(size_mb, 1),
    }
    print(f"model        {args.model} ({figures['model']}, pipes {nlp.pipe_names})")
    print(f"load time    {load_s:.2f} s (import spacy + spacy.load)")
    print(
        f"words/s      {n_words / best:,.0f} (full pipeline, pre-tokenised Docs, {n_words} words, "
        f"{len(sentences)} sentences, batch {args.batch_size})"
    )
    print(f"words/s NER  {n_words / best_ner:,.0f} ({' + '.join(ner_only)} only)")
    if best_parse:
        print(f"words/s UD   {n_words / best_parse:,.0f} ({' + '.join(parse_only)} only)")
    print(f"words/s text {n_words / text_elapsed:,.0f} (raw text incl. tokenizer, whole pipeline)")
    print(f"size         {size_mb:.1f} MB")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
