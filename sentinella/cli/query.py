"""`sentinella query` and `sentinella export`: the knowledge base, read."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sentinella.cli import cli
from sentinella.cli.options import db_option, emit_rows, output_options


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
def export(db_path: Path, fmt: str) -> None:
    """Every current document with its facts, in the extraction format (JSON Lines).

    Example: sentinella export > facts.jsonl
    """
    from sentinella.kb import KnowledgeBase

    kb = KnowledgeBase.open(db_path, create=False)
    for record in kb.export():
        click.echo(json.dumps(record, ensure_ascii=False))


@cli.command()
@click.argument(
    "kind", type=click.Choice(["commitments", "actors", "sites", "amounts", "documents"])
)
@db_option
@click.option("--actor", help="Actor name or part of it.")
@click.option("--site", help="Place name or part of it.")
@click.option(
    "--since", type=click.DateTime(["%Y-%m-%d"]), help="Published on or after (YYYY-MM-DD)."
)
@click.option(
    "--until", type=click.DateTime(["%Y-%m-%d"]), help="Published on or before (YYYY-MM-DD)."
)
@click.option("--min-amount", type=float, help="Only amounts (in euro) at least this large.")
@click.option("--text", help="Full-text search in the documents.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many rows.")
@output_options
def query(
    kind: str, db_path: Path, actor, site, since, until, min_amount, text, limit, fmt: str
) -> None:
    """Query the knowledge base: commitments, actors, sites, amounts or documents.

    Example: sentinella query commitments --site Asti --since 2026-01-01 --format csv
    """
    from sentinella.kb import KnowledgeBase
    from sentinella.kb.queries import QUERIES, Filters

    kb = KnowledgeBase.open(db_path, create=False)
    filters = Filters(
        actor=actor,
        site=site,
        since=since and since.date().isoformat(),
        until=until and until.date().isoformat(),
        min_amount=min_amount,
        text=text,
        limit=limit,
    )
    emit_rows(QUERIES[kind](kb, filters), fmt)
