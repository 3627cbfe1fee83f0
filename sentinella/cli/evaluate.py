"""`sentinella evaluate ...`: measure the pipeline and the extraction on annotated data."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sentinella.cli import cli
from sentinella.cli.options import model_option


@cli.group()
def evaluate() -> None:
    """Measure the extraction against annotated data.

    Example: sentinella evaluate press ../shared/data/press-dev/gold.jsonl
    """


@evaluate.command("ner")
@click.argument("tsv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@model_option
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate_ner_cmd(tsv: Path, model: str | None, as_json: bool) -> None:
    """Score the pipeline's NER on a KIND-format file (token TAB BIO-tag).

    Example: sentinella evaluate ner ../shared/data/kind/WN_dev.tsv --json
    """
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
    """Score extraction on gold press releases (the format of docs/extraction-format.md).

    Example: sentinella evaluate press tests/data/sample_gold.jsonl
    """
    from sentinella.extractors.evaluate_press import evaluate_press, format_press_table
    from sentinella.extractors.pipeline import load_pipeline

    scores = evaluate_press(gold, load_pipeline(model))
    click.echo(json.dumps(scores) if as_json else format_press_table(scores))
