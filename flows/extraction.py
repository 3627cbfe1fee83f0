"""The extract stage: batches of texts to facts, in process or on a Dask cluster.

The task runner is chosen by configuration (`task_runner`): in process by default (one
thread beside the flow, so fetching and storing go on while a batch is extracted);
prefect-dask's DaskTaskRunner on a LocalCluster of N worker processes (`workers=N`) or on
an existing dask.distributed scheduler (`cluster="tcp://HOST:PORT"`). Workers get batches
of (text, metadata) and give back `Extracted` (plain frozen dataclasses, picklable); each
worker process loads the pipeline once (`load_pipeline` is cached per process) and only
when it has text to extract. The flow alone writes the knowledge base.

`ExtractStage` keeps a few task runs in flight (two per worker; on Dask a batch goes as
pieces of DASK_PIECE texts, so every worker has work) and hands results back batch by batch
in the order the batches were submitted, so the flow stores them as it would in one thread.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from sentinella.errors import SentinellaError
from sentinella.facts import Extraction
from sentinella.flows.parcel import Parcel

Item = tuple[str, dict]  # (text, metadata with at least "url")


class ExecutionError(SentinellaError):
    pass


@dataclass(frozen=True)
class Extracted:
    """Facts by URL, the pages whose extraction raised (with the reason), and the cost."""

    facts: dict[str, Extraction] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    pipeline: str | None = None  # None when nothing was extracted
    seconds: float = 0.0  # busy seconds of the worker, pipeline load included


def extract_many(items: list[Item], nlp) -> Iterator[Extraction]:
    """`extractors.extract.extract_many`, imported when there is text (spaCy loads slowly)."""
    from sentinella.extractors.extract import extract_many as run

    return run(items, nlp=nlp)


@task(cache_policy=NO_CACHE)
def extract(batch: Parcel[list[Item]], model: str | None) -> Extracted:
    """Facts of each text; a page that raises is reported, not stored, and the rest go on."""
    from sentinella.extractors.pipeline import load_pipeline, pipeline_id

    items = batch.content
    started = time.perf_counter()
    nlp = load_pipeline(model)  # once per process: cached
    facts, failures = {}, {}
    try:
        facts = {e.meta["url"]: e for e in extract_many(items, nlp)}
    except Exception:  # one bad page must not cost the batch: redo it page by page
        for text, meta in items:
            try:
                facts[meta["url"]] = next(extract_many([(text, meta)], nlp))
            except Exception as exc:
                failures[meta["url"]] = f"{type(exc).__name__}: {str(exc)[:200]}"
    return Extracted(facts, failures, pipeline_id(nlp), time.perf_counter() - started)


def check_cluster_address(address: str) -> None:
    """A scheduler address as dask writes it: tcp://HOST:PORT (or tls://)."""
    parts = urlsplit(address)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or not port:
        raise ExecutionError(
            f"not a Dask scheduler address: {address!r} (expected tcp://HOST:PORT, "
            "as printed by `dask scheduler`)"
        )


def describe(workers: int = 0, cluster: str | None = None) -> str:
    if cluster:
        return f"on the Dask cluster at {cluster}"
    if workers:
        return f"on a local Dask cluster of {workers} worker processes"
    return "in process"


def task_runner(workers: int = 0, cluster: str | None = None):
    """The task runner of the extract stage, as configured (see the module's docstring)."""
    if workers and cluster:
        raise ExecutionError("give --workers or --cluster, not both")
    if workers < 0:
        raise ExecutionError("--workers must be 1 or more")
    if not (workers or cluster):
        return ThreadPoolTaskRunner(max_workers=1)
    from prefect_dask import DaskTaskRunner

    if cluster:
        check_cluster_address(cluster)
        return DaskTaskRunner(address=cluster)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": workers,
            "threads_per_worker": 1,  # spaCy holds the GIL: one text at a time per process
            "processes": True,
            "dashboard_address": None,  # no web dashboard: nothing listens that need not
        }
    )


DASK_PIECE = 8  # texts per task run on Dask: small enough to keep every worker busy


@dataclass
class _InFlight:
    futures: list  # PrefectFutures, one per piece of the batch (none: nothing to extract)
    payload: Any  # what the flow needs back with the result


def merge(parts: list[Extracted]) -> Extracted:
    """One batch's result from its pieces'."""
    if len(parts) == 1:
        return parts[0]
    facts: dict[str, Extraction] = {}
    failures: dict[str, str] = {}
    for part in parts:
        facts.update(part.facts)
        failures.update(part.failures)
    pipeline = next((p.pipeline for p in parts if p.pipeline), None)
    return Extracted(facts, failures, pipeline, sum(p.seconds for p in parts))


class ExtractStage:
    """Submit batches to the configured runner; get results back in submission order."""

    def __init__(
        self, model: str | None = None, *, workers: int = 0, cluster: str | None = None
    ) -> None:
        self.model = model
        self.runner = task_runner(workers, cluster)
        self.window = 2  # task runs in flight; two per worker thread on Dask (set on entering)
        self.piece = 0  # texts per task run; 0: the whole batch (in process)
        self.where = describe(workers, cluster)
        self._pending: deque[_InFlight] = deque()

    def __enter__(self) -> ExtractStage:
        try:
            self.runner.__enter__()
            client = getattr(self.runner, "client", None)  # Dask: connect now, fail early
            if client is not None:
                threads = sum(client.nthreads().values())
                if threads == 0:
                    client.wait_for_workers(1, timeout=60)
                    threads = sum(client.nthreads().values())
                self.window = max(2, 2 * threads)
                self.piece = DASK_PIECE
        except ExecutionError:
            raise
        except Exception as exc:
            self.runner.__exit__(type(exc), exc, exc.__traceback__)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise ExecutionError(
                f"cannot start the extract stage {self.where}: {type(exc).__name__}: {first}"
            ) from None
        return self

    def __exit__(self, *exc) -> None:
        self._pending.clear()
        self.runner.__exit__(*exc)

    def submit(self, items: list[Item], payload: Any) -> Iterator[tuple[Any, Extracted]]:
        """Queue one batch; yields (payload, result) of the batches that must finish now."""
        size = self.piece or len(items) or 1
        futures = [
            self.runner.submit(extract, {"batch": Parcel(items[i : i + size]), "model": self.model})
            for i in range(0, len(items), size)
        ]
        self._pending.append(_InFlight(futures, payload))
        while sum(len(p.futures) for p in self._pending) > self.window:
            yield self._next()

    def drain(self) -> Iterator[tuple[Any, Extracted]]:
        """Every batch still in flight, in order."""
        while self._pending:
            yield self._next()

    def _next(self) -> tuple[Any, Extracted]:
        head = self._pending.popleft()
        if not head.futures:
            return head.payload, Extracted()
        return head.payload, merge([f.result() for f in head.futures])
