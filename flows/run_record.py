"""A run's record that tells the truth, one writer at a time, and stops that finish cleanly.

`RunRecord(db_path, pipeline)` wraps one run of the nightly flow:

- it takes the knowledge base's writer lock (`<db>.lock`, an flock the kernel releases
  when the process dies, even by SIGKILL); a second run waits for it, saying so, up to
  `wait` seconds, then gives up with one clear line and writes nothing (status `refused`);
- holding the lock, it closes rows that a killed run left `running` as `killed` (no live
  run can own them), then opens this run's row;
- SIGTERM and SIGINT ask the run to stop: the flow finishes the batch (transaction) in
  hand, then `check()` raises RunInterrupted; a second signal stops at once (SQLite rolls
  the open transaction back);
- at the end the row says `ok`, `interrupted` (which signal) or `failed` (the error), and
  `state()` gives Prefect the same verdict (Completed, Cancelled, Failed) with the summary.
"""

from __future__ import annotations

import fcntl
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from sentinella.errors import SentinellaError
from sentinella.kb import KnowledgeBase
from sentinella.records import RunSummary, SourceHealth

DEFAULT_WAIT = 300.0  # seconds a run waits for another one on the same base
POLL = 0.5  # seconds between checks while waiting (for the lock, for a source)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class LockTimeout(SentinellaError):
    pass


class RunInterrupted(Exception):
    """A stop was asked (the signal's name is the message)."""


def lock_path(db_path: Path) -> Path:
    return Path(f"{db_path}.lock")


class WriterLock:
    """The one-writer lock of a knowledge base: an flock on `<db>.lock`."""

    def __init__(self, db_path: Path, wait: float, say: Callable[[str], None]):
        self.path, self.wait, self.say = lock_path(db_path), wait, say
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        self._file = open(self.path, "a+")  # noqa: SIM115 - held until release()
        if self._try():
            return
        holder = self._holder()
        self.say(
            f"another run ({holder}) is writing {self.path.with_suffix('')}; "
            f"waiting up to {self.wait:.0f} s"
        )
        deadline = time.monotonic() + self.wait
        while time.monotonic() < deadline:
            time.sleep(min(POLL, max(0.0, deadline - time.monotonic())))
            if self._try():
                self.say("the other run finished; starting")
                return
        self.release()
        raise LockTimeout(
            f"another run ({holder}) is still writing {self.path.with_suffix('')} "
            f"after {self.wait:.0f} s: nothing done (retry later, or --wait longer)"
        )

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the flock
            self._file = None

    def _try(self) -> bool:
        file = self._file
        assert file is not None
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        file.seek(0)
        file.truncate()
        file.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        file.flush()
        return True

    def _holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip() or "unknown process"
        except OSError:
            return "unknown process"


class StopRequests:
    """SIGTERM/SIGINT become a request to stop at the next safe point (main thread only)."""

    def __init__(self):
        self.signal: str | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> StopRequests:
        if threading.current_thread() is threading.main_thread():
            for number in STOP_SIGNALS:
                self._previous[number] = signal.signal(number, self._ask)
        return self

    def __exit__(self, *exc) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _ask(self, number: int, frame) -> None:
        first = self.signal is None
        self.signal = signal.Signals(number).name
        if not first:
            raise RunInterrupted(self.signal)  # asked twice: stop now

    def check(self) -> None:
        if self.signal:
            raise RunInterrupted(self.signal)


class RunRecord:
    """The context of one run: lock, signals, the `runs` row; see the module docstring."""

    def __init__(
        self,
        db_path: Path,
        pipeline: str = "",
        *,
        wait: float = DEFAULT_WAIT,
        say: Callable[[str], None] = print,
        flow_run_id: str | None = None,
    ):
        self.db_path, self.say = Path(db_path), say
        self.summary = RunSummary(pipeline=pipeline)
        self.stops = StopRequests()
        self.lock = WriterLock(self.db_path, wait, say)
        self.flow_run_id = flow_run_id
        self.killed: list[int] = []
        self._started = 0.0

    def open(self) -> bool:
        """Take the lock and open the row; False (status `refused`, nothing written) when
        another run kept the base for longer than `wait`."""
        try:
            self._open()
        except LockTimeout as exc:
            self.summary.status, self.summary.error = "refused", str(exc)
            self.say(str(exc))
            return False
        return True

    def __enter__(self) -> RunRecord:
        if self.summary.run_id is None:
            self._open()
        return self

    def _open(self) -> None:
        self.stops.__enter__()
        try:
            self.lock.acquire()
            self._started = time.monotonic()
            kb = KnowledgeBase.open(self.db_path, create=True)
            try:
                self.killed = kb.close_stale_runs()
                self.summary.run_id = kb.start_run(self.summary.pipeline, self.flow_run_id)
            finally:
                kb.close()
        except BaseException:
            self.lock.release()
            self.stops.__exit__()
            raise
        if self.killed:
            self.say(f"closed run(s) {', '.join(map(str, self.killed))} as killed")

    def add_source(self, name: str) -> SourceHealth:
        health = SourceHealth(source=name)
        self.summary.sources.append(health)
        return health

    def check(self) -> None:
        """Raise RunInterrupted if a stop was asked: call between transactions."""
        self.stops.check()

    def wait_for(self, future):
        """A Prefect future's result, checking for stop requests while it runs."""
        while not future.state.is_final():
            self.check()
            future.wait(POLL)
        return future.result()

    def __exit__(self, kind, error, tb) -> bool:
        try:
            if error is None:
                self.summary.status = "ok"
            elif isinstance(error, RunInterrupted):
                self.summary.status, self.summary.error = "interrupted", f"stopped by {error}"
            else:
                self.summary.status = "failed"
                self.summary.error = f"{type(error).__name__}: {_line(error)}"
            self.summary.seconds = time.monotonic() - self._started
            kb = KnowledgeBase.open(self.db_path, create=True)
            try:
                kb.finish_run(self.summary)
            finally:
                kb.close()
        finally:
            self.lock.release()
            self.stops.__exit__()
        # Ordinary failures and stops are recorded and reported through `state()`;
        # anything else (SystemExit, a second Ctrl-C in the wrong place) goes on up.
        return error is None or isinstance(error, RunInterrupted | Exception)

    def state(self):
        """The Prefect state that says what the row says, carrying the summary."""
        from prefect.states import Cancelled, Completed, Failed

        status, summary = self.summary.status, self.summary
        if status == "interrupted":
            return Cancelled(message=f"run {summary.run_id} {summary.error}", data=summary)
        if status == "refused":
            return Failed(message=summary.error, data=summary)
        if status == "failed":
            return Failed(message=f"run {summary.run_id} failed: {summary.error}", data=summary)
        # Says in words how the night went (Prefect UI, `prefect flow-run ls`).
        return Completed(message=summary.state_message(), data=summary)


def _line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:300] if text else ""
