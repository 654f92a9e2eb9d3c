"""Record-aligned splits of one mainframe file, and reading one split.

A split is a byte range that starts on a proven record boundary, so that any engine can decode
the splits of a file independently and in parallel and still get exactly the rows
``read_table`` gives, in the same order (the ``_legacyio_record`` column numbers them across
splits, 1-based, the same numbers as ``record_number``).

How boundaries are found, by record format:

- F/FB: arithmetic (header bytes and header records respected); nothing is read.
- VB: block boundaries, found by reading only the block descriptor words, seeking from BDW to
  BDW (then, unless ``numbered=False``, each split counts its records in parallel so that rows
  get their global numbers). A split's first row carries its block's BDW in its residue, as in
  ``read_table``; zero padding after the last record of a split's last block stays with that
  split (in its last row's residue, where ``read_table`` gives it to the next row): the bytes
  and their order are the same, so the write-back is identical.
- V (RDW), ODO-variable and length-field records: **guess, then check**. Each split, in
  parallel, looks for the first plausible record start after its nominal offset (a header of
  the right shape, a length within the copybook's minimum and maximum, and a chain of
  ``CHAIN`` plausible records after it), walks the records with the reader's own framer to the
  end of its range and reports where it stopped and how many records it saw. Split i is
  accepted only if split i-1, itself proven, stopped exactly where split i's walk started; on a
  mismatch the range is walked again from the last proven boundary. A wrong guess costs time,
  never correctness: the result is exact on every file, adversarial ones included.

Bytes of the file header go with the first split, the trailer with the last one, so writing
all rows of all splits back in order reproduces the file byte for byte.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from typing import Any, Literal

import attrs
import numpy as np
import pyarrow as pa

from legacyio.errors import DecodeError, OptionsError
from legacyio.layout.model import Layout
from legacyio.options import FileFormat, ReadOptions
from legacyio.report import DecodeReport
from legacyio.scale import _engine
from legacyio.scale import index as idx
from legacyio.scale.bounds import (
    DEFAULT_SPLIT_SIZE,
    Bounds,
    fixed_bounds,
    kind_of,
    plan_bounds,
    resolve_options,
)
from legacyio.scale.source import RangeFile, Source

RECORD_COLUMN = "_legacyio_record"


"""Global 1-based record number added by ``read_split`` (the numbering of ``record_number``:
header records are not counted)."""


"""Plausible records in a row a guessed record start needs."""


IndexMode = Literal["auto", "build", "ignore"]


@attrs.frozen
class Split:
    """One record-aligned byte range of a file.

    ``start``/``length`` is the byte range (the first split starts at 0 and holds the file
    header, the last one ends at the end of the file and holds the trailer). ``lead`` bytes at
    the start of the range belong to no record (file header, VB block padding) and ``tail``
    bytes at its end neither (file trailer); both are kept in the residue of the neighbouring
    record. ``first_record`` is the 1-based number of the split's first record and ``records``
    how many it holds (None when not counted). ``verified``: the start is a proven record
    boundary (always true for splits made by ``plan_splits``).
    """

    source: str
    start: int
    length: int
    first_record: int | None
    records: int | None
    verified: bool
    index: int = 0
    lead: int = 0
    tail: int = 0

    @property
    def end(self) -> int:
        return self.start + self.length

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Split:
        return cls(**d)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Split:
        return cls.from_dict(json.loads(text))


def plan_splits(
    source: str | os.PathLike[str],
    copybook: str | os.PathLike[str] | Layout,
    format: FileFormat | None = None,
    *,
    split_size: int = DEFAULT_SPLIT_SIZE,
    index: IndexMode = "auto",
    index_path: str | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    numbered: bool = True,
    search_path: Any = (),
    **kwargs: Any,
) -> list[Split]:
    """Record-aligned splits of ``source`` (a local path or a ``pyarrow.fs`` URI).

    ``split_size`` is the nominal number of bytes a split; ``index`` says what to do with the
    sidecar index ``FILE.lxidx`` (variable-length formats only): ``auto`` uses a fresh one and
    writes one when planning had to read the file (silently skipped where it cannot be
    written), ``build`` always plans from the data and writes it, ``ignore`` neither reads nor
    writes it. A stale index (size, mtime, first or last block, options changed) is never
    trusted. The per-split work runs on ``executor``, or on a process pool of ``workers``
    (default: the number of cores). ``numbered=False`` lets VB planning read only the BDWs
    (then ``first_record`` is None after the first split). ``kwargs`` are FileFormat fields
    (ReadOptions fields are accepted and ignored, so one set of options serves every call).
    """
    if split_size < 1:
        raise OptionsError("split_size must be at least 1 byte")
    if index not in ("auto", "build", "ignore"):
        raise OptionsError(f"index must be 'auto', 'build' or 'ignore', not {index!r}")
    layout, fmt, _ = resolve_options(copybook, format, None, kwargs, search_path)
    kind = kind_of(fmt)
    with Source(source) as src:
        if kind == "fixed":
            bounds = fixed_bounds(src, layout, fmt, split_size)
        else:
            bounds = None
            if index == "auto":
                bounds = idx.load_bounds(src, layout, fmt, split_size, index_path)
            if bounds is None:
                bounds = plan_bounds(
                    src, layout, fmt, kind, split_size, workers, executor, numbered
                )
                if index != "ignore":
                    idx.save_bounds(
                        src, layout, fmt, split_size, bounds, index_path, required=index == "build"
                    )
        assert bounds is not None
        return splits_from_bounds(src.name, src.size, fmt, bounds)


def splits_from_bounds(name: str, size: int, fmt: FileFormat, bounds: Bounds) -> list[Split]:
    """The splits between consecutive proven starts (the last one runs to the end)."""
    hr = fmt.header_records
    starts = list(bounds.starts)
    out: list[Split] = []
    for i, (s, lead, before) in enumerate(starts):
        last = i + 1 == len(starts)
        e = size if last else starts[i + 1][0]
        nxt = bounds.total if last else starts[i + 1][2]
        records = None if nxt is None or before is None else nxt - before
        if i == 0:
            first: int | None = 1
            if records is not None:
                records = max(records - hr, 0)
        else:
            first = None if before is None else before - hr + 1
        out.append(
            Split(
                source=name,
                start=s,
                length=e - s,
                first_record=first,
                records=records,
                verified=True,
                index=i,
                lead=lead,
                tail=fmt.trailer_bytes if last else 0,
            )
        )
    return out


# ----------------------------------------------------------------------------------- reading
def split_format(fmt: FileFormat, split: Split) -> FileFormat:
    """The FileFormat that reads exactly the records of ``split`` from its byte range."""
    return attrs.evolve(
        fmt,
        header_bytes=split.lead,
        header_records=fmt.header_records if split.index == 0 else 0,
        trailer_bytes=split.tail,
    )


def read_split(
    split: Split,
    copybook: str | os.PathLike[str] | Layout,
    format: FileFormat | None = None,
    options: ReadOptions | None = None,
    *,
    report: DecodeReport | None = None,
    search_path: Any = (),
    protect: Any = None,
    **kwargs: Any,
) -> pa.RecordBatchReader:
    """Decode the records of one split as Arrow batches, with a global ``_legacyio_record``
    column (int64, 1-based, null when the split was not numbered). Record numbers and byte
    offsets (in ``record_number``/``record_offset`` columns, errors and ``report``) are those
    of the whole file. The schema is the same for every split of a file (and the same as
    ``read_table``'s plus the record column), so the batches of all splits form one table.
    ``protect`` (a ``legacyio.Protector``) protects every batch inside the reader, as
    ``open_reader(protect=...)`` does (not with a ``[rows]`` allow-list: filtered rows would
    break the numbering of the record column)."""
    layout, fmt, ropts = resolve_options(copybook, format, options, kwargs, search_path)
    if protect is not None and protect.policy.allow is not None:
        raise OptionsError(
            "read_split(protect=...) takes no policy with a [rows] allow-list (the record "
            "column numbers every record of a split); use read_table or open_reader"
        )
    kw_fmt = split_format(fmt, split)
    local = DecodeReport()
    rf = RangeFile.open(split.source, split.start, split.length)
    try:
        reader = _engine_open(rf, layout, ropts, kw_fmt, local, protect)
    except BaseException:
        rf.close()
        raise
    schema = record_schema(reader.schema, fmt)
    first = split.first_record
    shift = (first - 1) if first is not None else None

    def batches() -> Iterator[pa.RecordBatch]:
        n = 0
        try:
            for batch in reader:
                yield _number(batch, schema, first, n, split.start, shift)
                n += batch.num_rows
        except DecodeError as e:
            raise _shifted(e, shift, split) from None
        finally:
            rf.close()
            if report is not None:
                merge_report(report, local, shift or 0, split.start)

    return pa.RecordBatchReader.from_batches(schema, batches())


def _engine_open(
    rf: RangeFile,
    layout: Layout,
    ropts: ReadOptions,
    fmt: FileFormat,
    report: DecodeReport,
    protect: Any = None,
) -> pa.RecordBatchReader:
    from legacyio.api import open_reader

    return open_reader(rf, layout, ropts, format=fmt, report=report, protect=protect)


def record_schema(schema: pa.Schema, fmt: FileFormat) -> pa.Schema:
    """A reader's schema with the record column, and the file's own format in the metadata
    (the same for every split)."""
    md = dict(schema.metadata or {})
    if _engine.META_FORMAT in md:
        md[_engine.META_FORMAT] = json.dumps(attrs.asdict(fmt)).encode()
    field = pa.field(
        RECORD_COLUMN,
        pa.int64(),
        nullable=True,
        metadata={b"legacyio.description": b"1-based record number in the file"},
    )
    return pa.schema([*schema, field], metadata=md)


def _number(
    batch: pa.RecordBatch,
    schema: pa.Schema,
    first: int | None,
    done: int,
    start: int,
    shift: int | None,
) -> pa.RecordBatch:
    cols = list(batch.columns)
    names = batch.schema.names
    n = batch.num_rows
    if "record_offset" in names:
        i = names.index("record_offset")
        cols[i] = pa.array(np.asarray(cols[i].to_numpy(), dtype=np.int64) + start)
    if "record_number" in names and shift:
        i = names.index("record_number")
        cols[i] = pa.array(np.asarray(cols[i].to_numpy(), dtype=np.int64) + shift)
    if first is None:
        cols.append(pa.nulls(n, pa.int64()))
    else:
        base = first + done
        cols.append(pa.array(np.arange(base, base + n, dtype=np.int64)))
    return pa.RecordBatch.from_arrays(cols, schema=schema)


def _shifted(e: DecodeError, shift: int | None, split: Split) -> DecodeError:
    return DecodeError(
        e.message,
        record=None if e.record is None or shift is None else e.record + shift,
        offset=None if e.offset is None else e.offset + split.start,
        field=e.field,
        source=split.source,
    )


def merge_report(into: DecodeReport, part: DecodeReport, shift: int, offset: int) -> None:
    """Add a split's report to a file's, with record numbers and offsets made global."""
    into.records += part.records
    into.bytes += part.bytes
    into.residue_records += part.residue_records
    into.spanned_records += part.spanned_records
    into.unmatched_segments += part.unmatched_segments
    for path, f in part.fields.items():
        into.add_field(path, f.count, f.first_record + shift, f.first_offset + offset, f.reason)
    for fr in part.framing:
        into.add_framing(
            fr.message,
            None if fr.record is None else fr.record + shift,
            None if fr.offset is None else fr.offset + offset,
        )


def read_splits(
    splits: Iterable[Split],
    copybook: Any,
    format: FileFormat | None = None,
    options: ReadOptions | None = None,
    **kwargs: Any,
) -> pa.Table:
    """All rows of the given splits, in order, as one table (for tests and small files)."""
    tables = [read_split(s, copybook, format, options, **kwargs).read_all() for s in splits]
    return pa.concat_tables(tables)
