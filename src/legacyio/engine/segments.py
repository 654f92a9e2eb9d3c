"""Multi-segment files: which top-level columns are segment groups, and the view of a batch
that holds one segment (the common columns plus that segment's group, its records only).
Shared by ``read_segments`` and ``convert --split-segments``."""

from __future__ import annotations

from typing import TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from legacyio.options import FileFormat

T = TypeVar("T", pa.Table, pa.RecordBatch)


def segment_columns(schema: pa.Schema, fmt: FileFormat) -> dict[str, tuple[str, str]]:
    """Top-level column -> (COBOL name of its group, group name as the segment map (or
    ``record_types``) writes it), for the groups of the segment map, in column order."""
    groups = {g.upper(): g for _, g in fmt.segments}
    groups.update({g.upper().replace("_", "-"): g for g, _ in fmt.record_types})
    out = {}
    for f in schema:
        md = f.metadata or {}
        cobol = md.get(b"cobol_name", b"").decode()
        if cobol.upper() in groups:
            out[f.name] = (cobol, groups[cobol.upper()])
    return out


def segment_keep(schema: pa.Schema, col: str, seg_cols: dict[str, tuple[str, str]]) -> list[str]:
    """The columns of segment ``col``'s view: every column but the other segment groups."""
    return [n for n in schema.names if n not in seg_cols or n == col]


def select_segment(data: T, col: str, seg_cols: dict[str, tuple[str, str]]) -> T:
    """The records of segment ``col`` with the common columns and that segment's group."""
    return data.select(segment_keep(data.schema, col, seg_cols)).filter(
        pc.is_valid(data.column(col))
    )
