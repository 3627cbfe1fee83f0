"""Options and output shared by every command: one definition each, as sqlite-utils does."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from sentinella.settings import DEFAULT_DB, DEFAULT_SOURCES

model_option = click.option(
    "--model",
    envvar="SENTINELLA_MODEL",
    default=None,
    metavar="NAME_OR_PATH",
    help="spaCy pipeline to use (default: it_core_news_lg/md/sm if installed, "
    "else the shipped it_sentinella).",
)
db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="The SQLite knowledge base.",
)
sources_option = click.option(
    "--sources",
    "sources_file",
    type=click.Path(path_type=Path),
    default=DEFAULT_SOURCES,
    show_default="the embedded sample registry",
    help="The source registry (TOML).",
)
private_network_option = click.option(
    "--allow-private-network",
    is_flag=True,
    help="Allow fetching from private and loopback addresses (tests, intranets).",
)

FORMATS = ("table", "csv", "json", "jsonl")


def output_options(func: Callable) -> Callable:
    """`--format table|csv|json|jsonl` and `--wide`, for every command that prints rows."""
    func = click.option(
        "--wide",
        is_flag=True,
        help="Tables: one line per row, however wide (default: wrap to the terminal).",
    )(func)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format.",
    )(func)


def emit_rows(
    rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] = (), wide: bool = False
) -> None:
    """Print rows in the chosen format; `columns` gives CSV its header when there are none.

    Tables fit the terminal's width (long text wraps) unless `wide`.
    """
    import shutil

    width = None if wide else shutil.get_terminal_size((120, 24)).columns
    click.echo(format_rows(rows, fmt, columns, width), nl=False)


def format_rows(
    rows: Sequence[dict[str, Any]],
    fmt: str,
    columns: Sequence[str] = (),
    width: int | None = None,
) -> str:
    from sentinella.cli.render import format_table

    if fmt == "json":
        return json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if fmt == "csv":
        out = io.StringIO()
        fields = list(rows[0]) if rows else list(columns)
        if fields:
            writer = csv.DictWriter(out, fieldnames=fields)
            writer.writeheader()
            writer.writerows(
                {
                    k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
                    for k, v in r.items()
                }
                for r in rows
            )
        return out.getvalue()
    return (format_table(list(rows), width) if rows else "no results") + "\n"
