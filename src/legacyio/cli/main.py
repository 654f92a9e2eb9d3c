"""The console-script entry point: the command group with every command registered, and the
job-file check that its sections match the commands."""

from __future__ import annotations

import click

import legacyio.cli.scale  # noqa: F401  (registers index, splits and the --workers flags)
from legacyio.cli import protect as _protect_commands  # noqa: F401 (registers its commands)
from legacyio.cli.commands import cli
from legacyio.cli.exits import leave
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
    """Run the command line and end the process (see ``LegacyioGroup`` for how a run ends)."""
    from legacyio import interrupts

    interrupts.reset()
    try:
        cli.main(args=argv, prog_name="legacyio")
    except SystemExit as e:
        code = e.code
        leave(code if isinstance(code, int) else (0 if code is None else 1))
    except KeyboardInterrupt as e:  # pragma: no cover - between click and here
        from legacyio.cli.exits import interrupted_exit

        interrupted_exit(e)
    leave(0)
