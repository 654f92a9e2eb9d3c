"""Variable records with record descriptor words (RECFM=V) and blocked ones (RECFM=VB).

An RDW is 4 bytes before each record: a 2-byte length and 2 reserved zero bytes. The stored
length plus ``adjustment`` is the frame length (RDW included): IBM RDWs count themselves
(adjustment 0); GnuCOBOL's and Cobrix's default headers do not (adjustment 4).

Byte order ``big`` is the z/OS layout ``LL LL 00 00``. Byte order ``little`` is the whole
4-byte word reversed, ``00 00 ll LL`` (length little-endian in bytes 2-3), which is what the
Cobrix corpus's "little-endian RDW" files hold (test4: ``00 00 40 00`` = 64); when reading,
``ll LL 00 00`` (GnuCOBOL's native-order 2-byte prefix) is accepted too, and
``little_style="low"`` writes that form instead. A header whose reserved half is not zero is
invalid.

VB: a BDW (block length including itself, 2 bytes + 2 zero bytes, or with the high bit set the
4-byte extended form) starts each block of RDW records. BDWs and padding after the last record
of a block (an all-zero RDW, or fewer than 4 bytes left) are handed out as gaps so that the
file can be written back byte for byte.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Literal, Protocol

import numpy as np

from legacyio.codecs import native
from legacyio.errors import EncodeError
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

_NEED, _BAD, _LIMIT = 0, 1, 2
_BE_HALVES = struct.Struct(">HH")
_LE_HALVES = struct.Struct("<HH")
_SPEC_MIN = 16  # first speculative run length tried
_SPEC_MAX = 1 << 16
_LOOP_RUN = 256  # records framed one by one before speculating again


IBM_MAX_FRAME = 32760
"""Largest V record frame IBM allows: 32,756 data bytes plus the RDW."""


class _WordFramer(Protocol):
    def rdws(self, frame_lengths: np.ndarray, *, check: bool = True) -> np.ndarray: ...

    def unfit(self, frame_lengths: np.ndarray) -> np.ndarray: ...


def word_frames(
    framer: _WordFramer,
    payloads: np.ndarray,
    lengths: np.ndarray,
    *,
    check: bool,
    frames: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """A 4-byte descriptor word (the framer's RDW or SDW) + payload for each record; with
    ``frames`` (whose payload view ``payloads`` is) only the words are written."""
    flen = lengths + 4
    if frames is None:
        frames = np.empty((len(lengths), payloads.shape[1] + 4), dtype=np.uint8)
        frames[:, 4:] = payloads
    frames[:, :4] = framer.rdws(flen, check=check)
    return frames, flen, None if check else framer.unfit(flen)


class RdwFramer(FramerBase):
    """RECFM=V (``blocked=False``) or VB (``blocked=True``) framing, both directions."""

    def __init__(
        self,
        *,
        blocked: bool = False,
        byteorder: Literal["big", "little"] = "big",
        adjustment: int = 0,
        bdw_adjustment: int = 0,
        block_size: int = 32760,
        little_style: Literal["swapped", "low"] = "swapped",
        **kw: object,
    ) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        if byteorder not in ("big", "little"):
            raise ValueError(f"RDW byte order must be 'big' or 'little', not {byteorder!r}")
        if little_style not in ("swapped", "low"):
            raise ValueError("little_style must be 'swapped' or 'low'")
        self.blocked = blocked
        self.big = byteorder == "big"
        self.little_style = little_style
        self.adjustment = int(adjustment)
        self.bdw_adjustment = int(bdw_adjustment)
        self.block_size = int(block_size)
        # a VB block may end in zero padding: an all-zero RDW is padding there, never a record
        self.min_frame = max(4, self.adjustment + 1) if blocked else 4

    # ----------------------------------------------------------------------------- reading
    def _hdr(self, mv: memoryview, pos: int) -> int:
        """Frame length of the RDW at ``pos`` (-1 if invalid)."""
        b0, b1, b2, b3 = mv[pos], mv[pos + 1], mv[pos + 2], mv[pos + 3]
        if self.big:
            if b2 or b3:
                return -1
            f = (b0 << 8 | b1) + self.adjustment
        elif b0 or b1:
            if b2 or b3:
                return -1
            f = (b0 | b1 << 8) + self.adjustment
        else:
            f = (b2 | b3 << 8) + self.adjustment
        return f if f >= self.min_frame else -1

    def _bdw(self, mv: memoryview, pos: int) -> int:
        """Block length of the BDW at ``pos`` (-1 if invalid)."""
        b0, b1, b2, b3 = mv[pos], mv[pos + 1], mv[pos + 2], mv[pos + 3]
        if self.big:
            if b0 & 0x80:
                f = (b0 & 0x7F) << 24 | b1 << 16 | b2 << 8 | b3
            elif b2 or b3:
                return -1
            else:
                f = b0 << 8 | b1
        elif b0 or b1:
            if b2 or b3:
                return -1
            f = b0 | b1 << 8
        else:
            f = b2 | b3 << 8
        f += self.bdw_adjustment
        return f if f >= 4 else -1

    def _run(
        self,
        arr: np.ndarray,
        mv: memoryview,
        pos: int,
        end: int,
        limit: int,
        starts: list,
        flens: list,
    ) -> tuple[int, int, int]:
        """Frame up to ``limit`` records from ``pos`` within ``end``; appends frame starts and
        lengths (lists or arrays) and returns (position, count, status)."""
        if native.active():  # the Rust kernel (legacyio.codecs.native), when it covers this field
            res = native.rdw_run(self, arr, pos, end, limit, starts, flens)
            if res is not None:
                return res
        count = 0
        spec = _SPEC_MIN
        adj, minf = self.adjustment, self.min_frame
        while count < limit:
            # speculation: a run of records with identical RDWs is checked in one NumPy step
            if pos + 4 <= end:
                f = self._hdr(mv, pos)
                k = min(spec, limit - count, (end - pos) // f) if f > 0 else 0
                if k >= 4:
                    heads = arr[pos : pos + k * f].reshape(k, f)[:, :4]
                    bad = np.flatnonzero((heads != heads[0]).any(axis=1))
                    j = int(bad[0]) if len(bad) else k
                    starts.append(pos + f * np.arange(j, dtype=np.int64))
                    flens.append(np.full(j, f, dtype=np.int64))
                    pos += j * f
                    count += j
                    if j == k:
                        spec = min(spec * 2, _SPEC_MAX)
                        continue
                    spec = _SPEC_MIN
            # one record at a time for a while
            m = min(_LOOP_RUN, limit - count)
            s: list[int] = []
            app = s.append  # frames are consecutive: their lengths come from the starts
            status = _LIMIT
            n = 0
            if self.big:
                unpack = _BE_HALVES.unpack_from  # (length, reserved) in one call
                while n < m:
                    if pos + 4 > end:
                        status = _NEED
                        break
                    f, reserved = unpack(mv, pos)
                    f += adj
                    if reserved or f < minf:
                        status = _BAD
                        break
                    if pos + f > end:
                        status = _NEED
                        break
                    app(pos)
                    pos += f
                    n += 1
            else:
                unpack = _LE_HALVES.unpack_from
                while n < m:
                    if pos + 4 > end:
                        status = _NEED
                        break
                    lo, hi = unpack(mv, pos)
                    if lo and hi:
                        status = _BAD
                        break
                    f = (lo or hi) + adj
                    if f < minf:
                        status = _BAD
                        break
                    if pos + f > end:
                        status = _NEED
                        break
                    app(pos)
                    pos += f
                    n += 1
            if n:
                sa = np.array(s, dtype=np.int64)
                starts.append(sa)
                flens.append(np.diff(sa, append=pos))
                count += n
            if status != _LIMIT:
                return pos, count, status
        return pos, count, _LIMIT

    def _scan(
        self, stream: SourceStream, offset: int, batch_size: int, tail: list[bytes]
    ) -> Iterator[RecordBlock]:
        pump = Pump(stream, offset, self.chunk_size or DEFAULT_CHUNK)
        record = 1
        pos = 0
        count = 0
        block_end: int | None = None
        gap = b""
        gaps: list[tuple[int, bytes]] = []
        starts: list = []
        flens: list = []

        def emit() -> RecordBlock:
            nonlocal record, pos, count, block_end, gaps, starts, flens
            fs = np.concatenate([np.asarray(x, dtype=np.int64) for x in starts])
            fl = np.concatenate([np.asarray(x, dtype=np.int64) for x in flens])
            block = make_block(pump.buf[:pos], pump.offset, fs, fl, fs + 4, fl - 4, gaps, record)
            pump.consume(pos)
            if block_end is not None:
                block_end -= pos
            record += count
            pos = count = 0
            gaps, starts, flens = [], [], []
            return block

        def stop(message: str) -> Iterator[RecordBlock]:
            """Error, or (lenient) report and keep the rest of the input as trailer."""
            self._problem(message, record + count, pump.offset + pos)
            if count:
                yield emit()
            while pump.more():
                pass
            tail.append(gap + pump.buf[pos:].tobytes())

        while True:
            if count == batch_size:
                yield emit()
                continue
            buf = pump.buf
            end = len(buf)
            mv = buf.data
            if self.blocked and block_end is None:
                if pos + 4 > end:
                    if pump.more(pos + 4 - end):
                        continue
                    if pos < end:
                        yield from stop(
                            f"input ends inside a block descriptor word ({end - pos} bytes left)"
                        )
                        return
                    break
                bl = self._bdw(mv, pos)
                if bl < 0:
                    yield from stop("invalid block descriptor word")
                    return
                if pos + bl > end:
                    if pump.more(pos + bl - end):
                        continue
                    yield from stop(f"block length {bl} runs past the end of the input")
                    return
                gap += buf[pos : pos + 4].tobytes()
                block_end = pos + bl
                pos += 4
            limit_end = block_end if self.blocked and block_end is not None else end
            pos, n, status = self._run(buf, mv, pos, limit_end, batch_size - count, starts, flens)
            if n and gap:
                gaps.append((count, gap))
                gap = b""
            count += n
            if status == _LIMIT:
                continue
            if self.blocked:
                assert block_end is not None
                if pos == block_end:
                    block_end = None
                    continue
                if block_end - pos < 4 or not buf[pos : pos + 4].any():
                    gap += buf[pos:block_end].tobytes()
                    pos = block_end
                    block_end = None
                    continue
                if status == _NEED:
                    yield from stop("record length runs past the end of its block")
                else:
                    hint = ""
                    if (
                        self.big
                        and pos + 4 <= end
                        and buf[pos + 2] in (1, 2, 3)
                        and not buf[pos + 3]
                    ):
                        # a segment control code where VB has a zero byte: spanned records
                        hint = " (it holds a segment control code: a VBS file? try VBS)"
                    yield from stop("invalid record descriptor word" + hint)
                return
            if status == _NEED:
                if pump.more(0 if pos + 4 > end else self._hdr(mv, pos) - (end - pos)):
                    continue
                if pos == end:
                    break
                if pos + 4 > end:
                    yield from stop(
                        f"input ends inside a record descriptor word ({end - pos} bytes left)"
                    )
                else:
                    yield from stop(
                        f"record length {self._hdr(mv, pos) - 4} runs past the end of the input"
                    )
                return
            yield from stop(
                "invalid record descriptor word (length below 4 after "
                "adjustment, or reserved bytes not zero)"
            )
            return
        if count:
            yield emit()
        if gap:
            tail.append(gap)

    # ----------------------------------------------------------------------------- writing
    header_length = 4

    def unfit(self, frame_lengths: np.ndarray) -> np.ndarray:
        """Records whose frame length no RDW of this convention can describe: beyond the
        2-byte length, beyond IBM's 32,760-byte frame (32,756 data bytes) for IBM RDWs
        (big-endian, counting themselves), or (VB) an all-zero RDW, which reads back as
        block padding."""
        stored = frame_lengths - self.adjustment
        limit = IBM_MAX_FRAME if (self.big and self.adjustment == 0) else 0xFFFF
        return (stored < 0) | (stored > limit) | (frame_lengths < self.min_frame)

    def rdws(self, frame_lengths: np.ndarray, *, check: bool = True) -> np.ndarray:
        """(n, 4) RDWs for the given frame lengths; a record no RDW can describe raises
        EncodeError naming it (``check=False``: its RDW is left zero for the caller)."""
        wrong = self.unfit(frame_lengths)
        if check and wrong.any():
            bad = int(np.flatnonzero(wrong)[0])
            raise EncodeError(self.unfit_message(int(frame_lengths[bad])), record=bad + 1)
        stored = np.where(wrong, 0, frame_lengths - self.adjustment)
        hi = (stored >> 8).astype(np.uint8)
        lo = (stored & 0xFF).astype(np.uint8)
        out = np.zeros((len(stored), 4), dtype=np.uint8)
        if self.big:
            out[:, 0], out[:, 1] = hi, lo
        elif self.little_style == "low":
            out[:, 0], out[:, 1] = lo, hi
        else:
            out[:, 2], out[:, 3] = lo, hi
        return out

    def unfit_message(self, frame_length: int) -> str:
        """Why a frame of this length cannot be written (no content, only lengths)."""
        if frame_length < self.min_frame:
            return f"a record of {frame_length - 4} data bytes cannot be framed in VB"
        most = (
            IBM_MAX_FRAME - 4
            if (self.big and self.adjustment == 0)
            else 0xFFFF + self.adjustment - 4
        )
        return (
            f"record length {frame_length - 4} does not fit an RDW "
            f"(at most {most} data bytes with this RDW convention)"
        )

    def canonical_frames(
        self,
        payloads: np.ndarray,
        lengths: np.ndarray,
        *,
        check: bool = True,
        frames: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """RDW + payload for each record. With ``frames`` (from ``frame_matrix``, whose
        payload view ``payloads`` is) only the RDWs are written: nothing is copied."""
        return word_frames(self, payloads, lengths, check=check, frames=frames)

    def _bdw_bytes(self, block_length: int) -> bytes:
        stored = block_length - self.bdw_adjustment
        if self.big:
            if stored > 0x7FFF:
                if stored > 0x7FFFFFFF:
                    raise EncodeError(f"block length {block_length} does not fit a BDW")
                return (stored | 0x80000000).to_bytes(4, "big")
            return stored.to_bytes(2, "big") + b"\0\0"
        if stored > 0xFFFF:
            raise EncodeError(f"block length {block_length} does not fit a little-endian BDW")
        if self.little_style == "low":
            return stored.to_bytes(2, "little") + b"\0\0"
        return b"\0\0" + stored.to_bytes(2, "little")

    def frame(
        self,
        payloads: np.ndarray,
        lengths: np.ndarray | None = None,
        gaps: list[tuple[int, bytes]] | None = None,
    ) -> bytes:
        """RDW + payload for each record. VB: with ``gaps`` (index -> bytes, index n meaning
        after the last record) the gaps are written verbatim and no BDW is added; without,
        records are blocked canonically up to ``block_size``."""
        lens = payload_lengths(payloads, lengths)
        n, width = payloads.shape
        flen = lens + 4
        mat = np.empty((n, width + 4), dtype=np.uint8)
        mat[:, :4] = self.rdws(flen)
        mat[:, 4:] = payloads
        flat = pack_rows(mat, flen)
        if gaps:
            ends = np.concatenate([[0], np.cumsum(flen)])
            pieces: list[bytes | memoryview] = []
            mvf = flat.data
            prev = 0
            for i, g in sorted(gaps, key=lambda x: x[0]):
                if not 0 <= i <= n:
                    raise ValueError(f"gap index {i} outside 0..{n}")
                cut = int(ends[i])
                pieces.append(mvf[prev:cut])
                pieces.append(g)
                prev = cut
            pieces.append(mvf[prev:])
            return b"".join(pieces)
        if not self.blocked or n == 0:
            return flat.tobytes()
        cap = self.block_size - 4
        if int(flen.max()) > cap:
            bad = int(np.flatnonzero(flen > cap)[0])
            raise EncodeError(
                f"record of {int(lens[bad])} bytes does not fit a block of {self.block_size} bytes",
                record=bad + 1,
            )
        cum = np.concatenate([[0], np.cumsum(flen)])
        out: list[bytes | memoryview] = []
        mvf = flat.data
        i = 0
        while i < n:
            j = int(np.searchsorted(cum, cum[i] + cap, side="right")) - 1
            size = int(cum[j] - cum[i])
            out.append(self._bdw_bytes(size + 4))
            out.append(mvf[int(cum[i]) : int(cum[j])])
            i = j
        return b"".join(out)
