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

import json
import os
import shutil
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import attrs
import pyarrow.parquet as pq

from legacyio.errors import OptionsError
from legacyio.layout.model import Layout
from legacyio.options import FileFormat, ReadOptions
from legacyio.scale.parts import Part, part_name, write_parts
from legacyio.scale.splits import (
    DEFAULT_SPLIT_SIZE,
    RECORD_COLUMN,
    Split,
    plan_splits,
    read_split,
    resolve_options,
)

MANIFEST = "_legacyio_manifest.json"


@attrs.frozen
class ConvertStats:
    records: int
    splits: int
    bytes: int
    seconds: float
    planning_seconds: float


def _workers(workers: int | None) -> int:
    return max(1, (os.cpu_count() or 1) if workers is None else workers)


def _map(fn: Any, jobs: list[tuple], workers: int) -> list[Any]:
    if workers <= 1 or len(jobs) <= 1:
        return [fn(*j) for j in jobs]
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        futures = [pool.submit(fn, *j) for j in jobs]
        return [f.result() for f in futures]


def _decode_split(
    split: Split,
    layout: Layout,
    fmt: FileFormat,
    ropts: ReadOptions,
    path: str,
    compression: str,
) -> tuple[int, int]:
    """Worker: one split to one Parquet file, batch by batch."""
    reader = read_split(split, layout, fmt, ropts)
    rows = 0
    with pq.ParquetWriter(path, reader.schema, compression=compression) as w:
        for batch in reader:
            w.write_batch(batch)
            rows += batch.num_rows
    return rows, split.length


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
    compression: str = "snappy",
    overwrite: bool = False,
    search_path: Any = (),
    **kwargs: Any,
) -> ConvertStats:
    """Decode ``source`` on ``workers`` processes (default: the number of cores) into a
    Parquet dataset directory ``output``, or with ``single_file`` one Parquet file with the
    splits' rows in file order. Rows carry ``_legacyio_record``. Local outputs only."""
    t0 = time.perf_counter()
    layout, fmt, ropts = resolve_options(copybook, format, options, kwargs, search_path)
    n_workers = _workers(workers)
    out = os.path.abspath(os.fspath(output))
    if os.path.lexists(out) and not overwrite:
        raise FileExistsError(f"{out} exists (overwrite=False)")
    splits = plan_splits(
        source,
        layout,
        fmt,
        split_size=split_size,
        index=index,  # type: ignore[arg-type]
        workers=n_workers,
    )
    t_plan = time.perf_counter() - t0
    parent = os.path.dirname(out)
    tmp = os.path.join(parent, f".{os.path.basename(out)}.{uuid.uuid4().hex[:12]}.tmp")
    os.makedirs(tmp)
    try:
        names = [f"part-{s.index:06d}.parquet" for s in splits]
        jobs = [
            (s, layout, fmt, ropts, os.path.join(tmp, n), compression)
            for s, n in zip(splits, names)
        ]
        results = _map(_decode_split, jobs, n_workers)
        records = sum(r[0] for r in results)
        schema = pq.read_schema(os.path.join(tmp, names[0]))
        if single_file:
            final_tmp = tmp + ".parquet"
            with pq.ParquetWriter(final_tmp, schema, compression=compression) as w:
                for n in names:
                    pf = pq.ParquetFile(os.path.join(tmp, n))
                    for i in range(pf.num_row_groups):
                        w.write_table(pf.read_row_group(i))
            shutil.rmtree(tmp)
            _replace(final_tmp, out, overwrite)
        else:
            pq.write_metadata(schema, os.path.join(tmp, "_common_metadata"))
            manifest = {
                "source": str(source),
                "records": records,
                "parts": [
                    {"file": n, "first_record": s.first_record, "records": r[0]}
                    for s, n, r in zip(splits, names, results)
                ],
            }
            with open(os.path.join(tmp, MANIFEST), "w") as f:
                json.dump(manifest, f, indent=1)
            _replace(tmp, out, overwrite)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if os.path.exists(tmp + ".parquet"):
            os.unlink(tmp + ".parquet")
        raise
    return ConvertStats(
        records,
        len(splits),
        sum(r[1] for r in results),
        time.perf_counter() - t0,
        t_plan,
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
    path: str, out_dir: str, copybook: Any, fmt: FileFormat | None, batch_size: int
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
        stats = write_table(batches(), out, copybook, format=fmt)
    final = os.path.join(out_dir, part_name(first[0], n))
    os.replace(tmp, final)
    return Part(final, first[0], n, stats.bytes)


def encode_parallel(
    dataset: str | os.PathLike[str],
    output: str | os.PathLike[str],
    copybook: Any = None,
    format: FileFormat | None = None,
    *,
    workers: int | None = None,
    batch_size: int = 65536,
    overwrite: bool = False,
) -> int:
    """Encode a dataset written by ``convert_parallel`` (or any Parquet files of consecutive
    records with ``_legacyio_record``) back to one mainframe file, parts encoded on
    ``workers`` processes and assembled in record order after the tiling check. Returns the
    number of bytes written."""
    files, records = _dataset_parts(os.fspath(dataset))
    out = os.path.abspath(os.fspath(output))
    tmp = os.path.join(os.path.dirname(out), f".{os.path.basename(out)}.{uuid.uuid4().hex}.parts")
    os.makedirs(tmp)
    try:
        jobs = [(f, tmp, copybook, format, batch_size) for f in files]
        parts = [p for p in _map(_encode_part, jobs, _workers(workers)) if p is not None]
        stats = write_parts(parts, out, records=records, overwrite=overwrite)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return stats.bytes


__all__ = ["ConvertStats", "convert_parallel", "encode_parallel"]
