"""Busy seconds per stage of a run (discover, fetch, read, classify, extract, store, alert).

Stages overlap (hosts are fetched side by side while earlier pages are extracted), so the
figures are the seconds each stage kept a thread or a worker busy, not slices of the wall
clock; the run summary prints them next to the run's wall time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Stopwatch:
    """Seconds spent per stage, added up across threads; thread-safe."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, stage: str, seconds: float) -> None:
        with self._lock:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds
            self.calls[stage] = self.calls.get(stage, 0) + 1

    def count(self, stage: str, calls: int) -> None:
        """Calls that were not timed (e.g. task runs elsewhere)."""
        with self._lock:
            self.calls[stage] = self.calls.get(stage, 0) + calls

    def snapshot(self) -> tuple[dict[str, float], dict[str, int]]:
        with self._lock:
            return dict(self.seconds), dict(self.calls)

    @contextmanager
    def clock(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - started)


STAGES = ("discover", "fetch", "read", "classify", "extract", "store", "alert")
# Keys of a run's `stages` that are not stages: Prefect's cost inside the flow.
PREFECT_TASKS = "prefect_tasks"  # seconds Prefect added to the flow thread's task calls
TASK_RUNS = "task_runs"  # how many task runs the flow made
EXTRACT_RUNS = "extract_runs"  # of which extract task runs (in a runner thread or on Dask)
COUNTS = (PREFECT_TASKS, TASK_RUNS, EXTRACT_RUNS)


def format_stages(seconds: dict[str, float]) -> str:
    """ "discover 0.2 s, fetch 3.1 s, ..." in the order of the run's stages."""
    extra = sorted(set(seconds) - set(STAGES) - set(COUNTS))
    names = [n for n in STAGES if n in seconds] + extra
    line = ", ".join(f"{n} {seconds[n]:.1f} s" for n in names)
    if TASK_RUNS in seconds:
        line += (
            f"; Prefect: {seconds[TASK_RUNS]:.0f} task runs, "
            f"{seconds.get(PREFECT_TASKS, 0.0):.1f} s in the flow's task calls"
        )
    return line
