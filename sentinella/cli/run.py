"""`sentinella run` and `sentinella serve`: the nightly flow, once or on a schedule."""

from __future__ import annotations

import importlib
import os
import time
from pathlib import Path
from types import ModuleType

import click

from sentinella.cli import cli
from sentinella.cli.options import (
    db_option,
    model_option,
    private_network_option,
    sources_option,
)
from sentinella.errors import SentinellaError
from sentinella.local_api import start_local_api
from sentinella.settings import DEFAULT_DB, configure_prefect

workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Extract on a local Dask cluster of N worker processes (default: in process).",
)
cluster_option = click.option(
    "--cluster",
    metavar="tcp://HOST:PORT",
    envvar="SENTINELLA_DASK_CLUSTER",
    default=None,
    help="Extract on an existing Dask cluster: the address of its scheduler "
    "(`dask scheduler` prints it). See README, Scaling out.",
)


def _check_inputs(
    sources_file: Path, db_path: Path, workers: int | None = None, cluster: str | None = None
) -> None:
    """Fail fast, before Prefect starts, on a bad registry, database path or cluster."""
    from sentinella.ingest.sources import load_sources
    from sentinella.kb import KnowledgeBase

    load_sources(sources_file)
    if db_path == DEFAULT_DB:
        db_path.parent.mkdir(exist_ok=True)  # the embedded default; a given path must exist
    KnowledgeBase.open(db_path).close()
    if workers and cluster:
        raise SentinellaError("give --workers or --cluster, not both")
    if cluster:
        _check_cluster(cluster)


def _check_cluster(cluster: str) -> None:
    """Workers report their task runs to the Prefect API: they must be able to reach it."""
    from urllib.parse import urlsplit

    from sentinella.flows.extraction import check_cluster_address

    check_cluster_address(cluster)
    host = urlsplit(cluster).hostname or ""
    local = host in ("127.0.0.1", "localhost", "::1")
    if not local and not os.environ.get("PREFECT_API_URL"):
        raise SentinellaError(
            f"--cluster {cluster}: Dask workers on other machines cannot reach this run's "
            "temporary Prefect API; start `prefect server start --host 0.0.0.0` here and "
            "export PREFECT_API_URL=http://THIS_HOST:4200/api (README, Scaling out)"
        )


def _starting(what: str) -> None:
    """Say what is happening before Prefect's import and start-up (several seconds)."""
    api = os.environ.get("PREFECT_API_URL")
    where = f"Prefect API {api}" if api else "a temporary local Prefect API"
    click.echo(f"{what}: starting {where} (Prefect state in {configure_prefect()}) ...", err=True)


def prefect_ready(flow_module: str) -> ModuleType:
    """The flow's module, imported while a temporary local Prefect API starts beside it
    (sentinella.local_api), once that API answers."""
    started = time.monotonic()
    api = start_local_api()
    module = importlib.import_module(flow_module)
    if api is not None:
        api.wait()
        click.echo(f"Prefect API ready in {time.monotonic() - started:.1f} s", err=True)
    return module


@cli.command()
@sources_option
@db_option
@model_option
@private_network_option
@workers_option
@cluster_option
def run(
    sources_file: Path,
    db_path: Path,
    model: str | None,
    allow_private_network: bool,
    workers: int | None,
    cluster: str | None,
) -> None:
    """Run the nightly flow once: discover, fetch, extract, store; then print a summary.

    Example: sentinella run --sources my-sources.toml --db data/sentinella.db --workers 2
    """
    _check_inputs(sources_file, db_path, workers, cluster)
    _starting("sentinella run")
    from sentinella.cli.render import format_summary

    flows = prefect_ready("sentinella.flows.nightly")
    summary = flows.nightly(
        sources_file=sources_file,
        db_path=db_path,
        model=model,
        allow_private_network=allow_private_network,
        workers=workers or 0,
        cluster=cluster,
    )
    click.echo(format_summary(summary, db_path))


@cli.command()
@sources_option
@db_option
@model_option
@click.option(
    "--cron",
    default="30 1 * * *",
    show_default=True,
    help="When to run, in Europe/Rome time (avoid 02:xx: daylight saving).",
)
@workers_option
@cluster_option
def serve(
    sources_file: Path,
    db_path: Path,
    model: str | None,
    cron: str,
    workers: int | None,
    cluster: str | None,
) -> None:
    """Serve the nightly schedule to a Prefect server (set PREFECT_API_URL); runs until stopped.

    Example: PREFECT_API_URL=http://127.0.0.1:4200/api sentinella serve --cron "30 1 * * *"
    """
    if not os.environ.get("PREFECT_API_URL"):
        raise SentinellaError(
            "PREFECT_API_URL is not set: start `prefect server start` and "
            "export PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    _check_inputs(sources_file, db_path, workers, cluster)
    _starting("sentinella serve")
    from prefect import serve as prefect_serve

    from sentinella.flows.schedule import nightly_deployment

    prefect_serve(
        nightly_deployment(
            sources_file, db_path, cron=cron, model=model, workers=workers or 0, cluster=cluster
        )
    )
