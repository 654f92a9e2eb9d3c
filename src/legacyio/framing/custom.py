"""Record boundaries decided by the caller, and records left out on purpose.

* ``HeaderParserFramer``: custom record headers (Cobrix's ``record_header_parser``). A Python
  hook is handed the not yet framed bytes (a uint8 array) and returns the boundaries of the
  complete records at their start: frame lengths, header lengths and a valid flag each.
* ``LengthFilterFramer``: ``minimum_record_length`` / ``maximum_record_length`` around any
  framer.

A record the hook marks invalid, or whose length is outside the limits, is not a row: it is
counted in ``DecodeReport.skipped_records`` (the first one also as a framing issue) and its
bytes become a gap before the next row, so the residue keeps them and the round trip stays
exact. Nothing is dropped silently.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from legacyio.errors import EncodeError, OptionsError
from legacyio.framing.base import FramerBase, Pump, RecordBlock, make_block
from legacyio.sources import SourceStream


def load_hook(spec: Any) -> Any:
    """A header-parser hook: the object itself, or ``"module:attr"`` / ``"module.attr"``
    imported (a class is instantiated without arguments)."""
    if not isinstance(spec, str):
        return spec
    if spec.startswith("<"):
        raise OptionsError(
            "the table was read with a record_header_parser that has no import name: pass "
            "record_header_parser= (the hook) to write it"
        )
    mod, sep, attr = spec.partition(":")
    if not sep:
        mod, _, attr = spec.rpartition(".")
    try:
        obj: Any = importlib.import_module(mod)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError, ValueError) as e:
        raise OptionsError(f"record_header_parser {spec!r} cannot be imported: {e}") from None
    return obj() if isinstance(obj, type) else obj


class _Skipper:
    """Turns left-out records into gaps before the next kept record (across blocks)."""

    def __init__(self, report: Any, what: str) -> None:
        self.pending = b""
        self.report = report
        self.what = what
        self.skipped = 0
        self.kept = 0

    def apply(self, block: RecordBlock, keep: np.ndarray) -> RecordBlock | None:
        gaps = dict(block.gaps or [])
        drop = np.flatnonzero(~keep)
        if len(drop) and self.report is not None:
            if self.skipped == 0:
                i = int(drop[0])
                self.report.add_framing(
                    f"record left out ({self.what}); its bytes are kept in the residue",
                    block.first_record + i,
                    block.buffer_offset + int(block.frame_starts[i]),
                )
            with self.report._lock:
                self.report.skipped_records += len(drop)
        self.skipped += len(drop)
        new_gaps: list[tuple[int, bytes]] = []
        pending = self.pending
        idx = np.flatnonzero(keep)
        j = len(idx)
        # only the rows that change something are visited (not one Python step per record):
        # left-out rows, rows with a gap, and the kept row after each left-out run
        events = set(gaps) | set(drop.tolist())
        if j:
            after = np.searchsorted(idx, drop)
            events.update(idx[after[after < j]].tolist())
            if pending:
                events.add(int(idx[0]))
        rank = np.cumsum(keep) - 1
        for i in sorted(events):
            piece = gaps.get(i, b"")
            if not keep[i]:
                pending += piece + block.frame_bytes(i)
                continue
            if pending or piece:
                new_gaps.append((int(rank[i]), pending + piece))
            pending = b""
        self.pending = pending
        if j == 0:
            return None
        first = self.kept + 1
        self.kept += j
        return make_block(
            block.buffer,
            block.buffer_offset,
            block.frame_starts[idx],
            block.frame_lengths[idx],
            block.starts[idx],
            block.lengths[idx],
            new_gaps,
            first,
        )


class LengthFilterFramer:
    """``inner`` without the records whose payload is shorter than ``minimum`` or longer
    than ``maximum`` (they ride in the residue of the next record)."""

    full_frame_check = True

    def __init__(self, inner: Any, minimum: int | None, maximum: int | None, report: Any) -> None:
        self.inner = inner
        self.minimum = minimum
        self.maximum = maximum
        self.report = report
        self._trailer = b""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    @property
    def header_length(self) -> int:
        return self.inner.header_length

    @property
    def trailer(self) -> bytes:
        return self._trailer + self.inner.trailer

    def blocks(self, stream: SourceStream, batch_size: int) -> Iterator[RecordBlock]:
        lo, hi = self.minimum, self.maximum
        sk = _Skipper(self.report, f"length outside {lo or 0}..{hi if hi is not None else 'any'}")
        self._trailer = b""
        for b in self.inner.blocks(stream, batch_size):
            lengths = np.asarray(b.lengths, dtype=np.int64)
            keep = np.ones(len(b), dtype=bool)
            if lo is not None:
                keep &= lengths >= lo
            if hi is not None:
                keep &= lengths <= hi
            out = sk.apply(b, keep)
            if out is not None:
                yield out
        self._trailer = sk.pending


class HeaderParserFramer(FramerBase):
    """Records framed by a caller's hook, in one of two forms.

    * ``hook(data, final)`` (or ``hook.boundaries``) gets the unframed bytes as a uint8 array
      and returns ``(frame_lengths, header_lengths, valid)`` for the complete records at its
      start (sequences or arrays; ``header_lengths`` may be one int).
    * ``hook.frames(data, base_offset, final)`` (the vectorized form) gets the same array and
      the file offset of its first byte, and returns ``(starts, lengths, consumed)`` or
      ``(starts, lengths, consumed, valid)``: the payload start (in ``data``) and length of
      each complete record, ascending, and how many bytes of ``data`` it has used. The bytes
      before a payload (since the previous one) are that record's header; bytes consumed
      after the last payload go before the next record. Nothing is lost either way.

    The hook sees at most ``chunk_size`` bytes (4 MiB) a call (more when not one record fits),
    so a memory source is not scanned whole again for each batch. Writing needs
    ``hook.headers(payload_lengths)`` -> ``(n, header_length)`` uint8 and
    ``hook.header_length``."""

    full_frame_check = True

    def __init__(self, hook: Any, **kw: Any) -> None:
        super().__init__(**kw)
        self.hook = load_hook(hook)
        self._frames = getattr(self.hook, "frames", None)
        self._bounds = getattr(self.hook, "boundaries", self.hook)
        if not callable(self._frames) and not callable(self._bounds):
            raise OptionsError(
                "record_header_parser must be callable or have boundaries() or frames()"
            )
        self.header_length = int(getattr(self.hook, "header_length", 0))

    def _call(
        self, data: np.ndarray, base: int, final: bool, batch_size: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """(frame lengths, header lengths, valid, bytes used) of the records the hook finds
        at the start of ``data`` (at most ``batch_size`` records)."""
        if callable(self._frames):
            got = tuple(self._frames(data, base, final))
            if len(got) not in (3, 4):
                self._problem(
                    "record header parser frames() must return (starts, lengths, consumed"
                    "[, valid])",
                    None,
                    base,
                    fatal=True,
                )
            starts = np.atleast_1d(np.asarray(got[0], dtype=np.int64))
            lengths = np.atleast_1d(np.asarray(got[1], dtype=np.int64))
            consumed = int(got[2])
            n = len(starts)
            valid = (
                np.atleast_1d(np.asarray(got[3], dtype=bool))
                if len(got) == 4
                else np.ones(n, dtype=bool)
            )
            if len(lengths) != n or len(valid) != n:
                self._problem(
                    "record header parser frames() returned arrays of different lengths",
                    None,
                    base,
                    fatal=True,
                )
            ends = starts + lengths
            prev = np.zeros(n, dtype=np.int64)
            prev[1:] = ends[:-1]
            if n and ((starts < prev).any() or (lengths < 0).any()):
                self._problem(
                    "record header parser frames() returned overlapping or unordered records",
                    None,
                    base,
                    fatal=True,
                )
            if consumed > len(data) or (n and consumed < int(ends[-1])) or consumed < 0:
                self._problem(
                    "record header parser frames() consumed bytes beyond the data or short "
                    "of its last record",
                    None,
                    base,
                    fatal=True,
                )
            if n > batch_size:
                n = batch_size
                starts, lengths, valid, prev = starts[:n], lengths[:n], valid[:n], prev[:n]
                consumed = int(starts[-1] + lengths[-1])
            return starts + lengths - prev, starts - prev, valid, consumed
        got = self._bounds(data, final)
        flen, hlen, valid = (np.atleast_1d(np.asarray(x, dtype=np.int64)) for x in got)
        if len(flen) > batch_size:
            flen, valid = flen[:batch_size], valid[:batch_size]
            if hlen.ndim and len(hlen) > 1:
                hlen = hlen[:batch_size]
        n = len(flen)
        hlen = np.broadcast_to(hlen, (n,)) if n else np.zeros(0, dtype=np.int64)
        if n and ((flen < hlen).any() or (hlen < 0).any()):
            self._problem(
                "record header parser returned a frame shorter than its header",
                None,
                base,
                fatal=True,
            )
        used = int(flen.sum())
        if used > len(data):
            self._problem(
                "record header parser returned frames beyond the data", None, base, fatal=True
            )
        return flen, hlen, valid.astype(bool), used

    def _scan(
        self, stream: SourceStream, offset: int, batch_size: int, tail: list[bytes]
    ) -> Iterator[RecordBlock]:
        chunk = self.chunk_size or (1 << 22)
        pump = Pump(stream, offset, chunk)
        sk = _Skipper(self.report, "invalid record header")
        window = chunk
        while True:
            final = pump.eof and window >= len(pump.buf)
            data = pump.buf if final else pump.buf[:window]
            flen, hlen, valid, used = self._call(data, pump.offset, final, batch_size)
            n = len(flen)
            if n:
                fs = np.zeros(n, dtype=np.int64)
                np.cumsum(flen[:-1], out=fs[1:])
                block = make_block(
                    pump.buf, pump.offset, fs, flen, fs + hlen, flen - hlen, None, sk.kept + 1
                )
                kept = sk.apply(block, valid)
                framed = int(flen.sum())
                if used > framed:  # bytes after the last record: before the next one
                    sk.pending += pump.buf[framed:used].tobytes()
                pump.consume(used)
                window = chunk
                if kept is not None:
                    yield kept
                continue
            if used:  # no record, but bytes the hook skipped: kept before the next record
                sk.pending += pump.buf[:used].tobytes()
                pump.consume(used)
                continue
            if window < len(pump.buf):  # not one record in the window: show the hook more
                window *= 2
                continue
            if pump.more():
                continue
            if len(pump.buf):
                self._problem(
                    f"input ends with {len(pump.buf)} bytes the record header parser frames "
                    "as no complete record",
                    sk.kept + 1,
                    pump.offset,
                )
                sk.pending += pump.buf.tobytes()
            break
        if sk.pending:
            tail.append(sk.pending)

    # ---- writing ----------------------------------------------------------------------
    def canonical_frames(
        self,
        payloads: np.ndarray,
        lengths: np.ndarray,
        *,
        check: bool = True,
        frames: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        make = getattr(self.hook, "headers", None)
        h = self.header_length
        if make is None or not h:
            # no way to write a header: every record needs its raw copy (the reader keeps
            # one; the writer refuses records that have none)
            if check:
                raise EncodeError(self.unfit_message(0))
            n = len(lengths)
            return np.zeros((n, 0), dtype=np.uint8), lengths, np.ones(n, dtype=bool)
        if frames is None:
            frames = np.empty((len(lengths), payloads.shape[1] + h), dtype=np.uint8)
            frames[:, h:] = payloads
        frames[:, :h] = np.asarray(make(np.asarray(lengths, dtype=np.int64)), dtype=np.uint8)
        return frames, lengths + h, None if check else np.zeros(len(lengths), dtype=bool)

    def unfit_message(self, frame_length: int) -> str:
        return (
            "the record header parser has no headers() method and header_length: records "
            "without a residue cannot be written"
        )

    def frame(self, payloads: np.ndarray, lengths: np.ndarray | None = None) -> bytes:
        from legacyio.framing.base import pack_rows, payload_lengths

        lens = payload_lengths(payloads, lengths)
        frames, flen, _ = self.canonical_frames(payloads, lens)
        return pack_rows(frames, flen).tobytes()
