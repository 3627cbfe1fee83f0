"""`sentinella train`: rebuild the shipped pipeline (slow; needs the `train` extra)."""

from __future__ import annotations

import runpy
import sys

import click

from sentinella.cli import cli


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def train(args: tuple[str, ...]) -> None:
    """Rebuild the shipped pipeline from ../shared/data (see models/README.md). Slow.

    Example: sentinella train --skip-train --run wide
    """
    sys.argv = ["sentinella train", *args]
    runpy.run_module("sentinella.models.train", run_name="__main__")
