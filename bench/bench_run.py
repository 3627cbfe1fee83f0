#!/usr/bin/env python
"""End-to-end runs from the shell, as an operator types them: wall time by stage, Prefect's
share, peak memory; N synthetic releases served from 127.0.0.1; then the no-op runs.

    nice -n 15 .venv/bin/python bench/bench_run.py [--n 100 1000] [--workers 2]

Runs, each `sentinella run` in its own process on a fresh knowledge base:
  in-process   N = each of --n (pages from bench/synth.py, one sitemap, pacing 0)
  workers      the largest N again with --workers 1, then --workers W (local Dask clusters)
  no-op        the largest N's in-process base run again: the sitemap answers 304
  sample no-op `sentinella run` on the embedded sample corpus, twice; the second is timed

Per run: wall time from the shell; the flow's own clock; busy seconds per stage (they
overlap: fetching goes on while batches are extracted); CPU seconds of the whole process
tree (on a shared machine, wall time grows with the others' load, CPU time much less);
Prefect's share = (wall − the
flow's body − our own start-up, i.e. Python, the CLI and its checks without Prefect)
+ what Prefect's task runs added to the flow's task calls (measured around classify and
store, extrapolated to the extract task runs); peak RSS of the run's process and of its
whole process tree (Prefect's server and Dask workers included), sampled every 50 ms.
Prefect's state is in its usual place (see sentinella.settings), warm after the first
run, as on an operator's machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth

ROOT = Path(__file__).resolve().parent.parent
SENTINELLA = [sys.executable, "-m", "sentinella.cli"]
SOURCES = """
[[source]]
name = "bench"
publisher = "Ufficio stampa sintetico"
kind = "sitemap"
url = "{origin}/sitemap-{n}.xml"
max_items = {n}
allow_private_network = true
delay = 0
"""


def timed(command: list[str], env: dict | None = None) -> dict:
    """Run a command; wall seconds and peak RSS (MB) of the process and of its tree."""
    started = time.perf_counter()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    top = psutil.Process(proc.pid)
    peak_main = peak_tree = 0
    while proc.poll() is None:
        try:
            main = top.memory_info().rss
            tree = main + sum(_rss(c) for c in top.children(recursive=True))
            peak_main, peak_tree = max(peak_main, main), max(peak_tree, tree)
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the whole tree, once waited for
    cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    output = proc.stdout.read() if proc.stdout else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output[-3000:]}")
    return {
        "wall": wall,
        "cpu": cpu,
        "rss_mb": peak_main / 2**20,
        "tree_rss_mb": peak_tree / 2**20,
        "output": output,
    }


def _rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss
    except psutil.NoSuchProcess:
        return 0


def own_startup() -> float:
    """Seconds for Python, the CLI and its input checks, without Prefect (best of 3)."""
    code = (
        "import sentinella.cli, sentinella.cli.run, sentinella.kb, sentinella.ingest.sources, "
        "sentinella.cli.render"
    )
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        best = min(best, time.perf_counter() - started)
    return best


def last_run(db_path: Path) -> dict:
    with sqlite3.connect(db_path) as db:
        db.row_factory = sqlite3.Row
        row = dict(db.execute("select * from runs order by id desc limit 1").fetchone())
    row["stages"] = json.loads(row["stages"] or "{}")
    return row


def prefect_share(result: dict, run: dict, startup: float) -> dict:
    stages = run["stages"]
    flow_thread_calls = max(1, stages.get("task_runs", 0) - _extract_calls(stages))
    per_call = stages.get("prefect_tasks", 0.0) / flow_thread_calls
    inside = stages.get("prefect_tasks", 0.0) + per_call * _extract_calls(stages)
    outside = result["wall"] - run["seconds"] - startup
    return {
        "prefect_outside_flow_s": round(outside, 2),
        "prefect_task_runs_s": round(inside, 2),
        "prefect_s": round(outside + inside, 2),
        "prefect_share": round((outside + inside) / result["wall"], 3),
    }


def _extract_calls(stages: dict) -> int:
    return int(stages.get("extract_calls", 0))


def report(label: str, result: dict, run: dict, startup: float) -> dict:
    stages = run["stages"]
    share = prefect_share(result, run, startup)
    figures = {
        "run": label,
        "wall_s": round(result["wall"], 2),
        "cpu_s": round(result["cpu"], 2),
        "flow_s": run["seconds"],
        "new": run["new"],
        "unchanged": run["unchanged"],
        "failed": run["failed"],
        "stages_busy_s": {
            k: round(v, 2)
            for k, v in stages.items()
            if k not in ("prefect_tasks", "task_runs", "extract_runs")
        },
        "task_runs": stages.get("task_runs"),
        **share,
        "peak_rss_mb": round(result["rss_mb"]),
        "peak_tree_rss_mb": round(result["tree_rss_mb"]),
        "pipeline": run["pipeline"],
    }
    busy = ", ".join(f"{k} {v:.1f}" for k, v in figures["stages_busy_s"].items())
    print(
        f"{label:<22} wall {figures['wall_s']:6.1f} s  CPU {figures['cpu_s']:6.1f} s  "
        f"flow {run['seconds']:6.1f} s  "
        f"new {run['new']:>5}  unchanged {run['unchanged']:>5}  failed {run['failed']}\n"
        f"{'':<22} busy s: {busy}\n"
        f"{'':<22} Prefect {share['prefect_s']:.1f} s = {share['prefect_share']:.1%} of wall "
        f"(outside the flow {share['prefect_outside_flow_s']:.1f} s, task runs "
        f"{share['prefect_task_runs_s']:.1f} s over {figures['task_runs']} runs); "
        f"peak RSS {figures['peak_rss_mb']} MB (tree {figures['peak_tree_rss_mb']} MB)",
        flush=True,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--model", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sentinella-bench-run-"))
    largest = max(args.n)
    pages = dict(synth.releases(largest))
    paths = sorted(pages)
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores; load average {load[0]:.2f} {load[1]:.2f} at start")
    startup = own_startup()
    print(f"own start-up (Python, CLI, checks; no Prefect): {startup:.2f} s")
    model = ["--model", args.model] if args.model else []
    results = []
    with synth.serve(pages) as (origin, counts):
        for n in sorted(set(args.n)):
            pages[f"/sitemap-{n}.xml"] = synth.sitemap(origin, paths[:n])
        runs = [(n, None) for n in sorted(set(args.n))]
        runs += [(largest, 1), (largest, args.workers)]  # one worker process, then W
        for n, workers in runs:
            label = f"N={n} " + (f"--workers {workers}" if workers else "in process")
            sources = work / f"sources-{n}.toml"
            sources.write_text(SOURCES.format(origin=origin, n=n), encoding="utf-8")
            db_path = work / f"{n}-{workers or 0}.db"
            extra = ["--workers", str(workers)] if workers else []
            command = [*SENTINELLA, "run", "--sources", str(sources), "--db", str(db_path)]
            result = timed([*command, *model, *extra])
            results.append(report(label, result, last_run(db_path), startup))
            if n == largest and not workers:
                counts.clear()
                again = timed([*command, *model])
                print(f"{'':<22} the no-op run's requests by status: {counts}")
                results.append(report(f"N={n} no-op (304)", again, last_run(db_path), startup))
    sample_db = work / "sample.db"
    timed([*SENTINELLA, "run", "--db", str(sample_db), *model])
    noop = timed([*SENTINELLA, "run", "--db", str(sample_db), *model])
    results.append(report("sample corpus no-op", noop, last_run(sample_db), startup))

    by = {r["run"]: r for r in results}
    in_process = by[f"N={largest} in process"]
    one = by[f"N={largest} --workers 1"]
    multi = by[f"N={largest} --workers {args.workers}"]
    speedup = one["wall_s"] / multi["wall_s"]
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end")
    print(
        f"--workers {args.workers}: wall {multi['wall_s']:.1f} s vs {one['wall_s']:.1f} s with "
        f"one worker ({speedup:.2f}x) and {in_process['wall_s']:.1f} s in process "
        f"({in_process['wall_s'] / multi['wall_s']:.2f}x)"
    )
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    print(
        json.dumps(
            {
                "bench": "run",
                "own_startup_s": round(startup, 2),
                "runs": results,
                "workers_speedup": round(speedup, 2),
                "load_end": [round(x, 2) for x in load],
            }
        )
    )


if __name__ == "__main__":
    main()
