"""An independent reference for RECFM=VBS files (IBM variable blocked spanned), written from
the IBM description and not from legacyio's framer: a block is a BDW (2-byte big-endian
length counting itself, two zero bytes) and segments; a segment is an SDW (2-byte length
counting itself, a control byte 0 complete / 1 first / 2 last / 3 middle, a zero byte) and its
data. Used by the framing and CLI tests to build files byte by byte and to decode them."""

from __future__ import annotations

import itertools

COMPLETE, FIRST, LAST, MIDDLE = 0, 1, 2, 3

Segment = tuple[int, bytes]
"""(control code, data)"""


def seg(control: int, data: bytes) -> bytes:
    """One segment: its SDW and its data."""
    return bytes([(len(data) + 4) >> 8, (len(data) + 4) & 0xFF, control, 0]) + data


def block(*segments: Segment, padding: int = 0) -> bytes:
    """One block: a BDW and the segments (``padding`` zero bytes after them, counted)."""
    body = b"".join(seg(c, d) for c, d in segments) + bytes(padding)
    size = len(body) + 4
    return bytes([size >> 8, size & 0xFF, 0, 0]) + body


def vbs_file(blocks: list[list[Segment]]) -> bytes:
    """A file from a list of blocks, each a list of segments."""
    return b"".join(block(*b) for b in blocks)


def split_record(data: bytes, cuts: list[int]) -> list[Segment]:
    """The segments of one record cut at the given data offsets (no cut: one complete
    segment)."""
    if not cuts:
        return [(COMPLETE, data)]
    edges = [0, *cuts, len(data)]
    parts = [data[a:b] for a, b in itertools.pairwise(edges)]
    out: list[Segment] = [(FIRST, parts[0])]
    out += [(MIDDLE, p) for p in parts[1:-1]]
    out.append((LAST, parts[-1]))
    return out


def ibm_blocks(records: list[bytes], block_size: int) -> list[list[Segment]]:
    """Records placed the way a filling writer does: each block holds segments up to
    ``block_size`` bytes (BDW included); a record that does not fit in the room left starts
    there when its SDW and at least one data byte fit, and continues in the next blocks."""
    blocks: list[list[Segment]] = []
    current: list[Segment] = []
    room = block_size - 4
    limit = 32756  # largest segment, SDW included

    for rec in records:
        free = min(room, limit)
        if len(rec) + 4 <= free:
            current.append((COMPLETE, rec))
            room -= len(rec) + 4
            continue
        if free < 5:
            blocks.append(current)
            current, room = [], block_size - 4
            free = min(room, limit)
            if len(rec) + 4 <= free:
                current.append((COMPLETE, rec))
                room -= len(rec) + 4
                continue
        rest = rec
        first = True
        while rest:
            free = min(room, limit)
            if free < 5:
                blocks.append(current)
                current, room = [], block_size - 4
                continue
            piece, rest = rest[: free - 4], rest[free - 4 :]
            code = FIRST if first else (LAST if not rest else MIDDLE)
            current.append((code, piece))
            room -= len(piece) + 4
            first = False
    if current:
        blocks.append(current)
    return blocks


def decode(data: bytes) -> list[bytes]:
    """The logical records of a well-formed VBS file (AssertionError on anything else)."""
    records: list[bytes] = []
    partial: bytearray | None = None
    pos = 0
    while pos < len(data):
        size = data[pos] << 8 | data[pos + 1]
        assert data[pos + 2 : pos + 4] == b"\0\0" and size >= 4, f"bad BDW at {pos}"
        end = pos + size
        assert end <= len(data)
        pos += 4
        while pos < end:
            length = data[pos] << 8 | data[pos + 1]
            code = data[pos + 2]
            assert data[pos + 3] == 0 and code <= 3 and 4 <= length <= end - pos
            body = data[pos + 4 : pos + length]
            if code == COMPLETE:
                assert partial is None
                records.append(body)
            elif code == FIRST:
                assert partial is None
                partial = bytearray(body)
            else:
                assert partial is not None
                partial += body
                if code == LAST:
                    records.append(bytes(partial))
                    partial = None
            pos += length
    assert partial is None, "a spanned record has no last segment"
    return records
