"""The command group's top-level handling: how a run ends.

Click's standalone handling is kept for ``--help`` and ``--version``, with three changes:
interrupts exit 130 (Ctrl-C) or 143 (SIGTERM) with one line instead of "Aborted!" and exit 1;
usage errors are one line (``legacyio: error: ...``) plus click's usual hint; and every
warning is one ``legacyio: warning: ...`` line.
"""

from __future__ import annotations

import errno
import sys
import warnings
from typing import Any

import click

from legacyio.cli.exits import interrupt_status
from legacyio.cli.warnings import route_warnings


def _hint(e: click.UsageError) -> str:
    ctx = e.ctx
    if ctx is None:
        return ""
    opt = ctx.help_option_names[0] if ctx.help_option_names else "--help"
    return f"Try '{ctx.command_path} {opt}' for help."


class LegacyioGroup(click.Group):
    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        with warnings.catch_warnings():
            route_warnings()
            code = self._run(args, prog_name, complete_var, **extra)
        sys.exit(code)

    def _run(self, args: Any, prog_name: str | None, complete_var: str | None, **extra: Any) -> int:
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort as e:
            cause = e.__cause__ or e.__context__
            if isinstance(cause, KeyboardInterrupt):
                return self._interrupted(cause)
            click.echo("Aborted!", err=True)
            return 1
        except KeyboardInterrupt as e:
            return self._interrupted(e)
        except click.UsageError as e:
            click.echo(f"legacyio: error: {' '.join(e.format_message().split())}", err=True)
            hint = _hint(e)
            if hint:
                click.echo(hint, err=True)
            return e.exit_code
        except click.ClickException as e:
            click.echo(f"legacyio: error: {' '.join(e.format_message().split())}", err=True)
            return e.exit_code
        except OSError as e:
            if e.errno == errno.EPIPE:  # the reader of stdout went away (`| head`)
                _pacify()
                return 1
            raise
        return rv if isinstance(rv, int) else 0

    @staticmethod
    def _interrupted(e: BaseException) -> int:
        code, message = interrupt_status(e)
        click.echo(f"legacyio: error: {message}", err=True)
        return code


def _pacify() -> None:
    """Point stdout at /dev/null so the flush at exit does not complain about the pipe."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pragma: no cover
        pass
