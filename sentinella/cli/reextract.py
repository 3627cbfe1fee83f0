"""`sentinella reextract`: the current pipeline over the documents already stored."""

from __future__ import annotations

import datetime as dt

import click

from sentinella.cli import cli
from sentinella.cli.options import db_option, model_option


def _date(ctx, param, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value}") from None


@cli.command()
@db_option
@click.option(
    "--since", callback=_date, metavar="DATE", help="Only documents published since DATE."
)
@click.option("--source", metavar="NAME", help="Only documents of this source.")
@click.option("--batch-size", default=32, show_default=True, help="Documents per transaction.")
@model_option
def reextract(db_path, since: str | None, source: str | None, batch_size: int, model) -> None:
    """Extract stored documents again with the current pipeline and replace their facts.

    Each batch of documents gets its new facts in one transaction; the run is kept in the
    `runs` table with the pipelines whose facts it replaced.

    Example: sentinella reextract --since 2026-11-01 --source comune-asti
    """
    from sentinella.extractors.pipeline import load_pipeline
    from sentinella.kb.store import KnowledgeBase
    from sentinella.reextract import reextract as run_reextract

    kb = KnowledgeBase.open(db_path, create=False)
    try:
        nlp = load_pipeline(model)

        def progress(summary, total: int) -> None:
            click.echo(f"  {summary.documents}/{total} documents re-extracted", err=True)

        s = run_reextract(
            kb, nlp, since=since, source=source, batch_size=batch_size, progress=progress
        )
    finally:
        kb.close()
    replaced = ", ".join(s.replaced_pipelines) or "none"
    click.echo(
        f"re-extracted {s.documents} documents in {s.batches} batches with {s.pipeline} "
        f"({s.seconds:.1f} s): {s.facts_before} facts replaced by {s.facts_after}; "
        f"previous pipelines: {replaced}; run {s.run_id}"
    )
