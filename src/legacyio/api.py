"""The public façade, in the style of ``pyarrow.csv``: read_table / open_reader / write_table.

Results are ordinary ``pyarrow.Table`` and ``pyarrow.RecordBatchReader`` objects; options are
the frozen attrs classes of ``legacyio.options``; keyword arguments may name any field of
``FileFormat`` or of the stage's options class.
"""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

import pyarrow as pa

from legacyio.engine.read import open_stream
from legacyio.engine.segments import segment_columns, select_segment
from legacyio.engine.verify import Mismatch, VerifyResult, verify
from legacyio.engine.write import WriteStats, plan_for_writing, write_stream
from legacyio.errors import OptionsError
from legacyio.layout import load_copybook
from legacyio.layout.model import Layout
from legacyio.options import FileFormat, ReadOptions, WriteOptions
from legacyio.plan.nodes import META_ORPHAN
from legacyio.report import DecodeReport, WriteReport
from legacyio.sources import open_sink

Progress = Callable[[int, int], None]

__all__ = [
    "Mismatch",
    "VerifyResult",
    "encode",
    "load_copybook",
    "open_reader",
    "read_segments",
    "read_table",
    "verify",
    "write_table",
]


def open_reader(
    source: Any,
    copybook: str | os.PathLike[str] | Layout,
    options: ReadOptions | None = None,
    *,
    format: FileFormat | None = None,
    report: DecodeReport | None = None,
    progress: Progress | None = None,
    **kw: Any,
) -> pa.RecordBatchReader:
    """Stream a mainframe file as Arrow record batches; memory is bounded by ``batch_size``."""
    schema, batches, _ = open_stream(
        source, copybook, options, format=format, report=report, progress=progress, **kw
    )
    return pa.RecordBatchReader.from_batches(schema, batches)


def read_table(
    source: Any,
    copybook: str | os.PathLike[str] | Layout,
    options: ReadOptions | None = None,
    *,
    format: FileFormat | None = None,
    report: DecodeReport | None = None,
    progress: Progress | None = None,
    **kw: Any,
) -> pa.Table:
    """Decode a whole mainframe file into a typed Arrow table."""
    schema, batches, plan = open_stream(
        source, copybook, options, format=format, report=report, progress=progress, **kw
    )
    table = pa.Table.from_batches(list(batches), schema=schema)
    if plan.orphan and plan.keep_residue:
        md = dict(table.schema.metadata or {})
        md[META_ORPHAN] = plan.orphan.hex().encode()
        table = table.replace_schema_metadata(md)
    return table


def read_segments(
    source: Any,
    copybook: str | os.PathLike[str] | Layout,
    options: ReadOptions | None = None,
    *,
    format: FileFormat | None = None,
    report: DecodeReport | None = None,
    **kw: Any,
) -> dict[str, pa.Table]:
    """One table per segment of a multi-segment file: the common columns plus that segment's
    group. Needs ``segment_field`` and ``segments``."""
    schema, batches, plan = open_stream(
        source, copybook, options, format=format, report=report, **kw
    )
    if not plan.fmt.segments:
        raise OptionsError("read_segments needs segment_field and a segments map")
    table = pa.Table.from_batches(list(batches), schema=schema)
    seg_cols = segment_columns(schema, plan.fmt)
    return {cobol: select_segment(table, col, seg_cols) for col, (cobol, _) in seg_cols.items()}


def write_table(
    data: pa.Table | pa.RecordBatchReader | Iterable[pa.RecordBatch],
    sink: str | os.PathLike[str] | BinaryIO | pa.NativeFile,
    copybook: str | os.PathLike[str] | Layout | None = None,
    options: WriteOptions | None = None,
    *,
    format: FileFormat | None = None,
    progress: Progress | None = None,
    overwrite: bool = True,
    search_path: Any = (),
    report: WriteReport | None = None,
    **kw: Any,
) -> WriteStats:
    """Encode Arrow data back to the mainframe format; a path is written atomically.

    Rows that carry a residue are written from it with their edited fields merged in;
    ``report`` (a ``WriteReport``) counts them as unchanged, merged or re-encoded."""
    data, schema = _with_schema(data)
    plan, fmt, wopts = plan_for_writing(schema, copybook, format, kw, options, search_path)
    with open_sink(sink, overwrite=overwrite) as out:
        return write_stream(data, out, plan, fmt, wopts, schema, progress, report)


def encode(
    table: pa.Table | pa.RecordBatch,
    copybook: str | os.PathLike[str] | Layout | None = None,
    options: WriteOptions | None = None,
    *,
    format: FileFormat | None = None,
    search_path: Any = (),
    report: WriteReport | None = None,
    **kw: Any,
) -> bytes:
    """Encode a table to the bytes of a mainframe file."""
    buf = io.BytesIO()
    plan, fmt, wopts = plan_for_writing(table.schema, copybook, format, kw, options, search_path)
    write_stream(table, buf, plan, fmt, wopts, table.schema, report=report)
    return buf.getvalue()


def _with_schema(data: Any) -> tuple[Any, pa.Schema]:
    if isinstance(data, (pa.Table, pa.RecordBatch, pa.RecordBatchReader)):
        return data, data.schema
    it = iter(data)
    first = next(it, None)
    if first is None:
        raise OptionsError("no record batches to write")
    return itertools.chain([first], it), first.schema
