"""`sentinella watch test` on the sample knowledge base: does it answer in under a second?

    .venv/bin/python bench/bench_watch_test.py [--db data/sentinella.db] [--repeat 7]

Without --db, builds the sample base first (`sentinella run` over the embedded corpus into
a temporary folder, as `make run` does). Then times, best and median of --repeat:
- the whole command, as a user runs it (a new process: Python start-up, imports, query,
  matching, printing): `sentinella watch test "Grandi impegni in provincia di Asti"
  --days 30` with the embedded example watches;
- the library call alone (`sentinella.alerts.review.test_watch`), in this process, for
  each example watch, after a first call has loaded the ISTAT list.
The target (issue 9) is the whole command under one second. Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SENTINELLA = Path(sys.executable).parent / "sentinella"
WATCH = "Grandi impegni in provincia di Asti"


def build_sample_base(folder: Path) -> Path:
    db = folder / "sentinella.db"
    subprocess.run([str(SENTINELLA), "run", "--db", str(db)], check=True, capture_output=True)
    return db


def time_command(db: Path, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(
            [str(SENTINELLA), "watch", "test", WATCH, "--days", "30", "--db", str(db)],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - started)
    return times


def time_library(db: Path, repeat: int) -> dict[str, float]:
    from sentinella.alerts.review import test_watch
    from sentinella.alerts.watches import load_watches
    from sentinella.kb import KnowledgeBase
    from sentinella.settings import DEFAULT_WATCHES

    kb = KnowledgeBase.open(db, create=False)
    out = {}
    started = time.perf_counter()
    watches = load_watches(DEFAULT_WATCHES)  # loads the ISTAT list (a province watch)
    out["load watches (ISTAT list)"] = time.perf_counter() - started
    for watch in watches:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            test_watch(kb, watch, 30)
            times.append(time.perf_counter() - started)
        out[f"test_watch {watch.name!r}"] = min(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a knowledge base (default: build the sample one)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or build_sample_base(Path(tmp))
        documents = (
            __import__("sqlite3")
            .connect(db)
            .execute("select count(*) from documents")
            .fetchone()[0]
        )
        command = time_command(db, args.repeat)
        library = time_library(db, args.repeat)
    print(f"knowledge base: {db if args.db else 'sample (35 pages)'}, {documents} documents")
    print(f"`sentinella watch test {WATCH!r} --days 30`, {args.repeat} runs:")
    print(
        f"  best {min(command):.3f} s, median {statistics.median(command):.3f} s, worst {max(command):.3f} s"
    )
    for name, seconds in library.items():
        print(f"  {name}: {seconds * 1000:.1f} ms")
    print(
        json.dumps(
            {
                "command_best_s": round(min(command), 3),
                "command_median_s": round(statistics.median(command), 3),
                "under_one_second": statistics.median(command) < 1.0,
                **{k: round(v, 4) for k, v in library.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
