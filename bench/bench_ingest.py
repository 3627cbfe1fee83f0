"""Ingestion over HTTP, cold and warm: the sample corpus served on 127.0.0.1, the flow run twice.

    .venv/bin/python bench/bench_ingest.py [--delay 0] [--hosts 1|2] [--model blank:it]

The test web server (tests/webserver.py) serves the 35 sample pages; one feed source lists
them all (--hosts 1), or two sitemap sources split them between two host names,
127.0.0.1 (16 pages) and localhost (19 pages), fetched side by side (--hosts 2). The first run (cold) fetches and extracts everything; the second (warm) should
cost one conditional request per page, all answered 304. Also timed: the fetcher alone
(35 GETs, then 35 conditional GETs), without Prefect or extraction.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the test web server, a module of the test suite

SOURCES = """
[[source]]
name = "sample-feed"
publisher = "Sentinella sample corpus"
kind = "feed"
url = "{origin}/feed.xml"
allow_private_network = true
delay = {delay}
"""
TWO_HOSTS = """
[[source]]
name = "before-november"
publisher = "Sentinella sample corpus"
kind = "sitemap"
url = "{origin}/sitemaps/before-november.xml"
allow_private_network = true
delay = {delay}

[[source]]
name = "november"
publisher = "Sentinella sample corpus"
kind = "sitemap"
url = "{other}/sitemaps/november.xml"
allow_private_network = true
delay = {delay}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--delay",
        type=float,
        default=0.0,
        help="seconds between requests to the host (default 0; real runs: 1)",
    )
    parser.add_argument(
        "--hosts",
        type=int,
        choices=(1, 2),
        default=1,
        help="serve the corpus from one host name or two",
    )
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: the project's)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sentinella-bench-"))
    from sentinella.settings import configure_prefect

    configure_prefect()
    # a busy machine (another job training a model) can take longer than Prefect's 20 s
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    from webserver import WebServer

    from sentinella.flows.nightly import nightly
    from sentinella.ingest.fetch import Fetcher

    with WebServer() as web:
        web.flaky.clear()  # the test server's one 503 would add a 1 s backoff to the numbers
        with Fetcher(allow_private_network=True, per_host_delay=args.delay) as fetcher:
            from sentinella.ingest.discover import discover
            from sentinella.ingest.sources import Source

            feed = Source(
                name="f",
                publisher="f",
                kind="feed",
                url=web.url("/feed.xml"),
                allow_private_network=True,
                settings={"delay": args.delay},
            )
            urls = [c.url for c in discover(feed, fetcher)]
            started = time.perf_counter()
            results = fetcher.fetch_many([(u, None, None) for u in urls], delay=args.delay)
            cold = time.perf_counter() - started
            started = time.perf_counter()
            again = fetcher.fetch_many(
                [(r.url, r.etag, r.last_modified) for r in results], delay=args.delay
            )
            warm = time.perf_counter() - started
        size = sum(len(r.content or b"") for r in results)
        print(
            f"fetcher alone: {len(urls)} pages ({size / 1024:.0f} KiB) in {cold:.3f} s; "
            f"conditional again in {warm:.3f} s, {sum(r.not_modified for r in again)} x 304"
        )
        web.clear()

        sources = work / "sources.toml"
        template = SOURCES if args.hosts == 1 else TWO_HOSTS
        sources.write_text(
            template.format(origin=web.origin(), other=web.origin("localhost"), delay=args.delay),
            encoding="utf-8",
        )
        db_path = work / "kb.db"
        for label in ("cold", "warm"):
            web.clear()
            started = time.perf_counter()
            summary = nightly(
                sources_file=sources, db_path=db_path, model=args.model, allow_private_network=False
            )
            seconds = time.perf_counter() - started
            pages = [r for r in web.requests if r.path.endswith(".html")]
            print(
                f"{label} run: {seconds:.2f} s (flow's own clock {summary.seconds:.2f} s, "
                f"Prefect start and bookkeeping {seconds - summary.seconds:.2f} s); "
                f"{len(web.requests)} requests ({len(pages)} pages, "
                f"{sum(r.conditional for r in pages)} conditional, "
                f"{sum(r.status == 304 for r in pages)} x 304); new {summary.total('new')}, "
                f"unchanged {summary.total('unchanged')}, failed {summary.total('failed')}, "
                f"facts {summary.total('facts')}; pipeline {summary.pipeline}"
            )
    os.environ.get("KEEP") or __import__("shutil").rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
