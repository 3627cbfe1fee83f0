"""`sentinella query`, `sentinella search` and `sentinella export`: the knowledge base, read."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import click

from sentinella.cli import cli
from sentinella.cli.options import db_option, emit_rows, output_options

_MULTIPLIERS = {
    "mila": 1e3,
    "mille": 1e3,
    "k": 1e3,
    "milione": 1e6,
    "milioni": 1e6,
    "mln": 1e6,
    "mio": 1e6,
    "m": 1e6,
    "miliardo": 1e9,
    "miliardi": 1e9,
    "mld": 1e9,
    "mrd": 1e9,
}
_AMOUNT = re.compile(r"^(?:€\s*)?([\d.,\s]+?)\s*([a-z]+)?\.?(?:\s+di)?(?:\s*(?:euro|eur|€))?$")


def parse_amount(text: str) -> float:
    """An amount in euro as Italians write it: "1,5 milioni", "1.500.000", "300 mila", "2M"."""
    from sentinella.extractors.money import parse_number

    m = _AMOUNT.match(text.strip().lower())
    if not m or (m.group(2) and m.group(2) not in _MULTIPLIERS):
        raise ValueError(text)
    return parse_number(m.group(1).replace(" ", "")) * _MULTIPLIERS.get(m.group(2) or "", 1)


class AmountType(click.ParamType):
    name = "AMOUNT"

    def convert(self, value, param, ctx):
        if isinstance(value, int | float):
            return float(value)
        try:
            return parse_amount(value)
        except ValueError:
            self.fail(
                f"{value!r} is not an amount (e.g. 1500000, 1.500.000, '1,5 milioni', 300mila)",
                param,
                ctx,
            )


AMOUNT = AmountType()
DEFAULT_LIMIT = 100
limit_option = click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="At most this many rows (0: all).",
)


def note_limit(rows: list, limit: int | None) -> None:
    """Say on stderr when the rows stop at the limit: there may be more."""
    if limit and len(rows) == limit:
        click.echo(f"(first {limit} rows; --limit 0 for all)", err=True)


DATE = click.DateTime(["%Y-%m-%d"])


def iso_date(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def fetched_since_value(value: str | None) -> str | None:
    """ "last-run", a date or a date and time (ISO), checked before it reaches SQL."""
    if value is None or value == "last-run":
        return value
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: use last-run, YYYY-MM-DD or YYYY-MM-DDTHH:MM", param_hint="--fetched-since"
        ) from None


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


def place_options(func):
    for option in reversed(
        [
            click.option("--site", help="A place of the fact: whole name or ISTAT code."),
            click.option("--province", help="Any place in this province (name, sigla, ISTAT)."),
            click.option("--region", help="Any place in this region (name or ISTAT code)."),
        ]
    ):
        func = option(func)
    return func


@cli.command()
@click.argument(
    "kind", type=click.Choice(["commitments", "actors", "sites", "amounts", "documents"])
)
@db_option
@click.option("--actor", help="Actor or institution, by name, alias or surname.")
@place_options
@click.option("--publisher", help="Publisher (words of its name).")
@click.option("--office", help="A word of the speaker's office (assessore, sindaca...).")
@click.option("--organization", help="The body that commits or that the office belongs to.")
@click.option("--since", type=DATE, help="Published on or after (YYYY-MM-DD).")
@click.option("--until", type=DATE, help="Published on or before (YYYY-MM-DD).")
@click.option(
    "--fetched-since",
    metavar="last-run|WHEN",
    help="Arrived since the start of the last run, or since a date/time (ISO).",
)
@click.option("--min-amount", type=AMOUNT, help="At least this many euro ('1,5 milioni').")
@click.option("--max-amount", type=AMOUNT, help="At most this many euro.")
@click.option("--text", help="Italian full-text search (assunzione finds assunzioni).")
@click.option(
    "--sort",
    type=click.Choice(["date", "oldest", "amount", "actor", "publisher"]),
    default="date",
    show_default=True,
)
@limit_option
@output_options
def query(kind: str, db_path: Path, fmt: str, wide: bool, **options) -> None:
    """Query the knowledge base: commitments, actors, sites, amounts or documents.

    Every commitment and amount row carries its evidence sentence, publisher, date and
    document link.

    Example: sentinella query commitments --province Asti --since 2026-01-01 --format csv
    """
    from sentinella.kb import KnowledgeBase
    from sentinella.kb.queries import Filters, run_query

    options["since"] = iso_date(options["since"])
    options["until"] = iso_date(options["until"])
    options["fetched_since"] = fetched_since_value(options["fetched_since"])
    limit = options["limit"] = options["limit"] or None
    kb = KnowledgeBase.open(db_path, create=False)
    rows = run_query(kb, kind, Filters(**options))
    note_limit(rows, limit)
    if fmt == "table" and not wide:  # the columns a reader needs; --wide or csv/json: all
        rows = [{k: r.get(k) for k in TABLE_COLUMNS[kind]} for r in rows]
    emit_rows(rows, fmt, QUERY_COLUMNS[kind], wide=wide)


# CSV headers when a query finds nothing (the columns each query returns).
QUERY_COLUMNS = {
    "commitments": [
        "id", "published", "publisher", "actor", "office", "institution", "verb", "stage",
        "amount", "purpose", "sentence", "title", "url", "sites",
    ],
    "actors": ["name", "kind", "roles", "organizations", "documents", "last_seen", "example_url"],
    "sites": ["name", "type", "istat", "province", "region", "documents", "last_seen"],
    "amounts": [
        "published", "publisher", "value", "currency", "text", "qualifier", "sentence",
        "title", "url",
    ],
    "documents": [
        "id", "published", "publisher", "title", "url", "version", "fetched_at", "commitments",
    ],
}  # fmt: skip

TABLE_COLUMNS = {
    **QUERY_COLUMNS,
    "commitments": [
        "published", "publisher", "actor", "stage", "amount", "sites", "sentence", "url",
    ],
    "amounts": ["published", "publisher", "value", "qualifier", "sentence", "url"],
}  # fmt: skip


@cli.command()
@click.argument("words")
@db_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@output_options
def search(words: str, db_path: Path, limit: int, fmt: str, wide: bool) -> None:
    """Italian full-text search over documents and commitment sentences.

    Words match by stem ("assunzione" finds "assunzioni", "lavoratore" "lavoratori");
    each row shows the matching sentence with the words marked **like this**.

    Example: sentinella search "assunzione lavoratori"
    """
    from sentinella.kb import KnowledgeBase
    from sentinella.kb.search import SEARCH_COLUMNS, search_text

    kb = KnowledgeBase.open(db_path, create=False)
    emit_rows(search_text(kb, words, limit=limit), fmt, SEARCH_COLUMNS, wide=wide)
