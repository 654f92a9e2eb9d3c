"""Streaming writer: Arrow batches -> plan (encode) -> framing -> bytes.

Records that carry a residue (raw bytes kept by the reader because they were not canonical)
are written from it, with any edited field merged in (``engine/merge.py``); every other
record is encoded canonically. That makes ``write_table(read_table(data)) == data`` hold by
construction, and an edit always lands.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

import attrs
import numpy as np
import pyarrow as pa

from legacyio.codecs import native
from legacyio.engine.framer import framer_for_plan
from legacyio.engine.merge import ResidueMerger
from legacyio.errors import EncodeError, OptionsError
from legacyio.framing.base import length_groups
from legacyio.layout import load_copybook
from legacyio.layout.model import Layout
from legacyio.options import FileFormat, ReadOptions, WriteOptions, split_kwargs
from legacyio.plan.core import Plan
from legacyio.plan.nodes import META_COPYBOOK, META_FORMAT, META_ORPHAN, META_READ, RESIDUE_COLUMN
from legacyio.report import WriteReport
from legacyio.sources import AtomicSink

Progress = Callable[[int, int], None]


@attrs.frozen
class WriteStats:
    """What a write produced."""

    records: int
    bytes: int


def _schema_of(data: Any) -> pa.Schema:
    return data.schema


def plan_for_writing(
    schema: pa.Schema,
    copybook: Any,
    fmt: FileFormat | None,
    kw: dict[str, Any],
    options: WriteOptions | None,
    search_path: Any = (),
) -> tuple[Plan, FileFormat, WriteOptions]:
    """Build the plan for encoding a table: copybook, format and naming default to what the
    table's metadata says (a table read by legacyio knows where it came from)."""
    md = schema.metadata or {}
    if copybook is None:
        if META_COPYBOOK not in md:
            raise OptionsError("no copybook given and the table carries none in its metadata")
        copybook = md[META_COPYBOOK].decode()
    if fmt is None and META_FORMAT in md:
        raw = json.loads(md[META_FORMAT].decode())
        raw["segments"] = tuple(tuple(p) for p in raw.get("segments", ()))
        fmt = FileFormat(**raw)
    fmt, wopts = split_kwargs(kw, fmt, options, WriteOptions)
    layout: Layout = load_copybook(copybook, search_path=search_path, odo_mappings=fmt.odo_tables)
    names: Any = "python"
    fillers = True
    trim: Any = "right"
    if META_READ in md:
        r = json.loads(md[META_READ].decode())
        names, fillers = r.get("names", names), r.get("fillers", fillers)
        trim = r.get("trim", trim)
    plan = Plan(layout, fmt, ReadOptions(names=names, fillers=fillers, trim=trim))
    return plan, fmt, wopts


class BatchEncoder:
    """Encodes record batches into framed bytes for one plan."""

    def __init__(
        self,
        plan: Plan,
        fmt: FileFormat,
        wopts: WriteOptions,
        has_residue: bool,
        report: WriteReport | None = None,
    ) -> None:
        self.plan = plan
        self.report = report
        self.fmt = fmt
        self.wopts = wopts
        self.records = 0
        self.has_residue = has_residue
        # every framing byte comes from the framer: RDWs (range-checked), BDW blocks, line ends
        self.framer = framer_for_plan(plan, fmt)
        self.hlen = self.framer.header_length
        self.blocks = fmt.record_format in ("VB", "VBS") and not has_residue
        self.merger = ResidueMerger(plan, fmt, self.framer, wopts)
        self.hier = None
        if fmt.segment_children:
            from legacyio.engine.hierarchy import Hierarchy

            self.hier = Hierarchy(plan, plan.schema())

    def nest(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Accept flattened tables (CSV/SQL round trips): rebuild structs and lists."""
        names = set(batch.schema.names)
        nested = [
            n
            for n in self.plan.top
            if n.output and n.name not in names and (n.kind == "group" or n.occurs_max)
        ]
        if not nested or not any(x.startswith(nested[0].name + "_") for x in names):
            return batch
        from legacyio.plan.flatten import unflatten_table

        schema = self.plan.schema()
        keep = [f for f in schema if f.name != RESIDUE_COLUMN]
        if RESIDUE_COLUMN in names:
            keep.append(schema.field(RESIDUE_COLUMN))
        table = unflatten_table(pa.Table.from_batches([batch]), pa.schema(keep))
        return (
            table.combine_chunks().to_batches()[0]
            if table.num_rows
            else pa.RecordBatch.from_pylist([], schema=table.schema)
        )

    def encode(self, batch: pa.RecordBatch) -> tuple[bytes, np.ndarray]:
        """Bytes of a batch, and the length of each record's part in them."""
        data, lengths = self.encode_buffer(batch)
        return data if isinstance(data, bytes) else data.tobytes(), lengths

    def encode_buffer(self, batch: pa.RecordBatch) -> tuple[bytes | np.ndarray, np.ndarray]:
        """``encode`` without the final copy: the bytes may come as a 1-D uint8 array (any
        sink's ``write`` takes it), and the length of each record's part in them. Runs with
        the codec engine of the write options."""
        with native.engine_scope(self.wopts.engine):
            return self._encode_buffer(batch)

    def _encode_buffer(self, batch: pa.RecordBatch) -> tuple[bytes | np.ndarray, np.ndarray]:
        if self.hier is not None and self.hier.roots[0] in batch.schema.names:
            flat, _ = self.hier.unnest(batch)  # one row per record again, in file order
            batch = (
                flat.combine_chunks().to_batches()[0]
                if flat.num_rows
                else pa.RecordBatch.from_pylist([], schema=flat.schema)
            )
        batch = self.nest(batch)
        n = batch.num_rows
        residue = None
        if self.wopts.use_residue and RESIDUE_COLUMN in batch.schema.names:
            col = batch.column(RESIDUE_COLUMN)
            if col.null_count < n:
                residue = col
        skip = None
        if residue is not None:
            skip = np.asarray(residue.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        frames = view = None
        if self.hlen and not self.blocks:
            # RDW frames: records are encoded straight after room for their headers
            frames, view = self.framer.frame_matrix(n, self.plan.width)
        payload, lengths = self.plan.encode(batch, self.wopts, self.records + 1, skip, out=view)
        first = self.records + 1
        self.records += n
        lengths = self.framer.canonical_lengths(payload, lengths, self.plan.pad)
        if self.blocks:
            try:
                data = self.framer.frame(payload, lengths)
            except EncodeError as e:
                raise _renumbered(e, first) from None
            return bytes(data), lengths + self.hlen
        canon, flen, unfit = self.framer.canonical_frames(
            payload, lengths, check=False, frames=frames if payload is view else None
        )
        if unfit is not None:
            # records written from their residue keep their own frame
            bad = unfit if skip is None else unfit & ~skip
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise EncodeError(self.framer.unfit_message(int(flen[i])), record=first + i)
        if skip is None:
            return cut_rows(canon, flen), flen
        use = flen.copy()
        use[skip] = 0
        flat = cut_rows(canon, use)
        ends = np.cumsum(use)
        pieces: list[Any] = []
        pos = 0
        rrows = np.flatnonzero(skip)
        assert residue is not None
        kept = residue.take(pa.array(rrows)).to_pylist()
        merged = self.merger.pieces(batch, rrows, kept, first, self.report)
        raw: dict[int, bytes] = dict(zip(rrows.tolist(), merged))
        out_len = flen.copy()
        for r in rrows.tolist():
            cut = int(ends[r])
            pieces.append(flat[pos:cut])
            pos = cut
            pieces.append(raw[r])
            out_len[r] = len(raw[r])
        pieces.append(flat[pos:])
        return b"".join(p if isinstance(p, bytes) else p.data for p in pieces), out_len


def _renumbered(e: EncodeError, first: int) -> EncodeError:
    """The framer numbers records within the batch; the message names the file's record."""
    if e.record is None:
        return e
    return EncodeError(e.message, record=e.record + first - 1, field=e.field)


_CUT_GROUPS = 256
"""Up to this many distinct record lengths in a batch, ``cut_rows`` copies the records of
each length as whole items; beyond, it gathers under a mask."""


def cut_rows(mat: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The first ``lengths[i]`` bytes of every row of ``mat``, concatenated (1-D uint8).

    Records usually come in few lengths (ODO counts, 01 records): the rows of each length are
    copied as items of that many bytes to their places in the output, seen through a strided
    view of it. Otherwise the rows are gathered under a mask, in units of the largest power
    of two (up to 8 bytes) dividing the width and every length.
    """
    n, w = mat.shape
    if n == 0:
        return np.zeros(0, dtype=np.uint8)
    if int(lengths.min()) == w and int(lengths.max()) == w:
        return np.ascontiguousarray(mat).reshape(-1)
    g = int(np.gcd(int(np.gcd.reduce(lengths.astype(np.int64))), w))  # 0 | x is x
    unit = next(u for u in (8, 4, 2, 1) if g % u == 0)
    mat = np.ascontiguousarray(mat)
    groups = length_groups(lengths, _CUT_GROUPS)
    if groups is None:
        if unit > 1:
            mat = mat.view(f"u{unit}")
        inside = np.arange(w // unit)[None, :] < (lengths // unit)[:, None]
        return mat[inside].view(np.uint8)
    out = np.empty(int(lengths.sum()), dtype=np.uint8)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    for length, rows in groups:
        if length == 0:
            continue
        item = np.dtype(f"V{length}")
        # every ``unit``-th byte of the output as the start of a record of this length
        places = np.ndarray(
            ((out.size - length) // unit + 1,), dtype=item, buffer=out, strides=(unit,)
        )
        places[starts[rows] // unit] = mat[:, :length].view(item)[rows, 0]
    return out


def iter_batches(data: Any, batch_size: int) -> Iterator[pa.RecordBatch]:
    if isinstance(data, pa.Table):
        yield from data.to_batches(max_chunksize=batch_size)
    elif isinstance(data, pa.RecordBatch):
        yield data
    else:
        yield from data


def write_stream(
    data: pa.Table | pa.RecordBatchReader | Iterable[pa.RecordBatch],
    out: BinaryIO | AtomicSink,
    plan: Plan,
    fmt: FileFormat,
    wopts: WriteOptions,
    schema: pa.Schema,
    progress: Progress | None = None,
    report: WriteReport | None = None,
) -> WriteStats:
    """Encode every batch of ``data`` and write the bytes to ``out``; ``report`` counts
    what became of the records that carry a residue."""
    enc = BatchEncoder(plan, fmt, wopts, RESIDUE_COLUMN in schema.names, report)
    total = 0
    orphan = (schema.metadata or {}).get(META_ORPHAN)
    for batch in iter_batches(data, wopts.batch_size):
        md = batch.schema.metadata or {}
        if META_ORPHAN in md:
            orphan = md[META_ORPHAN]  # a streamed file without records (engine/read.py)
        chunk, _ = enc.encode_buffer(batch)
        out.write(chunk if isinstance(chunk, bytes) else chunk.data)
        total += len(chunk)
        if progress is not None:
            progress(enc.records, total)
    if enc.records == 0 and orphan and wopts.use_residue:
        # a file without records: its header/trailer bytes, kept by read_table
        chunk = bytes.fromhex(orphan.decode())
        out.write(chunk)
        total += len(chunk)
    if report is not None:
        report.records += enc.records
        report.bytes += total
    return WriteStats(enc.records, total)
