"""Errors and exit codes: one line naming a file and a place, never a field's content.
Exit status: 0 success, 1 data errors, 2 usage errors, 130 Ctrl-C, 143 SIGTERM.
"""

from __future__ import annotations

import contextlib
import functools
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import click

from legacyio.cli.exits import EXIT_INTERRUPT, EXIT_TERMINATED, interrupt_status
from legacyio.cli.options import apply_job
from legacyio.errors import CopybookError, DecodeError, EncodeError, LegacyioError, OptionsError

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
__all__ = ["EXIT_DATA", "EXIT_INTERRUPT", "EXIT_OK", "EXIT_TERMINATED", "EXIT_USAGE"]


class Abort(Exception):
    """Carries an exit status out of a command after the message was printed."""

    def __init__(self, code: int) -> None:
        self.code = code


def err(message: str) -> None:
    click.echo(f"legacyio: error: {message}", err=True)


@contextlib.contextmanager
def errors_to_exit(debug: bool) -> Iterator[None]:
    """Map exceptions to one clear line and an exit status (tracebacks with --debug)."""
    try:
        yield
    except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        raise
    except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM (interrupts.Terminated)
        if debug:
            traceback.print_exc()
        code, message = interrupt_status(e)
        err(message)
        raise Abort(code) from None
    except BaseException as e:
        if isinstance(e, SystemExit):
            raise
        if debug:
            traceback.print_exc()
        code, msg = classify(e)
        err(msg)
        raise Abort(code) from None


def classify(e: BaseException) -> tuple[int, str]:
    if isinstance(e, (CopybookError, OptionsError)):
        return EXIT_USAGE, str(e)
    if isinstance(e, EncodeError):
        return EXIT_DATA, e.cli_message()  # hints name the flag (--null-as), not null_as=
    if isinstance(e, DecodeError):
        return EXIT_DATA, str(e)
    if isinstance(e, LegacyioError):
        return EXIT_DATA, str(e)
    if isinstance(e, FileExistsError):
        return (
            EXIT_USAGE,
            f"{e.filename or e} exists; use --overwrite to replace it"
            if e.filename
            else f"{e}; use --overwrite to replace it",
        )
    if isinstance(e, (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)):
        return EXIT_USAGE, f"{e.filename}: {e.strerror}" if e.filename else str(e)
    if isinstance(e, OSError):
        return EXIT_DATA, f"{e.filename}: {e.strerror}" if e.filename else (
            e.strerror or type(e).__name__
        )
    if isinstance(e, KeyError):  # an item name the copybook does not have
        return EXIT_USAGE, f"not in the copybook: {e.args[0] if e.args else e}"
    # anything else could quote data in its message: name the kind only
    return EXIT_DATA, (f"internal error ({type(e).__name__}); rerun with --debug for the traceback")


def command(f: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command body with job-file merging and error mapping."""

    @functools.wraps(f)
    def wrapper(**params: Any) -> None:
        ctx = click.get_current_context()
        debug = bool(params.get("debug"))
        try:
            with errors_to_exit(debug):
                apply_job(ctx, params)
                debug = bool(params.get("debug"))
            with errors_to_exit(debug):
                f(ctx, params)
        except Abort as a:
            ctx.exit(a.code)

    return wrapper
