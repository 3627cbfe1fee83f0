#!/usr/bin/env python
"""Benchmark the extraction: words/s of the bare spaCy pipeline vs the full extraction.

    .venv/bin/python bench/bench_extract.py [--model NAME_OR_PATH] [--corpus corpus/sample]

Texts: the HTML pages of the sample corpus read with `flows.read.read_html` (falls back
to the press-dev gold texts when the corpus is not there). "bare" is the statistical
pipeline with Sentinella's rule components disabled (`nlp.select_pipes`); "full" is
`extract_many`, i.e. every component plus the conversion to `Extraction`s. Targets
(issue 10): full extraction >= 8,000 words/s with the parser, at 0.85 or more of the bare
pipeline's speed.

Wall-clock figures swing with the load of a shared machine, so the script also measures
CPU time (`time.process_time`, all threads of this process), and the CPU time of each of
Sentinella's components on Docs the bare pipeline made. It ends with one JSON line.
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


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def component_cpu(nlp, texts: list[str], ours: list[str], batch_size: int) -> dict[str, float]:
    """CPU seconds of each of our components over Docs the bare pipeline made."""
    with nlp.select_pipes(disable=ours):
        docs = list(nlp.pipe(texts, batch_size=batch_size))
    out = {}
    for name in ours:
        proc = nlp.get_pipe(name)
        c0 = time.process_time()
        docs = [proc(doc) for doc in docs]
        out[name] = time.process_time() - c0
    return out


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
    walls: dict[str, list[float]] = {"bare": [], "full": []}
    cpus: dict[str, list[float]] = {"bare": [], "full": []}
    for _ in range(args.repeat):
        for name, fn in (("bare", bare), ("full", full)):
            wall, cpu = timed(fn)
            walls[name].append(wall)
            cpus[name].append(cpu)
    comps = component_cpu(nlp, texts, ours, args.batch_size)
    with nlp.select_pipes(disable=ours):
        bare_pipes = nlp.pipe_names
    w_bare, w_full = min(walls["bare"]), min(walls["full"])
    c_bare, c_full = min(cpus["bare"]), min(cpus["full"])
    print(f"pipeline     {pipeline_id(nlp)}  bare pipes {bare_pipes}; full adds {ours}")
    print(f"texts        {source} x{args.copies}, {n_words:,} words")
    print(f"bare         {n_words / w_bare:,.0f} words/s wall, {n_words / c_bare:,.0f} per CPU-s")
    print(f"full         {n_words / w_full:,.0f} words/s wall, {n_words / c_full:,.0f} per CPU-s")
    print(f"ratio        {w_bare / w_full:.2f} wall, {c_bare / c_full:.2f} CPU (target >= 0.85)")
    for name, sec in comps.items():
        print(f"  {name:<24} {sec / n_words * 1e6:6.1f} µs/word")
    rules = sum(comps.values())
    print(f"  {'all components':<24} {rules / n_words * 1e6:6.1f} µs/word")
    figures = {
        "pipeline": pipeline_id(nlp),
        "words": n_words,
        "bare_words_per_s": round(n_words / w_bare),
        "full_words_per_s": round(n_words / w_full),
        "bare_words_per_cpu_s": round(n_words / c_bare),
        "full_words_per_cpu_s": round(n_words / c_full),
        "ratio_wall": round(w_bare / w_full, 3),
        "ratio_cpu": round(c_bare / c_full, 3),
        "components_us_per_word": {k: round(v / n_words * 1e6, 2) for k, v in comps.items()},
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
