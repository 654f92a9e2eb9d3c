"""Fixed-length records (RECFM=F/FB): boundaries are arithmetic, the record matrix is a
zero-copy reshape of the input."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from legacyio.framing.base import FramerBase, RecordBlock, make_block, pack_rows, payload_lengths
from legacyio.sources import SourceStream


class FixedFramer(FramerBase):
    """Records of ``record_length`` bytes back to back. A trailing partial record is a
    DecodeError, or with ``lenient`` a reported short record (its own last block)."""

    def __init__(self, record_length: int, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        if record_length < 1:
            raise ValueError("fixed record length must be at least 1")
        self.record_length = int(record_length)

    def _scan(
        self, stream: SourceStream, offset: int, batch_size: int, tail: list[bytes]
    ) -> Iterator[RecordBlock]:
        w = self.record_length
        step = w * batch_size
        record = 1
        view = stream.view()
        data = np.frombuffer(view, dtype=np.uint8) if view is not None else None
        pos = 0
        while True:
            if data is not None:
                buf = data[pos : pos + step]
                pos += len(buf)
            else:
                buf = np.empty(step, dtype=np.uint8)
                buf = buf[: stream.readinto(buf.data)]
            got = len(buf)
            n, rem = divmod(got, w)
            if n:
                frames = np.arange(n, dtype=np.int64) * w
                lens = np.full(n, w, dtype=np.int64)
                yield make_block(buf, offset, frames, lens, frames, lens, None, record)
                record += n
            if rem:
                start = offset + n * w
                self._problem(
                    f"input ends with a partial record of {rem} bytes (record length "
                    f"{w}, input size not a multiple)",
                    record,
                    start,
                )
                part = buf[n * w :]
                z = np.zeros(1, dtype=np.int64)
                r = np.full(1, rem, dtype=np.int64)
                yield make_block(part, start, z, r, z, r, None, record)
                return
            offset += got
            if got < step:
                return

    def frame(self, payloads: np.ndarray, lengths: np.ndarray | None = None) -> bytes:
        """Records back to back (a record shorter than the width is written short)."""
        return pack_rows(payloads, payload_lengths(payloads, lengths)).tobytes()
