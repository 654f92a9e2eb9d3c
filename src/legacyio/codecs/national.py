"""National text (PIC N, USAGE NATIONAL: UTF-16BE, two bytes a character) <-> Arrow strings.

Decoding is vectorized: code units -> code points (surrogate pairs joined) -> 1-4 UTF-8 bytes
scattered into one buffer. Fields with a lone or reversed surrogate are invalid (null). Trim
policies strip U+0020 code units. ``DbcsCodec`` (PIC G / DISPLAY-1) reuses the same UTF-16BE
reading: real DBCS code pages (cp300, cp930, cp939, ...) and X'4040' DBCS spaces are not
supported yet, so EBCDIC DBCS data decodes to the code points its byte pairs spell in UTF-16.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.codecs.buffers import as_string_array
from legacyio.codecs.text import (
    check_trim,
    scatter_rows,
    string_array,
    string_parts,
)
from legacyio.errors import CopybookError
from legacyio.layout.model import Item
from legacyio.options import FileFormat

_SPACE = 0x0020


def _utf8_expand(cps: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """UTF-8 bytes of a flat run of code points with known byte lengths (0 = skip)."""
    lens = lens.astype(np.int64)
    pos = np.zeros(cps.size, np.int64)
    np.cumsum(lens[:-1], out=pos[1:])
    out = np.empty(int(lens.sum()), np.uint8)
    cps = cps.astype(np.int64)
    for L, lead in ((1, 0x00), (2, 0xC0), (3, 0xE0), (4, 0xF0)):
        m = lens == L
        if not m.any():
            continue
        c, p = cps[m], pos[m]
        out[p] = lead | (c >> (6 * (L - 1)))
        for k in range(1, L):
            out[p + k] = 0x80 | ((c >> (6 * (L - 1 - k))) & 0x3F)
    return out


class NationalCodec:
    """PIC N / USAGE NATIONAL: UTF-16BE code units <-> pa.string (width = 2 * characters)."""

    failure_reason = "the text needs more UTF-16 code units than the field holds"

    def __init__(self, item: Item, fmt: FileFormat, *, trim: str = "right") -> None:
        self.item = item
        self.width = item.size
        if self.width % 2:
            raise CopybookError(f"national field {item.dotted} has an odd byte size")
        self.units = self.width // 2
        self.arrow_type = pa.string()
        self.trim = check_trim(trim)
        self.justified = bool(item.justified)

    def fill(self, kind: str) -> bytes:
        """Bytes for a null written as 'spaces', 'low-values' or 'zero' (an empty string)."""
        if kind in ("spaces", "zero"):
            return b"\x00\x20" * self.units
        if kind == "low-values":
            return b"\x00" * self.width
        raise ValueError(f"unknown fill kind {kind!r}")

    # ---------------------------------------------------------------- decode
    def decode(self, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None]:
        """Decode (n, width) UTF-16BE bytes to pa.string; invalid surrogates -> null."""
        mat = np.ascontiguousarray(mat, dtype=np.uint8)
        n = mat.shape[0]
        if n == 0 or self.units == 0:
            return pa.array([""] * n, pa.string()), None
        u = mat.view(">u2").astype(np.uint16)
        hi = (u >= 0xD800) & (u <= 0xDBFF)
        lo = (u >= 0xDC00) & (u <= 0xDFFF)
        invalid = None
        if hi.any() or lo.any():
            after_hi = np.zeros_like(hi)
            after_hi[:, 1:] = hi[:, :-1]
            bad = (lo != after_hi).any(axis=1) | hi[:, -1]
            if bad.any():
                invalid = bad
        if invalid is not None:
            u[invalid] = _SPACE  # null rows: trimmed to nothing
        t = np.where(u < 0x80, u, 0x80).astype(np.uint8)  # non-ASCII units: a 0x80 marker
        arr = pa.Array.from_buffers(
            pa.string(),
            n,
            [
                None,
                pa.py_buffer(np.arange(0, n * self.units + 1, self.units, dtype=np.int32)),
                pa.py_buffer(t),
            ],
        )
        lstart = np.zeros(n, np.int64)
        if self.trim in ("left", "both"):
            arr = pc.ascii_ltrim(arr, characters=" ")
            lstart = self.units - np.diff(string_parts(arr)[1])
        if self.trim in ("right", "both"):
            arr = pc.ascii_rtrim(arr, characters=" ")
        _, offsets, data = string_parts(arr)
        lengths = np.diff(offsets)
        na = np.flatnonzero(data >= 0x80)
        if na.size:
            row = np.searchsorted(offsets, na, side="right") - 1
            col = lstart[row] + (na - offsets[row])
            unit = u[row, col].astype(np.int64)
            nxt = u[row, np.minimum(col + 1, self.units - 1)].astype(np.int64)
            is_hi = (unit >= 0xD800) & (unit <= 0xDBFF)
            is_lo = (unit >= 0xDC00) & (unit <= 0xDFFF)
            cp = np.where(is_hi, 0x10000 + ((unit - 0xD800) << 10) + (nxt - 0xDC00), unit)
            lens = np.where(is_lo, 0, 2 + (cp >= 0x800) + (cp >= 0x10000))
            seq = _utf8_expand(cp, lens)
            base = np.delete(data, na)
            data = np.insert(base, np.repeat(na - np.arange(na.size), lens), seq)
            lengths = lengths + np.bincount(row, weights=lens - 1, minlength=n).astype(np.int64)
        return string_array(data, lengths, invalid), invalid

    # ---------------------------------------------------------------- encode
    def encode(
        self, values: pa.Array, *, truncate: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Encode strings to UTF-16BE padded with U+0020 (left padding when JUSTIFIED)."""
        arr = as_string_array(values)
        n, w = len(arr), self.units
        out = np.full((n, w), _SPACE, dtype=np.uint16)
        if n == 0:
            return out.view(np.uint8).reshape(0, self.width), None
        valid, offsets, data = string_parts(arr)
        top = int(data.max(initial=0))
        if top < 0xF0:  # no astral characters: one code unit a character
            chars = pc.utf8_length(arr).to_numpy(zero_copy_only=False)
            if int(np.max(np.where(valid, chars, 0), initial=0)) <= w:
                filled = arr.fill_null("") if arr.null_count else arr
                pad = pc.utf8_lpad if self.justified else pc.utf8_rpad
                _, _, pdata = string_parts(pad(filled, width=w, padding=" "))
                if top < 0x80:
                    res = np.zeros((n, self.width), np.uint8)
                    res[:, 1::2] = pdata.reshape(n, w)
                    return res, None
                be = pdata.tobytes().decode("utf-8").encode("utf-16-be")
                return np.frombuffer(be, np.uint8).reshape(n, self.width).copy(), None
        if top < 0x80:
            units = data.astype(np.uint16)
            unit_off = offsets
        else:
            text = data.tobytes().decode("utf-8")
            units = np.frombuffer(text.encode("utf-16-be"), dtype=">u2").astype(np.uint16)
            weight = ((data & 0xC0) != 0x80).astype(np.int64) + (data >= 0xF0)
            cum = np.concatenate([[0], np.cumsum(weight)])
            unit_off = cum[offsets]
        lengths = np.diff(unit_off)
        lengths[~valid] = 0
        over = lengths > w
        counts = np.minimum(lengths, w)
        starts = unit_off[1:] - counts if self.justified else unit_off[:-1].copy()
        if over.any() and units.size:
            # never split a surrogate pair when cutting
            rows = np.flatnonzero(over & (counts > 0))
            if self.justified:
                first = units[starts[rows]]
                split = rows[(first >= 0xDC00) & (first <= 0xDFFF)]
                starts[split] += 1
            else:
                last = units[starts[rows] + counts[rows] - 1]
                split = rows[(last >= 0xD800) & (last <= 0xDBFF)]
            counts[split] -= 1
        scatter_rows(out, units, starts, counts, self.justified)
        res = out.astype(">u2").view(np.uint8).reshape(n, self.width)
        failed = None if truncate or not over.any() else over
        return np.ascontiguousarray(res), failed


class DbcsCodec(NationalCodec):
    """PIC G / DISPLAY-1 graphic text, read as UTF-16BE for now (no DBCS code pages yet)."""

    failure_reason = "the text needs more two-byte characters than the field holds"
