"""Copybook AST -> resolved record layout: offsets, sizes, OCCURS/ODO, REDEFINES, SYNC.
Arrow-free. ``load_copybook`` is the entry point most code wants."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from legacyio.errors import CopybookError
from legacyio.layout.build import build_layout
from legacyio.layout.model import Item, Layout

_ENTRY = re.compile(r"(^|\s)\d{1,2}\s+[A-Za-z0-9].*\.(\s|$)|\.\s*$")


def _looks_like_text(s: str) -> bool:
    return "\n" in s or "\r" in s or bool(_ENTRY.search(s))


def load_copybook(
    source: str | os.PathLike[str] | Layout,
    *,
    search_path: Sequence[str | os.PathLike[str]] = (),
    record: str | None = None,
    format: str | None = None,
    odo_mappings: Sequence[str] = (),
) -> Layout:
    """A Layout from a copybook file path, copybook text or a Layout (returned as is).

    A str holding a newline or a period-terminated entry is copybook text; any other str is a
    path. COPY members are found on ``search_path`` and in the copybook's own folder.
    ``record`` keeps only the named 01-level record. ``odo_mappings`` names ODO tables whose
    DEPENDING ON object may be non-integral (their counts come from a value mapping).
    """
    if isinstance(source, Layout):
        return source
    if isinstance(source, str) and _looks_like_text(source):
        return build_layout(
            source, search_path=search_path, record=record, format=format, odo_mappings=odo_mappings
        )
    path = Path(source)
    if not path.is_file():
        raise CopybookError(f"copybook file not found: {path}", file=str(path))
    text = path.read_text(encoding="utf-8", errors="replace")
    return build_layout(
        text,
        name=str(path),
        search_path=search_path,
        record=record,
        format=format,
        base_dir=path.parent,
        source_name=path.name,
        odo_mappings=odo_mappings,
    )


__all__ = ["Item", "Layout", "build_layout", "load_copybook"]
