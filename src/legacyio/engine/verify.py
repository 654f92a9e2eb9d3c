"""``verify``: decode and re-encode a file in streaming fashion and compare with the input, so
that a round trip is proved on the real file (also through Parquet)."""

from __future__ import annotations

import collections
import hashlib
import os
import tempfile
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np

from legacyio.engine.read import open_stream
from legacyio.engine.write import BatchEncoder
from legacyio.errors import OptionsError
from legacyio.layout.model import Layout
from legacyio.options import FileFormat, ReadOptions, WriteOptions
from legacyio.plan.core import Plan
from legacyio.plan.nodes import RESIDUE_COLUMN
from legacyio.report import DecodeReport
from legacyio.sources import open_source

Progress = Callable[[int, int], None]


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
    residue_records: int = 0
    """Records written back from their raw copy (the residue) rather than from their values:
    "identical" with most records here means the layout probably does not fit the file."""


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
                h_out.update(chunk if isinstance(chunk, bytes) else chunk.data)
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
    return VerifyResult(
        ok,
        records,
        total,
        h_in.hexdigest(),
        h_out.hexdigest(),
        mismatch,
        report,
        report.residue_records,
    )


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
    within = pos - start - (4 if plan.fmt.record_format in ("V", "VB", "VBS") else 0)
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
