"""`sentinella ledger`: promises followed across their re-announcements, and their totals."""

from __future__ import annotations

from pathlib import Path

import click

from sentinella.cli import cli
from sentinella.cli.options import db_option, emit_rows, output_options
from sentinella.cli.query import AMOUNT, DATE, iso_date, limit_option, note_limit, place_options

overrides_option = click.option(
    "--overrides",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ledger overrides file (default: ledger-overrides.toml beside the database).",
)


def _open(db_path: Path, overrides: Path | None):
    from sentinella.kb import KnowledgeBase
    from sentinella.kb.ledger import ensure_ledger

    kb = KnowledgeBase.open(db_path, create=False)
    summary = ensure_ledger(kb, overrides)
    if summary is not None:
        click.echo(
            f"ledger rebuilt: {summary.statements} statements → {summary.pledges} promises "
            f"in {summary.seconds:.2f} s",
            err=True,
        )
    return kb


def _filters(options: dict):
    from sentinella.kb.pledges import LedgerFilters

    options["since"] = iso_date(options["since"])
    options["until"] = iso_date(options["until"])
    return LedgerFilters(**options)


def ledger_filter_options(func):
    for option in reversed(
        [
            click.option("--actor", help="Institution (name, alias, or a person's body)."),
            place_options,
            click.option("--since", type=DATE, help="With a statement on or after (YYYY-MM-DD)."),
            click.option("--until", type=DATE, help="First made on or before (YYYY-MM-DD)."),
            click.option(
                "--status",
                type=click.Choice(
                    [
                        "proposed",
                        "announced",
                        "approved",
                        "allocated",
                        "paid",
                        "revised",
                        "withdrawn",
                    ]
                ),
                help="Stage reached (revised: the amount changed).",
            ),
            click.option("--min-amount", type=AMOUNT, help="At least this many euro."),
            click.option("--max-amount", type=AMOUNT, help="At most this many euro."),
        ]
    ):
        func = option(func)
    return func


@cli.group(invoke_without_command=True)
@db_option
@overrides_option
@ledger_filter_options
@click.option(
    "--sort",
    type=click.Choice(["amount", "date", "oldest", "actor", "statements"]),
    default="amount",
    show_default=True,
)
@limit_option
@output_options
@click.pass_context
def ledger(ctx: click.Context, db_path: Path, overrides, fmt: str, wide: bool, **options) -> None:
    """Promises (one row each, however often re-announced), with total, status and statements.

    The ledger is rebuilt first when commitments or the overrides file changed.

    Example: sentinella ledger --province Asti --since 2026-01-01
    """
    if ctx.invoked_subcommand is not None:
        ctx.obj = {**(ctx.obj or {}), "db_path": db_path, "overrides": overrides}
        return
    from sentinella.kb.pledges import PLEDGE_COLUMNS, pledges

    limit = options["limit"] = options["limit"] or None
    kb = _open(db_path, overrides)
    rows = pledges(kb, _filters(options))
    note_limit(rows, limit)
    if fmt == "table" and not wide:  # what a reader needs; --wide or csv/json: every column
        rows = [{k: r[k] for k in TABLE_COLUMNS} for r in rows]
    emit_rows(rows, fmt, PLEDGE_COLUMNS, wide=wide)


TABLE_COLUMNS = ["id", "first_date", "actor", "amount", "status", "statements", "places", "purpose"]


@ledger.command("show")
@click.argument("pledge_id", metavar="ID")
@db_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def ledger_show(pledge_id: str, db_path: Path, fmt: str) -> None:
    """One promise's story in dates: each statement, its stage, and why it was joined.

    Example: sentinella ledger show p-1a2b3c4d
    """
    import json

    from sentinella.kb.pledges import format_story, pledge_story

    kb = _open(db_path, None)
    story = pledge_story(kb, pledge_id)
    click.echo(
        json.dumps(story, ensure_ascii=False, indent=2) if fmt == "json" else format_story(story)
    )


@ledger.command("totals")
@click.option(
    "--by",
    type=click.Choice(["actor", "province", "region", "year", "status"]),
    default="actor",
    show_default=True,
)
@db_option
@ledger_filter_options
@output_options
def ledger_totals(by: str, db_path: Path, fmt: str, wide: bool, **options) -> None:
    """Money promised by actor, province, region, year or status; each promise counted once.

    Example: sentinella ledger totals --by province --since 2026-01-01
    """
    from sentinella.kb.pledges import totals

    kb = _open(db_path, None)
    columns = [by, "promises", "total_eur", "statements"]
    emit_rows(totals(kb, by, _filters(options)), fmt, columns, wide=wide)


@ledger.command("rebuild")
@db_option
@overrides_option
def ledger_rebuild(db_path: Path, overrides: Path | None) -> None:
    """Rebuild the whole ledger now (after editing the overrides file, for instance).

    Example: sentinella ledger rebuild --overrides data/ledger-overrides.toml
    """
    from sentinella.kb import KnowledgeBase
    from sentinella.kb.ledger import rebuild_ledger

    kb = KnowledgeBase.open(db_path, create=False)
    s = rebuild_ledger(kb, overrides)
    click.echo(
        f"{s.statements} statements → {s.pledges} promises ({s.linked} statements joined to "
        f"an earlier one) in {s.seconds:.2f} s"
    )


@ledger.command("separate")
@click.argument("keys", nargs=-1, required=True, metavar="STATEMENT_KEY...")
@db_option
@overrides_option
@click.option("--join", "join", is_flag=True, help="Join these statements instead.")
def ledger_separate(keys: tuple[str, ...], db_path: Path, overrides, join: bool) -> None:
    """Keep statements apart (or --join them) on every rebuild: appends to the overrides file.

    Keys are the `key` lines of `sentinella ledger show ID`.

    Example: sentinella ledger separate 'https://…/a#1a2b3c4d5e' 'https://…/b#9f8e7d6c5b'
    """
    from sentinella.kb import KnowledgeBase
    from sentinella.kb.ledger import add_override, rebuild_ledger

    kb = KnowledgeBase.open(db_path, create=False)
    path = add_override(kb, "join" if join else "separate", list(keys), overrides)
    s = rebuild_ledger(kb, path)
    click.echo(f"recorded in {path}; ledger rebuilt: {s.pledges} promises")
