#!/usr/bin/env python
"""Where a run's fixed seconds go: imports, Prefect's API server, its migrations, the pipeline.

    nice -n 15 .venv/bin/python bench/bench_startup.py [--repeat 3]

Each figure is the best of --repeat fresh processes (the machine may be shared):
  import prefect                   the Prefect client, as the flow's process needs it
  import the flow                  sentinella.flows.nightly (Prefect, ingest, kb; no spaCy)
  import prefect's server package  what Prefect's own ephemeral mode imports in the flow's
                                   process just to spawn its server (sentinella.local_api
                                   spawns it without)
  API server, new Prefect home     uvicorn + prefect.server, database created and migrated
  API server, reused home          the same over an existing database (every later run)
  ... without the migration check  the same, PREFECT_API_DATABASE_MIGRATE_ON_START=false
  load the pipeline                import spaCy and load the shipped pipeline (lazy now: only
                                   a run with text to extract pays it)
Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

SERVER = """
import os, sys, time
from sentinella.local_api import LocalApi
started = time.perf_counter()
api = LocalApi().start()
api.wait()
print(time.perf_counter() - started)
api.stop()
"""


def best(code: str, repeat: int, env: dict | None = None, printed: bool = False) -> float:
    """Best wall seconds of a fresh `python -c code` (or the seconds it prints)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env
        )
        took = time.perf_counter() - started
        times.append(float(out.stdout.strip().splitlines()[-1]) if printed else took)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    base = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_HOME")}
    base.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    home = tempfile.mkdtemp(prefix="sentinella-bench-prefect-")
    load = os.getloadavg()[0]
    figures = {"python": best("pass", args.repeat, base)}
    figures["import prefect"] = best("import prefect", args.repeat, base)
    figures["import the flow"] = best("import sentinella.flows.nightly", args.repeat, base)
    figures["import prefect's server package"] = best(
        "import prefect.server.api.server", args.repeat, base
    )
    fresh = []
    for i in range(args.repeat):
        env = {**base, "PREFECT_HOME": f"{home}/fresh{i}"}
        fresh.append(best(SERVER, 1, env, printed=True))
    figures["API server, new Prefect home"] = min(fresh)
    reused = {**base, "PREFECT_HOME": f"{home}/fresh0"}
    figures["API server, reused home"] = best(SERVER, args.repeat, reused, printed=True)
    figures["API server, reused home, no migration check"] = best(
        SERVER,
        args.repeat,
        {**reused, "PREFECT_API_DATABASE_MIGRATE_ON_START": "false"},
        printed=True,
    )
    figures["load the pipeline"] = best(
        "from sentinella.extractors.pipeline import load_pipeline; load_pipeline()",
        args.repeat,
        base,
    )
    shutil.rmtree(home, ignore_errors=True)
    for name, seconds in figures.items():
        print(f"{name:<46} {seconds:6.2f} s")
    end = os.getloadavg()[0]
    print(f"load average {load:.2f} at start, {end:.2f} at the end (2-core machine)")
    print(
        json.dumps(
            {
                "bench": "startup",
                "seconds": {k: round(v, 2) for k, v in figures.items()},
                "load": [round(load, 2), round(end, 2)],
            }
        )
    )


if __name__ == "__main__":
    main()
