"""Bytes inside every record frame before and after the copybook's payload (Cobrix's
``record_start_offset`` / ``record_end_offset``): a wrapper around any framer.

Reading moves each payload past its ``start`` bytes and shortens it by ``start + end``; the
frames are unchanged, so the reader's residue keeps the raw frame of any record whose offset
bytes are not the canonical fill. Writing puts ``start`` fill bytes before and ``end`` after
every payload before the inner framer frames it, so a clean table round-trips and a dirty
one round-trips through its residue.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import numpy as np

from legacyio.framing.base import RecordBlock
from legacyio.sources import SourceStream


class RecordOffsetFramer:
    """``inner`` with ``start`` bytes before and ``end`` bytes after each payload."""

    full_frame_check = True
    """The reader compares whole frames (no fast canonical-frame shortcut)."""

    def __init__(self, inner: Any, start: int, end: int, fill: int) -> None:
        if start < 0 or end < 0:
            raise ValueError("record_start_offset and record_end_offset must not be negative")
        self.inner = inner
        self.start = int(start)
        self.end = int(end)
        self.fill = int(fill)
        self.header_length = inner.header_length + self.start

    def __getattr__(self, name: str) -> Any:  # header, trailer, unfit, unfit_message, ...
        return getattr(self.inner, name)

    # ---- reading ----------------------------------------------------------------------
    def blocks(self, stream: SourceStream, batch_size: int) -> Iterator[RecordBlock]:
        extra = self.start + self.end
        for b in self.inner.blocks(stream, batch_size):
            lengths = np.asarray(b.lengths, dtype=np.int64)
            short = lengths < extra
            if short.any():
                i = int(np.flatnonzero(short)[0])
                self.inner._problem(
                    f"record of {int(lengths[i])} bytes is shorter than record_start_offset "
                    f"+ record_end_offset ({extra})",
                    b.first_record + i,
                    b.buffer_offset + int(b.frame_starts[i]),
                )
            starts = np.asarray(b.starts, dtype=np.int64) + np.minimum(self.start, lengths)
            yield attrs.evolve(b, starts=starts, lengths=np.maximum(lengths - extra, 0))

    def record_tail_differs(self, block: RecordBlock) -> np.ndarray:
        """Per record: are its ``end`` bytes (or the ones present) not the canonical fill?"""
        n = len(block)
        if not self.end or n == 0:
            return np.zeros(n, dtype=bool)
        ends = np.asarray(block.starts, dtype=np.int64) + np.asarray(block.lengths, np.int64)
        idx = ends[:, None] + np.arange(self.end)[None, :]
        stop = (np.asarray(block.frame_starts) + np.asarray(block.frame_lengths))[:, None]
        inside = idx < stop
        vals = block.buffer[np.minimum(idx, len(block.buffer) - 1)]
        return np.any((vals != self.fill) & inside, axis=1)

    # ---- writing ----------------------------------------------------------------------
    def _extend(self, payloads: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n, w = payloads.shape
        lens = np.asarray(lengths, dtype=np.int64)
        ext = np.full((n, self.start + w + self.end), self.fill, dtype=np.uint8)
        ext[:, self.start : self.start + w] = payloads
        if self.end and n and int(lens.min()) < w:
            cols = np.arange(ext.shape[1])[None, :]
            at = self.start + lens[:, None]
            ext[(cols >= at) & (cols < at + self.end)] = self.fill
        return ext, lens + self.start + self.end

    def canonical_lengths(self, payloads: np.ndarray, lengths: np.ndarray, pad: int) -> np.ndarray:
        return self.inner.canonical_lengths(payloads, lengths, pad)

    def frame_matrix(self, n: int, width: int) -> tuple[np.ndarray, np.ndarray]:
        mat = np.empty((n, width), dtype=np.uint8)
        return mat, mat  # payloads are copied into their frames by canonical_frames

    def canonical_frames(
        self,
        payloads: np.ndarray,
        lengths: np.ndarray,
        *,
        check: bool = True,
        frames: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        ext, lens = self._extend(payloads, lengths)
        return self.inner.canonical_frames(ext, lens, check=check)

    def frame(self, payloads: np.ndarray, lengths: np.ndarray | None = None, **kw: Any) -> bytes:
        n, w = payloads.shape
        lens = np.full(n, w, dtype=np.int64) if lengths is None else lengths
        ext, elens = self._extend(payloads, lens)
        return self.inner.frame(ext, elens, **kw)
