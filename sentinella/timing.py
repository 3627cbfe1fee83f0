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
        self._lock = threading.Lock()

    def add(self, stage: str, seconds: float) -> None:
        with self._lock:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    @contextmanager
    def clock(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - started)


def format_stages(seconds: dict[str, float]) -> str:
    """ "discover 0.2 s, fetch 3.1 s, ..." in the order of the run's stages."""
    order = ("discover", "fetch", "read", "classify", "extract", "store", "alert")
    names = [n for n in order if n in seconds] + sorted(set(seconds) - set(order))
    return ", ".join(f"{n} {seconds[n]:.1f} s" for n in names)
