"""The ``legacyio`` command line: a thin click shell over the Python API.

``main`` installs the interrupt handlers before anything heavy is imported, so Ctrl-C and
SIGTERM end a run cleanly (exit 130 / 143) from the first moment on.
"""

from __future__ import annotations

__all__ = ["cli", "main"]


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``legacyio``) and ``python -m legacyio``."""
    from legacyio import interrupts

    interrupts.install()
    try:
        from legacyio.cli.main import main as run
    except KeyboardInterrupt as e:  # while importing: nothing was started yet
        from legacyio.cli.exits import interrupted_exit

        interrupted_exit(e)
        return
    run(argv)


def __getattr__(name: str) -> object:
    if name == "cli":
        from legacyio.cli.commands import cli

        return cli
    raise AttributeError(f"module 'legacyio.cli' has no attribute {name!r}")
