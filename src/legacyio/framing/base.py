"""Types shared by every framer: the block of records handed to the decoder, the Framer
protocol, and the plumbing (header/trailer trimming, chunked reading, header records) that
is the same whatever separates the records.

A framer never looks inside a record (the variable framer only through the engine's
``length_fn``); it only says where each record's frame and payload are.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

import attrs
import numpy as np

from legacyio.errors import DecodeError
from legacyio.sources import SourceStream

DEFAULT_CHUNK = 1 << 22
"""Bytes read from a stream at a time by the variable framers (grown when a batch needs more)."""


def length_groups(
    lengths: np.ndarray, max_groups: int
) -> list[tuple[int, np.ndarray | slice]] | None:
    """Rows grouped by their (non-negative) length, shortest first, as ``(length, rows)``;
    ``rows`` is a slice when all rows share one length. One stable sort (a radix sort on 16-bit
    keys) rather than a comparison per distinct length. None beyond ``max_groups`` lengths,
    where callers switch to a masked copy."""
    lengths = np.asarray(lengths, dtype=np.int64)
    if lengths.size == 0:
        return []
    per_length = np.bincount(lengths)
    distinct = np.flatnonzero(per_length)
    if len(distinct) > max_groups:
        return None
    if len(distinct) == 1:
        return [(int(distinct[0]), slice(None))]
    keys = lengths.astype(np.uint16) if len(per_length) <= 1 << 16 else lengths
    order = np.argsort(keys, kind="stable")
    ends = np.cumsum(per_length[distinct]).tolist()
    return [
        (length, order[hi - int(per_length[length]) : hi])
        for length, hi in zip(distinct.tolist(), ends)
    ]


_MAX_GROUPS = 256
"""Distinct record lengths in a block up to which ``RecordBlock.matrix`` copies each length
group exactly; beyond it, whole windows and a mask."""


@attrs.frozen(eq=False)
class RecordBlock:
    """A batch of framed records over one buffer of raw input bytes.

    ``gaps`` lists bytes that belong to no record as ``(i, bytes)`` pairs, ``i`` being the
    0-based index in this block of the record they precede (BDWs, block padding); bytes after
    the last record of the file are not a gap but part of the framer's ``trailer``.
    """

    buffer: np.ndarray
    buffer_offset: int
    frame_starts: np.ndarray
    frame_lengths: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray
    gaps: list[tuple[int, bytes]] | None
    first_record: int
    payload_offsets: np.ndarray | None = None
    """File offset of each payload's first byte, when the payloads are not all where
    ``buffer_offset + starts`` says (VBS assembles spanned records after the input bytes)."""

    def __len__(self) -> int:
        return len(self.starts)

    def matrix(self, width: int, pad: int) -> np.ndarray:
        """(n, width) uint8 matrix of payloads, left-aligned, padded with ``pad`` beyond each
        record's length and truncated at ``width``. A zero-copy strided (read-only) view when
        the payloads are evenly spaced and at least ``width`` long; otherwise a vectorized
        gather."""
        n = len(self.starts)
        buf = self.buffer
        if n == 0 or width == 0:
            return np.empty((n, width), dtype=np.uint8)
        starts = np.asarray(self.starts, dtype=np.int64)
        lengths = np.asarray(self.lengths, dtype=np.int64)
        s0 = int(starts[0])
        long_enough = bool(lengths.min() >= width)
        if long_enough:
            step = int(starts[1] - s0) if n > 1 else width
            even = n == 1 or bool(np.all(np.diff(starts) == step))
            if even and step >= width and s0 + (n - 1) * step + width <= len(buf):
                item = buf.strides[0]
                return np.lib.stride_tricks.as_strided(
                    buf[s0:], shape=(n, width), strides=(step * item, item), writeable=False
                )
        size = len(buf)
        # bytes to copy per record: its payload, up to the width and the end of the buffer
        take = np.clip(np.minimum(lengths, width), 0, np.maximum(size - starts, 0))
        groups = length_groups(take, _MAX_GROUPS)
        if groups is not None:
            # the padding in one fill, then the records of each length as one gather of
            # exactly their bytes
            out = np.full((n, width), pad, dtype=np.uint8)
            for size_, rows in groups:
                if size_:
                    win = np.lib.stride_tricks.sliding_window_view(buf, size_)
                    out[rows, :size_] = win[starts[rows]]
        else:
            out = np.empty((n, width), dtype=np.uint8)
            # too many distinct lengths: whole windows from a padded copy, then mask the rest
            ext = np.full(size + width, pad, dtype=np.uint8)
            ext[:size] = buf
            out[:] = np.lib.stride_tricks.sliding_window_view(ext, width)[starts]
            np.putmask(out, np.arange(width)[None, :] >= take[:, None], np.uint8(pad))
        return out

    def payload_bytes(self, i: int) -> bytes:
        """The payload of record ``i`` of the block (for tests and messages about places)."""
        s = int(self.starts[i])
        return self.buffer[s : s + int(self.lengths[i])].tobytes()

    def frame_bytes(self, i: int) -> bytes:
        """The whole frame (header + payload, or line + terminator) of record ``i``."""
        s = int(self.frame_starts[i])
        return self.buffer[s : s + int(self.frame_lengths[i])].tobytes()


class Report(Protocol):
    """Where lenient framing notes what it tolerated (``DecodeReport`` implements it)."""

    def add_framing(self, message: str, record: int, offset: int) -> None: ...


class Framer(Protocol):
    """Byte stream <-> record boundaries, in both directions.

    ``header`` and ``trailer`` hold the bytes skipped before the first and after the last
    record (``header_bytes`` + header records; trailing gap + ``trailer_bytes``): ``header``
    is final once the first block is yielded, ``trailer`` once iteration has ended.
    """

    header: bytes
    trailer: bytes

    def blocks(self, stream: SourceStream, batch_size: int) -> Iterator[RecordBlock]: ...

    def frame(self, payloads: np.ndarray, lengths: np.ndarray | None = None) -> bytes: ...


def make_block(
    buffer: np.ndarray,
    buffer_offset: int,
    frame_starts: Any,
    frame_lengths: Any,
    starts: Any,
    lengths: Any,
    gaps: list[tuple[int, bytes]] | None,
    first_record: int,
) -> RecordBlock:
    """A RecordBlock with every index array as int64."""
    return RecordBlock(
        buffer=buffer,
        buffer_offset=int(buffer_offset),
        frame_starts=np.asarray(frame_starts, dtype=np.int64),
        frame_lengths=np.asarray(frame_lengths, dtype=np.int64),
        starts=np.asarray(starts, dtype=np.int64),
        lengths=np.asarray(lengths, dtype=np.int64),
        gaps=gaps or None,
        first_record=int(first_record),
    )


def payload_lengths(payloads: np.ndarray, lengths: np.ndarray | None) -> np.ndarray:
    """Validated int64 lengths for a payload matrix (None: every record is full width)."""
    n, width = payloads.shape
    if lengths is None:
        return np.full(n, width, dtype=np.int64)
    lens = np.asarray(lengths, dtype=np.int64)
    if lens.shape != (n,):
        raise ValueError(f"lengths has shape {lens.shape}, expected ({n},)")
    if n and (lens.min() < 0 or lens.max() > width):
        raise ValueError(f"record lengths must lie between 0 and the matrix width {width}")
    return lens


def pack_rows(mat: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The first ``lengths[i]`` bytes of each row of ``mat``, concatenated (vectorized)."""
    n, width = mat.shape
    if n == 0:
        return np.empty(0, dtype=np.uint8)
    if int(lengths.min()) == width:
        return np.ascontiguousarray(mat).reshape(-1)
    return mat[np.arange(width)[None, :] < lengths[:, None]]


class TrimmedStream(SourceStream):
    """A stream without its first ``head`` and last ``tail`` bytes, which it keeps in
    ``header`` and ``trailer`` (the trailer is known once the data is read to the end)."""

    def __init__(self, inner: SourceStream, head: int, tail: int) -> None:
        self.inner = inner
        self.name = inner.name
        self.tail_n = tail
        self.trailer = b""
        self._view: memoryview | None = None
        self._lookahead = bytearray()
        self._eof = False
        v = inner.view()
        if v is not None:
            if len(v) < head + tail:
                self._too_short(len(v), head, tail)
            self.header = bytes(v[:head])
            self.trailer = bytes(v[len(v) - tail :]) if tail else b""
            self._view = v[head : len(v) - tail]
            self.size = len(self._view)
            return
        hb = bytearray(head)
        got = inner.readinto(hb) if head else 0
        if got < head:
            self._too_short(got, head, tail)
        self.header = bytes(hb)
        self.size = None if inner.size is None else inner.size - head - tail
        if self.size is not None and self.size < 0:
            self._too_short(inner.size or 0, head, tail)
        self._remaining = self.size

    def _too_short(self, have: int, head: int, tail: int) -> None:
        raise DecodeError(
            f"input holds {have} bytes, fewer than the {head} header and {tail} trailer bytes "
            "to skip",
            offset=0,
            source=self.name,
        )

    def view(self) -> memoryview | None:
        v, self._view = self._view, None
        if v is not None:
            self.size = 0
        return v

    def readinto(self, buf: Any) -> int:
        dst = memoryview(buf).cast("B")
        if self._view is not None:
            n = min(len(dst), len(self._view))
            dst[:n] = self._view[:n]
            self._view = self._view[n:]
            return n
        if not self.tail_n:
            return self.inner.readinto(dst)
        if self._remaining is not None:
            n = min(len(dst), self._remaining)
            got = self.inner.readinto(dst[:n]) if n else 0
            self._remaining -= got
            if got < n:
                raise DecodeError("input ended before its announced size", source=self.name)
            if self._remaining == 0 and not self._eof:
                self._eof = True
                tb = bytearray(self.tail_n)
                if self.inner.readinto(tb) < self.tail_n:
                    raise DecodeError("input ended inside the trailer bytes", source=self.name)
                self.trailer = bytes(tb)
            return got
        need = len(dst) + self.tail_n
        la = self._lookahead
        while len(la) < need and not self._eof:
            chunk = self.inner.read(max(need - len(la), 1 << 16))
            if not chunk:
                self._eof = True
            else:
                la += chunk
        avail = len(la) - self.tail_n
        if self._eof and avail < 0:
            raise DecodeError(
                f"input ends {-avail} bytes short of the {self.tail_n} trailer bytes to skip",
                source=self.name,
            )
        n = min(len(dst), max(avail, 0))
        dst[:n] = la[:n]
        del la[:n]
        if self._eof and len(la) == self.tail_n:
            self.trailer = bytes(la)
        return n


class Pump:
    """The not yet framed tail of a stream as a uint8 array, refilled chunk by chunk.

    Each refill allocates a new array (copying the short unconsumed tail), so arrays already
    handed out in RecordBlocks are never overwritten. Memory sources are viewed, not copied.
    """

    def __init__(self, stream: SourceStream, offset: int, chunk_size: int) -> None:
        self.stream = stream
        self.offset = offset
        self.chunk = max(int(chunk_size), 1)
        v = stream.view()
        if v is not None:
            self.buf = np.frombuffer(v, dtype=np.uint8)
            self.eof = True
        else:
            self.buf = np.empty(0, dtype=np.uint8)
            self.eof = False

    def more(self, at_least: int = 0) -> bool:
        """Read another chunk (at least ``at_least`` bytes more if the data has them);
        False when nothing more could be read."""
        if self.eof:
            return False
        have = len(self.buf)
        want = max(self.chunk, min(have, 1 << 26), at_least)
        new = np.empty(have + want, dtype=np.uint8)
        new[:have] = self.buf
        got = self.stream.readinto(new[have:].data)
        if got < want:
            self.eof = True
        self.buf = new[: have + got]
        return got > 0

    def consume(self, n: int) -> None:
        """Drop the first ``n`` bytes (they belong to records already handed out)."""
        self.buf = self.buf[n:]
        self.offset += n


def strip_header_records(
    blocks: Iterator[RecordBlock], count: int, sink: list[bytes]
) -> Iterator[RecordBlock]:
    """Drop the first ``count`` records, appending their gaps and frames to ``sink``; the
    remaining records are renumbered from 1."""
    left = count
    for block in blocks:
        n = len(block)
        if left == 0:
            yield attrs.evolve(block, first_record=block.first_record - count)
            continue
        k = min(left, n)
        gaps = dict(block.gaps or [])
        for i in range(k):
            sink.append(gaps.pop(i, b""))
            sink.append(block.frame_bytes(i))
        left -= k
        if k == n:
            continue
        kept = [(i - k, g) for i, g in sorted(gaps.items())]
        rest = make_block(
            block.buffer,
            block.buffer_offset,
            block.frame_starts[k:],
            block.frame_lengths[k:],
            block.starts[k:],
            block.lengths[k:],
            kept,
            block.first_record + k - count,
        )
        if block.payload_offsets is not None:
            rest = attrs.evolve(rest, payload_offsets=block.payload_offsets[k:])
        yield rest


class FramerBase:
    """Header/trailer trimming and header records around a subclass's ``_scan``."""

    def __init__(
        self,
        *,
        header_bytes: int = 0,
        header_records: int = 0,
        trailer_bytes: int = 0,
        lenient: bool = False,
        report: Report | None = None,
        chunk_size: int | None = None,
    ) -> None:
        if min(header_bytes, header_records, trailer_bytes) < 0:
            raise ValueError("header/trailer sizes must not be negative")
        self.header_bytes = header_bytes
        self.header_records = header_records
        self.trailer_bytes = trailer_bytes
        self.lenient = lenient
        self.report = report
        self.chunk_size = chunk_size
        self.header = b""
        self.trailer = b""
        self.source_name = "<stream>"

    header_length = 0
    """Bytes of framing before each canonical payload (4 for an RDW)."""

    def canonical_lengths(self, payloads: np.ndarray, lengths: np.ndarray, pad: int) -> np.ndarray:
        """Payload lengths as the writer stores them (text lines drop trailing padding)."""
        return lengths

    def canonical_frames(
        self,
        payloads: np.ndarray,
        lengths: np.ndarray,
        *,
        check: bool = True,
        frames: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The canonical frame of each payload as a padded ``(n, w)`` matrix, the frame
        lengths, and (with ``check=False``) a mask of records no frame can describe, or None.
        With ``check=True`` such a record raises EncodeError naming it. When ``payloads`` is
        the payload view of ``frames`` (from ``frame_matrix``), only headers are written."""
        return payloads, lengths, None

    def frame_matrix(self, n: int, width: int) -> tuple[np.ndarray, np.ndarray]:
        """An empty frame matrix and the payload view into it, so that records can be encoded
        in place after room for their headers."""
        frames = np.empty((n, self.header_length + width), dtype=np.uint8)
        return frames, frames[:, self.header_length :]

    def blocks(self, stream: SourceStream, batch_size: int) -> Iterator[RecordBlock]:
        """Batches of at most ``batch_size`` records; sets ``header`` and ``trailer``."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.header = b""
        self.trailer = b""
        self.source_name = stream.name
        trimmed = TrimmedStream(stream, self.header_bytes, self.trailer_bytes)
        self.header = trimmed.header
        tail: list[bytes] = []
        it = self._scan(trimmed, self.header_bytes, batch_size, tail)
        if self.header_records:
            sink: list[bytes] = [trimmed.header]
            for block in strip_header_records(it, self.header_records, sink):
                self.header = b"".join(sink)
                yield block
            self.header = b"".join(sink)
            if len(sink) < 2 * self.header_records + 1:
                self._problem(
                    f"input holds fewer than the {self.header_records} header records to skip",
                    None,
                    self.header_bytes,
                    fatal=True,
                )
        else:
            yield from it
        self.trailer = b"".join(tail) + trimmed.trailer

    def _scan(
        self, stream: SourceStream, offset: int, batch_size: int, tail: list[bytes]
    ) -> Iterator[RecordBlock]:
        """Yield blocks of records from ``stream`` (whose first byte is at file offset
        ``offset``); bytes after the last record go to ``tail``."""
        raise NotImplementedError

    def _problem(
        self, message: str, record: int | None, offset: int | None, *, fatal: bool = False
    ) -> None:
        """Raise a DecodeError, or when lenient (and not fatal) note it in the report."""
        if self.lenient and not fatal:
            if self.report is not None:
                self.report.add_framing(
                    message,
                    record if record is not None else 0,
                    offset if offset is not None else 0,
                )
            return
        raise DecodeError(message, record=record, offset=offset, source=self.source_name)
