#!/usr/bin/env python
"""Full extraction vs the bare spaCy pipeline, on the same ~2 MB of text, in one run.

    nice -n 15 .venv/bin/python bench/bench_extract.py [--chars 2000000] [--rounds 2]

Texts: synthetic releases (bench/synth.py: sample-corpus pages with varied names and
amounts) read with `ingest.read.read_html`, until --chars characters. "bare" is the
statistical pipeline with Sentinella's rule components disabled (`nlp.select_pipes`),
through `nlp.pipe`; "full" is `extract_many`: every component plus the conversion to
`Extraction`s. Both with the same `nlp.pipe` batch size and n_process (1: one process,
as the flow's extract stage runs it on each worker), alternated --rounds times in this
one process so both see the same machine load; words/s over all rounds. Target: full at
0.85 of bare or better. Words per wall second and per CPU second of this process (on a
shared machine the second moves less with the others' load). Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth

from sentinella.extractors.components import COMPONENTS
from sentinella.extractors.extract import extract_many
from sentinella.extractors.pipeline import load_pipeline, pipeline_id
from sentinella.ingest.read import read_html

N_PROCESS = 1


def texts_of(chars: int) -> list[str]:
    """Synthetic releases' texts, as the flow reads them, until `chars` characters."""
    texts, total = [], 0
    for _, html in synth.releases(1_000_000):  # a generator: made as they are read
        texts.append(read_html(html).text)
        total += len(texts[-1])
        if total >= chars:
            break
    return texts


def component_cpu(nlp, texts: list[str], ours: list[str], batch_size: int) -> dict[str, float]:
    """CPU seconds of each of Sentinella's components over Docs the bare pipeline made."""
    with nlp.select_pipes(disable=ours):
        docs = list(nlp.pipe(texts, batch_size=batch_size))
    out = {}
    for name in ours:
        proc = nlp.get_pipe(name)
        started = time.process_time()
        docs = [proc(doc) for doc in docs]
        out[name] = time.process_time() - started
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--chars", type=int, default=2_000_000)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    nlp = load_pipeline(args.model)
    texts = texts_of(args.chars)
    words = sum(len(t.split()) for t in texts)
    chars = sum(len(t) for t in texts)
    ours = [p for p in COMPONENTS if p in nlp.pipe_names]
    list(extract_many([(t, {}) for t in texts[:8]], nlp=nlp))  # warm up: lazy tables

    def bare() -> None:
        with nlp.select_pipes(disable=ours):
            for _ in nlp.pipe(texts, batch_size=args.batch_size, n_process=N_PROCESS):
                pass

    def full() -> None:
        for _ in extract_many([(t, {}) for t in texts], nlp=nlp, batch_size=args.batch_size):
            pass

    seconds = {"bare": 0.0, "full": 0.0}
    cpu = {"bare": 0.0, "full": 0.0}
    order = (("bare", bare), ("full", full))
    load_start = os.getloadavg()
    for round_ in range(args.rounds):
        for name, run in order if round_ % 2 == 0 else order[::-1]:
            started, cpu_started = time.perf_counter(), time.process_time()
            run()
            took, cpu_took = time.perf_counter() - started, time.process_time() - cpu_started
            seconds[name] += took
            cpu[name] += cpu_took
            print(
                f"round {round_ + 1} {name}: {words / took:,.0f} words/s "
                f"({words / cpu_took:,.0f} per CPU second)",
                flush=True,
            )
    load_end = os.getloadavg()
    components = component_cpu(nlp, texts, ours, args.batch_size)
    bare_wps = args.rounds * words / seconds["bare"]
    full_wps = args.rounds * words / seconds["full"]
    bare_cpu = args.rounds * words / cpu["bare"]
    full_cpu = args.rounds * words / cpu["full"]
    with nlp.select_pipes(disable=ours):
        bare_pipes = nlp.pipe_names
    print(f"pipeline     {pipeline_id(nlp)}; bare pipes {bare_pipes}; full adds {ours}")
    print(f"texts        {len(texts)} synthetic releases, {chars:,} characters, {words:,} words")
    print(f"nlp.pipe     batch size {args.batch_size}, n_process {N_PROCESS}")
    print(f"bare         {bare_wps:,.0f} words/s")
    print(f"full         {full_wps:,.0f} words/s")
    print(f"ratio        {full_wps / bare_wps:.2f} (target >= 0.85)")
    print(
        f"per CPU s    bare {bare_cpu:,.0f}, full {full_cpu:,.0f}, ratio {full_cpu / bare_cpu:.2f} "
        "(CPU time: what a busy shared machine disturbs least)"
    )
    for name, took in components.items():
        print(f"  {name:<24} {took / words * 1e6:6.1f} µs of CPU per word")
    print(f"load average {load_start[0]:.2f} at start, {load_end[0]:.2f} at the end")
    print(
        json.dumps(
            {
                "bench": "extract",
                "pipeline": pipeline_id(nlp),
                "texts": len(texts),
                "chars": chars,
                "words": words,
                "batch_size": args.batch_size,
                "n_process": N_PROCESS,
                "rounds": args.rounds,
                "bare_words_per_s": round(bare_wps),
                "full_words_per_s": round(full_wps),
                "ratio": round(full_wps / bare_wps, 3),
                "bare_words_per_cpu_s": round(bare_cpu),
                "full_words_per_cpu_s": round(full_cpu),
                "cpu_ratio": round(full_cpu / bare_cpu, 3),
                "components_us_per_word": {
                    name: round(took / words * 1e6, 2) for name, took in components.items()
                },
                "load": [round(load_start[0], 2), round(load_end[0], 2)],
            }
        )
    )


if __name__ == "__main__":
    main()
