"""`sentinella extract`: facts from pages or texts, without the knowledge base."""

from __future__ import annotations

import json

import click

from sentinella.cli import cli
from sentinella.cli.options import model_option, private_network_option


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="FILE_OR_URL...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "jsonl"]),
    default="table",
    show_default=True,
    help="table: readable facts; jsonl: one extraction per line (docs/extraction-format.md).",
)
@model_option
@private_network_option
def extract(
    inputs: tuple[str, ...], fmt: str, model: str | None, allow_private_network: bool
) -> None:
    """Extract facts from HTML files, text files, URLs or - (stdin), without the knowledge base.

    Example: sentinella extract page.html --format jsonl
    """
    from sentinella.cli.inputs import read_input
    from sentinella.cli.render import format_extraction
    from sentinella.extractors.extract import extract_many
    from sentinella.extractors.pipeline import load_pipeline

    pages = [read_input(i, allow_private_network=allow_private_network) for i in inputs]
    nlp = load_pipeline(model)
    items = [(page.text, meta) for page, meta in pages]
    for extraction in extract_many(items, nlp=nlp):
        if fmt == "jsonl":
            click.echo(json.dumps(extraction.to_dict(), ensure_ascii=False))
        else:
            click.echo(format_extraction(extraction))
