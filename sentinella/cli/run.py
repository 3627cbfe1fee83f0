"""`sentinella run` and `sentinella serve`: the nightly flow, once or on a schedule."""

from __future__ import annotations

import os
import sys
from pathlib import Path
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


def _check_inputs(sources_file: Path, db_path: Path, watches_file: Path | None = None) -> None:
    """Fail fast, before Prefect starts, on a bad registry, watches file or database path."""
    from sentinella.alerts.watches import check_channels, load_watches
    from sentinella.ingest.sources import load_sources
    from sentinella.kb import KnowledgeBase

    load_sources(sources_file)
    if watches_file is not None:
        check_channels(load_watches(watches_file), str(watches_file))
    if db_path == DEFAULT_DB:
        db_path.parent.mkdir(exist_ok=True)  # the embedded default; a given path must exist
    KnowledgeBase.check(db_path)  # the run creates it, holding the writer lock


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
def run(
    sources_file: Path,
    db_path: Path,
    model: str | None,
    allow_private_network: bool,
    wait: float,
    watches_file: Path | None,
    feeds_dir: Path | None,
) -> None:
    """Run the nightly flow once: discover, fetch, extract, store, alert; print a summary.

    SIGTERM or Ctrl-C stops it after the batch in hand; the run is recorded as interrupted.

    Example: sentinella run --sources my-sources.toml --watches watches.toml
    """
    _check_inputs(sources_file, db_path, watches_file)
    configure_prefect(db_path.parent)
    from sentinella.cli.render import format_summary
    from sentinella.flows.children import server_dies_with_this_process
    from sentinella.flows.nightly import nightly
    from sentinella.records import RunSummary

    server_dies_with_this_process()
    state: Any = nightly(
        sources_file=sources_file,
        db_path=db_path,
        model=model,
        allow_private_network=allow_private_network,
        wait=wait,
        return_state=True,
        watches_file=watches_file,
        feeds_dir=feeds_dir,
    )
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
def serve(
    sources_file: Path,
    db_path: Path,
    model: str | None,
    cron: str,
    watches_file: Path | None,
    feeds_dir: Path | None,
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
    configure_prefect(db_path.parent)  # environment only: nothing is written yet
    from prefect import serve as prefect_serve

    from sentinella.flows.schedule import check_cron, nightly_deployment

    check_cron(cron)  # before anything is created
    _check_inputs(sources_file, db_path, watches_file)

    deployment = nightly_deployment(
        sources_file,
        db_path,
        cron=cron,
        model=model,
        watches_file=watches_file,
        feeds_dir=feeds_dir,
    )
    prefect_serve(deployment)
