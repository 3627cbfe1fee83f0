"""The extract stage on Dask (prefect-dask's DaskTaskRunner): the same knowledge base as the
in-process run, the pipeline loaded by the workers and never by the flow's process."""

from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

from sentinella.cli import cli
from sentinella.extractors.pipeline import load_pipeline
from sentinella.flows.nightly import nightly
from sentinella.ingest import pages
from sentinella.kb import KnowledgeBase


def _run(sources, db_path, *options: str):
    return CliRunner().invoke(
        cli, ["run", "--sources", str(sources), "--db", str(db_path), *options]
    )


def _export(db_path) -> list[dict]:
    kb = KnowledgeBase.open(db_path, create=False)
    try:
        return list(kb.export())
    finally:
        kb.close()


def _pipeline_loaded() -> bool:
    return "sentinella.extractors.pipeline" in sys.modules and bool(
        sys.modules["sentinella.extractors.pipeline"].load_pipeline.cache_info().currsize
    )


@pytest.mark.slow
def test_workers_2_export_exactly_what_the_in_process_run_exports(
    prefect_server, corpus_slice, tmp_path, monkeypatch
):
    monkeypatch.setattr(pages, "BATCH_SIZE", 2)  # three batches: both workers get some
    in_process = CliRunner().invoke(
        cli, ["run", "--sources", str(corpus_slice), "--db", str(tmp_path / "one.db")]
    )
    assert in_process.exit_code == 0, in_process.output
    load_pipeline.cache_clear()  # from here on, only the workers may load it
    on_dask = CliRunner().invoke(
        cli,
        ["run", "--sources", str(corpus_slice), "--db", str(tmp_path / "two.db"), "--workers", "2"],
    )
    assert on_dask.exit_code == 0, on_dask.output
    assert "pages seen 6, new 6" in on_dask.output
    assert not _pipeline_loaded()  # extraction happened in the worker processes
    one, two = _export(tmp_path / "one.db"), _export(tmp_path / "two.db")
    assert sum(len(d["amounts"]) + len(d["actors"]) for d in one) > 0
    assert json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)


@pytest.mark.slow
def test_an_existing_cluster_extracts_on_every_worker(
    prefect_server, corpus_slice, tmp_path, monkeypatch
):
    from distributed import Client, LocalCluster

    monkeypatch.setattr(pages, "BATCH_SIZE", 1)  # six batches, two workers
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        summary = nightly(
            sources_file=corpus_slice, db_path=tmp_path / "kb.db", cluster=cluster.scheduler_address
        )
        loaded = client.run(_pipeline_loaded)
    assert (summary.total("new"), summary.total("failed")) == (6, 0)
    assert summary.pipeline.startswith("it_sentinella-")
    assert len(loaded) == 2 and all(loaded.values())  # each worker loaded it, once
    assert len(_export(tmp_path / "kb.db")) == 6


def test_a_bad_cluster_address_is_one_line_before_prefect_starts(tmp_path, corpus_slice):
    result = _run(corpus_slice, tmp_path / "kb.db", "--cluster", "localhost:8786")
    assert result.exit_code != 0
    assert "not a Dask scheduler address" in str(result.exception or result.output)


def test_a_remote_cluster_needs_a_prefect_api_the_workers_can_reach(
    tmp_path, corpus_slice, monkeypatch
):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    result = _run(corpus_slice, tmp_path / "kb.db", "--cluster", "tcp://192.0.2.10:8786")
    assert result.exit_code != 0
    assert "PREFECT_API_URL" in str(result.exception or result.output)


def test_the_flows_pickle_as_dask_sends_them():
    # Dask sends the flow with each task run's context, by value: a lock in a global the
    # flow's body names (a Stopwatch) once broke every --workers run.
    import cloudpickle

    from sentinella.flows.backfill import backfill

    cloudpickle.dumps(nightly)
    cloudpickle.dumps(backfill)
