"""A custom record header for the tests (importable by name, as the CLI needs): 3 bytes,
X'AA' for a valid record (X'00' for one to leave out), then the payload length big-endian."""

from __future__ import annotations

import numpy as np


class TinyHeaders:
    header_length = 3

    def boundaries(self, data: np.ndarray, final: bool):
        frames, valid, pos = [], [], 0
        while pos + 3 <= len(data):
            size = 3 + int(data[pos + 1]) * 256 + int(data[pos + 2])
            if pos + size > len(data):
                break
            frames.append(size)
            valid.append(bool(data[pos] == 0xAA))
            pos += size
        return frames, 3, valid

    def headers(self, lengths: np.ndarray) -> np.ndarray:
        out = np.empty((len(lengths), 3), dtype=np.uint8)
        out[:, 0] = 0xAA
        out[:, 1] = lengths >> 8
        out[:, 2] = lengths & 0xFF
        return out


def boundaries_only(data: np.ndarray, final: bool):
    """The same framing as a plain function (reading only: it cannot write headers)."""
    return TinyHeaders().boundaries(data, final)


class VectorHeaders(TinyHeaders):
    """The same headers in the vectorized form: ``frames(data, base_offset, final)`` returns
    the payload starts and lengths of the complete records in ``data`` and the bytes used.

    A length-chained header is sequential by nature: the only per-record step is following
    the chain over a ``bytes`` copy (plain integers, no NumPy scalar, no call per record);
    lengths and valid flags are then read for all records at once with NumPy."""

    def frames(self, data: np.ndarray, base_offset: int, final: bool):
        buf = data.tobytes()
        n = len(buf)
        starts = []
        pos = 0
        while pos + 3 <= n:
            end = pos + 3 + (buf[pos + 1] << 8 | buf[pos + 2])
            if end > n:
                break
            starts.append(pos)
            pos = end
        s = np.asarray(starts, dtype=np.int64)
        lengths = data[s + 1].astype(np.int64) << 8 | data[s + 2]
        return s + 3, lengths, pos, data[s] == 0xAA


class SkippingHeaders(VectorHeaders):
    """Vectorized form that also consumes bytes between records: X'FF' padding bytes may
    follow any record (as block padding does). They belong to no payload; the reader keeps
    them before the next record, so the round trip stays exact."""

    def frames(self, data: np.ndarray, base_offset: int, final: bool):
        buf = data.tobytes()
        n = len(buf)
        starts, pos, used = [], 0, 0
        while True:
            while pos < n and buf[pos] == 0xFF:
                pos += 1
            if pos + 3 > n:
                break
            end = pos + 3 + (buf[pos + 1] << 8 | buf[pos + 2])
            if end > n:
                break
            starts.append(pos)
            pos = used = end
        if final:
            used = pos  # trailing padding at the end of the file is consumed too
        s = np.asarray(starts, dtype=np.int64)
        lengths = data[s + 1].astype(np.int64) << 8 | data[s + 2]
        return s + 3, lengths, used, data[s] == 0xAA
