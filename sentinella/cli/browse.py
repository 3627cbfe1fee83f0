"""`sentinella browse`: the knowledge base in Datasette, read-only, on 127.0.0.1."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import click

from sentinella.cli import cli
from sentinella.cli.options import db_option


@cli.command()
@db_option
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True)
@click.option(
    "--overrides", type=click.Path(dir_okay=False, path_type=Path), help="Ledger overrides file."
)
def browse(db_path: Path, port: int, overrides: Path | None) -> None:
    """Publish the knowledge base read-only in Datasette on http://127.0.0.1:PORT.

    Canned queries answer the research questions (promises by province and year,
    what an actor said about a keyword, biggest new commitments, a promise's story);
    new promises are an Atom feed. The ledger is brought up to date first.

    Example: sentinella browse --db data/sentinella.db --port 8001
    """
    from sentinella.flows.children import die_with
    from sentinella.kb import KnowledgeBase
    from sentinella.kb.browse import datasette_command
    from sentinella.kb.ledger import ensure_ledger

    kb = KnowledgeBase.open(db_path, create=False)
    ensure_ledger(kb, overrides)
    kb.close()
    with tempfile.TemporaryDirectory(prefix="sentinella-datasette-") as tmp:
        command = datasette_command(db_path, Path(tmp) / "metadata.json", port=port)
        click.echo(f"Sentinella on http://127.0.0.1:{port}/ (read-only; Ctrl-C stops)", err=True)
        try:
            # Datasette stops when this process dies, however it dies (a service manager's
            # SIGTERM, a test's kill): no server is left listening behind it.
            code = subprocess.call(command, preexec_fn=functools.partial(die_with, os.getpid()))
        except KeyboardInterrupt:
            code = 0
    sys.exit(code)
