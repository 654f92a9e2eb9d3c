"""Syntax tree of a copybook: a flat list of data description entries in source order, each
with its clauses as written. The hierarchy, sizes and offsets are the layout builder's job.

Literal values (VALUE clauses, 88-level values) are ``ConditionValue`` objects from the layout
model: numbers as ``int``/``Decimal``, text as ``str``, figurative constants by canonical name
(``ZEROS``, ``SPACES``, ``HIGH-VALUES``, ``LOW-VALUES``, ``QUOTES``, ``NULLS``) with
``figurative=True``, and ``ALL literal`` as ``"ALL " + literal`` with ``figurative=True``.
Hexadecimal literals (``X'C1'``) hold their bytes as a Latin-1 string (one char a byte).
"""

from __future__ import annotations

import attrs

from legacyio.copybook.types import ConditionValue, SourcePos, Usage


@attrs.frozen
class OccursClause:
    """``OCCURS [m TO] n [TIMES] [DEPENDING ON name] [keys] [INDEXED BY ...]``. When ``m`` is
    omitted with DEPENDING ON, IBM assumes 1 (``min_given`` is False then)."""

    min: int
    max: int
    depending_on: tuple[str, ...] | None = None
    """The DEPENDING ON name with its qualifiers: ``("A", "B")`` for ``A OF B``."""
    keys: tuple[tuple[str, str], ...] = ()
    indexed_by: tuple[str, ...] = ()
    min_given: bool = True


@attrs.frozen
class DataEntry:
    """One data description entry (levels 01-49, 66, 77, 88)."""

    level: int
    name: str | None
    pos: SourcePos
    is_filler: bool = False
    picture: str | None = None
    picture_pos: SourcePos | None = None
    usage: Usage | None = None
    usage_pos: SourcePos | None = None
    sign: str | None = None
    """``leading`` or ``trailing`` when a SIGN clause is present."""
    sign_separate: bool = False
    sync: bool = False
    justified: bool = False
    blank_when_zero: bool = False
    value: ConditionValue | None = None
    values: tuple[ConditionValue, ...] = ()
    """88-level values (and THRU ranges)."""
    occurs: OccursClause | None = None
    redefines: str | None = None
    renames: tuple[str, ...] | None = None
    """66 level: the RENAMES object, qualified (``("A", "B")`` for ``A OF B``)."""
    renames_thru: tuple[str, ...] | None = None
    external: bool = False
    global_: bool = False
    date_format: str | None = None
    group_usage_national: bool = False


@attrs.frozen
class Copybook:
    """A parsed copybook: its entries in order, the file name, and the copybook text after COPY
    expansion (re-parses to the same entries)."""

    entries: tuple[DataEntry, ...]
    file: str | None = None
    text: str | None = None
