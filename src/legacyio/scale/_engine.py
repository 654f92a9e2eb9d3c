"""The few engine internals the scale-out code needs, imported in this one place.

Everything else in ``legacyio.scale`` is built on the public API (``open_reader``,
``write_table``, ``load_copybook``, the option classes, ``legacyio.framing``). When the
engine's modules move, only these imports change.
"""

from __future__ import annotations

from typing import Any

from legacyio.engine.framer import framer_for_plan
from legacyio.options import FileFormat, ReadOptions
from legacyio.plan import META_FORMAT, META_READ, RESIDUE_COLUMN, Plan
from legacyio.sources import open_source

__all__ = [
    "META_FORMAT",
    "META_READ",
    "RESIDUE_COLUMN",
    "make_framer",
    "make_plan",
    "open_source",
]


def make_plan(layout: Any, fmt: FileFormat) -> Plan:
    """A decoding plan with default read options (for record lengths only)."""
    return Plan(layout, fmt, ReadOptions())


def make_framer(plan: Plan, fmt: FileFormat, report: Any) -> Any:
    """The framer the reader would use for ``fmt``, lenient, noting problems in ``report``
    (a walk stops at the first problem instead of raising)."""
    return framer_for_plan(plan, fmt, lenient=True, report=report)
