"""The CLI reference (docs/cli.md) from the commands' own --help, for cog (`make docs`)."""

from __future__ import annotations

from collections.abc import Iterator

import click
from click.testing import CliRunner

from sentinella.cli import cli

WIDTH = 100  # a fixed width, so the reference does not depend on the terminal


def commands(group: click.Group = cli, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path, depth first in alphabetical order: ("query",), ("evaluate", "ner")."""
    for name in sorted(group.commands):
        command = group.commands[name]
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


def help_text(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(
        cli, [*path, "--help"], prog_name="sentinella", terminal_width=WIDTH
    )
    if result.exit_code != 0:
        raise RuntimeError(f"sentinella {' '.join(path)} --help failed: {result.output}")
    return result.output.rstrip() + "\n"


def reference() -> str:
    parts = ["## sentinella\n\n```\n" + help_text(()) + "```\n"]
    for path in commands():
        parts.append(f"## sentinella {' '.join(path)}\n\n```\n{help_text(path)}```\n")
    return "\n".join(parts)
