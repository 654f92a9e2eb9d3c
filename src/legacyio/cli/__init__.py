"""The ``legacyio`` command line: a thin click shell over the Python API."""

from legacyio.cli.main import cli, main

__all__ = ["cli", "main"]
