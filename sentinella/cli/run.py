"""`sentinella run` and `sentinella serve`: the nightly flow, once or on a schedule."""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import click

from sentinella.cli import cli
from sentinella.cli.options import (
    db_option,
    model_option,
    private_network_option,
    sources_option,
)
from sentinella.errors import ConfigError, SentinellaError
from sentinella.local_api import start_local_api
from sentinella.settings import DEFAULT_DB, configure_prefect

watches_option = click.option(
    "--watches",
    "watches_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Watches (TOML): alert on new statements that match them (default: no alerts).",
)
feeds_option = click.option(
    "--feeds-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the Atom feed of each watch goes (default: feeds/ beside the database).",
)

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
    sources_file: Path,
    db_path: Path,
    watches_file: Path | None = None,
    workers: int | None = None,
    cluster: str | None = None,
) -> None:
    """Fail fast, before Prefect starts, on a bad registry, watches file, database path or
    Dask cluster."""
    from sentinella.alerts.watches import check_channels, load_watches
    from sentinella.ingest.sources import load_sources
    from sentinella.kb import KnowledgeBase

    load_sources(sources_file)
    if watches_file is not None:
        check_channels(load_watches(watches_file), str(watches_file))
    if db_path == DEFAULT_DB:
        db_path.parent.mkdir(exist_ok=True)  # the embedded default; a given path must exist
    KnowledgeBase.check(db_path)  # the run creates it, holding the writer lock
    if workers and cluster:
        raise ConfigError("give --workers or --cluster, not both")
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
        raise ConfigError(
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


# Exit codes: a stopped run says which signal stopped it, as a shell does (128 + number).
EXIT = {"ok": 0, "failed": 1, "refused": 1, "SIGINT": 130, "SIGTERM": 143}


@cli.command()
@sources_option
@db_option
@model_option
@private_network_option
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=300,
    show_default=True,
    help="Seconds to wait for another run writing the same database, then give up.",
)
@watches_option
@feeds_option
@workers_option
@cluster_option
def run(
    sources_file: Path,
    db_path: Path,
    model: str | None,
    allow_private_network: bool,
    wait: float,
    watches_file: Path | None,
    feeds_dir: Path | None,
    workers: int | None,
    cluster: str | None,
) -> None:
    """Run the nightly flow once: discover, fetch, extract, store, alert; print a summary.

    SIGTERM or Ctrl-C stops it after the batch in hand; the run is recorded as interrupted.

    Example: sentinella run --sources my-sources.toml --watches watches.toml --workers 2
    """
    _check_inputs(sources_file, db_path, watches_file, workers, cluster)
    _starting("sentinella run")
    flows = prefect_ready("sentinella.flows.nightly")
    from sentinella.flows.children import server_dies_with_this_process

    server_dies_with_this_process()  # Prefect's own server, if the local API did not start
    state: Any = flows.nightly(
        sources_file=sources_file,
        db_path=db_path,
        model=model,
        allow_private_network=allow_private_network,
        wait=wait,
        return_state=True,
        watches_file=watches_file,
        feeds_dir=feeds_dir,
        workers=workers or 0,
        cluster=cluster,
    )
    finish(state, db_path)


def finish(state: Any, db_path: Path) -> None:
    """Print a finished run's summary; the exit code says how it ended."""
    from sentinella.cli.render import format_summary
    from sentinella.records import RunSummary

    summary = state.result(raise_on_failure=False)
    if not isinstance(summary, RunSummary):  # failed before the run began (model, registry)
        raise SentinellaError(state.message or f"the run failed: {summary}")
    if summary.status == "refused":
        raise SentinellaError(summary.error)
    click.echo(format_summary(summary, db_path))
    if summary.status != "ok":
        signal_name = (summary.error or "").rsplit(" ", 1)[-1]
        sys.exit(EXIT.get(signal_name, EXIT.get(summary.status, 1)))


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
@watches_option
@feeds_option
@workers_option
@cluster_option
def serve(
    sources_file: Path,
    db_path: Path,
    model: str | None,
    cron: str,
    watches_file: Path | None,
    feeds_dir: Path | None,
    workers: int | None,
    cluster: str | None,
) -> None:
    """Serve the nightly schedule to a Prefect server (set PREFECT_API_URL); runs until stopped.

    The watches file is read again at each run: edit it without restarting.

    Example: PREFECT_API_URL=http://127.0.0.1:4200/api sentinella serve --watches watches.toml
    """
    if not os.environ.get("PREFECT_API_URL"):
        raise ConfigError(
            "PREFECT_API_URL is not set: start `prefect server start` and "
            "export PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    configure_prefect()  # environment only: nothing is written yet
    from prefect import serve as prefect_serve

    from sentinella.flows.schedule import check_cron, nightly_deployment

    check_cron(cron)  # before anything is created
    _check_inputs(sources_file, db_path, watches_file, workers, cluster)

    deployment = nightly_deployment(
        sources_file,
        db_path,
        cron=cron,
        model=model,
        watches_file=watches_file,
        feeds_dir=feeds_dir,
        workers=workers or 0,
        cluster=cluster,
    )
    prefect_serve(deployment)
