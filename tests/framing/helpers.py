"""Helpers shared by the framing tests: run a framer over a source and collect the records."""

from __future__ import annotations

from typing import Any

import numpy as np

from legacyio.sources import open_source
from tests.support.corpus import COBRIX

CORPUS = str(COBRIX)


class Collected:
    """Every block a framer produced, plus its header and trailer."""

    def __init__(self, framer: Any, blocks: list) -> None:
        self.framer = framer
        self.blocks = blocks
        self.header = framer.header
        self.trailer = framer.trailer

    @property
    def payloads(self) -> list[bytes]:
        return [b.payload_bytes(i) for b in self.blocks for i in range(len(b))]

    @property
    def frames(self) -> list[bytes]:
        return [b.frame_bytes(i) for b in self.blocks for i in range(len(b))]

    @property
    def offsets(self) -> list[int]:
        return [b.buffer_offset + int(s) for b in self.blocks for s in b.starts]

    def gaps(self) -> dict[int, bytes]:
        """Gaps by global 0-based record index."""
        out: dict[int, bytes] = {}
        for b in self.blocks:
            for i, g in b.gaps or []:
                out[b.first_record - 1 + i] = g
        return out

    def rebuild(self) -> bytes:
        """The input again: header, gaps + frames, trailer."""
        gaps = self.gaps()
        parts = [self.header]
        for k, f in enumerate(self.frames):
            parts.append(gaps.get(k, b""))
            parts.append(f)
        parts.append(self.trailer)
        return b"".join(parts)


def collect(framer: Any, source: Any, batch_size: int = 1000) -> Collected:
    """Run ``framer`` over ``source`` and check block invariants on the way."""
    blocks = []
    with open_source(source) as stream:
        expected_first = 1
        for b in framer.blocks(stream, batch_size):
            n = len(b)
            assert 0 < n <= batch_size
            assert b.first_record == expected_first
            expected_first += n
            for arr in (b.frame_starts, b.frame_lengths, b.starts, b.lengths):
                assert arr.dtype == np.int64 and arr.shape == (n,)
            if b.payload_offsets is None:
                assert (b.starts >= b.frame_starts).all()
                assert (b.starts + b.lengths <= b.frame_starts + b.frame_lengths).all()
            else:  # VBS: spanned payloads assembled after the input bytes of the batch
                assert (b.starts + b.lengths <= len(b.buffer)).all()
                assert b.payload_offsets.shape == (n,)
            assert int(b.frame_starts[-1] + b.frame_lengths[-1]) <= len(b.buffer)
            for i, _ in b.gaps or []:
                assert 0 <= i < n
            blocks.append(b)
    return Collected(framer, blocks)


def matrix_of(payloads: list[bytes], width: int | None = None, pad: int = 0x40) -> tuple:
    """A padded payload matrix and lengths for a list of payloads (writer input)."""
    width = max((len(p) for p in payloads), default=0) if width is None else width
    mat = np.full((len(payloads), width), pad, dtype=np.uint8)
    for i, p in enumerate(payloads):
        mat[i, : len(p)] = np.frombuffer(p, dtype=np.uint8)
    return mat, np.array([len(p) for p in payloads], dtype=np.int64)


class ListReport:
    """A minimal report: records the framing notes."""

    def __init__(self) -> None:
        self.notes: list[tuple[str, int, int]] = []

    def add_framing(self, message: str, record: int, offset: int) -> None:
        self.notes.append((message, record, offset))


class Trickle:
    """A file object that returns at most ``step`` bytes per read (forces straddling)."""

    def __init__(self, data: bytes, step: int = 3) -> None:
        self.data = data
        self.pos = 0
        self.step = step

    def read(self, n: int = -1) -> bytes:
        n = self.step if n < 0 else min(n, self.step)
        out = self.data[self.pos : self.pos + n]
        self.pos += len(out)
        return out

    def readable(self) -> bool:
        return True
