"""`sentinella history URL`: a page's versions and what changed between them."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from sentinella.cli import cli
from sentinella.cli.options import db_option


@cli.command()
@click.argument("url")
@db_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def history(url: str, db_path: Path, fmt: str) -> None:
    """A page's stored versions, with the text diff and the facts added or removed.

    Example: sentinella history https://www.regione.piemonte.it/web/comunicati/2026/11/25/konecta
    """
    from sentinella.kb import KnowledgeBase
    from sentinella.kb.history import format_history
    from sentinella.kb.history import history as page_history

    kb = KnowledgeBase.open(db_path, create=False)
    changes = page_history(kb, url)
    if fmt == "json":
        click.echo(json.dumps([asdict(c) for c in changes], ensure_ascii=False, indent=2))
    else:
        click.echo(format_history(url, changes))
