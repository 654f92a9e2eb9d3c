"""One machine, all cores: decode the splits of a file in worker processes into a Parquet
dataset (or one Parquet file assembled in order), and encode such a dataset back.

The engine behind ``legacyio convert --workers N`` and ``legacyio encode`` of a dataset. Each
worker streams its split batch by batch, so memory stays bounded by workers x batch size.
A dataset is a directory of ``part-<split index>.parquet`` files (names sort in record
order), ``_common_metadata`` (the schema, with the copybook and file format) and
``_legacyio_manifest.json`` (source, splits and their record ranges). Outputs are written
under a temporary name and moved into place at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.parquet as pq

from legacyio.errors import OptionsError
from legacyio.layout.model import Layout
from legacyio.options import FileFormat, ReadOptions, WriteOptions
from legacyio.report import DecodeReport
from legacyio.scale.parts import Part, part_name, write_parts
from legacyio.scale.splits import (
    DEFAULT_SPLIT_SIZE,
    RECORD_COLUMN,
    Split,
    merge_report,
    plan_splits,
    read_split,
    resolve_options,
)
from legacyio.scale.stitch import ParquetStitcher
from legacyio.sources import AtomicSink, open_sink

MANIFEST = "_legacyio_manifest.json"
COMMON_METADATA = "_common_metadata"


@attrs.frozen
class WorkerStats:
    """What one worker process did: splits, records, input bytes, CPU seconds (user+system,
    of the process, measured in it) and its peak resident memory (``ru_maxrss``)."""

    pid: int
    splits: int
    records: int
    bytes: int
    cpu_seconds: float
    wall_seconds: float
    peak_rss: int
    start_rss: int = 0
    """Resident memory when the worker took its first split (with the default ``fork``
    start, pages shared with the parent count here and in ``peak_rss``)."""


@attrs.frozen
class ConvertStats:
    records: int
    splits: int
    bytes: int
    seconds: float
    planning_seconds: float
    workers: tuple[WorkerStats, ...] = ()


@attrs.frozen
class _Job:
    """One split to decode into ``path`` (Parquet part of a dataset, or an uncompressed Arrow
    IPC file the parent copies into a single output)."""

    split: Split
    layout: Layout
    fmt: FileFormat
    ropts: ReadOptions
    path: str
    kind: str  # "parquet" (dataset part), "ipc" or "output" (a part of the single output)
    parquet_kw: tuple[tuple[str, Any], ...] = ()
    drop_record: bool = False


@attrs.frozen
class _Done:
    index: int
    records: int
    bytes: int
    report: tuple[Any, ...]
    pid: int
    cpu_seconds: float
    wall_seconds: float
    peak_rss: int
    start_rss: int


def _rss() -> int:
    """Resident memory of this process now, in bytes (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return 0


def cpu_count() -> int:
    """Cores this process may run on (``taskset`` and cgroup CPU sets respected)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _workers(workers: int | None) -> int:
    return cpu_count() if workers is None else max(1, workers)


def _report_state(r: DecodeReport) -> tuple[Any, ...]:
    """A DecodeReport as plain picklable values (it holds a lock)."""
    return (
        r.records,
        r.bytes,
        r.residue_records,
        tuple(r.fields.items()),
        tuple(r.framing),
        r.unmatched_segments,
        r.spanned_records,
    )


def _merge_state(into: DecodeReport, state: tuple[Any, ...]) -> None:
    records, nbytes, residue, fields, framing, unmatched, spanned = state
    part = DecodeReport()
    part.spanned_records = spanned
    part.records, part.bytes, part.residue_records = records, nbytes, residue
    part.fields.update(dict(fields))
    part.framing.extend(framing)
    part.unmatched_segments = unmatched
    merge_report(into, part, 0, 0)


def _peak_rss() -> int:
    """Peak resident set size of this process in bytes."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return 0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent, which stops them and removes every part."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _decode_split(job: _Job) -> _Done:
    """Worker: one split to one file, batch by batch (memory: one batch at a time)."""
    c0, t0, rss0 = time.process_time(), time.perf_counter(), _rss()
    report = DecodeReport()
    reader = read_split(job.split, job.layout, job.fmt, job.ropts, report=report)
    rows = 0
    schema = reader.schema
    w: Any
    kw = dict(job.parquet_kw)
    if job.kind == "output":
        # a Parquet part written exactly as the single output would be (the parent stitches)
        rows = _write_output_part(reader, job, kw)
        return _done(job, rows, report, c0, t0, rss0)
    rgs = kw.pop("row_group_size", None)
    if job.kind == "parquet":
        w = pq.ParquetWriter(job.path, schema, **kw)
    else:
        w = pa.ipc.new_file(job.path, schema)
    with w:
        for batch in reader:
            if rgs is None or job.kind != "parquet":
                w.write_batch(batch)
            else:
                w.write_batch(batch, row_group_size=rgs)
            rows += batch.num_rows
    return _done(job, rows, report, c0, t0, rss0)


def _write_output_part(reader: pa.RecordBatchReader, job: _Job, kw: dict[str, Any]) -> int:
    from legacyio.tables.files import open_output

    schema = reader.schema
    if job.drop_record:
        schema = schema.remove(schema.get_field_index(RECORD_COLUMN))
    w = open_output(job.path, schema, format="parquet", overwrite=True, **kw)
    rows = 0
    try:
        for batch in reader:
            if job.drop_record:
                batch = batch.drop_columns([RECORD_COLUMN])
            w.write_batch(batch)
            rows += batch.num_rows
        w.close()
    except BaseException:
        w.abort()
        raise
    return rows


def _done(job: _Job, rows: int, report: DecodeReport, c0: float, t0: float, rss0: int) -> _Done:
    return _Done(
        job.split.index,
        rows,
        job.split.length,
        _report_state(report),
        os.getpid(),
        time.process_time() - c0,
        time.perf_counter() - t0,
        _peak_rss(),
        rss0,
    )


class _Pool:
    """A process pool (or inline work for one worker) whose workers are stopped, not
    waited for, when the run fails or is interrupted."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        if workers > 1:
            self.pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init)

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        if self.pool is not None:
            return self.pool.submit(fn, *args)
        f: Future[Any] = Future()
        try:
            f.set_result(fn(*args))
        except BaseException as e:
            if not isinstance(e, Exception):
                raise
            f.set_exception(e)
        return f

    def lazy(self, fn: Any, jobs: list[Any]) -> Iterator[Any]:
        """Results in job order; inline work runs one job at a time as results are asked
        for, pool work is all submitted at once."""
        if self.pool is None:
            for j in jobs:
                yield fn(j)
            return
        futures = [self.pool.submit(fn, j) for j in jobs]
        for f in futures:
            yield f.result()

    def close(self, ok: bool) -> None:
        if self.pool is None:
            return
        if ok:
            self.pool.shutdown(wait=True)
            return
        procs = list(getattr(self.pool, "_processes", {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            with contextlib.suppress(Exception):
                p.terminate()
        for p in procs:
            with contextlib.suppress(Exception):
                p.join(5)


def auto_split_size(size: int, workers: int, ceiling: int = DEFAULT_SPLIT_SIZE) -> int:
    """A split size giving every worker the same number of splits, one to four (a worker
    left with one split more than the others is what capped ``--workers 2`` at 5/3 = 1.67x:
    72 MB in 16 MiB splits is 3 + 2): more than one split a worker only from 16 MiB a
    split, no worker for less than 4 MiB, at most ``ceiling`` (then there are so many splits
    that one more for a worker costs little). A file of 16 MiB or less is one split
    (converted on one process)."""
    floor = min(16 << 20, ceiling)
    if size <= floor:
        return floor
    w = min(max(workers, 1), max(1, size // (4 << 20)))
    per_worker = max(1, min(4, size // (w * floor)))
    return min(ceiling, -(-size // (w * per_worker)))


def convert_parallel(
    source: str | os.PathLike[str],
    copybook: Any,
    output: str | os.PathLike[str],
    format: FileFormat | None = None,
    options: ReadOptions | None = None,
    *,
    workers: int | None = None,
    split_size: int = DEFAULT_SPLIT_SIZE,
    index: str = "auto",
    single_file: bool = False,
    compression: str | None = "snappy",
    compression_level: int | None = None,
    row_group_size: int | None = None,
    out_format: str | None = None,
    decimals: str = "string",
    record_column: bool = True,
    overwrite: bool = False,
    report: DecodeReport | None = None,
    progress: Any = None,
    search_path: Any = (),
    **kwargs: Any,
) -> ConvertStats:
    """Decode ``source`` on ``workers`` processes (default: the cores this process may use)
    into a Parquet dataset directory ``output``: ``part-<split>.parquet`` per split (names
    sort in record order), ``_common_metadata`` and ``_legacyio_manifest.json``.

    With ``single_file`` the rows go into one file ``output`` in file order instead
    (``out_format``: parquet, arrow, feather, arrows, csv, jsonl; default from the name):
    for Parquet, workers write Parquet parts with the output's settings and the parent
    stitches them (copies their column chunks and writes one footer: no value is decoded or
    encoded twice, so the parent is no bottleneck; a row group ends at each split's end); for
    the other formats workers write uncompressed Arrow IPC parts that the parent copies in
    order while the other splits are still decoding. ``record_column=False`` drops ``_legacyio_record`` from
    a single file (then it holds exactly what ``read_table`` gives). Each worker holds one
    batch at a time: memory is bounded by workers x batch size. Outputs appear atomically;
    a failure or Ctrl-C stops the workers and leaves nothing behind. Local outputs only."""
    t0 = time.perf_counter()
    layout, fmt, ropts = resolve_options(copybook, format, options, kwargs, search_path)
    n_workers = _workers(workers)
    out = os.path.abspath(os.fspath(output))
    if os.path.lexists(out) and not overwrite:
        raise FileExistsError(f"{out} exists (overwrite=False)")
    parent = os.path.dirname(out)
    tmp = os.path.join(parent, f".{os.path.basename(out)}.{uuid.uuid4().hex[:12]}.tmp")
    pool = _Pool(n_workers)
    ok = False
    writer: Any = None
    sink: AtomicSink | None = None
    stitcher: ParquetStitcher | None = None
    try:
        splits = plan_splits(
            source,
            layout,
            fmt,
            split_size=split_size,
            index=index,  # type: ignore[arg-type]
            workers=n_workers,
            executor=pool.pool,
        )
        t_plan = time.perf_counter() - t0
        os.makedirs(tmp)
        # one Parquet output: workers write Parquet parts the parent stitches (no decoding
        # or encoding in the parent); other single outputs: Arrow IPC parts the parent copies
        from legacyio.tables.files import format_for_path

        stitch = single_file and format_for_path(out, out_format) == "parquet"
        kind = ("output" if stitch else "ipc") if single_file else "parquet"
        ext = "arrow" if kind == "ipc" else "parquet"
        names = [f"part-{s.index:06d}.{ext}" for s in splits]
        pkw: tuple[tuple[str, Any], ...] = (
            ("compression", compression or "snappy"),
            ("compression_level", compression_level),
        )
        if stitch:
            pkw = (
                ("compression", compression),
                ("compression_level", compression_level),
                ("row_group_size", row_group_size),
                ("decimals", decimals),
            )
        elif row_group_size is not None and not single_file:
            pkw += (("row_group_size", row_group_size),)
        jobs = [
            _Job(s, layout, fmt, ropts, os.path.join(tmp, n), kind, pkw, not record_column)
            for s, n in zip(splits, names)
        ]
        if stitch:
            sink = open_sink(out, overwrite=overwrite)
            stitcher = ParquetStitcher(sink, out)
        done: list[_Done] = []
        records = nbytes = 0
        for d in pool.lazy(_decode_split, jobs):
            done.append(d)
            records += d.records
            nbytes += d.bytes
            if report is not None:
                _merge_state(report, d.report)
            if stitcher is not None:
                part = os.path.join(tmp, names[d.index])
                stitcher.add(part)
                os.unlink(part)
            elif single_file:
                part = os.path.join(tmp, names[d.index])
                writer = _copy_part(
                    part,
                    writer,
                    out,
                    out_format,
                    record_column,
                    overwrite,
                    compression,
                    compression_level,
                    row_group_size,
                    decimals,
                )
                os.unlink(part)
            if progress is not None:
                progress(records, nbytes)
        if stitcher is not None and sink is not None:
            stitcher.close()
            sink.commit()
            sink = None
            os.rmdir(tmp)
        elif single_file:
            assert writer is not None
            writer.close()
            writer = None
            os.rmdir(tmp)
        else:
            schema = pq.read_schema(os.path.join(tmp, names[0]))
            pq.write_metadata(schema, os.path.join(tmp, COMMON_METADATA))
            manifest = {
                "source": str(source),
                "records": records,
                "parts": [
                    {"file": n, "first_record": s.first_record, "records": d.records}
                    for s, n, d in zip(splits, names, done)
                ],
            }
            with open(os.path.join(tmp, MANIFEST), "w") as f:
                json.dump(manifest, f, indent=1)
            _replace(tmp, out, overwrite)
        ok = True
    finally:
        pool.close(ok)
        if not ok:
            if writer is not None:
                writer.abort()
            if sink is not None:
                sink.abort()
            shutil.rmtree(tmp, ignore_errors=True)
    return ConvertStats(
        records,
        len(splits),
        nbytes,
        time.perf_counter() - t0,
        t_plan,
        _per_worker(done),
    )


def _copy_part(
    part: str,
    writer: Any,
    out: str,
    out_format: str | None,
    record_column: bool,
    overwrite: bool,
    compression: str | None,
    compression_level: int | None,
    row_group_size: int | None,
    decimals: str,
) -> Any:
    """Append one worker's Arrow IPC part to the single output (opened on the first part)."""
    from legacyio.tables.files import open_output

    with pa.memory_map(part) as src:
        rf = pa.ipc.open_file(src)
        schema = rf.schema
        if not record_column:
            schema = schema.remove(schema.get_field_index(RECORD_COLUMN))
        if writer is None:
            writer = open_output(
                out,
                schema,
                format=out_format,
                overwrite=overwrite,
                compression=compression,
                compression_level=compression_level,
                row_group_size=row_group_size,
                decimals=decimals,
            )
        for i in range(rf.num_record_batches):
            b = rf.get_batch(i)
            if not record_column:
                b = b.drop_columns([RECORD_COLUMN])
            writer.write_batch(b)
    return writer


def _per_worker(done: list[_Done]) -> tuple[WorkerStats, ...]:
    by: dict[int, list[_Done]] = {}
    for d in done:
        by.setdefault(d.pid, []).append(d)
    return tuple(
        WorkerStats(
            pid,
            len(ds),
            sum(d.records for d in ds),
            sum(d.bytes for d in ds),
            sum(d.cpu_seconds for d in ds),
            sum(d.wall_seconds for d in ds),
            max(d.peak_rss for d in ds),
            min(d.start_rss for d in ds),
        )
        for pid, ds in sorted(by.items())
    )


def _replace(src: str, dst: str, overwrite: bool) -> None:
    if os.path.lexists(dst):
        if not overwrite:
            raise FileExistsError(f"{dst} exists (overwrite=False)")
        if os.path.isdir(dst) and not os.path.islink(dst):
            shutil.rmtree(dst)
        else:
            os.unlink(dst)
    os.replace(src, dst)


def _dataset_parts(dataset: str) -> tuple[list[str], int | None]:
    """The Parquet files of a dataset in record order, and its record count if known."""
    man = os.path.join(dataset, MANIFEST)
    if os.path.exists(man):
        with open(man) as f:
            doc = json.load(f)
        return [os.path.join(dataset, p["file"]) for p in doc["parts"]], doc.get("records")
    if os.path.isdir(dataset):
        names = sorted(n for n in os.listdir(dataset) if n.endswith(".parquet"))
        return [os.path.join(dataset, n) for n in names], None
    return [dataset], None


def _encode_part(
    path: str,
    out_dir: str,
    copybook: Any,
    fmt: FileFormat | None,
    batch_size: int,
    wopts: WriteOptions | None = None,
) -> Part | None:
    """Worker: one Parquet file of consecutive records back to one part file, streamed."""
    from legacyio.api import write_table

    pf = pq.ParquetFile(path)
    schema = pf.schema_arrow
    if RECORD_COLUMN not in schema.names:
        raise OptionsError(f"{path}: no {RECORD_COLUMN} column (not written by convert_parallel)")
    n = pf.metadata.num_rows
    if n == 0:
        return None
    first = [0]
    md = schema.metadata

    def batches() -> Any:
        expect = None
        for b in pf.iter_batches(batch_size=batch_size):
            nums = b.column(RECORD_COLUMN).to_numpy()
            if expect is None:
                expect = first[0] = int(nums[0])
            if len(nums) and (int(nums[0]) != expect or (nums[1:] - nums[:-1] != 1).any()):
                raise OptionsError(f"{path}: rows are not consecutive records in order")
            expect += len(nums)
            b = b.drop_columns([RECORD_COLUMN])
            yield b.replace_schema_metadata(md)

    tmp = os.path.join(out_dir, f".tmp-{uuid.uuid4().hex}")
    with open(tmp, "wb") as out:
        stats = write_table(batches(), out, copybook, wopts, format=fmt)
    final = os.path.join(out_dir, part_name(first[0], n))
    os.replace(tmp, final)
    return Part(final, first[0], n, stats.bytes)


def dataset_files(dataset: str | os.PathLike[str]) -> list[str]:
    """The Parquet files of a dataset written by ``convert_parallel``, in record order."""
    return _dataset_parts(os.fspath(dataset))[0]


def encode_parallel(
    dataset: str | os.PathLike[str],
    output: str | os.PathLike[str],
    copybook: Any = None,
    format: FileFormat | None = None,
    options: WriteOptions | None = None,
    *,
    workers: int | None = None,
    batch_size: int = 65536,
    overwrite: bool = False,
) -> int:
    """Encode a dataset written by ``convert_parallel`` (or any Parquet files of consecutive
    records with ``_legacyio_record``) back to one mainframe file, parts encoded on
    ``workers`` processes and assembled in record order after the tiling check. Returns the
    number of bytes written. A failure or Ctrl-C leaves nothing behind."""
    files, records = _dataset_parts(os.fspath(dataset))
    if not files:
        raise OptionsError(f"{os.fspath(dataset)}: no Parquet files in the dataset")
    out = os.path.abspath(os.fspath(output))
    if os.path.lexists(out) and not overwrite:
        raise FileExistsError(f"{out} exists (overwrite=False)")
    if options is not None:
        batch_size = options.batch_size
    tmp = os.path.join(os.path.dirname(out), f".{os.path.basename(out)}.{uuid.uuid4().hex}.parts")
    os.makedirs(tmp)
    pool = _Pool(min(_workers(workers), len(files)))
    ok = False
    try:
        jobs = [(f, tmp, copybook, format, batch_size, options) for f in files]
        parts = [p for p in pool.lazy(_star_encode, jobs) if p is not None]
        stats = write_parts(parts, out, records=records, overwrite=overwrite)
        ok = True
    finally:
        pool.close(ok)
        shutil.rmtree(tmp, ignore_errors=True)
    return stats.bytes


def _star_encode(job: tuple[Any, ...]) -> Part | None:
    return _encode_part(*job)


__all__ = [
    "ConvertStats",
    "WorkerStats",
    "auto_split_size",
    "convert_parallel",
    "cpu_count",
    "dataset_files",
    "encode_parallel",
]
