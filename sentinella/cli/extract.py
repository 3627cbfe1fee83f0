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

    An input that cannot be read is reported on stderr and the others are still extracted
    (exit code 1 when any failed).

    Example: sentinella extract page.html --format jsonl
    """
    from sentinella.cli.inputs import read_input
    from sentinella.cli.render import format_extraction
    from sentinella.errors import SentinellaError
    from sentinella.extractors.extract import extract_many
    from sentinella.extractors.pipeline import load_pipeline
    from sentinella.ingest.language import detect_language

    pages, failed = [], 0
    for spec in inputs:  # one unreadable input is reported; the others are still extracted
        try:
            pages.append(read_input(spec, allow_private_network=allow_private_network))
        except SentinellaError as exc:
            click.echo(f"error: {exc}", err=True)
            failed += 1
    nlp = load_pipeline(model) if pages else None
    for page, meta in pages:
        language = page.language or detect_language(page.text)
        if language and language != "it":
            click.echo(
                f"note: {meta.get('url')}: the text is in '{language}', not Italian: "
                "the extractors read Italian, expect few or no facts",
                err=True,
            )
    items = [(page.text, meta) for page, meta in pages]
    for extraction in extract_many(items, nlp=nlp) if items else ():
        if fmt == "jsonl":
            click.echo(json.dumps(extraction.to_dict(), ensure_ascii=False))
        else:
            click.echo(format_extraction(extraction))
    if failed:
        raise SystemExit(1)
