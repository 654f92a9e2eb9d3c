"""Copybook AST -> resolved record layout: offsets, sizes, OCCURS/ODO, REDEFINES, SYNC.
Arrow-free. ``load_copybook`` is the entry point most code wants."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from legacyio.errors import CopybookError, printable
from legacyio.layout.build import build_layout
from legacyio.layout.model import Item, Layout

_ENTRY = re.compile(r"(^|\s)\d{1,2}\s+[A-Za-z0-9].*\.(\s|$)|\.\s*$")


_LEVEL_START = re.compile(r"\s*\d{1,2}\s+\S")


def _looks_like_text(s: str) -> bool:
    return "\n" in s or "\r" in s or bool(_ENTRY.search(s))


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False for names the OS refuses (too long, NUL bytes)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _text_not_path(s: str) -> bool:
    """A str that is no existing file but reads as copybook text: it starts with a level number,
    or it is longer than a file name can be and holds spaces (a path with a 300-character
    component stays a path, and is reported as not found)."""
    if _LEVEL_START.match(s):
        return True
    return len(s) > 255 and any(c.isspace() for c in s)


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
    if not _is_file(path):
        if isinstance(source, str) and _text_not_path(source):
            return build_layout(
                source,
                search_path=search_path,
                record=record,
                format=format,
                odo_mappings=odo_mappings,
            )
        shown = str(path) if len(str(path)) <= 200 else str(path)[:200] + "..."
        raise CopybookError(f"copybook file not found: {shown}", file=shown)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise CopybookError(
            f"cannot read the copybook ({e.strerror or type(e).__name__})", file=str(path)
        ) from None
    return build_layout(
        text,
        name=printable(str(path)),
        search_path=search_path,
        record=record,
        format=format,
        base_dir=path.parent,
        source_name=printable(path.name),
        odo_mappings=odo_mappings,
    )


__all__ = ["Item", "Layout", "build_layout", "load_copybook"]
