"""The `sentinella` command: thin wiring over the library; no logic of its own.

Expected failures (SentinellaError) become one line on stderr and exit code 1; with
--debug the traceback is shown instead.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import sys
from pathlib import Path

import click

from sentinella import __version__
from sentinella.errors import SentinellaError
from sentinella.settings import DEFAULT_DB, DEFAULT_SOURCES, configure_prefect

model_option = click.option(
    "--model",
    envvar="SENTINELLA_MODEL",
    default=None,
    metavar="NAME_OR_PATH",
    help="spaCy pipeline to use (default: it_core_news_lg/md/sm if installed, "
    "else the shipped models/it_sentinella).",
)
db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="The SQLite knowledge base.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sentinella")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Sentinella: what Italian public institutions say and promise, as facts in SQLite."""
    ctx.obj = {"debug": debug}
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO, format="%(message)s", stream=sys.stderr
    )
    # Libraries that log per page: their warnings ("discarding data") are ours to report.
    for noisy in ("httpx", "httpcore", "trafilatura", "htmldate", "courlan", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if debug else logging.ERROR)


@cli.command()
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(path_type=Path),
    default=DEFAULT_SOURCES,
    show_default=True,
    help="The source registry.",
)
@db_option
@model_option
@click.option(
    "--allow-private-network",
    is_flag=True,
    help="Allow fetching from private and loopback addresses (tests, intranets).",
)
def run(sources_file: Path, db_path: Path, model: str | None, allow_private_network: bool) -> None:
    """Run the nightly flow once: discover, fetch, extract, store; then print a summary."""
    from sentinella.flows.sources import load_sources
    from sentinella.kb import KnowledgeBase

    load_sources(sources_file)  # fail fast, before Prefect starts, on a bad registry
    if db_path == DEFAULT_DB:
        db_path.parent.mkdir(exist_ok=True)  # the embedded default; a given path must exist
    KnowledgeBase.open(db_path).close()  # and on a database path that cannot be used
    configure_prefect(db_path.parent)
    from sentinella.flows.nightly import nightly
    from sentinella.summary import format_summary

    summary = nightly(
        sources_file=sources_file,
        db_path=db_path,
        model=model,
        allow_private_network=allow_private_network,
    )
    click.echo(format_summary(summary, db_path))


@cli.command()
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(path_type=Path),
    default=DEFAULT_SOURCES,
    show_default=True,
    help="The source registry.",
)
@db_option
@model_option
@click.option(
    "--cron",
    default="30 1 * * *",
    show_default=True,
    help="When to run, in Europe/Rome time (avoid 02:xx: daylight saving).",
)
def serve(sources_file: Path, db_path: Path, model: str | None, cron: str) -> None:
    """Serve the nightly schedule to a Prefect server (set PREFECT_API_URL); runs until stopped."""
    import os

    from sentinella.flows.sources import load_sources
    from sentinella.kb import KnowledgeBase

    if not os.environ.get("PREFECT_API_URL"):
        raise SentinellaError(
            "PREFECT_API_URL is not set: start `prefect server start` and "
            "export PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    load_sources(sources_file)
    KnowledgeBase.open(db_path).close()
    configure_prefect(db_path.parent)
    from prefect import serve as prefect_serve

    from sentinella.flows.schedule import nightly_deployment

    prefect_serve(nightly_deployment(sources_file, db_path, cron=cron, model=model))


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="FILE_OR_URL...")
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "table"]), default="table", show_default=True
)
@model_option
@click.option(
    "--allow-private-network", is_flag=True, help="Allow URLs on private and loopback addresses."
)
def extract(
    inputs: tuple[str, ...], fmt: str, model: str | None, allow_private_network: bool
) -> None:
    """Extract facts from HTML files, text files, URLs or - (stdin), without the knowledge base."""
    from sentinella.extractors.extract import extract_many
    from sentinella.extractors.pipeline import load_pipeline
    from sentinella.inputs import read_input
    from sentinella.summary import format_extraction

    pages = [read_input(i, allow_private_network=allow_private_network) for i in inputs]
    nlp = load_pipeline(model)
    items = [(page.text, meta) for page, meta in pages]
    for extraction in extract_many(items, nlp=nlp):
        if fmt == "jsonl":
            click.echo(json.dumps(extraction.to_dict(), ensure_ascii=False))
        else:
            click.echo(format_extraction(extraction))


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
def export(db_path: Path, fmt: str) -> None:
    """Every current document with its facts, in the extraction format (JSON Lines)."""
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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
def query(
    kind: str, db_path: Path, actor, site, since, until, min_amount, text, limit, fmt: str
) -> None:
    """Query the knowledge base: commitments, actors, sites, amounts or documents."""
    from sentinella.kb import KnowledgeBase
    from sentinella.kb.queries import QUERIES, Filters
    from sentinella.summary import format_table

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
    rows = QUERIES[kind](kb, filters)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        out = io.StringIO()
        if rows:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        click.echo(out.getvalue(), nl=False)
    else:
        click.echo(format_table(rows) if rows else "no results")


@cli.group()
def evaluate() -> None:
    """Measure the extraction against annotated data."""


@evaluate.command("ner")
@click.argument("tsv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@model_option
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate_ner_cmd(tsv: Path, model: str | None, as_json: bool) -> None:
    """Score the pipeline's NER on a KIND-format file (token TAB BIO-tag)."""
    from sentinella.extractors.components import COMPONENTS
    from sentinella.extractors.ner_eval import evaluate_ner, format_ner_table
    from sentinella.extractors.pipeline import load_pipeline

    nlp = load_pipeline(model)
    # Sentinella's rule components add no entities to doc.ents: score the NER, time the NER.
    with nlp.select_pipes(disable=[p for p in COMPONENTS if p in nlp.pipe_names]):
        scores = evaluate_ner(nlp, tsv)
    click.echo(json.dumps(scores) if as_json else format_ner_table(scores))


@evaluate.command("press")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@model_option
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate_press_cmd(gold: Path, model: str | None, as_json: bool) -> None:
    """Score extraction on gold press releases (the format of extraction-format.md)."""
    from sentinella.extractors.evaluate_press import evaluate_press, format_press_table
    from sentinella.extractors.pipeline import load_pipeline

    scores = evaluate_press(gold, load_pipeline(model))
    click.echo(json.dumps(scores) if as_json else format_press_table(scores))


@cli.command()
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def train(args: tuple[str, ...]) -> None:
    """Rebuild the shipped pipeline from ../shared/data (see models/README.md). Slow."""
    import runpy

    sys.argv = ["sentinella train", *args]
    runpy.run_module("sentinella.models.train", run_name="__main__")


def main() -> None:
    debug = "--debug" in sys.argv[1:]
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except SentinellaError as exc:
        if debug:
            raise
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # the promise is: never a traceback without --debug
        if debug:
            raise
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        click.echo(
            f"error: {type(exc).__name__}: {message} (rerun with --debug for details)", err=True
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
