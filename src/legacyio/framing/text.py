"""Text lines (record format D): records end with LF or CRLF, decided line by line; the
terminator belongs to the frame, not the payload. A last line without terminator is a record.
Lines are found with one vectorized search per chunk."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import numpy as np

from legacyio.framing.base import (
    DEFAULT_CHUNK,
    FramerBase,
    Pump,
    RecordBlock,
    make_block,
    pack_rows,
    payload_lengths,
)
from legacyio.sources import SourceStream

LF, CR = 0x0A, 0x0D


class TextFramer(FramerBase):
    """LF / CRLF separated lines; writes ``newline`` after each payload."""

    def __init__(self, *, newline: Literal["\n", "\r\n"] = "\n", **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        if newline not in ("\n", "\r\n"):
            raise ValueError("newline must be '\\n' or '\\r\\n'")
        self.newline = newline

    def _scan(
        self, stream: SourceStream, offset: int, batch_size: int, tail: list[bytes]
    ) -> Iterator[RecordBlock]:
        pump = Pump(stream, offset, self.chunk_size or DEFAULT_CHUNK)
        record = 1
        searched = 0  # bytes of pump.buf known to hold no LF beyond the ends found
        ends: list[np.ndarray] = []
        have = 0
        while True:
            buf = pump.buf
            if have < batch_size and searched < len(buf):
                window = buf[searched : searched + max(pump.chunk, 1 << 16)]
                found = np.flatnonzero(window == LF)[: batch_size - have] + searched + 1
                if len(found):
                    ends.append(found)
                    have += len(found)
                searched = int(found[-1]) if have == batch_size else searched + len(window)
                continue
            if have < batch_size and pump.more():
                continue
            last = have < batch_size and len(buf) > (int(ends[-1][-1]) if ends else 0)
            if not have and not last:
                return
            e = np.concatenate(ends) if ends else np.empty(0, dtype=np.int64)
            if last:
                e = np.append(e, len(buf))
            n = len(e)
            starts = np.empty(n, dtype=np.int64)
            starts[0] = 0
            starts[1:] = e[:-1]
            flen = e - starts
            term = np.zeros(n, dtype=np.int64)
            term[:have] = 1
            if have:
                lf = e[:have] - 1
                cr = (lf > starts[:have]) & (buf[np.maximum(lf - 1, 0)] == CR)
                term[:have] += cr
            cut = int(e[-1])
            yield make_block(
                buf[:cut], pump.offset, starts, flen, starts, flen - term, None, record
            )
            record += n
            pump.consume(cut)
            searched = max(searched - cut, 0)
            ends, have = [], 0
            if last:
                return

    def canonical_lengths(self, payloads: np.ndarray, lengths: np.ndarray, pad: int) -> np.ndarray:
        """Text lines are written without trailing padding (canonical form of a D record)."""
        nonpad = payloads != pad
        any_ = nonpad.any(axis=1)
        last = payloads.shape[1] - np.argmax(nonpad[:, ::-1], axis=1)
        return np.where(any_, np.minimum(last, lengths), 0).astype(np.int64)

    def canonical_frames(
        self,
        payloads: np.ndarray,
        lengths: np.ndarray,
        *,
        check: bool = True,
        frames: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Each line followed by the newline, as a padded matrix."""
        n, w = payloads.shape
        term = self.newline.encode()
        out = np.zeros((n, w + len(term)), dtype=np.uint8)
        out[:, :w] = payloads
        rows = np.arange(n)
        for i, b in enumerate(term):
            out[rows, lengths + i] = b
        return out, lengths + len(term), None

    def frame(
        self,
        payloads: np.ndarray,
        lengths: np.ndarray | None = None,
        terminators: np.ndarray | None = None,
    ) -> bytes:
        """Each payload (its first ``lengths[i]`` bytes, trailing spaces kept) + newline.
        ``terminators`` (per record 0 none, 1 LF, 2 CRLF; e.g. ``frame_lengths - lengths`` of
        a read block) overrides ``newline`` for an exact round trip."""
        lens = payload_lengths(payloads, lengths)
        n, width = payloads.shape
        if terminators is None:
            term = np.full(n, len(self.newline), dtype=np.int64)
        else:
            term = np.asarray(terminators, dtype=np.int64)
            if term.shape != (n,) or (n and (term.min() < 0 or term.max() > 2)):
                raise ValueError("terminators must be 0, 1 or 2 per record")
        mat = np.empty((n, width + 2), dtype=np.uint8)
        mat[:, :width] = payloads
        rows = np.arange(n)
        crlf = term == 2
        mat[rows, lens] = np.where(crlf, CR, LF)
        mat[rows[crlf], lens[crlf] + 1] = LF
        return pack_rows(mat, lens + term).tobytes()
