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
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any, Literal

import attrs
import numpy as np
import pyarrow as pa

from legacyio.copybook import load_copybook
from legacyio.errors import DecodeError, OptionsError
from legacyio.layout.model import Layout
from legacyio.options import FileFormat, ReadOptions, split_kwargs
from legacyio.report import DecodeReport
from legacyio.scale import _engine
from legacyio.scale.source import RangeFile, Source

DEFAULT_SPLIT_SIZE = 128 << 20
"""Nominal bytes per split (the HDFS/S3 block size Spark uses by default)."""
RECORD_COLUMN = "_legacyio_record"
"""Global 1-based record number added by ``read_split`` (the numbering of ``record_number``:
header records are not counted)."""
CHAIN = 8
"""Plausible records in a row a guessed record start needs."""
_WALK_BATCH = 8192
IndexMode = Literal["auto", "build", "ignore"]
Kind = Literal["fixed", "vb", "rdw", "callback"]


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


# --------------------------------------------------------------------------------- options
def resolve_options(
    copybook: Any,
    format: FileFormat | None,
    options: ReadOptions | None,
    kwargs: dict[str, Any],
    search_path: Any = (),
) -> tuple[Layout, FileFormat, ReadOptions]:
    """Layout, FileFormat and ReadOptions from the arguments every function here takes."""
    fmt, ropts = split_kwargs(kwargs, format, options, ReadOptions)
    layout = load_copybook(copybook, search_path=search_path)
    return layout, fmt, ropts


def kind_of(fmt: FileFormat) -> Kind:
    """How the boundaries of a file of this format are found."""
    rf = fmt.record_format
    if rf == "ODO" or fmt.length_field:
        return "callback"
    if rf in ("F", "FB"):
        return "fixed"
    if rf == "VB":
        return "vb"
    if rf == "V":
        return "rdw"
    raise OptionsError(f"record_format {rf!r} cannot be split (F, FB, V, VB and ODO can)")


# --------------------------------------------------------------------------------- planning
@attrs.frozen
class Bounds:
    """Proven split starts: ``(start, lead, records_before)`` each (``records_before`` counts
    the header records, None when not counted), and the total number of records framed from
    the data start (None when unknown: not counted, or the framing failed somewhere)."""

    starts: tuple[tuple[int, int, int | None], ...]
    total: int | None
    repaired: int = 0


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
            bounds = _fixed_bounds(src, layout, fmt, split_size)
        else:
            from legacyio.scale import index as idx

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
        return splits_from_bounds(src.name, src.size, fmt, bounds)


def plan_bounds(
    src: Source,
    layout: Layout,
    fmt: FileFormat,
    kind: Kind,
    split_size: int,
    workers: int | None = None,
    executor: Executor | None = None,
    numbered: bool = True,
) -> Bounds:
    """Proven split starts for a file of a variable-length format, read from the data."""
    if kind == "fixed":
        return _fixed_bounds(src, layout, fmt, split_size)
    if kind == "vb":
        return _vb_bounds(src, layout, fmt, split_size, workers, executor, numbered)
    return _guess_check_bounds(src, layout, fmt, kind, split_size, workers, executor)


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


def _data_range(src: Source, fmt: FileFormat) -> tuple[int, int]:
    ds, de = fmt.header_bytes, src.size - fmt.trailer_bytes
    if de < ds:
        raise DecodeError(
            f"input holds {src.size} bytes, fewer than the {fmt.header_bytes} header and "
            f"{fmt.trailer_bytes} trailer bytes to skip",
            offset=0,
            source=src.name,
        )
    return ds, de


def _only(fmt: FileFormat, total: int | None = None) -> Bounds:
    return Bounds(((0, fmt.header_bytes, 0),), total)


def _merge_header_records(starts: list[tuple[int, int, int | None]], hr: int) -> list:
    """Drop split starts that fall among the header records (they belong to split 0)."""
    if not hr:
        return starts
    return [starts[0]] + [b for b in starts[1:] if b[2] is None or b[2] > hr]


# ---- F / FB: arithmetic
def _fixed_bounds(src: Source, layout: Layout, fmt: FileFormat, split_size: int) -> Bounds:
    w = fmt.record_length or layout.record_length
    if not w or w < 1:
        raise OptionsError("fixed-length splits need a record length of at least 1")
    ds, de = _data_range(src, fmt)
    n_all = (de - ds) // w
    partial = (de - ds) % w
    per = max(1, split_size // w)
    starts: list[tuple[int, int, int | None]] = [(0, fmt.header_bytes, 0)]
    k = fmt.header_records + per
    while k < n_all:
        starts.append((ds + k * w, 0, k))
        k += per
    return Bounds(tuple(starts), None if partial else n_all)


# ---- VB: block descriptor words only
def _vb_bounds(
    src: Source,
    layout: Layout,
    fmt: FileFormat,
    split_size: int,
    workers: int | None,
    executor: Executor | None,
    numbered: bool,
) -> Bounds:
    plan = _engine.make_plan(layout, fmt)
    framer = _engine.make_framer(plan, _walk_format(fmt), DecodeReport())
    ds, de = _data_range(src, fmt)
    starts: list[tuple[int, int, int | None]] = [(0, fmt.header_bytes, 0)]
    pos = ds
    target = ds + split_size
    while pos + 4 <= de:
        bl = framer._bdw(memoryview(src.read_at(pos, 4)), 0)
        if bl < 0 or pos + bl > de:
            break  # a broken chain: the rest is the last split, the reader reports it
        if pos >= target:
            starts.append((pos, 0, None))
            target = pos + split_size
        pos += bl
    bounds = Bounds(tuple(starts), None)
    if numbered or fmt.header_records:
        bounds = _count_bounds(src, layout, fmt, bounds, workers, executor)
    return bounds


def _count_bounds(
    src: Source,
    layout: Layout,
    fmt: FileFormat,
    bounds: Bounds,
    workers: int | None,
    executor: Executor | None,
) -> Bounds:
    """Count the records of every split in parallel (one walk of each range)."""
    ds, de = _data_range(src, fmt)
    starts = list(bounds.starts)
    tasks = []
    for i, (s, lead, _) in enumerate(starts):
        e = de if i + 1 == len(starts) else starts[i + 1][0]
        r0 = ds if i == 0 else s + lead
        tasks.append(_Task(src.name, layout, fmt, "count", i, r0, e, e, 0, 0))
    results = _run(tasks, workers, executor)
    before = 0
    total: int | None = 0
    new: list[tuple[int, int, int | None]] = []
    for (s, lead, _), r in zip(starts, results):
        new.append((s, lead, before))
        before += r.count
        if not r.ok:
            total = None
    return Bounds(
        tuple(_merge_header_records(new, fmt.header_records)),
        before if total is not None else None,
    )


# ---- V, ODO, length field: guess, then check
def _guess_check_bounds(
    src: Source,
    layout: Layout,
    fmt: FileFormat,
    kind: Kind,
    split_size: int,
    workers: int | None,
    executor: Executor | None,
) -> Bounds:
    ds, de = _data_range(src, fmt)
    if de == ds:
        return _only(fmt, 0)
    n = max(1, -(-(de - ds) // split_size))
    offs = [ds + k * split_size for k in range(n)] + [de]
    lo, hi = _length_bounds(layout, fmt, kind)
    tasks = [
        _Task(src.name, layout, fmt, kind, k, offs[k], offs[k + 1], de, lo, hi) for k in range(n)
    ]
    results = _run(tasks, workers, executor)
    plan = _engine.make_plan(layout, fmt)
    starts: list[tuple[int, int, int | None]] = [(0, fmt.header_bytes, 0)]
    cur, before, repaired, ok = ds, 0, 0, True
    for k, r in enumerate(results):
        target = offs[k + 1]
        if cur >= target:
            continue  # a record longer than the range: the previous walk went past it
        if k and r.guess != cur:
            # the guess was wrong (or found nothing): walk again from the proven boundary
            r = _walk(src, plan, fmt, cur, target, de)
            repaired += 1
        if k:
            starts.append((cur, 0, before))
        before += r.count
        cur = r.stop
        if not r.ok:
            ok = False
            break
    total = before if ok and cur == de else None
    return Bounds(tuple(_merge_header_records(starts, fmt.header_records)), total, repaired)


def _length_bounds(layout: Layout, fmt: FileFormat, kind: Kind) -> tuple[int, int]:
    """Plausible frame lengths: the copybook's record lengths (plus the RDW)."""
    hi = layout.record_length
    lo = layout.min_record_length if fmt.variable else 1
    lo = max(1, min(lo, hi))
    if kind == "rdw":
        return lo + 4, hi + 4
    return lo, hi


@attrs.frozen
class _Task:
    source: str
    layout: Layout
    fmt: FileFormat
    kind: str
    k: int
    start: int
    limit: int
    data_end: int
    lo: int
    hi: int


@attrs.frozen
class _Result:
    k: int
    guess: int | None
    stop: int
    count: int
    ok: bool


def _run(tasks: list[_Task], workers: int | None, executor: Executor | None) -> list[_Result]:
    """Run the per-split tasks in order of their results (inline for one task or worker)."""
    if executor is not None:
        return list(executor.map(_do_task, tasks))
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers <= 1 or len(tasks) <= 1:
        return [_do_task(t) for t in tasks]
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks))) as pool:
        return list(pool.map(_do_task, tasks))


def _do_task(t: _Task) -> _Result:
    plan = _engine.make_plan(t.layout, t.fmt)
    with Source(t.source) as src:
        if t.kind == "count":
            # a VB split [start, limit): its bytes before the first BDW are its lead
            return _walk(src, plan, t.fmt, t.start, t.limit, t.limit)
        if t.k == 0:
            guess: int | None = t.start
        else:
            guess = _guess(src, plan, t.fmt, t.kind, t.start, t.limit, t.data_end, t.lo, t.hi)
        if guess is None:
            return _Result(t.k, None, t.start, 0, False)
        r = _walk(src, plan, t.fmt, guess, t.limit, t.data_end)
        return attrs.evolve(r, k=t.k, guess=guess)


def _walk_format(fmt: FileFormat) -> FileFormat:
    return attrs.evolve(fmt, header_bytes=0, header_records=0, trailer_bytes=0)


def _walk(src: Source, plan: Any, fmt: FileFormat, start: int, target: int, end: int) -> _Result:
    """Frame records with the reader's framer from ``start`` (a record start) within
    ``[start, end)`` up to the first record starting at or after ``target``: where it stopped
    and how many records it saw. ``ok`` is false when the framing failed (a broken header, a
    record running past ``end``) before ``target``."""
    rep = DecodeReport()
    framer = _engine.make_framer(plan, _walk_format(fmt), rep)
    count, stop = 0, start
    with RangeFile(src.file, start, end, src.name, owned=False) as rf:
        for b in framer.blocks(_engine.open_source(rf), _WALK_BATCH):
            n = len(b)
            if not n:
                continue
            starts = start + b.buffer_offset + np.asarray(b.frame_starts, dtype=np.int64)
            k = int(np.searchsorted(starts, target, side="left"))
            count += k
            if k < n:
                return _Result(0, start, int(starts[k]), count, True)
            stop = int(starts[-1] + b.frame_lengths[-1])
    ok = not rep.framing
    return _Result(0, start, stop, count, ok)


def _lengths_at(plan: Any, fmt: FileFormat, kind: str, buf: np.ndarray) -> np.ndarray:
    """Frame length of a record starting at each position of ``buf`` (-1: impossible)."""
    if kind == "rdw":
        if len(buf) < 4:
            return np.empty(0, dtype=np.int64)
        b = [buf[i : len(buf) - 3 + i].astype(np.int64) for i in range(4)]
        adj = fmt.rdw_adjustment
        if fmt.rdw_byteorder == "big":
            f = (b[0] << 8 | b[1]) + adj
            bad = (b[2] | b[3]) != 0
        else:
            low = (b[0] | b[1]) != 0
            f = np.where(low, b[0] | b[1] << 8, b[2] | b[3] << 8) + adj
            bad = low & ((b[2] | b[3]) != 0)
        f[bad] = -1
        return f
    framer = _engine.make_framer(plan, _walk_format(fmt), DecodeReport())
    pl = framer.prefix_length
    if len(buf) < pl:
        return np.empty(0, dtype=np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(buf, pl)
    return np.asarray(framer.length_fn(windows), dtype=np.int64)


def _guess(
    src: Source,
    plan: Any,
    fmt: FileFormat,
    kind: str,
    start: int,
    limit: int,
    end: int,
    lo: int,
    hi: int,
    chain: int = CHAIN,
) -> int | None:
    """The first position in ``[start, limit)`` where a chain of ``chain`` plausible records
    starts (or fewer that end exactly at ``end``); None if there is none."""
    p0, span = start, 1 << 16
    while p0 < limit:
        npos = min(span, limit - p0)
        buf = np.frombuffer(src.read_at(p0, min(npos + chain * hi + 16, end - p0)), np.uint8)
        lens = _lengths_at(plan, fmt, kind, buf)
        plaus = (lens >= lo) & (lens <= hi)
        cand = np.flatnonzero(plaus[: min(npos, len(lens))])
        if cand.size:
            rel_end = end - p0
            cur = cand + lens[cand]
            alive = np.ones(cand.size, dtype=bool)
            done = np.zeros(cand.size, dtype=bool)
            for _ in range(chain - 1):
                done |= alive & (cur == rel_end)
                active = np.flatnonzero(alive & ~done)
                if not active.size:
                    break
                at = cur[active]
                inside = at < len(lens)
                alive[active[~inside]] = False  # runs past the data end
                active, at = active[inside], at[inside]
                good = plaus[at]
                alive[active[~good]] = False
                cur[active[good]] = at[good] + lens[at[good]]
            good = alive & (done | (cur <= rel_end))
            if good.any():
                return p0 + int(cand[int(np.argmax(good))])
        p0 += npos
        span = min(span * 4, 1 << 22)
    return None


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
    **kwargs: Any,
) -> pa.RecordBatchReader:
    """Decode the records of one split as Arrow batches, with a global ``_legacyio_record``
    column (int64, 1-based, null when the split was not numbered). Record numbers and byte
    offsets (in ``record_number``/``record_offset`` columns, errors and ``report``) are those
    of the whole file. The schema is the same for every split of a file (and the same as
    ``read_table``'s plus the record column), so the batches of all splits form one table."""
    layout, fmt, ropts = resolve_options(copybook, format, options, kwargs, search_path)
    kw_fmt = split_format(fmt, split)
    local = DecodeReport()
    rf = RangeFile.open(split.source, split.start, split.length)
    try:
        reader = _engine_open(rf, layout, ropts, kw_fmt, local)
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
    rf: RangeFile, layout: Layout, ropts: ReadOptions, fmt: FileFormat, report: DecodeReport
) -> pa.RecordBatchReader:
    from legacyio.api import open_reader

    return open_reader(rf, layout, ropts, format=fmt, report=report)


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
