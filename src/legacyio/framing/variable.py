"""Records without a header whose length the engine computes from their first bytes: ODO
variable records (OCCURS DEPENDING ON counts) and length-field records.

The engine's ``length_fn(prefix)`` maps an ``(m, prefix_length)`` uint8 matrix of candidate
record starts to their int64 lengths (-1 when invalid). It is called on many candidates at
once, never once per record: first speculatively at ``p, p+L, p+2L, ...`` (a run of records
of the last length ``L`` is confirmed in one call), and where lengths vary on every byte
position of a window (``sliding_window_view``), after which the chain of records is followed
through the table of lengths in a tight loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

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

LengthFn = Callable[[np.ndarray], np.ndarray]

_SPEC_MIN = 8
_SPEC_MAX = 1 << 14
_WINDOW_MIN = 1 << 12
_WINDOW_MAX = 1 << 20


class CallbackFramer(FramerBase):
    """Records back to back, each as long as ``length_fn`` says (whole record, no header)."""

    def __init__(self, length_fn: LengthFn, prefix_length: int, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        if prefix_length < 1:
            raise ValueError("prefix_length must be at least 1")
        self.length_fn = length_fn
        self.prefix_length = int(prefix_length)
        self.calls = 0
        """Number of ``length_fn`` calls made (for benchmarks and tests)."""

    def _lengths(self, buf: np.ndarray, positions: np.ndarray | slice) -> np.ndarray:
        windows = np.lib.stride_tricks.sliding_window_view(buf, self.prefix_length)
        prefix = windows[positions]
        self.calls += 1
        out = np.asarray(self.length_fn(prefix), dtype=np.int64)
        if out.shape != (len(prefix),):
            raise ValueError(f"length_fn returned shape {out.shape}, expected ({len(prefix)},)")
        return out

    def _scan(
        self, stream: SourceStream, offset: int, batch_size: int, tail: list[bytes]
    ) -> Iterator[RecordBlock]:
        pump = Pump(stream, offset, self.chunk_size or DEFAULT_CHUNK)
        pl = self.prefix_length
        record = 1
        pos = 0
        starts: list = []
        lens: list = []
        count = 0
        last_len = 0
        spec = _SPEC_MIN
        spec_ok = True  # speculation pays off on this stretch of the file
        table: np.ndarray | None = None  # lengths of every position from table_base on
        table_base = 0
        avg = 0.0

        def emit() -> RecordBlock:
            nonlocal record, pos, count, starts, lens, table_base
            s = np.concatenate([np.asarray(x, dtype=np.int64) for x in starts])
            ln = np.concatenate([np.asarray(x, dtype=np.int64) for x in lens])
            block = make_block(pump.buf[:pos], pump.offset, s, ln, s, ln, None, record)
            pump.consume(pos)
            table_base -= pos
            record += count
            pos = count = 0
            starts, lens = [], []
            return block

        while True:
            if count == batch_size:
                yield emit()
                continue
            buf = pump.buf
            end = len(buf)
            if pos + pl > end:
                need = pos + pl - end
                if pump.more(need):
                    continue
                if pos < end:
                    # a last record shorter than the prefix may still be complete (nested
                    # tables whose counts are small): ask length_fn with the tail zero-padded
                    last = np.zeros((1, pl), dtype=np.uint8)
                    last[0, : end - pos] = buf[pos:end]
                    self.calls += 1
                    last_length = int(np.asarray(self.length_fn(last), dtype=np.int64)[0])
                    if 1 <= last_length <= end - pos:
                        starts.append([pos])
                        lens.append([last_length])
                        count += 1
                        pos += last_length
                        continue
                    self._problem(
                        f"input ends with {end - pos} bytes, fewer than the "
                        f"{pl} needed to know the record length",
                        record + count,
                        pump.offset + pos,
                    )
                    starts.append([pos])
                    lens.append([end - pos])
                    count += 1
                    pos = end
                break
            want = batch_size - count
            # 1. speculation: records of the last length, checked in one call
            if spec_ok and last_len > 0:
                k = min(spec, want, (end - pos - pl) // last_len + 1)
                if k >= 2:
                    cand = pos + last_len * np.arange(k, dtype=np.int64)
                    got = self._lengths(buf, cand)
                    diff = np.flatnonzero(got != last_len)
                    j = int(diff[0]) if len(diff) else k
                    # records 0..j-1 have length last_len and fit unless they cross the end
                    fit = min(j, (end - pos) // last_len)
                    if fit:
                        starts.append(cand[:fit])
                        lens.append(np.full(fit, last_len, dtype=np.int64))
                        pos += fit * last_len
                        count += fit
                    if j == k and fit == j:
                        spec = min(spec * 2, _SPEC_MAX)
                        continue
                    if fit < j:
                        continue  # needs more input for the next record
                    spec = _SPEC_MIN
                    spec_ok = fit >= 4
                    nxt = int(got[j])
                    if nxt >= 1 and pos + nxt <= end:
                        # the record that broke the run starts a run of its own length
                        starts.append([pos])
                        lens.append([nxt])
                        pos += nxt
                        count += 1
                        last_len = nxt
                        continue
            # 2. a table of lengths at every position of a window, then follow the chain
            if table is None or not table_base <= pos < table_base + len(table):
                span = int(min(max(avg * want * 1.25, _WINDOW_MIN), _WINDOW_MAX))
                hi = min(pos + span, end - pl + 1)
                table = self._lengths(buf, slice(pos, hi))
                table_base = pos
            tmv = table.data
            lim = table_base + len(table)
            s: list[int] = []
            ln: list[int] = []
            app, lapp = s.append, ln.append
            p, n, bad, short = pos, 0, False, False
            while n < want and p < lim:
                length = tmv[p - table_base]
                if length < 1:
                    bad = True
                    break
                if p + length > end:
                    short = True
                    break
                app(p)
                lapp(length)
                p += length
                n += 1
            if n:
                starts.append(s)
                lens.append(ln)
                count += n
                last_len = ln[-1]
                avg = (p - pos) / n
                pos = p
                # two equal lengths in a row: runs are worth speculating on again
                spec_ok = n >= 2 and ln[-2] == last_len
            if bad:
                self._problem(
                    "record length could not be determined from the record's first bytes",
                    record + count,
                    pump.offset + p,
                )
                if count:
                    yield emit()
                while pump.more():
                    pass
                tail.append(pump.buf[pos:].tobytes())
                return
            if short:
                length = int(tmv[p - table_base])
                if pump.more(p + length - end):
                    continue
                self._problem(
                    f"record length runs past the end of the input ({end - p} bytes left)",
                    record + count,
                    pump.offset + p,
                )
                starts.append([p])
                lens.append([end - p])
                count += 1
                pos = end
                break
            if p >= lim:
                table = None
        if count:
            yield emit()

    def frame(self, payloads: np.ndarray, lengths: np.ndarray | None = None) -> bytes:
        """Records back to back, each its first ``lengths[i]`` bytes (no header)."""
        return pack_rows(payloads, payload_lengths(payloads, lengths)).tobytes()
