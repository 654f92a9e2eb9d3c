"""The console-script entry point: the command group with every command registered, and the
job-file check that its sections match the commands."""

from __future__ import annotations

import click

import legacyio.cli.scale  # noqa: F401  (registers index, splits and the --workers flags)
from legacyio.cli.commands import cli
from legacyio.cli.jobfile import COMMAND_SECTIONS
from legacyio.cli.options import ALL_OPTION_NAMES


def _collect_option_names() -> None:
    todo: list[click.Command] = list(cli.commands.values())
    while todo:
        cmd = todo.pop()
        if isinstance(cmd, click.Group):
            todo.extend(cmd.commands.values())
        for param in cmd.params:
            if param.name:
                ALL_OPTION_NAMES.add(param.name)
    ALL_OPTION_NAMES.discard("job")
    ALL_OPTION_NAMES.update({"input", "output"})


_collect_option_names()
assert set(COMMAND_SECTIONS) == set(cli.commands), "job file sections must match the commands"


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``legacyio``) and ``python -m legacyio``."""
    cli.main(args=argv, prog_name="legacyio")
