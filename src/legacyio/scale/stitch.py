"""One Parquet file from Parquet parts, without decoding or re-encoding a value.

``convert --workers N`` into one Parquet file used to have the workers write Arrow IPC and the
parent write the Parquet file from it: Parquet encoding and compression, as costly as decoding,
then ran on one process and capped the speed-up near 1x. Now every worker writes a Parquet part
with the output's own settings and the parent only stitches: it copies each part's column
chunks byte for byte and writes one footer that lists all row groups, their offsets moved by
where the part landed. The footer is Thrift compact protocol; this module reads it into a
generic tree of ``(field id, type, value)`` and writes it back, touching only row counts,
offsets and row-group ordinals, so every other footer field survives as written.

Parts must share their schema; a part with a page index (absolute offsets inside the data
area, which would need rewriting too) is refused: the workers write none.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import Any, BinaryIO

from legacyio.errors import OptionsError

MAGIC = b"PAR1"

# Thrift compact protocol types
_TRUE, _FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY = 1, 2, 3, 4, 5, 6, 7, 8
_LIST, _SET, _MAP, _STRUCT = 9, 10, 11, 12

Struct = list[list[Any]]  # [[field id, type, value], ...]


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        b = self.data[self.pos]
        self.pos += 1
        return b

    def varint(self) -> int:
        shift = out = 0
        while True:
            b = self.byte()
            out |= (b & 0x7F) << shift
            if not b & 0x80:
                return out
            shift += 7

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, t: int) -> Any:
        if t in (_TRUE, _FALSE):  # only inside lists: one byte
            return self.byte()
        if t == _BYTE:
            return self.byte()
        if t in (_I16, _I32, _I64):
            return self.zigzag()
        if t == _DOUBLE:
            v = self.data[self.pos : self.pos + 8]
            self.pos += 8
            return v
        if t == _BINARY:
            n = self.varint()
            v = self.data[self.pos : self.pos + n]
            self.pos += n
            return v
        if t in (_LIST, _SET):
            h = self.byte()
            n, et = h >> 4, h & 0x0F
            if n == 15:
                n = self.varint()
            return (et, [self.value(et) for _ in range(n)])
        if t == _MAP:
            n = self.varint()
            if not n:
                return (0, 0, [])
            kv = self.byte()
            kt, vt = kv >> 4, kv & 0x0F
            return (kt, vt, [(self.value(kt), self.value(vt)) for _ in range(n)])
        if t == _STRUCT:
            return self.struct()
        raise OptionsError(f"Parquet footer: unknown Thrift type {t} at byte {self.pos}")

    def struct(self) -> Struct:
        fields: Struct = []
        last = 0
        while True:
            h = self.byte()
            if h == 0:
                return fields
            delta, t = h >> 4, h & 0x0F
            fid = last + delta if delta else self.zigzag()
            last = fid
            if t in (_TRUE, _FALSE):
                fields.append([fid, t, t == _TRUE])
            else:
                fields.append([fid, t, self.value(t)])


class _Writer:
    def __init__(self) -> None:
        self.out = bytearray()

    def varint(self, n: int) -> None:
        while True:
            b = n & 0x7F
            n >>= 7
            if n:
                self.out.append(b | 0x80)
            else:
                self.out.append(b)
                return

    def zigzag(self, n: int) -> None:
        self.varint((n << 1) ^ (n >> 63))

    def value(self, t: int, v: Any) -> None:
        if t in (_TRUE, _FALSE, _BYTE):
            self.out.append(v & 0xFF)
        elif t in (_I16, _I32, _I64):
            self.zigzag(v)
        elif t == _DOUBLE:
            self.out += v
        elif t == _BINARY:
            self.varint(len(v))
            self.out += v
        elif t in (_LIST, _SET):
            et, items = v
            if len(items) < 15:
                self.out.append(len(items) << 4 | et)
            else:
                self.out.append(0xF0 | et)
                self.varint(len(items))
            for item in items:
                self.value(et, item)
        elif t == _MAP:
            kt, vt, items = v
            self.varint(len(items))
            if items:
                self.out.append(kt << 4 | vt)
                for k, x in items:
                    self.value(kt, k)
                    self.value(vt, x)
        elif t == _STRUCT:
            self.struct(v)
        else:  # pragma: no cover - the reader refuses unknown types
            raise OptionsError(f"Parquet footer: unknown Thrift type {t}")

    def struct(self, fields: Struct) -> None:
        last = 0
        for fid, t, v in fields:
            if t in (_TRUE, _FALSE):
                t = _TRUE if v else _FALSE
            delta = fid - last
            if 0 < delta <= 15:
                self.out.append(delta << 4 | t)
            else:
                self.out.append(t)
                self.zigzag(fid)
            last = fid
            if t not in (_TRUE, _FALSE):
                self.value(t, v)
        self.out.append(0)


def _get(s: Struct, fid: int) -> Any:
    for f in s:
        if f[0] == fid:
            return f[2]
    return None


def _shift(s: Struct, fids: Iterable[int], by: int) -> None:
    wanted = set(fids)
    for f in s:
        if f[0] in wanted:
            f[2] += by


def _set(s: Struct, fid: int, t: int, v: Any) -> None:
    for f in s:
        if f[0] == fid:
            f[2] = v
            return
    s.append([fid, t, v])
    s.sort(key=lambda f: f[0])


# FileMetaData: 2 schema, 3 num_rows, 4 row_groups, 5 key_value_metadata
# RowGroup: 1 columns, 3 num_rows, 5 file_offset, 7 ordinal
# ColumnChunk: 2 file_offset, 3 meta_data, 4 offset_index_offset, 6 column_index_offset
# ColumnMetaData: 9 data_page_offset, 10 index_page_offset, 11 dictionary_page_offset,
#                 14 bloom_filter_offset
def read_footer(f: BinaryIO, size: int, name: str) -> tuple[Struct, int]:
    """The FileMetaData of a Parquet file as a tree, and where the footer starts."""
    if size < 12:
        raise OptionsError(f"{name}: not a Parquet file (too short)")
    f.seek(size - 8)
    tail = f.read(8)
    if tail[4:] != MAGIC:
        raise OptionsError(f"{name}: not a Parquet file (no PAR1 at its end)")
    n = struct.unpack("<I", tail[:4])[0]
    start = size - 8 - n
    if start < 4:
        raise OptionsError(f"{name}: Parquet footer longer than the file")
    f.seek(start)
    return _Reader(f.read(n)).struct(), start


def encode_footer(md: Struct) -> bytes:
    w = _Writer()
    w.struct(md)
    return bytes(w.out)


class ParquetStitcher:
    """Appends Parquet parts, in order, to one Parquet file written to ``sink`` (anything with
    ``write``); ``close()`` writes the merged footer. Data pages are copied, never decoded."""

    def __init__(self, sink: Any, name: str = "<output>") -> None:
        self.sink = sink
        self.name = name
        self.pos = 0
        self.meta: Struct | None = None
        self.schema_bytes: bytes | None = None
        self.row_groups: list[Struct] = []
        self.rows = 0
        self.kv: list[tuple[bytes, bytes]] = []
        self._write(MAGIC)

    def _write(self, b: bytes) -> None:
        self.sink.write(b)
        self.pos += len(b)

    def add(self, path: str, chunk: int = 8 << 20) -> None:
        """Copy the data area of the part at ``path`` and note its row groups."""
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            md, footer_start = read_footer(f, size, path)
            schema = encode_footer([f for f in md if f[0] == 2])
            if self.schema_bytes is None:
                self.meta, self.schema_bytes = md, schema
            elif schema != self.schema_bytes:
                raise OptionsError(f"{path}: Parquet part with another schema than the first")
            shift = self.pos - 4
            groups: list[Struct] = (_get(md, 4) or (_STRUCT, []))[1]
            for rg in groups:
                _shift(rg, (5,), shift)
                for cc in _get(rg, 1)[1]:
                    if _get(cc, 4) is not None or _get(cc, 6) is not None:
                        raise OptionsError(f"{path}: a Parquet part with a page index")
                    _shift(cc, (2,), shift)
                    cmd = _get(cc, 3)
                    if cmd is not None:
                        _shift(cmd, (9, 10, 11, 14), shift)
                if len(self.row_groups) < 1 << 15:
                    _set(rg, 7, _I16, len(self.row_groups))  # ordinal: its place in the file
                else:  # an i16 cannot say it: leave it out (it is optional)
                    rg[:] = [f for f in rg if f[0] != 7]
                self.row_groups.append(rg)
                self.rows += _get(rg, 3) or 0
            kv = _get(md, 5)
            if kv is not None:
                have = {k for k, _ in self.kv}
                for entry in kv[1]:
                    key, value = _get(entry, 1), _get(entry, 2)
                    if key not in have:
                        self.kv.append((key, value))
                        have.add(key)
            f.seek(4)
            left = footer_start - 4
            while left > 0:
                b = f.read(min(chunk, left))
                if not b:  # pragma: no cover - the file shrank under us
                    raise OptionsError(f"{path}: Parquet part shorter than its footer says")
                self._write(b)
                left -= len(b)

    def close(self) -> int:
        """Write the footer; returns the number of rows."""
        if self.meta is None:
            raise OptionsError(f"{self.name}: no Parquet part to stitch")
        md = [list(f) for f in self.meta]
        _set(md, 3, _I64, self.rows)
        _set(md, 4, _LIST, (_STRUCT, self.row_groups))
        if self.kv:
            entries = [
                [[1, _BINARY, k]] + ([[2, _BINARY, v]] if v is not None else []) for k, v in self.kv
            ]
            _set(md, 5, _LIST, (_STRUCT, entries))
        footer = encode_footer(md)
        self._write(footer)
        self._write(struct.pack("<I", len(footer)) + MAGIC)
        return self.rows


__all__ = ["ParquetStitcher", "encode_footer", "read_footer"]
