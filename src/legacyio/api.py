"""The public façade, in the style of ``pyarrow.csv``: read_table / open_reader / write_table.

Results are ordinary ``pyarrow.Table`` and ``pyarrow.RecordBatchReader`` objects; options are
the frozen attrs classes of ``legacyio.options``; keyword arguments may name any field of
``FileFormat`` or of the stage's options class.
"""

from __future__ import annotations

import collections
import hashlib
import io
import itertools
import os
import tempfile
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.engine.read import open_stream
from legacyio.engine.write import BatchEncoder, WriteStats, plan_for_writing, write_stream
from legacyio.errors import OptionsError
from legacyio.layout import load_copybook
from legacyio.layout.model import Layout
from legacyio.options import FileFormat, ReadOptions, WriteOptions
from legacyio.plan.core import Plan
from legacyio.plan.nodes import META_ORPHAN, RESIDUE_COLUMN
from legacyio.report import DecodeReport
from legacyio.sources import open_sink, open_source

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
    seg_nodes = [n for n in plan.top if n.segment_ids is not None and n.output]
    seg_names = {n.name for n in seg_nodes}
    out: dict[str, pa.Table] = {}
    for node in seg_nodes:
        mask = pc.is_valid(table.column(node.name))
        keep = [c for c in table.column_names if c not in seg_names or c == node.name]
        out[node.item.name] = table.select(keep).filter(mask)
    return out


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
    **kw: Any,
) -> WriteStats:
    """Encode Arrow data back to the mainframe format; a path is written atomically."""
    data, schema = _with_schema(data)
    plan, fmt, wopts = plan_for_writing(schema, copybook, format, kw, options, search_path)
    with open_sink(sink, overwrite=overwrite) as out:
        return write_stream(data, out, plan, fmt, wopts, schema, progress)


def encode(
    table: pa.Table | pa.RecordBatch,
    copybook: str | os.PathLike[str] | Layout | None = None,
    options: WriteOptions | None = None,
    *,
    format: FileFormat | None = None,
    search_path: Any = (),
    **kw: Any,
) -> bytes:
    """Encode a table to the bytes of a mainframe file."""
    buf = io.BytesIO()
    plan, fmt, wopts = plan_for_writing(table.schema, copybook, format, kw, options, search_path)
    write_stream(table, buf, plan, fmt, wopts, table.schema)
    return buf.getvalue()


def _with_schema(data: Any) -> tuple[Any, pa.Schema]:
    if isinstance(data, (pa.Table, pa.RecordBatch, pa.RecordBatchReader)):
        return data, data.schema
    it = iter(data)
    first = next(it, None)
    if first is None:
        raise OptionsError("no record batches to write")
    return itertools.chain([first], it), first.schema


@attrs.frozen
class Mismatch:
    """Where the re-encoded stream first differs from the input (never the values)."""

    record: int
    offset: int
    field: str | None


@attrs.frozen
class VerifyResult:
    """Outcome of ``verify``: identity of input and re-encoded output, with their hashes."""

    ok: bool
    records: int
    bytes: int
    sha256_input: str
    sha256_output: str
    mismatch: Mismatch | None
    report: DecodeReport


def verify(
    source: Any,
    copybook: str | os.PathLike[str] | Layout,
    *,
    format: FileFormat | None = None,
    options: ReadOptions | None = None,
    via: str | None = None,
    progress: Progress | None = None,
    **kw: Any,
) -> VerifyResult:
    """Decode and re-encode a file in streaming fashion and compare with the input bytes.
    ``via="parquet"`` stores the decoded batches in a Parquet file on disk in between."""
    report = DecodeReport()
    # one pass over the input: the decoder reads through a tee that keeps the bytes until the
    # comparison has consumed them (stream sources cannot be read twice)
    original = _Tee(open_source(source))
    schema, batches, plan = open_stream(
        original, copybook, options, format=format, report=report, progress=progress, **kw
    )
    if not plan.keep_residue:
        raise OptionsError("verify needs the residue (residue=True and no column projection)")
    fmt = plan.fmt
    tmpdir = None
    if via is not None:
        if via != "parquet":
            raise OptionsError(f"verify via {via!r}: only 'parquet' is supported")
        import pyarrow.parquet as pq

        reopenable = isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview))
        if reopenable:
            original.keep = False  # compared against a second reading of the source
        tmpdir = tempfile.TemporaryDirectory(prefix="legacyio-verify-")
        path = os.path.join(tmpdir.name, "verify.parquet")
        with pq.ParquetWriter(path, schema) as w:
            for b in batches:
                w.write_batch(b)
        if reopenable:
            original.close()
            original = _Tee(open_source(source))
        pf = pq.ParquetFile(path)
        schema = pf.schema_arrow
        batches = pf.iter_batches(batch_size=plan.ropts.batch_size)
    # the reading plan serves for writing too: verify needs the residue, so no projection
    enc = BatchEncoder(plan, fmt, WriteOptions(), RESIDUE_COLUMN in schema.names)
    h_in, h_out = hashlib.sha256(), hashlib.sha256()
    mismatch = None
    total = 0
    records = 0
    try:
        with original:
            for batch in batches:
                chunk, lens = enc.encode_buffer(batch)  # bytes or a uint8 array: no copy
                h_out.update(chunk)
                got = original.take(len(chunk))
                h_in.update(got)
                if mismatch is None and not _same_bytes(got, chunk):
                    mismatch = _locate(plan, bytes(got), bytes(chunk), lens, total, records)
                total += len(chunk)
                records += batch.num_rows
            if records == 0 and plan.orphan:
                chunk = plan.orphan
                h_out.update(chunk)
                got = original.take(len(chunk))
                h_in.update(got)
                if not _same_bytes(got, chunk):
                    mismatch = Mismatch(1, 0, None)
                total += len(chunk)
            while True:
                rest = original.take(1 << 20)
                if not rest:
                    break
                if mismatch is None:
                    mismatch = Mismatch(records + 1, total, None)
                h_in.update(rest)
    finally:
        if tmpdir is not None:
            tmpdir.cleanup()
    ok = mismatch is None and h_in.digest() == h_out.digest()
    return VerifyResult(ok, records, total, h_in.hexdigest(), h_out.hexdigest(), mismatch, report)


def _same_bytes(a: Any, b: Any) -> bool:
    """Whether two byte buffers (bytes, memoryview, uint8 array) hold the same bytes."""
    x, y = np.frombuffer(a, dtype=np.uint8), np.frombuffer(b, dtype=np.uint8)
    return x.size == y.size and bool(np.array_equal(x, y))


class _Tee:
    """A binary stream for the decoder that keeps what it reads for a second consumer.

    What it keeps is a queue of the chunks read (no copying into one growing buffer);
    ``take`` hands out a zero-copy slice when one chunk holds the bytes asked for."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.name = getattr(stream, "name", "<input>")
        self.size = getattr(stream, "size", None)
        self.kept: collections.deque[memoryview] = collections.deque()
        self.kept_bytes = 0
        self.eof = False
        self.keep = True

    def read(self, n: int = -1) -> bytes:
        """Read for the decoder (and keep the chunk)."""
        b = self.stream.read(n) if n is not None and n >= 0 else self.stream.read()
        if not isinstance(b, bytes):
            b = bytes(b)  # a view of memory the caller owns: keep a snapshot
        if not b:
            self.eof = True
        elif self.keep:
            self.kept.append(memoryview(b))
            self.kept_bytes += len(b)
        return b

    def take(self, n: int) -> bytes | memoryview:
        """Read for the comparison: kept bytes first, then the stream itself."""
        while self.kept_bytes < n and not self.eof:
            self.read(1 << 20)
        n = min(n, self.kept_bytes)
        if n == 0:
            return b""
        self.kept_bytes -= n
        first = self.kept[0]
        if len(first) >= n:
            out = first[:n]
            if len(first) == n:
                self.kept.popleft()
            else:
                self.kept[0] = first[n:]
            return out
        parts = []
        while n:
            head = self.kept.popleft()
            if len(head) > n:
                self.kept.appendleft(head[n:])
                head = head[:n]
            parts.append(head)
            n -= len(head)
        return b"".join(parts)

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> _Tee:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _locate(
    plan: Plan, got: bytes, chunk: bytes, lens: np.ndarray, base: int, first: int
) -> Mismatch:
    """First differing byte -> record number, file offset and the field it falls in."""
    m = min(len(got), len(chunk))
    a = np.frombuffer(got[:m], dtype=np.uint8)
    b = np.frombuffer(chunk[:m], dtype=np.uint8)
    diff = np.flatnonzero(a != b)
    pos = int(diff[0]) if len(diff) else m
    ends = np.cumsum(lens)
    r = int(np.searchsorted(ends, pos, side="right"))
    start = int(ends[r - 1]) if r > 0 else 0
    within = pos - start - (4 if plan.fmt.record_format in ("V", "VB") else 0)
    return Mismatch(first + r + 1, base + pos, field_at(plan, within))


def field_at(plan: Plan, offset: int) -> str | None:
    """Dotted path of the deepest elementary item covering ``offset`` (maximum layout)."""
    best = None
    for root in plan.roots:
        for it in root.walk():
            if it.is_group:
                continue
            if it.offset <= offset < it.offset + it.size or (
                it.occurs and it.offset <= offset < it.end
            ):
                best = it.dotted
    return best
