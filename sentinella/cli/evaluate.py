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
    """Score the pipeline's NER (PER, ORG, LOC) on a KIND file (token TAB IOB2-tag) or a
    .conllu file with three columns (index TAB token TAB IOB2-tag, as WikiNEuRal).

    Example: sentinella evaluate ner ../shared/data/kind/WN_dev.tsv --json
    """
    from sentinella.extractors.ner_eval import (
        format_ner_table,
        ner_components,
        read_ner_file,
        score_ner,
    )
    from sentinella.extractors.pipeline import load_pipeline

    sentences = read_ner_file(tsv)  # a bad file fails before the model loads
    nlp = load_pipeline(model)
    # Neither the rules nor the parse add entities to doc.ents: score the NER, time the NER.
    with nlp.select_pipes(enable=ner_components(nlp)):
        scores = score_ner(nlp, sentences)
    click.echo(json.dumps(scores) if as_json else format_ner_table(scores))


@evaluate.command("parse")
@click.argument("conllu", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@model_option
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate_parse_cmd(conllu: Path, model: str | None, as_json: bool) -> None:
    """Score the pipeline's parse, POS and morphology on a UD CoNLL-U file.

    Gold tokens and sentences are given; UAS/LAS leave punctuation out.

    Example: sentinella evaluate parse ../shared/data/ud/ISDT/it_isdt-ud-test.conllu --json
    """
    from sentinella.extractors.parse_eval import format_parse_table, read_conllu, score_parse
    from sentinella.extractors.pipeline import load_pipeline

    sentences = read_conllu(conllu)  # a bad file fails before the model loads
    scores = score_parse(load_pipeline(model), sentences)
    click.echo(json.dumps(scores) if as_json else format_parse_table(scores))


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
