"""`sentinella backfill`: walk the sources' archives back to a date, resumably."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from sentinella.cli import cli
from sentinella.cli.options import db_option, model_option, private_network_option, sources_option
from sentinella.cli.run import (
    _check_inputs,
    _starting,
    cluster_option,
    finish,
    prefect_ready,
    workers_option,
)


@cli.command()
@sources_option
@click.option(
    "--since",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Back-fill everything published on or after this date (YYYY-MM-DD).",
)
@db_option
@model_option
@private_network_option
@workers_option
@cluster_option
@click.option(
    "--chunk",
    type=click.IntRange(min=1),
    default=None,
    help="Pages fetched, extracted and stored together (default 16).",
)
def backfill(
    sources_file: Path,
    since,
    db_path: Path,
    model: str | None,
    allow_private_network: bool,
    workers: int | None,
    cluster: str | None,
    chunk: int | None,
) -> None:
    """Walk the sources' archives (sitemaps, paginated listings) back to --since, and store
    every page not stored yet, with the nightly run's politeness; resumable: run it again
    after an interruption and it goes on where it stopped.

    Example: sentinella backfill --sources archive.toml --since 2016-01-01 --workers 2
    """
    _check_inputs(sources_file, db_path, workers=workers, cluster=cluster)
    _starting("sentinella backfill")
    flows = prefect_ready("sentinella.flows.backfill")
    state = flows.backfill(
        sources_file=sources_file,
        db_path=db_path,
        since=date(since.year, since.month, since.day),
        model=model,
        allow_private_network=allow_private_network,
        workers=workers or 0,
        cluster=cluster,
        chunk=chunk,
        return_state=True,
    )
    finish(state, db_path)
