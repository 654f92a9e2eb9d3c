"""Warnings on the command line: one ``legacyio: warning: ...`` line each.

Python's default display prints two lines with a source path of legacyio's own code
(``.../parser.py:445: CopybookWarning: ...``); a legacyio warning names its place in the
user's files itself (copybook ``file:line:column``, or the input file), so only that is shown.
Warnings are printed with ``--quiet`` too: ``-q`` silences progress and the summary, not a
sign that the copybook or the layout may be wrong.
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from typing import Any

from legacyio.errors import LegacyioWarning


def format_warning(message: Warning | str, category: type[Warning]) -> str:
    text = " ".join(str(message).split())
    if issubclass(category, LegacyioWarning):
        return f"legacyio: warning: {text}"
    return f"legacyio: warning: {category.__name__}: {text}"


def _show(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    out = file if file is not None else sys.stderr
    with contextlib.suppress(OSError, ValueError):  # stderr closed
        out.write(format_warning(message, category) + "\n")
        # flushed like click.echo: a buffered stream (click 8.2.0's CliRunner) would
        # otherwise lose the line
        out.flush()


def route_warnings() -> None:
    """Show every warning as one line on stderr (each distinct message once)."""
    warnings.showwarning = _show
    warnings.simplefilter("default")
    # an unclosed file noticed by the interpreter (an import cut short by Ctrl-C, say) is
    # housekeeping the user cannot act on, not a second line of output
    warnings.simplefilter("ignore", ResourceWarning)
