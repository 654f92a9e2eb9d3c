"""Streaming reader: framing x plan -> Arrow record batches.

Each batch of framed records becomes a byte matrix, is decoded column by column by the plan,
and (unless residue is off) re-encoded once to find the records whose bytes are not the
canonical encoding of their values: only those keep a raw copy, so clean files carry nothing
extra and every file still round-trips byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa

from legacyio.codecs import native
from legacyio.engine.framer import framer_for_plan
from legacyio.engine.sniff import BadDataCheck
from legacyio.errors import OptionsError, printable
from legacyio.layout import load_copybook
from legacyio.options import FileFormat, ReadOptions, WriteOptions, split_kwargs
from legacyio.plan.core import Plan
from legacyio.plan.flatten import flatten_table
from legacyio.plan.nodes import CORRUPT_COLUMN, META_ORPHAN
from legacyio.report import DecodeReport
from legacyio.sources import open_source

Progress = Callable[[int, int], None]

_CANON_WOPTS = WriteOptions()


class _BatchDecoder:
    """Turns RecordBlocks into RecordBatches for one plan."""

    def __init__(
        self,
        plan: Plan,
        fmt: FileFormat,
        ropts: ReadOptions,
        report: DecodeReport | None,
        source_name: str,
        framer: Any,
    ) -> None:
        self.plan = plan
        self.fmt = fmt
        self.ropts = ropts
        self.report = report
        self.source_name = source_name
        self.schema = plan.schema()
        output = {x.name for x in plan.top if x.output}
        self.names = [name for name in self.schema.names if name in output]
        self.framer = framer
        self.hlen = framer.header_length
        self.seg_ids = None
        self.seg_levels: dict[int, np.ndarray] = {}
        if ropts.segment_id_levels:
            from legacyio.engine.segids import SegmentIds

            self.seg_ids = SegmentIds(ropts.segment_id_levels, ropts.segment_id_prefix)

    def finish_segment_ids(self, batch: pa.RecordBatch, block: Any) -> pa.RecordBatch:
        """Fill the ``Seg_Id`` columns of a decoded batch (called in file order)."""
        if self.seg_ids is None:
            return batch
        cols = self.seg_ids.apply(self.seg_levels.pop(block.first_record))
        arrays = list(batch.columns)
        at = batch.schema.get_field_index("Seg_Id0")
        arrays[at : at + len(cols)] = cols
        return pa.RecordBatch.from_arrays(arrays, schema=batch.schema)

    def matrix(self, block: Any) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        """Record matrix in the maximum layout, available bytes per record, and (variable
        layouts only) the payload matrix as read, for the residue check."""
        plan = self.plan
        lengths = np.asarray(block.lengths, dtype=np.int64)
        if plan.variable and self.fmt.record_format != "D" and len(lengths):
            # nested tables: walked straight from the buffer (no payload matrix; the
            # residue check builds one only when the codecs do not vouch for the batch)
            done = plan.expand_frames(block.buffer, block.starts, lengths)
            if done is not None:
                return done[0], done[1], None
        mat = block.matrix(plan.width, plan.pad)
        if self.fmt.record_format == "D":
            return mat, None, None
        if plan.variable:
            # expand never writes into the matrix it is given: it stays the payloads as read
            expanded, avail = plan.expand(mat, lengths)
            return expanded, avail, mat if plan.keep_residue else None
        return mat, lengths, None

    def decode(self, block: Any, extra: bytes = b"", trailer: bytes = b"") -> pa.RecordBatch:
        """Decode one block; ``extra`` bytes precede its first record, ``trailer`` bytes follow
        its last one (both go into the residue so nothing is lost). Runs with the codec engine
        of the read options (in whichever thread decodes the block)."""
        with native.engine_scope(self.ropts.engine):
            return self._decode(block, extra, trailer)

    def _decode(self, block: Any, extra: bytes, trailer: bytes) -> pa.RecordBatch:
        plan = self.plan
        n = len(block.lengths)
        mat, avail, raw = self.matrix(block)
        rec_offsets = (
            block.buffer_offset + np.asarray(block.starts, dtype=np.int64)
            if block.payload_offsets is None
            else np.asarray(block.payload_offsets, dtype=np.int64)
        )
        extras: dict[str, pa.Array] = {}
        arrays, vouched = plan.decode_vouched(
            mat, avail, rec_offsets, block.first_record, self.report, extras
        )
        names = self.names
        cols: list[pa.Array] = list(arrays)
        if plan.keep_residue:
            cols.append(self.residue(block, arrays, names, extra, trailer, mat, raw, vouched))
        if self.ropts.record_number:
            cols.append(
                pa.array(np.arange(block.first_record, block.first_record + n, dtype=np.int64))
            )
        if self.ropts.record_offset:
            cols.append(pa.array(rec_offsets))
        if self.ropts.file_name:
            cols.append(pa.array([self.source_name] * n, type=pa.string()))
        if self.seg_ids is not None:
            # levels now (in parallel); the ids in file order, in ``finish_segment_ids``
            self.seg_levels[block.first_record] = self.seg_ids.level_of(
                self.plan.segment_values(mat)
            )
            cols.extend(pa.nulls(n, pa.string()) for _ in self.seg_ids.levels)
        if self.ropts.corrupt_fields:
            cols.append(extras[CORRUPT_COLUMN])
        if self.report is not None:
            self.report.records += n
            if block.payload_offsets is not None:  # VBS: records in several segments
                spanned = block.frame_lengths > block.lengths + 4
                self.report.spanned_records += int(np.count_nonzero(spanned))
            self.report.bytes += int(np.sum(block.frame_lengths)) if n else 0
        return pa.RecordBatch.from_arrays(cols, schema=self.schema)

    def residue(
        self,
        block: Any,
        arrays: list[pa.Array],
        names: list[str],
        extra: bytes,
        trailer: bytes,
        mat: np.ndarray | None = None,
        raw: np.ndarray | None = None,
        vouched: bool = False,
    ) -> pa.Array:
        """Raw frames of the records whose canonical re-encoding differs from the input;
        ``vouched``: the codecs found every field canonical while decoding."""
        plan = self.plan
        n = len(block.lengths)
        frame_starts = np.asarray(block.frame_starts, dtype=np.int64)
        frame_lengths = np.asarray(block.frame_lengths, dtype=np.int64)
        if vouched and mat is not None:
            forced = self._frame_diff(block)
            if forced is not None:
                # every field vouched canonical by its codec, nothing else in the records and
                # canonical record headers: no record needs a raw copy for its values, without
                # encoding anything (VBS records spanned over segments keep theirs)
                return self._residue_column(block, forced, extra, trailer)
        batch = pa.RecordBatch.from_arrays(arrays, names=names)
        collect = np.zeros(n, dtype=bool)
        payload, lengths = plan.encode(
            batch, _CANON_WOPTS, block.first_record, None, collect, src=mat
        )
        lengths = self.framer.canonical_lengths(payload, lengths, plan.pad)
        # a record no frame can describe (an RDW beyond its range) keeps its raw bytes
        canon, canon_len, unfit = self.framer.canonical_frames(payload, lengths, check=False)
        diff = collect | (canon_len != frame_lengths)
        tail_differs = getattr(self.framer, "record_tail_differs", None)
        if tail_differs is not None:  # bytes after each payload (record_end_offset)
            diff |= tail_differs(block)
        if unfit is not None:
            diff |= unfit
        same = ~diff
        buf = block.buffer
        if same.any() and (
            self.hlen == 0
            and self.fmt.record_format in ("F", "FB")
            and bool((frame_lengths == plan.width).all())
            and _contiguous(frame_starts, frame_lengths)
        ):
            start = int(frame_starts[0])
            orig = buf[start : start + n * plan.width].reshape(n, plan.width)
            idx = np.flatnonzero(same)
            if len(idx) == n:
                cmp = _rows_differ(orig, canon[:, : plan.width])
            else:
                cmp = _rows_differ(orig[idx], canon[idx, : plan.width])
            diff[idx[cmp]] = True
        elif same.any():
            # same frame length: compare headers, then payloads inside each record's length
            rec_len = np.asarray(block.lengths, dtype=np.int64)
            diff |= rec_len != lengths
            if self.hlen:
                hdr = buf[frame_starts[:, None] + np.arange(self.hlen)[None, :]]
                diff |= np.any(hdr != canon[:, : self.hlen], axis=1)
            if raw is None:
                raw = block.matrix(plan.width, plan.pad)
            w = min(raw.shape[1], payload.shape[1])
            inside = np.arange(w)[None, :] < lengths[:, None]
            diff |= np.any((raw[:, :w] != payload[:, :w]) & inside, axis=1)
        return self._residue_column(block, diff, extra, trailer)

    def _frame_diff(self, block: Any) -> np.ndarray | None:
        """Records that need their raw frame whatever their values (VBS records spanned over
        segments), when every other record's frame is canonical; None when some is not."""
        n = len(block.lengths)
        if block.payload_offsets is None:
            return np.zeros(n, dtype=bool) if self._frames_canonical(block) else None
        frame_lengths = np.asarray(block.frame_lengths, dtype=np.int64)
        spanned = frame_lengths != np.asarray(block.lengths, dtype=np.int64) + self.hlen
        if spanned.all() or self._frames_canonical(block, np.flatnonzero(~spanned)):
            return spanned
        return None

    def _frames_canonical(self, block: Any, rows: np.ndarray | None = None) -> bool:
        """Whether each record's frame (of ``rows``, default all) is exactly what the writer
        makes for its payload: a fixed record of the full width, or an RDW (V/VB) or a
        complete segment (VBS) of the right length with zero reserved bytes. (Block
        descriptors and gaps go to the residue separately.)"""
        plan, rf = self.plan, self.fmt.record_format
        frame_lengths = np.asarray(block.frame_lengths, dtype=np.int64)
        if getattr(self.framer, "full_frame_check", False):
            return False  # bytes around the payloads: compared in full by ``residue``
        if rf in ("F", "FB"):
            return bool((frame_lengths == plan.width).all())
        if rf == "ODO" and plan.variable and self.hlen == 0:
            # the lengths come from the records' own counts; decode_vouched checks that
            # each record is exactly as long as they say
            lengths = np.asarray(block.lengths, dtype=np.int64)
            return bool((frame_lengths == lengths).all())
        if rf not in ("V", "VB", "VBS") or (len(plan.roots) > 1 and not plan.variable):
            return False
        lengths = np.asarray(block.lengths, dtype=np.int64)
        starts = np.asarray(block.frame_starts, dtype=np.int64)
        if rows is not None:
            frame_lengths, lengths, starts = frame_lengths[rows], lengths[rows], starts[rows]
        if not bool((frame_lengths == lengths + self.hlen).all()):
            return False
        hdr = block.buffer[starts[:, None] + np.arange(self.hlen)[None, :]]
        flen = lengths + self.hlen
        if self.framer.unfit(flen).any():
            return False
        return bool((hdr == self.framer.rdws(flen)).all())

    def _residue_column(
        self, block: Any, diff: np.ndarray, extra: bytes, trailer: bytes
    ) -> pa.Array:
        """The residue column: raw frames (with any bytes before them) of the rows in ``diff``
        and of rows that carry header, gap or trailer bytes; null elsewhere."""
        n = len(block.lengths)
        frame_starts = np.asarray(block.frame_starts, dtype=np.int64)
        frame_lengths = np.asarray(block.frame_lengths, dtype=np.int64)
        gaps = dict(block.gaps or [])
        if extra:
            gaps[0] = extra + gaps.get(0, b"")
        rows = set(np.flatnonzero(diff).tolist()) | set(gaps)
        if trailer and n:
            rows.add(n - 1)
        if not rows:
            return pa.nulls(n, type=pa.binary())
        offsets = np.zeros(n + 1, dtype=np.int64)
        valid = np.zeros(n, dtype=bool)
        pieces = []
        buf = block.buffer
        sizes = np.zeros(n, dtype=np.int64)
        for r in sorted(rows):
            s = int(frame_starts[r])
            piece = gaps.get(r, b"") + bytes(buf[s : s + int(frame_lengths[r])])
            if trailer and r == n - 1:
                piece += trailer
            pieces.append(piece)
            sizes[r] = len(piece)
            valid[r] = True
        np.cumsum(sizes, out=offsets[1:])
        if self.report is not None:
            self.report.residue_records += len(rows)
        data = b"".join(pieces)
        return (
            pa.Array.from_buffers(
                pa.binary(),
                n,
                [
                    pa.py_buffer(np.packbits(valid, bitorder="little").tobytes()),
                    pa.py_buffer(offsets.astype(np.int32).tobytes()),
                    pa.py_buffer(data),
                ],
            )
            if offsets[-1] < 2**31
            else pa.array(
                [p if v else None for p, v in zip(_spread(pieces, valid), valid)], type=pa.binary()
            )
        )


def _rows_differ(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per row: do two (n, w) byte matrices differ? Compared 8 bytes at a time when possible."""
    n, w = a.shape
    if w % 8 == 0 and a.flags.c_contiguous and b.flags.c_contiguous and n:
        return np.any(a.view(np.uint64) != b.view(np.uint64), axis=1)
    return np.any(a != b, axis=1)


def _spread(pieces: list[bytes], valid: np.ndarray) -> list[bytes | None]:
    it = iter(pieces)
    return [next(it) if v else None for v in valid]


def _contiguous(starts: np.ndarray, lengths: np.ndarray) -> bool:
    if len(starts) < 2:
        return True
    return bool(np.all(starts[1:] == starts[:-1] + lengths[:-1]))


def open_stream(
    source: Any,
    copybook: Any,
    options: ReadOptions | None = None,
    *,
    format: FileFormat | None = None,
    report: DecodeReport | None = None,
    progress: Progress | None = None,
    search_path: Any = (),
    **kw: Any,
) -> tuple[pa.Schema, Iterator[pa.RecordBatch], Plan]:
    """Schema, batch iterator and plan for a source (the engine behind ``open_reader``)."""
    fmt, ropts = split_kwargs(kw, format, options, ReadOptions)
    layout = load_copybook(copybook, search_path=search_path, odo_mappings=fmt.odo_tables)
    plan = Plan(layout, fmt, ropts)
    if report is None:
        report = DecodeReport()
    framer = framer_for_plan(plan, fmt, lenient=ropts.lenient_framing, report=report)
    dec = _BatchDecoder(plan, fmt, ropts, report, "", framer)
    per_batch = records_per_batch(ropts, plan)

    def batches() -> Iterator[pa.RecordBatch]:
        with open_source(source) as stream:
            dec.source_name = printable(stream.name)
            done = [0, 0]
            check = BadDataCheck(ropts, fmt, plan.width, _display_name(stream.name))

            def finish(batch: pa.RecordBatch, block: Any) -> pa.RecordBatch:
                batch = dec.finish_segment_ids(batch, block)
                done[0] += batch.num_rows
                done[1] += int(np.sum(block.frame_lengths))
                check.after_batch(report)
                if progress is not None:
                    progress(done[0], done[1])
                return batch

            # with threads, up to `threads` batches decode at once; results keep file order
            pool = ThreadPoolExecutor(ropts.threads) if ropts.threads > 1 else None
            window: list[tuple[Any, Any]] = []
            try:
                blocks = _lookahead(framer.blocks(stream, per_batch))
                for i, (block, last) in enumerate(blocks):
                    if i == 0:
                        check.first_block(block, stream.size)
                    extra = bytes(getattr(framer, "header", b"") or b"") if i == 0 else b""
                    trailer = bytes(getattr(framer, "trailer", b"") or b"") if last else b""
                    if pool is None:
                        yield finish(dec.decode(block, extra, trailer), block)
                        continue
                    window.append((pool.submit(dec.decode, block, extra, trailer), block))
                    if len(window) > ropts.threads:
                        fut, blk = window.pop(0)
                        yield finish(fut.result(), blk)
                for fut, blk in window:
                    yield finish(fut.result(), blk)
                if done[0] == 0:
                    # no record at all: header and trailer bytes have no record to ride on
                    plan.orphan = bytes(getattr(framer, "header", b"") or b"") + bytes(
                        getattr(framer, "trailer", b"") or b""
                    )
                    if plan.orphan and plan.keep_residue:
                        # streamed: they ride on an empty last batch's schema metadata
                        md = dict(dec.schema.metadata or {})
                        md[META_ORPHAN] = plan.orphan.hex().encode()
                        yield pa.RecordBatch.from_pylist([], schema=dec.schema.with_metadata(md))
                check.at_end(report)
            finally:
                if pool is not None:
                    pool.shutdown(wait=True, cancel_futures=True)

    if fmt.segment_children:
        # the whole file is decoded flat first: a root's children may span batches
        from legacyio.engine.hierarchy import Hierarchy, read_nested

        hier = Hierarchy(plan, dec.schema)
        flat_batches_ = batches
        nested_schema = hier.schema()

        def batches() -> Iterator[pa.RecordBatch]:  # type: ignore[no-redef]
            flat = pa.Table.from_batches(list(flat_batches_()), schema=dec.schema)
            table = read_nested(flat, hier, plan, framer, report)
            yield from table.cast(nested_schema).to_batches()

    out_schema = nested_schema if fmt.segment_children else dec.schema
    if ropts.flatten:
        flat_schema = flatten_table(out_schema.empty_table()).schema

        def flat_batches() -> Iterator[pa.RecordBatch]:
            for b in batches():
                t = flatten_table(pa.Table.from_batches([b]))
                if not b.num_rows and META_ORPHAN in (b.schema.metadata or {}):
                    md = {
                        **(flat_schema.metadata or {}),
                        META_ORPHAN: b.schema.metadata[META_ORPHAN],
                    }
                    yield pa.RecordBatch.from_pylist([], schema=flat_schema.with_metadata(md))
                    continue
                yield from t.cast(flat_schema).to_batches()

        return flat_schema, flat_batches(), plan
    return out_schema, batches(), plan


def _display_name(name: str) -> str:
    """A source name fit for a message: a path, or nothing for in-memory data."""
    return "" if name.startswith("<") else name


def records_per_batch(ropts: ReadOptions, plan: Plan) -> int:
    """``batch_size``, lowered so that a batch of maximum-layout records stays within
    ``batch_bytes``."""
    if ropts.batch_size < 1 or ropts.batch_bytes < 1:
        raise OptionsError("batch_size and batch_bytes must be at least 1")
    return max(1, min(ropts.batch_size, ropts.batch_bytes // max(plan.width, 1)))


def _lookahead(blocks: Iterator[Any]) -> Iterator[tuple[Any, bool]]:
    """Yield (block, is_last), holding one block back so the last one is known."""
    prev = None
    for b in blocks:
        if len(b.lengths) == 0:
            continue
        if prev is not None:
            yield prev, False
        prev = b
    if prev is not None:
        yield prev, True
