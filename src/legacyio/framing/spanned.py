"""Variable blocked spanned records (RECFM=VBS), both directions.

Each block starts with a BDW (as in VB). Each segment in a block starts with a 4-byte segment
descriptor word: a 2-byte big-endian length that counts the SDW, a segment control byte whose
two low bits say where the segment lies in its logical record (0 complete, 1 first, 2 last,
3 middle; the other bits are reserved and zero) and a reserved zero byte. A logical record is
one complete segment, or a first segment, any number of middle ones and a last one; the
segments of one record may lie in successive blocks.

Reading: a record in one complete segment is framed like a VB record (its SDW has the shape
of an RDW), so it needs no residue when it is canonical. A record in several segments gets a
frame that is the raw bytes from its first SDW to the end of its last segment (the BDWs in
between included) and its payload assembled after the input bytes of the batch: its frame
differs from the canonical one-segment frame, so the reader keeps it in the residue and the
file is written back byte for byte, however it was segmented and blocked. BDWs and block
padding before a record are gaps, as in VB.

Writing canonically (no residue): records fill blocks of at most ``block_size`` bytes; a
record that does not fit in the room left in a block starts there (when at least one data
byte fits after its SDW) and continues in the next blocks.

Malformed spanning (a middle or last segment without a first, a first without a last, a bad
control byte, a segment longer than its block) is reported with the record number and byte
offset; in lenient mode the bytes concerned are kept as gap bytes (in the residue of the next
record) so that nothing is lost.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

import attrs
import numpy as np

from legacyio.errors import EncodeError, OptionsError
from legacyio.framing.base import (
    DEFAULT_CHUNK,
    FramerBase,
    Pump,
    RecordBlock,
    make_block,
    pack_rows,
    payload_lengths,
)
from legacyio.framing.rdw import RdwFramer, word_frames
from legacyio.sources import SourceStream

COMPLETE, FIRST, LAST, MIDDLE = 0, 1, 2, 3
_SDW = struct.Struct(">HBB")
SEGMENT_NAMES = {COMPLETE: "complete", FIRST: "first", LAST: "last", MIDDLE: "middle"}

IBM_MAX_SEGMENT = 32756
"""Largest segment IBM allows (SDW included)."""


def sdw(length: int, control: int) -> bytes:
    """The SDW of a segment of ``length`` data bytes."""
    return (length + 4).to_bytes(2, "big") + bytes((control, 0))


@attrs.frozen
class FlatResidue:
    """A residue whose record is spanned, rewritten with the record as one complete segment
    (``data``) so that the residue merger can place edits; ``restore`` puts the original
    segmenting back."""

    original: bytes
    data: bytes
    frame: int
    end: int
    segments: tuple[tuple[int, int], ...]
    """(start, length) of each segment's data inside ``original``."""

    def restore(self, merged: bytes) -> bytes | None:
        """The bytes to write for ``merged`` (``data`` with edits): the original segments and
        BDWs around the edited payload; None when the edit changed the record's length (its
        segments and the blocks around them cannot hold it)."""
        if merged == self.data:
            return self.original
        prefix = self.original[: self.frame]
        suffix = self.original[self.end :]
        if not (merged.startswith(prefix) and merged.endswith(suffix)):
            return None
        body = merged[len(prefix) : len(merged) - len(suffix)]
        old_len = sum(n for _, n in self.segments)
        if len(body) != old_len + 4 or body[:4] != sdw(old_len, COMPLETE):
            return None
        out = bytearray(self.original)
        at = 4
        for s, n in self.segments:
            out[s : s + n] = body[at : at + n]
            at += n
        return bytes(out)


class SpannedFramer(FramerBase):
    """RECFM=VBS framing, both directions."""

    header_length = 4

    def __init__(self, *, bdw_adjustment: int = 0, block_size: int = 32760, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.bdw_adjustment = int(bdw_adjustment)
        self.block_size = int(block_size)
        # runs of complete segments are framed as VB records (IBM RDWs, big-endian, counting
        # themselves, an all-zero word being padding): the same kernels, native when active
        self._complete_run = RdwFramer(blocked=True)._run
        if self.block_size < 9:
            raise OptionsError("a VBS block needs room for its BDW, an SDW and one data byte")

    # ----------------------------------------------------------------------------- reading
    def _bdw(self, mv: memoryview, pos: int) -> int:
        """Block length of the BDW at ``pos`` (-1 if invalid)."""
        b0, b1, b2, b3 = mv[pos], mv[pos + 1], mv[pos + 2], mv[pos + 3]
        if b0 & 0x80:
            f = (b0 & 0x7F) << 24 | b1 << 16 | b2 << 8 | b3
        elif b2 or b3:
            return -1
        else:
            f = b0 << 8 | b1
        f += self.bdw_adjustment
        return f if f >= 4 else -1

    def _hdr(self, mv: memoryview, pos: int) -> int:
        """Frame length of a complete segment at ``pos`` (-1 if it is not one)."""
        if mv[pos + 2] or mv[pos + 3]:
            return -1
        f = mv[pos] << 8 | mv[pos + 1]
        return f if f >= 4 else -1

    def _scan(
        self, stream: SourceStream, offset: int, batch_size: int, tail: list[bytes]
    ) -> Iterator[RecordBlock]:
        pump = Pump(stream, offset, self.chunk_size or DEFAULT_CHUNK)
        record = 1  # number of the first record of the batch being built
        count = 0  # records in the batch being built
        pos = 0
        block_end: int | None = None
        gap = b""
        gaps: list[tuple[int, bytes]] = []
        fs: list = []  # frame starts and lengths, as lists or arrays (concatenated at emit)
        fl: list = []
        spans: dict[int, list[tuple[int, int]]] = {}  # spanned records: data of each segment
        rec_start = -1  # frame start of the spanned record being assembled (-1: none)
        rec_segs: list[tuple[int, int]] = []
        unpack = _SDW.unpack_from
        run = self._complete_run

        def emit() -> RecordBlock:
            nonlocal record, count, pos, block_end, gaps, fs, fl, spans
            base = pump.buf[:pos]
            frame_starts = np.concatenate([np.asarray(x, dtype=np.int64) for x in fs])
            frame_lengths = np.concatenate([np.asarray(x, dtype=np.int64) for x in fl])
            starts = frame_starts + 4
            lengths = frame_lengths - 4
            offsets = None
            if spans:
                # spanned payloads assembled after the input bytes of the batch
                extra = [base]
                at = pos
                for i, segs in spans.items():
                    starts[i] = segs[0][0]
                    lengths[i] = sum(k for _, k in segs)
                offsets = pump.offset + starts
                for i, segs in spans.items():
                    starts[i] = at
                    for s, k in segs:
                        extra.append(pump.buf[s : s + k])
                    at += int(lengths[i])
                buf = np.concatenate(extra)
            else:
                buf = base
            block = make_block(
                buf, pump.offset, frame_starts, frame_lengths, starts, lengths, gaps, record
            )
            if offsets is not None:
                block = attrs.evolve(block, payload_offsets=offsets)
            pump.consume(pos)
            if block_end is not None:
                block_end -= pos
            record += count
            count = pos = 0
            gaps, fs, fl, spans = [], [], [], {}
            return block

        def add(frame: int, end: int, segs: list[tuple[int, int]] | None) -> None:
            nonlocal gap, count
            if gap:
                gaps.append((count, gap))
                gap = b""
            fs.append([frame])
            fl.append([end - frame])
            if segs is not None:
                spans[count] = segs
            count += 1

        def drop_partial(upto: int) -> None:
            """The partial record's bytes become gap bytes (lenient)."""
            nonlocal gap, rec_start, rec_segs
            gap += pump.buf[rec_start:upto].tobytes()
            rec_start, rec_segs = -1, []

        def stop(message: str, at: int) -> Iterator[RecordBlock]:
            """Error, or (lenient) report and keep the rest of the input as trailer."""
            nonlocal gap, rec_start
            self._problem(message, record + count, pump.offset + at)
            if rec_start >= 0:
                gap += pump.buf[rec_start:pos].tobytes()
                rec_start = -1
            if count:
                yield emit()
            while pump.more():
                pass
            tail.append(gap + pump.buf[pos:].tobytes())

        while True:
            if count >= batch_size and rec_start < 0:
                yield emit()
                continue
            buf = pump.buf
            end = len(buf)
            mv = buf.data
            if block_end is None:
                if pos + 4 > end:
                    if pump.more(pos + 4 - end):
                        continue
                    if pos < end:
                        yield from stop(
                            f"input ends inside a block descriptor word ({end - pos} bytes left)",
                            pos,
                        )
                        return
                    break
                bl = self._bdw(mv, pos)
                if bl < 0:
                    yield from stop("invalid block descriptor word", pos)
                    return
                if pos + bl > end:
                    if pump.more(pos + bl - end):
                        continue
                    yield from stop(f"block length {bl} runs past the end of the input", pos)
                    return
                if rec_start < 0:
                    gap += buf[pos : pos + 4].tobytes()
                block_end = pos + bl
                pos += 4
                continue
            if rec_start < 0:
                # complete segments one after another (an SDW with control 0 has the shape
                # of an RDW): framed by the VB run kernel
                before = len(fs)
                pos, n, _ = run(buf, mv, pos, block_end, batch_size - count, fs, fl)
                if n:
                    if gap:
                        gaps.append((count, gap))
                        gap = b""
                    count += n
                elif len(fs) > before:
                    del fs[before:], fl[before:]
                if count >= batch_size:
                    continue
            if pos == block_end:
                block_end = None
                continue
            if block_end - pos < 4 or not any(mv[pos : pos + 4]):
                # block padding: a gap, or (inside a spanned record) part of its frame
                if rec_start < 0:
                    gap += buf[pos:block_end].tobytes()
                pos = block_end
                block_end = None
                continue
            length, control, reserved = unpack(mv, pos)
            if length < 4 or pos + length > block_end:
                what = "below 4" if length < 4 else f"beyond its block ({block_end - pos} left)"
                yield from stop(f"segment length {length} {what}", pos)
                return
            seg_end = pos + length
            if control > 3 or reserved:
                self._problem(
                    f"invalid segment descriptor word (control byte {control:#04x}, "
                    f"reserved byte {reserved:#04x})",
                    record + count,
                    pump.offset + pos,
                )
                if rec_start >= 0:
                    drop_partial(pos)
                gap += buf[pos:seg_end].tobytes()
                pos = seg_end
                continue
            if rec_start >= 0 and control in (COMPLETE, FIRST):
                self._problem(
                    f"spanned record starting at offset {pump.offset + rec_start} has no last "
                    f"segment (a {SEGMENT_NAMES[control]} segment follows)",
                    record + count,
                    pump.offset + pos,
                )
                drop_partial(pos)
            if rec_start < 0 and control in (LAST, MIDDLE):
                self._problem(
                    f"{SEGMENT_NAMES[control]} segment without a first segment",
                    record + count,
                    pump.offset + pos,
                )
                gap += buf[pos:seg_end].tobytes()
                pos = seg_end
                continue
            data = (pos + 4, length - 4)
            if control == COMPLETE:
                add(pos, seg_end, None)
            elif control == FIRST:
                rec_start, rec_segs = pos, [data]
            else:
                rec_segs.append(data)
                if control == LAST:
                    add(rec_start, seg_end, rec_segs)
                    rec_start, rec_segs = -1, []
            pos = seg_end
        if rec_start >= 0:
            self._problem(
                f"input ends inside a spanned record (its first segment at offset "
                f"{pump.offset + rec_start} has no last segment)",
                record + count,
                pump.offset + rec_start,
            )
            gap += pump.buf[rec_start:pos].tobytes()
        if count:
            yield emit()
        if gap:
            tail.append(gap)

    # ----------------------------------------------------------------------------- writing
    def unfit(self, frame_lengths: np.ndarray) -> np.ndarray:
        """Records that cannot be written as one complete segment (per record, as a residue
        write does): longer than a block's room or IBM's largest segment."""
        limit = min(self.block_size - 4, IBM_MAX_SEGMENT)
        return (frame_lengths > limit) | (frame_lengths < 4)

    def unfit_message(self, frame_length: int) -> str:
        """Why a record cannot be written as one complete segment (lengths only)."""
        most = min(self.block_size - 4, IBM_MAX_SEGMENT) - 4
        return (
            f"record length {frame_length - 4} does not fit one VBS segment (at most {most} "
            "data bytes); written with a residue, a record is one complete segment: set its "
            "_legacyio_residue to null to have it spanned over blocks"
        )

    def rdws(self, frame_lengths: np.ndarray, *, check: bool = True) -> np.ndarray:
        """(n, 4) complete-segment SDWs for the given frame lengths (unfit ones left zero,
        or with ``check`` an EncodeError naming the record)."""
        wrong = self.unfit(frame_lengths)
        if check and wrong.any():
            bad = int(np.flatnonzero(wrong)[0])
            raise EncodeError(self.unfit_message(int(frame_lengths[bad])), record=bad + 1)
        stored = np.where(wrong, 0, frame_lengths)
        out = np.zeros((len(stored), 4), dtype=np.uint8)
        out[:, 0] = (stored >> 8).astype(np.uint8)
        out[:, 1] = (stored & 0xFF).astype(np.uint8)
        return out

    def canonical_frames(
        self,
        payloads: np.ndarray,
        lengths: np.ndarray,
        *,
        check: bool = True,
        frames: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Each record as one complete segment (SDW + payload): the per-record frame a
        residue write uses; spanned records differ from it and keep their raw bytes."""
        return word_frames(self, payloads, lengths, check=check, frames=frames)

    def _bdw_bytes(self, block_length: int) -> bytes:
        stored = block_length - self.bdw_adjustment
        if stored > 0x7FFF:
            if stored > 0x7FFFFFFF:
                raise EncodeError(f"block length {block_length} does not fit a BDW")
            return (stored | 0x80000000).to_bytes(4, "big")
        return stored.to_bytes(2, "big") + b"\0\0"

    def frame(
        self,
        payloads: np.ndarray,
        lengths: np.ndarray | None = None,
        gaps: list[tuple[int, bytes]] | None = None,
    ) -> bytes:
        """Records blocked canonically: blocks of at most ``block_size`` bytes filled with
        segments; a record longer than the room left in a block is spanned over the next
        ones. With ``gaps`` the records are written as complete segments with the gap bytes
        (BDWs) verbatim."""
        lens = payload_lengths(payloads, lengths)
        n = len(lens)
        if gaps:
            gmap = dict(gaps)
            pieces = []
            flen = lens + 4
            rd = self.rdws(flen)
            for i in range(n):
                pieces.append(gmap.get(i, b""))
                pieces.append(rd[i].tobytes() + payloads[i, : int(lens[i])].tobytes())
            pieces.append(gmap.get(n, b""))
            return b"".join(pieces)
        cap = min(self.block_size - 4, 0x7FFFFFFF)  # room for segments in a block
        seg_max = IBM_MAX_SEGMENT
        # the layout first, as arithmetic: each descriptor word (BDW or SDW) as a 32-bit
        # big-endian value and the offset in the concatenated payloads it goes before
        at_list: list[int] = []
        words: list[int] = []
        at, add_at, add_word = 0, at_list.append, words.append
        used = 0
        bdw = -1  # index of the open block's BDW (its length is known when it closes)

        def close() -> None:
            nonlocal used, bdw
            if bdw >= 0:
                words[bdw] = int.from_bytes(self._bdw_bytes(used + 4), "big")
            used, bdw = 0, -1

        for k in lens.tolist():
            free = min(cap - used, seg_max)
            if k + 4 > free and free < 5:
                close()
                free = min(cap, seg_max)
            if k + 4 <= free:
                if bdw < 0:
                    bdw = len(words)
                    add_at(at)
                    add_word(0)
                add_at(at)
                add_word((k + 4) << 16)
                used += k + 4
                at += k
                continue
            done = 0
            control = FIRST
            while True:
                room = min(cap - used, seg_max) - 4
                if room < 1:
                    close()
                    continue
                if bdw < 0:
                    bdw = len(words)
                    add_at(at)
                    add_word(0)
                take = min(room, k - done)
                last = done + take == k
                add_at(at)
                add_word((take + 4) << 16 | (LAST if last else control) << 8)
                used += take + 4
                at += take
                done += take
                if last:
                    break
                control = MIDDLE
        close()
        flat = pack_rows(np.ascontiguousarray(payloads), lens)
        if not words:
            return b""
        heads = np.array(words, dtype=">u4").view(np.uint8)
        where = np.repeat(np.array(at_list, dtype=np.int64), 4)
        return np.insert(flat, where, heads).tobytes()

    # ----------------------------------------------------------------------- residues
    def flatten_residue(self, data: bytes) -> FlatResidue | None:
        """The spanned record at the end of a residue (gap bytes may precede it, trailer
        bytes follow it), or None when the residue holds no spanned record."""
        n = len(data)
        mv = memoryview(data)
        found: FlatResidue | None = None
        for s in range(n - 3):
            if mv[s + 2] != FIRST or mv[s + 3]:
                continue
            chain = self._chain(mv, s, n)
            if chain is None:
                continue
            end, segs = chain
            if found is None or end == n:
                found = self._flat(data, s, end, segs)
                if end == n:
                    break
        return found

    def _chain(
        self, mv: memoryview, s: int, n: int
    ) -> tuple[int, tuple[tuple[int, int], ...]] | None:
        """Follow a spanned record from its first SDW at ``s``: its end and segments."""
        length = mv[s] << 8 | mv[s + 1]
        if length < 5 or s + length > n:
            return None
        segs = [(s + 4, length - 4)]
        pos = s + length
        while True:
            for skip in (0, 4):  # a segment, or a BDW and then a segment
                p = pos + skip
                if p + 4 > n or mv[p + 3] or mv[p + 2] not in (LAST, MIDDLE):
                    continue
                if skip and self._bdw(mv, pos) < 8:
                    continue
                length = mv[p] << 8 | mv[p + 1]
                if length < 4 or p + length > n:
                    continue
                segs.append((p + 4, length - 4))
                pos = p + length
                if mv[p + 2] == LAST:
                    return pos, tuple(segs)
                break
            else:
                return None

    def _flat(
        self, data: bytes, s: int, end: int, segs: tuple[tuple[int, int], ...]
    ) -> FlatResidue:
        payload = b"".join(data[a : a + k] for a, k in segs)
        flat = data[:s] + sdw(len(payload), COMPLETE) + payload + data[end:]
        return FlatResidue(data, flat, s, end, segs)
