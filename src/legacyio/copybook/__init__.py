"""Copybook reading: reference format, tokens, data description entries, PICTURE analysis and
COPY ... REPLACING. COBOL text -> AST; no pyarrow, no NumPy. ``legacyio.layout.load_copybook``
turns the AST into a record layout."""

from __future__ import annotations

from legacyio.copybook.ast import Copybook, DataEntry, OccursClause
from legacyio.copybook.parser import CopybookWarning, parse
from legacyio.copybook.picture import analyze_picture

__all__ = [
    "Copybook",
    "CopybookWarning",
    "DataEntry",
    "OccursClause",
    "analyze_picture",
    "parse",
]
