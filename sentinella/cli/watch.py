"""`sentinella watch test` and `sentinella watch list`: watches, before and after they alert."""

from __future__ import annotations

from pathlib import Path

import click

from sentinella.cli import cli
from sentinella.cli.options import db_option, emit_rows, output_options
from sentinella.settings import DEFAULT_WATCHES

watches_option = click.option(
    "--watches",
    "watches_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_WATCHES,
    show_default="the embedded example, corpus/watches.toml",
    help="The watches file (TOML).",
)


@cli.group()
def watch() -> None:
    """Watches: what a new statement must say to alert you (see `run --watches`).

    Example: sentinella watch test "Grandi impegni in provincia di Asti" --days 30
    """


@watch.command("test")
@click.argument("name")
@watches_option
@db_option
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Look at statements published in the last DAYS days.",
)
@output_options
def test_watch(
    name: str, watches_file: Path, db_path: Path, days: int, fmt: str, wide: bool
) -> None:
    """What a watch would have matched among the statements already stored: nothing is sent.

    Example: sentinella watch test "Konecta e call center" --watches watches.toml --days 30
    """
    from sentinella.alerts.review import TEST_COLUMNS, find_watch, test_watch
    from sentinella.alerts.watches import load_watches
    from sentinella.kb import KnowledgeBase

    chosen = find_watch(load_watches(watches_file), name, str(watches_file))
    kb = KnowledgeBase.open(db_path, create=False)
    emit_rows(test_watch(kb, chosen, days), fmt, TEST_COLUMNS, wide)


@watch.command("list")
@watches_option
@db_option
@output_options
def list_watches(watches_file: Path, db_path: Path, fmt: str, wide: bool) -> None:
    """Each watch: conditions, channels (secrets hidden), last match, last delivery, failures.

    Example: sentinella watch list --watches watches.toml --format csv
    """
    from sentinella.alerts.review import LIST_COLUMNS, list_watches
    from sentinella.alerts.watches import load_watches
    from sentinella.kb import KnowledgeBase

    watches = load_watches(watches_file)
    kb = KnowledgeBase.open(db_path, create=False) if db_path.exists() else None
    emit_rows(list_watches(kb, watches), fmt, LIST_COLUMNS, wide)
