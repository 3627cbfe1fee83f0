#!/usr/bin/env python
"""One very long page through the night's stages: extract in pieces, dedup, store, ledger, alerts.

    nice -n 15 .venv/bin/python bench/bench_long_page.py [--chars 1100000] [--profile STAGE]
        [--cache /tmp/long-page.pickle] [--release slc-cgil]

Issue 14's long page: the sample corpus's releases (read as the flow reads them) joined and
repeated until --chars characters (~1.1 M: thousands of commitments in one document;
`--release` repeats only the sample pages whose path holds that string, e.g. the one with
the most commitments per character, slc-cgil). Each
stage is called as the nightly flow calls it, on a new knowledge base holding only this page:
`extract_many` with the shipped model (pieces under `nlp.max_length`), `match_batch` (the
near-duplicate check of the store task), `store_batch` with an `AlertPlanner` of one watch
that matches the page (its outbox row is written in the same transaction), `ensure_ledger`
(the ledger rebuild after the night's stores) and `alert_step` (delivery to a closed local
port: one failed attempt, then the feed). `--cache` keeps the extraction in a pickle so the
downstream stages can be measured again without extracting; `--profile STAGE` runs that
stage under cProfile and prints its top functions. Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pickle
import pstats
import sys
import tempfile
import time
from pathlib import Path

from sentinella.alerts.planning import AlertPlanner
from sentinella.alerts.step import alert_step
from sentinella.alerts.watches import Watch
from sentinella.ingest.dedup import match_batch
from sentinella.ingest.read import read_html
from sentinella.kb import KnowledgeBase
from sentinella.kb.ledger import ensure_ledger
from sentinella.records import Document

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "sample"
URL = "https://example.org/archivio/comunicati-tutti.html"
STAGES = ("extract", "dedup", "store", "ledger", "alerts")


def long_text(chars: int, release: str | None = None) -> str:
    """The sample releases' texts (or only those whose path holds `release`), joined and
    repeated until `chars` characters."""
    paths = [p for p in sorted(SAMPLE.glob("*/*.html")) if release is None or release in str(p)]
    texts = [read_html(p.read_bytes()).text for p in paths]
    block = "\n\n".join(texts)
    return ("\n\n".join([block] * (chars // len(block) + 1)))[:chars]


def extraction(text: str, cache: Path | None):
    if cache and cache.exists():
        with cache.open("rb") as f:
            cached_text, ex = pickle.load(f)
        if cached_text == text:
            return ex, 0.0
    from sentinella.extractors.extract import extract_many
    from sentinella.extractors.pipeline import load_pipeline

    nlp = load_pipeline()
    started = time.perf_counter()
    (ex,) = list(extract_many([(text, {"url": URL, "title": "Archivio"})], nlp=nlp))
    seconds = time.perf_counter() - started
    if cache:
        with cache.open("wb") as f:
            pickle.dump((text, ex), f)
    return ex, seconds


class Stages:
    """Times each stage; runs the one named by --profile under cProfile."""

    def __init__(self, profile: str | None):
        self.profile, self.seconds, self.stats = profile, {}, None

    def run(self, name: str, fn, *args, **kwargs):
        profiler = cProfile.Profile() if name == self.profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        result = fn(*args, **kwargs)
        if profiler:
            profiler.disable()
            self.stats = pstats.Stats(profiler)
        self.seconds[name] = round(time.perf_counter() - started, 3)
        print(f"{name:>8}: {self.seconds[name]:8.2f} s", flush=True)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=1_100_000)
    parser.add_argument("--profile", choices=STAGES[1:])
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--release", help="repeat only the sample pages whose path holds this")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    text = long_text(args.chars, args.release)
    ex, extract_seconds = extraction(text, args.cache)
    stages = Stages(args.profile)
    stages.seconds["extract"] = round(extract_seconds, 3)  # 0: read from --cache
    print(
        f"page: {len(text):,} characters; {len(ex.commitments):,} commitments, "
        f"{len(ex.actors):,} actors, {len(ex.sites):,} sites, {len(ex.amounts):,} amounts"
    )
    print(f" extract: {extract_seconds:8.2f} s{' (cached)' if not extract_seconds else ''}")
    doc = Document(
        URL, text, "archivio", "Archivio", "2026-11-30", publisher="Archivio", language="it"
    )
    watch = Watch("tutto", channels=("json://127.0.0.1:9/x",), keyword=("milioni",))
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "kb.db"
        kb = KnowledgeBase.open(db_path, create=True)
        fingerprints, duplicates = stages.run(
            "dedup", match_batch, {doc.url: doc.text}, kb.fingerprints(), kb.document_text
        )
        stages.run(
            "store",
            kb.store_batch,
            [(doc, ex)],
            simhashes=fingerprints,
            duplicates=duplicates,
            on_stored=AlertPlanner((watch,), None),
        )
        built = stages.run("ledger", ensure_ledger, kb)
        kb.close()
        report = stages.run("alerts", alert_step, db_path, [watch], None, Path(tmp) / "feeds")
    if stages.stats:
        print(f"\ncProfile of {args.profile} (top {args.top} by cumulative time):")
        stages.stats.sort_stats("cumulative").print_stats(args.top)
        stages.stats.sort_stats("tottime").print_stats(args.top)
    load = os.getloadavg()
    downstream = sum(stages.seconds[s] for s in STAGES[1:])
    print(f"downstream of extraction: {downstream:.2f} s; load average {load[0]:.2f}")
    print(
        json.dumps(
            {
                "chars": len(text),
                "commitments": len(ex.commitments),
                "statements": built.statements if built else None,
                "pledges": built.pledges if built else None,
                "alerts_error": report.error,
                "seconds": stages.seconds,
                "downstream_seconds": round(downstream, 3),
                "load_average": round(load[0], 2),
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
