"""The `sentinella` command: thin click wrappers over the library, one module per group.

Expected failures (SentinellaError) become one line on stderr and exit code 1 (2 for a
configuration that cannot work: ConfigError); with
--debug the traceback is shown instead. Each module registers its commands on `cli`.
"""

from __future__ import annotations

import logging
import sys

import click

from sentinella import __version__
from sentinella.errors import SentinellaError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sentinella")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Sentinella: what Italian public institutions say and promise, as facts in SQLite.

    Example: sentinella run && sentinella query commitments --site Asti
    """
    ctx.obj = {"debug": debug}
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO, format="%(message)s", stream=sys.stderr
    )
    # Libraries that log per page: their warnings ("discarding data") are ours to report.
    for noisy in ("httpx", "httpcore", "trafilatura", "htmldate", "courlan", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if debug else logging.ERROR)
    # Dask logs every worker's start and stop at INFO; the flow says what matters.
    logging.getLogger("distributed").setLevel(logging.DEBUG if debug else logging.WARNING)
    # Apprise warns at every failed attempt; the summary reports each failed alert once. Its
    # records must still be emitted (delivery reads the reason from them): stop them here.
    apprise_logger = logging.getLogger("apprise")
    apprise_logger.propagate = debug
    if not debug and not apprise_logger.handlers:
        apprise_logger.addHandler(logging.NullHandler())


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
        sys.exit(exc.exit_code)
    except Exception as exc:  # the promise is: never a traceback without --debug
        if debug:
            raise
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        click.echo(
            f"error: {type(exc).__name__}: {message} (rerun with --debug for details)", err=True
        )
        sys.exit(1)


# The command modules register themselves on `cli` (imported last: they import `cli`).
from sentinella.cli import (  # noqa: E402, F401
    backfill,
    browse,
    evaluate,
    extract,
    history,
    ledger,
    query,
    reextract,
    run,
    train,
    watch,
)
