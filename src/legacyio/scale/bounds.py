"""Where records start: split boundaries by arithmetic (F/FB), from the BDWs (VB), or by guess
then check (V, ODO, length-field records), each split walked in parallel and proven against
the previous one. Shared by split planning and the sidecar index.
"""

from __future__ import annotations

import os
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any, Literal

import attrs
import numpy as np

from legacyio.errors import DecodeError, OptionsError
from legacyio.layout import load_copybook
from legacyio.layout.model import Layout
from legacyio.options import FileFormat, ReadOptions, split_kwargs
from legacyio.report import DecodeReport
from legacyio.scale import _engine
from legacyio.scale.source import RangeFile, Source

_WALK_BATCH = 8192

CHAIN = 8


DEFAULT_SPLIT_SIZE = 128 << 20


"""Nominal bytes per split (the HDFS/S3 block size Spark uses by default)."""


Kind = Literal["fixed", "vb", "rdw", "callback"]


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
    if rf in ("VB", "VBS"):
        return "vb"
    if rf == "V":
        return "rdw"
    raise OptionsError(f"record_format {rf!r} cannot be split (F, FB, V, VB, VBS and ODO can)")


# --------------------------------------------------------------------------------- planning
@attrs.frozen
class Bounds:
    """Proven split starts: ``(start, lead, records_before)`` each (``records_before`` counts
    the header records, None when not counted), and the total number of records framed from
    the data start (None when unknown: not counted, or the framing failed somewhere)."""

    starts: tuple[tuple[int, int, int | None], ...]
    total: int | None
    repaired: int = 0


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
        return fixed_bounds(src, layout, fmt, split_size)
    if kind == "vb":
        return _vb_bounds(src, layout, fmt, split_size, workers, executor, numbered)
    return _guess_check_bounds(src, layout, fmt, kind, split_size, workers, executor)


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
def fixed_bounds(src: Source, layout: Layout, fmt: FileFormat, split_size: int) -> Bounds:
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
    spanned = fmt.record_format == "VBS"
    while pos + 4 <= de:
        head = src.read_at(pos, 8 if spanned else 4)
        bl = framer._bdw(memoryview(head), 0)
        if bl < 0 or pos + bl > de:
            break  # a broken chain: the rest is the last split, the reader reports it
        # VBS: only a block whose first segment starts a record (complete or first) starts
        # a split; a block that continues a spanned record stays with the previous split
        if pos >= target and (not spanned or _starts_record(head, bl)):
            starts.append((pos, 0, None))
            target = pos + split_size
        pos += bl
    bounds = Bounds(tuple(starts), None)
    if numbered or fmt.header_records:
        bounds = _count_bounds(src, layout, fmt, bounds, workers, executor)
    return bounds


def _starts_record(head: bytes, block_length: int) -> bool:
    """Whether a VBS block (its BDW and first SDW in ``head``) starts with a complete or
    first segment: only there does a record start on the block boundary."""
    return block_length >= 8 and len(head) == 8 and head[6] in (0, 1) and head[7] == 0


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
