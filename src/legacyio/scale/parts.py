"""Parts: contiguous runs of records encoded back to mainframe bytes, written independently
(one per Spark partition, per worker, ...), then assembled in record order into one file.

A part file is named ``part-<first record>-<record count>.dat`` (zero-padded, so names sort
in record order), which is all ``write_parts`` needs: it checks that the parts tile the
record sequence exactly (first record 1, no gap, no overlap, the expected total when given)
before it writes anything, and writes the output atomically (a temporary name, then a move).
"""

from __future__ import annotations

import itertools
import os
import re
import uuid
from collections.abc import Iterable
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs

from legacyio.errors import OptionsError
from legacyio.options import FileFormat
from legacyio.scale.source import resolve
from legacyio.scale.splits import RECORD_COLUMN

_NAME = re.compile(r"part-(\d+)-(\d+)\.dat$")
_COPY = 8 << 20


@attrs.frozen
class Part:
    """One written part: where, its first record (1-based) and how many records."""

    path: str
    first_record: int
    records: int
    bytes: int = 0

    @property
    def end(self) -> int:
        return self.first_record + self.records


@attrs.frozen
class AssembleStats:
    parts: int
    records: int
    bytes: int


def part_name(first_record: int, records: int) -> str:
    return f"part-{first_record:015d}-{records:012d}.dat"


def parse_part(path: str) -> Part:
    m = _NAME.search(path)
    if not m:
        raise OptionsError(f"{path}: not a part file name (part-<first record>-<count>.dat)")
    return Part(path, int(m.group(1)), int(m.group(2)))


def record_runs(table: pa.Table) -> list[pa.Table]:
    """The rows sorted by ``_legacyio_record`` and cut into runs of consecutive numbers."""
    if RECORD_COLUMN not in table.column_names:
        raise OptionsError(f"the rows carry no {RECORD_COLUMN} column: read them with read_split")
    col = table.column(RECORD_COLUMN)
    if col.null_count:
        raise OptionsError(f"{RECORD_COLUMN} has nulls: the splits were not numbered")
    if table.num_rows == 0:
        return []
    nums = np.asarray(col.to_numpy(), dtype=np.int64)
    if np.any(np.diff(nums) < 0):
        order = np.argsort(nums, kind="stable")
        table, nums = table.take(pa.array(order)), nums[order]
    cuts = np.flatnonzero(np.diff(nums) != 1) + 1
    bounds = [0, *cuts.tolist(), len(nums)]
    return [table.slice(a, b - a) for a, b in itertools.pairwise(bounds)]


def write_part(
    table: pa.Table,
    directory: str,
    copybook: Any = None,
    format: FileFormat | None = None,
    **kwargs: Any,
) -> Part:
    """Encode one run of consecutive records (``_legacyio_record`` ascending, step 1) into
    ``directory/part-<first>-<count>.dat`` (a local path or a URI)."""
    from legacyio.api import write_table

    nums = table.column(RECORD_COLUMN)
    first = int(pc.min(nums).as_py())
    n = table.num_rows
    if int(pc.max(nums).as_py()) - first + 1 != n:
        raise OptionsError("a part must hold consecutive record numbers")
    fs, d = resolve(directory)
    fs.create_dir(d, recursive=True)
    path = f"{d}/{part_name(first, n)}"
    tmp = f"{d}/.tmp-{uuid.uuid4().hex}"
    data = table.drop_columns([RECORD_COLUMN])
    with fs.open_output_stream(tmp) as out:
        stats = write_table(data, out, copybook, format=format, **kwargs)
    fs.move(tmp, path)
    return Part(_uri_like(directory, path), first, n, stats.bytes)


def _uri_like(directory: str, path: str) -> str:
    """A part's path spelled like the directory it was given in (local path or URI)."""
    if "://" in directory:
        scheme = directory.split("://", 1)[0]
        return f"{scheme}://{path.lstrip('/')}" if scheme != "file" else f"file://{path}"
    return path


def check_tiling(parts: Iterable[Part], records: int | None = None) -> list[Part]:
    """The parts in record order, after checking they tile records 1..N exactly."""
    ordered = sorted(parts, key=lambda p: p.first_record)
    expect = 1
    for p in ordered:
        if p.records < 1:
            raise OptionsError(f"{p.path}: a part of {p.records} records")
        if p.first_record > expect:
            raise OptionsError(
                f"records {expect} to {p.first_record - 1} are in no part (gap before {p.path})"
            )
        if p.first_record < expect:
            raise OptionsError(
                f"records {p.first_record} to {min(expect, p.end) - 1} are in two parts "
                f"(overlap at {p.path})"
            )
        expect = p.end
    if records is not None and expect - 1 != records:
        raise OptionsError(f"the parts hold {expect - 1} records, expected {records}")
    return ordered


def write_parts(
    parts: Iterable[Part | str],
    output: str | os.PathLike[str],
    *,
    records: int | None = None,
    overwrite: bool = False,
    remove_parts: bool = False,
) -> AssembleStats:
    """Concatenate part files in record order into ``output``, atomically, after checking
    they tile the record sequence (1..N, no gap, no overlap; N = ``records`` when given)."""
    ps = [p if isinstance(p, Part) else parse_part(os.fspath(p)) for p in parts]
    ordered = check_tiling(ps, records)
    out_name = os.fspath(output)
    fs, path = resolve(out_name)
    if not overwrite and fs.get_file_info(path).type != pafs.FileType.NotFound:
        raise FileExistsError(f"{out_name} exists (overwrite=False)")
    parent = path.rsplit("/", 1)[0] if "/" in path else "."
    tmp = f"{parent}/.{path.rsplit('/', 1)[-1]}.{uuid.uuid4().hex}.tmp"
    total = 0
    try:
        with fs.open_output_stream(tmp) as out:
            for p in ordered:
                pfs, ppath = resolve(p.path)
                with pfs.open_input_stream(ppath) as f:
                    while chunk := f.read(_COPY):
                        out.write(chunk)
                        total += len(chunk)
        fs.move(tmp, path)
    except BaseException:
        if fs.get_file_info(tmp).type != pafs.FileType.NotFound:
            fs.delete_file(tmp)
        raise
    if remove_parts:
        for p in ordered:
            pfs, ppath = resolve(p.path)
            pfs.delete_file(ppath)
    n = ordered[-1].end - 1 if ordered else 0
    return AssembleStats(len(ordered), n, total)
