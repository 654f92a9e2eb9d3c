"""The public façade, in the style of ``pyarrow.csv``: read_table / open_reader / write_table.

Results are ordinary ``pyarrow.Table`` and ``pyarrow.RecordBatchReader`` objects; options are
the frozen attrs classes of ``legacyio.options``; keyword arguments may name any field of
``FileFormat`` or of the stage's options class.
"""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

import attrs
import pyarrow as pa

from legacyio.engine.read import open_stream
from legacyio.engine.segments import segment_columns, select_segment
from legacyio.engine.verify import Mismatch, VerifyResult, verify
from legacyio.engine.write import WriteStats, plan_for_writing, write_stream
from legacyio.errors import OptionsError
from legacyio.layout import load_copybook
from legacyio.layout.model import Layout
from legacyio.options import FileFormat, ReadOptions, WriteOptions, split_kwargs
from legacyio.plan.nodes import META_ORPHAN
from legacyio.report import DecodeReport, WriteReport
from legacyio.sources import open_sink

if TYPE_CHECKING:
    from legacyio.protect import Protector

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
    protect: Protector | None = None,
    protect_layout: bool = False,
    **kw: Any,
) -> pa.RecordBatchReader:
    """Stream a mainframe file as Arrow record batches; memory is bounded by ``batch_size``.

    ``protect`` (a ``legacyio.Protector``) applies a need-to-know policy inside the reader:
    no batch leaves it unprotected (see ``_protected_stream``). ``protect_layout=True`` keeps
    the mainframe layout (withheld fields blanked) for writing a de-identified copy."""
    if protect is not None:
        schema, batches, _ = _protected_stream(
            protect, protect_layout, source, copybook, options, format, report, progress, kw
        )
        return pa.RecordBatchReader.from_batches(schema, batches)
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
    protect: Protector | None = None,
    protect_layout: bool = False,
    **kw: Any,
) -> pa.Table:
    """Decode a whole mainframe file into a typed Arrow table (``protect``: as
    ``open_reader``)."""
    if protect is not None:
        schema, batches, _ = _protected_stream(
            protect, protect_layout, source, copybook, options, format, report, progress, kw
        )
        return pa.Table.from_batches(list(batches), schema=schema)
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
    group. Needs ``segment_field`` and ``segments``, or ``record_types``."""
    schema, batches, plan = open_stream(
        source, copybook, options, format=format, report=report, **kw
    )
    if not plan.fmt.segments and not plan.fmt.record_types:
        raise OptionsError("read_segments needs segment_field and a segments map (or record_types)")
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


def _protected_stream(
    protect: Protector,
    keep_layout: bool,
    source: Any,
    copybook: Any,
    options: ReadOptions | None,
    format: FileFormat | None,
    report: DecodeReport | None,
    progress: Progress | None,
    kw: dict[str, Any],
) -> tuple[pa.Schema, Iterator[pa.RecordBatch], Any]:
    """A protected read: the raw bytes a table can carry (``_legacyio_residue``, FILLER
    contents, a file's orphan header bytes) are never built, so dirty records leave as their
    canonical re-encoding and a kept raw copy cannot carry an original value; only the
    columns the policy can release are decoded (``Protector.needed_columns``); every batch
    goes through ``Protector.protect_batch`` before it is yielded."""
    fmt, ropts = split_kwargs(kw, format, options, ReadOptions)
    raw_views = {
        "debug": ropts.debug,  # raw bytes of every field
        "non_terminals": ropts.non_terminals,  # a group's bytes as text
        "corrupt_fields": ropts.corrupt_fields,  # which fields held bad data, per record
    }
    for opt, on in raw_views.items():
        if on:
            raise OptionsError(
                f"{opt} is refused in a protected read: it would carry what the policy withholds"
            )
    if fmt.segment_children:
        raise OptionsError("segment_children is not supported in a protected read")
    if fmt.date_formats or fmt.binary_truncation != "std":
        # the policy checks each field's type as the copybook declares it
        raise OptionsError(
            "date_formats and binary_truncation='bin' are not supported in a protected read"
        )
    changes: dict[str, Any] = {"residue": False, "fillers": False}
    # the mainframe layout needs every column (withheld ones are blanked, not removed)
    if ropts.columns is None and not fmt.segments and not fmt.record_types and not keep_layout:
        needed = protect.needed_columns(ropts.names)
        if needed is not None:
            changes["columns"] = tuple(needed) or None
            _note_undecoded(protect, needed, ropts.names)
    ropts = attrs.evolve(ropts, **changes)
    schema, batches, plan = open_stream(
        source, copybook, ropts, format=fmt, report=report, progress=progress
    )
    if ropts.flatten and keep_layout:
        raise OptionsError("a protected read for the mainframe layout needs flatten=False")
    out_schema = protect.protect_schema(schema, keep_layout=keep_layout)

    def gen() -> Iterator[pa.RecordBatch]:
        for b in batches:
            pb = protect.protect_batch(b, keep_layout=keep_layout)
            yield pb if pb.schema.equals(out_schema) else pb.cast(out_schema)

    return out_schema, gen(), plan


def _note_undecoded(protect: Protector, needed: list[str], names: str) -> None:
    """The fields of the columns a protected read skips are withheld: say so in its stats
    (the manifest lists every withheld field, decoded or not)."""
    for top in protect.policy.layout.records[0].children:
        col = top.name if names == "cobol" else top.name.replace("-", "_")
        if col in needed:
            continue
        for it in top.walk():
            fa = protect.policy.actions.get(it.dotted)
            if it.children or fa is None:
                continue
            why = "FILLER bytes" if it.is_filler else fa.source
            protect.stats.withheld.setdefault(it.dotted, why)


def _with_schema(data: Any) -> tuple[Any, pa.Schema]:
    if isinstance(data, (pa.Table, pa.RecordBatch, pa.RecordBatchReader)):
        return data, data.schema
    it = iter(data)
    first = next(it, None)
    if first is None:
        raise OptionsError("no record batches to write")
    return itertools.chain([first], it), first.schema
