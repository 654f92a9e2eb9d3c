"""Alphanumeric text (PIC X / A / alphanumeric-edited, USAGE DISPLAY) <-> Arrow strings.

Decoding translates whole batches through the code page's table: ASCII-only batches build the
UTF-8 buffer directly from the translated bytes, others expand each byte to its 1-3 UTF-8
bytes with a (256, 3) table and a mask. Single-byte pages are bijections (see codepages), so any
bytes decode and re-encode exactly; only the trim policy can lose the code page's spaces.
With ``utf-8`` as the file encoding a PIC X(n) field holds n bytes of UTF-8; a field that is not
valid UTF-8 decodes to null (invalid).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.codecs import native
from legacyio.codecs.buffers import as_string_array, columns_mask
from legacyio.codecs.codepages import CodePage, get_codepage
from legacyio.errors import OptionsError
from legacyio.layout.model import Item
from legacyio.options import FileFormat

TRIMS = ("right", "left", "both", "none")


# --------------------------------------------------------------------------- shared helpers
def check_trim(trim: str) -> str:
    """Validate a trim policy name (right/left/both/none)."""
    if trim not in TRIMS:
        raise OptionsError(f"trim must be one of {', '.join(TRIMS)}, not {trim!r}")
    return trim


def trim_bounds(nonspace: np.ndarray, trim: str) -> tuple[np.ndarray, np.ndarray]:
    """Per row [start, end) column bounds left after trimming the columns that are spaces."""
    n, w = nonspace.shape
    if trim == "none" or w == 0:
        return np.zeros(n, np.int64), np.full(n, w, np.int64)
    any_ns = nonspace.any(axis=1)
    if trim in ("left", "both"):
        start = np.where(any_ns, np.argmax(nonspace, axis=1), w).astype(np.int64)
    else:
        start = np.zeros(n, np.int64)
    if trim in ("right", "both"):
        end = np.where(any_ns, w - np.argmax(nonspace[:, ::-1], axis=1), 0).astype(np.int64)
        start = np.minimum(start, end)
    else:
        end = np.full(n, w, np.int64)
    return start, end


def validity_bitmap(valid: np.ndarray) -> pa.Buffer:
    """Arrow validity bitmap from a bool mask."""
    return pa.py_buffer(np.packbits(valid, bitorder="little"))


def string_array(
    data: np.ndarray, lengths: np.ndarray, invalid: np.ndarray | None = None
) -> pa.Array:
    """A pa.string array from a UTF-8 byte buffer and per-row byte lengths (nulls optional)."""
    n = len(lengths)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if offsets[-1] >= 2**31:  # pragma: no cover - a 2 GiB text column in one batch
        raise OverflowError("text column exceeds 2 GiB in one batch; use smaller batches")
    validity = None
    null_count = 0
    if invalid is not None and invalid.any():
        validity = validity_bitmap(~invalid)
        null_count = int(invalid.sum())
    return pa.Array.from_buffers(
        pa.string(),
        n,
        [
            validity,
            pa.py_buffer(offsets.astype(np.int32)),
            pa.py_buffer(np.ascontiguousarray(data)),
        ],
        null_count=null_count,
    )


def string_parts(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(valid mask, int64 offsets rebased to 0 (n+1), data bytes) of a pa.string array."""
    n = len(arr)
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int32, count=n + 1, offset=arr.offset * 4).astype(
        np.int64
    )
    base = offsets[0]
    data = (
        np.frombuffer(bufs[2], dtype=np.uint8)[base : offsets[-1]]
        if bufs[2] is not None
        else np.zeros(0, np.uint8)
    )
    valid = (
        np.ones(n, bool)
        if arr.null_count == 0
        else np.asarray(arr.is_valid().to_numpy(zero_copy_only=False))
    )
    return valid, offsets - base, data


def scatter_rows(
    out: np.ndarray,
    codes: np.ndarray,
    starts: np.ndarray,
    counts: np.ndarray,
    justified: bool,
) -> np.ndarray:
    """Write ``counts[i]`` units of ``codes`` from ``starts[i]`` into row i of ``out`` (n, w),
    left-aligned or (justified) right-aligned. Returns the row number of each unit written."""
    n, w = out.shape
    total = int(counts.sum())
    rows = np.repeat(np.arange(n, dtype=np.int64), counts)
    if total == 0:
        return rows
    first = np.zeros(n, np.int64)
    np.cumsum(counts[:-1], out=first[1:])
    within = np.arange(total, dtype=np.int64) - np.repeat(first, counts)
    src = np.repeat(starts, counts) + within
    col = within + np.repeat(w - counts, counts) if justified else within
    out.reshape(-1)[rows * w + col] = codes[src]
    return rows


def utf8_valid_rows(b: np.ndarray) -> np.ndarray:
    """Per row of a (n, w) uint8 matrix: True when the row is complete, well-formed UTF-8."""
    n, w = b.shape
    if w == 0:
        return np.ones(n, bool)
    cont = (b & 0xC0) == 0x80
    lead2 = (b >= 0xC2) & (b <= 0xDF)
    lead3 = (b & 0xF0) == 0xE0
    lead4 = (b >= 0xF0) & (b <= 0xF4)
    bad = (b == 0xC0) | (b == 0xC1) | (b >= 0xF5)
    ge3 = lead3 | lead4
    exp = np.zeros_like(cont)
    exp[:, 1:] |= (lead2 | ge3)[:, :-1]
    exp[:, 2:] |= ge3[:, :-2]
    exp[:, 3:] |= lead4[:, :-3]
    ok = ~(bad | (cont != exp)).any(axis=1)
    # a lead byte whose sequence would run past the end of the field
    ok &= ~lead2[:, -1] & ~ge3[:, -min(2, w) :].any(axis=1) & ~lead4[:, -min(3, w) :].any(axis=1)
    # second-byte ranges: no overlongs, no surrogates, nothing above U+10FFFF
    nxt = np.zeros_like(b)
    nxt[:, :-1] = b[:, 1:]
    wrong = ((b == 0xE0) & (nxt < 0xA0)) | ((b == 0xED) & (nxt > 0x9F))
    wrong |= ((b == 0xF0) & (nxt < 0x90)) | ((b == 0xF4) & (nxt > 0x8F))
    return ok & ~wrong.any(axis=1)


def _utf8_tables(decode_table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(256, 3) UTF-8 bytes and (256,) byte counts of each byte's code point (BMP only)."""
    enc = np.zeros((256, 3), np.uint8)
    lens = np.zeros(256, np.uint8)
    for b, cp in enumerate(decode_table.tolist()):
        u = chr(cp).encode("utf-8", "surrogatepass")
        enc[b, : len(u)] = np.frombuffer(u, np.uint8)
        lens[b] = len(u)
    return enc, lens


_UTF8_CACHE: dict[str, tuple[np.ndarray, np.ndarray]] = {}
_PAIR_CACHE: dict[str, np.ndarray] = {}


def pair_table(lut8: np.ndarray, key: str) -> np.ndarray:
    """A 65536-entry uint16 table translating two bytes at once through ``lut8``: one
    ``np.take`` per byte pair is about 1.5x faster than per byte (built once per ``key``)."""
    table = _PAIR_CACHE.get(key)
    if table is None:
        pairs = np.arange(65536, dtype=np.uint16).view(np.uint8).reshape(65536, 2)
        table = _PAIR_CACHE[key] = np.ascontiguousarray(lut8[pairs]).reshape(-1).view(np.uint16)
    return table


def translate(mat: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """``(n, w)`` bytes through a ``pair_table``: a C-contiguous ``(n, w)`` result."""
    n, w = mat.shape
    size = n * w
    buf = np.empty(size + (size & 1), dtype=np.uint8)
    buf[:size].reshape(n, w)[...] = mat
    if size & 1:
        buf[size] = 0
    return np.take(pairs, buf.view(np.uint16)).view(np.uint8)[:size].reshape(n, w)


def _utf8_tables_for(cp: CodePage) -> tuple[np.ndarray, np.ndarray]:
    """``_utf8_tables`` of a code page, built once per page (wide copybooks have thousands of
    text columns)."""
    tables = _UTF8_CACHE.get(cp.name)
    if tables is None:
        tables = _UTF8_CACHE[cp.name] = _utf8_tables(cp.decode_table)
    return tables


_SHORT: dict[tuple[int, bool, int], tuple[np.ndarray, np.ndarray]] = {}


def _short_tables(w: int, unit: int, justified: bool, space: int) -> tuple[np.ndarray, np.ndarray]:
    """For fields of w <= unit bytes, by text length 0..w: (keep, pad) as ``unit``-byte items,
    keep with 0xFF on the columns the text fills, pad with the space on the others."""
    key = (w, justified, space)
    tables = _SHORT.get(key)
    if tables is None:
        cols, lens = np.arange(unit)[None, :], np.arange(w + 1)[:, None]
        fills = (cols >= w - lens) & (cols < w) if justified else cols < lens
        keep = np.where(fills, 0xFF, 0).astype(np.uint8).view(f"u{unit}").reshape(w + 1)
        pad = np.where(fills, 0, space).astype(np.uint8).view(f"u{unit}").reshape(w + 1)
        tables = _SHORT[key] = (keep, pad)
    return tables


# --------------------------------------------------------------------------- the codec
class TextCodec:
    """PIC X / A / alphanumeric-edited DISPLAY text: code page bytes <-> pa.string."""

    failure_reason = (
        "the text is longer than the field or holds a character the code page cannot encode"
    )

    def __init__(self, item: Item, fmt: FileFormat, *, trim: str = "right") -> None:
        self.item = item
        self.width = item.size
        self.arrow_type = pa.string()
        self.trim = check_trim(trim)
        self.justified = bool(item.justified)
        self.cp: CodePage = get_codepage(fmt.encoding)
        cp = self.cp
        if cp.single_byte:
            ascii_ok = cp.decode_table < 0x80
            self._lut8 = np.where(ascii_ok, cp.decode_table, 0x80).astype(np.uint8)
            self._utf8, self._ulen = _utf8_tables_for(cp)
            self._pairs = pair_table(self._lut8, cp.name + "/ascii")
        self._from_ascii = cp.from_ascii
        # ASCII characters -> page bytes as uint8, when the page holds every ASCII character
        self._ascii_total = bool((cp.from_ascii >= 0).all())
        self._ascii_lut8 = np.zeros(256, dtype=np.uint8)
        self._ascii_lut8[:128] = np.maximum(cp.from_ascii, 0).astype(np.uint8)

    # ---------------------------------------------------------------- fill
    def fill(self, kind: str) -> bytes:
        """Bytes for a null written as 'spaces', 'low-values' or 'zero' (an empty string)."""
        if kind in ("spaces", "zero"):
            return bytes([self.cp.space]) * self.width
        if kind == "low-values":
            return b"\x00" * self.width
        raise ValueError(f"unknown fill kind {kind!r}")

    # ---------------------------------------------------------------- decode
    def decode(self, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None]:
        """Decode a (n, width) uint8 matrix to a pa.string array (trimmed per policy)."""
        if native.active():  # the Rust kernel (legacyio.codecs.native), when it covers this field
            res = native.text_decode(self, mat)
            if res is not None:
                return res
        mat = np.asarray(mat, dtype=np.uint8)
        n, w = mat.shape
        if n == 0 or w == 0:
            return pa.array([""] * n, pa.string()), None
        if not self.cp.single_byte:
            return self._decode_utf8(mat)
        t = translate(mat, self._pairs)  # characters outside ASCII become a 0x80 marker
        arr, lstart = self._trimmed(t)
        if int(t.max()) < 0x80:
            return arr, None
        return self._expand_markers(arr, mat, lstart), None

    def _trimmed(self, t: np.ndarray) -> tuple[pa.Array, np.ndarray]:
        """Translated bytes as a string array trimmed by Arrow's byte kernels, and the
        number of columns trimmed on the left of each row."""
        n, w = t.shape
        arr = pa.Array.from_buffers(
            pa.string(),
            n,
            [None, pa.py_buffer(np.arange(0, n * w + 1, w, dtype=np.int32)), pa.py_buffer(t)],
        )
        lstart = np.zeros(n, np.int64)
        if self.trim in ("left", "both"):
            arr = pc.ascii_ltrim(arr, characters=" ")
            lstart = w - np.diff(string_parts(arr)[1])
        if self.trim in ("right", "both"):
            arr = pc.ascii_rtrim(arr, characters=" ")
        return arr, lstart

    def _expand_markers(self, arr: pa.Array, mat: np.ndarray, lstart: np.ndarray) -> pa.Array:
        """Replace each 0x80 marker by the UTF-8 bytes of the character it stands for."""
        _, offsets, data = string_parts(arr)
        na = np.flatnonzero(data >= 0x80)
        row = np.searchsorted(offsets, na, side="right") - 1
        orig = mat[row, lstart[row] + (na - offsets[row])]
        extra = self._ulen[orig].astype(np.int64) - 1
        out = data.copy()
        out[na] = self._utf8[orig, 0]
        tail = self._utf8[orig, 1:3][np.arange(2)[None, :] < extra[:, None]]
        out = np.insert(out, np.repeat(na + 1, extra), tail)
        lengths = np.diff(offsets) + np.bincount(row, weights=extra, minlength=len(arr)).astype(
            np.int64
        )
        return string_array(out, lengths)

    def _decode_utf8(self, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None]:
        _n, w = mat.shape
        invalid = None
        if int(mat.max()) >= 0x80:
            bad = ~utf8_valid_rows(mat)
            invalid = bad if bad.any() else None
        start, end = trim_bounds(mat != 0x20, self.trim)
        if invalid is not None:
            end = np.where(invalid, start, end)
        cols = np.arange(w)
        keep = (cols >= start[:, None]) & (cols < end[:, None])
        return string_array(mat[keep], end - start, invalid), invalid

    # ---------------------------------------------------------------- encode
    def encode(
        self, values: pa.Array, *, truncate: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Encode strings to (n, width) code page bytes padded with the page's space.

        Rows of ASCII text that fits take the fast path: the whole data buffer is translated
        at once, then placed by a reshape (every row full), one item gather per row (fields
        of up to 8 bytes) or a per-row column mask. Non-ASCII text, text longer than the
        field and characters the page lacks are then rewritten by the exact per-character
        path (few rows in practice).
        """
        if native.active():  # the Rust kernel (legacyio.codecs.native), when it covers this field
            res = native.text_encode(self, values, truncate)
            if res is not None:
                return res
        arr = as_string_array(values)
        n, w = len(arr), self.width
        out = np.full((n, w), self.cp.space, dtype=np.uint8)
        if n == 0:
            return out, None
        valid, offsets, data = string_parts(arr)
        if not self.cp.single_byte:
            return self._encode_utf8(out, valid, offsets, data, truncate)
        lengths = np.diff(offsets)
        if data.size == n * w and int(lengths.min()) == w:  # every row full: a reshape
            out[...] = self._translate(data).reshape(n, w)
        elif w <= 8:
            self._gather_short(out, data, offsets, lengths)
        else:
            self._scatter_ascii(out, data, lengths)
        if arr.null_count and data.size:
            out[~valid & (lengths > 0)] = self.cp.space  # a null row that has bytes anyway
        hard = self._hard_rows(valid, offsets, data, lengths)
        if hard is None:
            return out, None
        idx = np.flatnonzero(hard)
        sub = np.full((len(idx), w), self.cp.space, dtype=np.uint8)
        sub_failed = self._encode_chars(sub, arr.take(pa.array(idx)), truncate)
        out[idx] = sub
        if sub_failed is None:
            return out, None
        failed = np.zeros(n, dtype=bool)
        failed[idx] = sub_failed
        return out, failed

    def _hard_rows(
        self, valid: np.ndarray, offsets: np.ndarray, data: np.ndarray, lengths: np.ndarray
    ) -> np.ndarray | None:
        """Rows the ASCII fast path cannot write: longer than the field, non-ASCII bytes, or
        ASCII characters the page has no byte for (None when there are none)."""
        hard = lengths > self.width
        if data.size:
            top = int(data.max())
            if top >= 0x80 or not self._ascii_total:
                odd = data >= 0x80
                if not self._ascii_total:
                    odd |= np.take(self._from_ascii, data & 0x7F) < 0
                pos = np.flatnonzero(odd)
                if pos.size:
                    hard[np.searchsorted(offsets, pos, side="right") - 1] = True
        hard &= valid
        return hard if hard.any() else None

    def _scatter_ascii(self, out: np.ndarray, data: np.ndarray, lengths: np.ndarray) -> None:
        """Translate ``data`` as ASCII and write each row's bytes, left- or right-aligned
        (JUSTIFIED), into ``out`` (filled with spaces). Rows with more bytes than the field
        are left out (the exact path writes them); the others may hold garbage where the
        text is not ASCII, for the exact path to overwrite."""
        _n, w = out.shape
        if data.size == 0:
            return
        codes = self._translate(data)
        spill = lengths > w
        if spill.any():
            codes = codes[np.repeat(~spill, lengths)]
            lengths = np.where(spill, 0, lengths)
        out[columns_mask(lengths, w, self.justified)] = codes

    def _gather_short(
        self, out: np.ndarray, data: np.ndarray, offsets: np.ndarray, lengths: np.ndarray
    ) -> None:
        """Fields of up to 8 bytes: each row is read as one unaligned 1/2/4/8-byte item from
        the translated buffer, at its offset (or ending at its end, JUSTIFIED), and the
        columns past its length become spaces through two table lookups by length: several
        times faster than a masked write for narrow columns. Rows longer than the field and
        non-ASCII rows get garbage here, for the exact path to overwrite."""
        n, w = out.shape
        if data.size == 0:
            return
        unit = next(u for u in (1, 2, 4, 8) if u >= w)
        buf = np.zeros(w + data.size + unit, dtype=np.uint8)  # room before and after
        self._translate(data, buf[w : w + data.size])
        items = np.ndarray((buf.size - unit + 1,), dtype=f"u{unit}", buffer=buf, strides=(1,))
        # window of row r in buf: [off + w, off + 2w) left-aligned, [end, end + w) justified
        start = offsets[1:] if self.justified else offsets[:-1] + w
        keep, pad = _short_tables(w, unit, self.justified, self.cp.space)
        lens = np.minimum(lengths, w)
        rows = np.take(items, start)
        rows &= np.take(keep, lens)
        rows |= np.take(pad, lens)
        out[...] = rows.view(np.uint8).reshape(n, unit)[:, :w]

    def _translate(self, data: np.ndarray, res: np.ndarray | None = None) -> np.ndarray:
        """ASCII bytes -> page bytes (into ``res`` when given), two at a time through a
        65536-entry uint16 table."""
        lut16 = pair_table(self._ascii_lut8, self.cp.name + "/from-ascii")
        if res is None:
            res = np.empty(data.size, dtype=np.uint8)
        even = data.size & ~1
        if even:
            np.take(lut16, data[:even].view(np.uint16), out=res[:even].view(np.uint16))
        if data.size & 1:
            res[-1] = self._ascii_lut8[data[-1]]
        return res

    def _encode_chars(self, out: np.ndarray, arr: pa.Array, truncate: bool) -> np.ndarray | None:
        """The exact path, character by character (vectorized): any text, code points looked
        up in the page's full table; returns the failed rows (or None)."""
        n, w = out.shape
        valid, offsets, data = string_parts(arr)
        if data.size == 0 or int(data.max()) < 0x80:
            codes = np.take(self._from_ascii, data) if data.size else np.zeros(0, np.int16)
            char_off = offsets
        else:
            text = data.tobytes().decode("utf-8")
            cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
            codes = np.where(cps < 0x10000, self.cp.encode_table[np.minimum(cps, 0xFFFF)], -1)
            starts_char = np.concatenate([[0], np.cumsum((data & 0xC0) != 0x80)])
            char_off = starts_char[offsets]
        lengths = np.diff(char_off)
        lengths[~valid] = 0
        over = lengths > w
        counts = np.minimum(lengths, w)
        starts = char_off[1:] - counts if self.justified else char_off[:-1]
        rows = scatter_rows(
            out,
            np.where(codes < 0, self.cp.space, codes).astype(np.uint8)
            if codes.size
            else codes.astype(np.uint8),
            starts,
            counts,
            self.justified,
        )
        failed = np.zeros(n, bool) if truncate else over.copy()
        bad_units = codes < 0
        if bad_units.any():
            # unmappable characters among the units actually written
            bad_written = bad_units[self._written_src(starts, counts)]
            failed[rows[bad_written]] = True
        return failed if failed.any() else None

    @staticmethod
    def _written_src(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
        total = int(counts.sum())
        first = np.zeros(len(counts), np.int64)
        np.cumsum(counts[:-1], out=first[1:])
        return np.repeat(starts, counts) + np.arange(total) - np.repeat(first, counts)

    def _encode_utf8(
        self,
        out: np.ndarray,
        valid: np.ndarray,
        offsets: np.ndarray,
        data: np.ndarray,
        truncate: bool,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        w = self.width
        lengths = np.diff(offsets)
        lengths[~valid] = 0
        over = lengths > w
        counts = np.minimum(lengths, w)
        starts = offsets[1:] - counts if self.justified else offsets[:-1].copy()
        for i in np.flatnonzero(over):  # rare: cut on a character boundary
            s, e = int(offsets[i]), int(offsets[i + 1])
            if self.justified:
                b = e - w
                while b < e and (data[b] & 0xC0) == 0x80:
                    b += 1
                starts[i], counts[i] = b, e - b
            else:
                k = w
                while k > 0 and (data[s + k] & 0xC0) == 0x80:
                    k -= 1
                counts[i] = k
        scatter_rows(out, data, starts, counts, self.justified)
        failed = None if truncate or not over.any() else over
        return out, failed


class DigitsTextCodec:
    """An unsigned DISPLAY numeric field read as its text (``numbers_as_text``): leading zeros
    kept, nothing trimmed. Writing takes exactly the field's digits; any other text fails (the
    reader then keeps the record's raw bytes, so spaces in a code still round-trip). Never
    vouches for canonical bytes: the reader re-encodes and compares."""

    failure_reason = "the text is not exactly as many digits as the field holds"

    def __init__(self, item: Item, fmt: FileFormat) -> None:
        self.text = TextCodec(item, fmt, trim="none")
        self.item = item
        self.width = item.size
        self.arrow_type = pa.string()

    def fill(self, kind: str) -> bytes:
        return self.text.fill(kind)

    def decode(self, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None]:
        return self.text.decode(mat)

    def encode(
        self, values: pa.Array, *, truncate: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None]:
        enc, failed = self.text.encode(values, truncate=False)
        digits = pc.match_substring_regex(values, f"^[0-9]{{{self.width}}}$")
        bad = ~np.asarray(pc.fill_null(digits, True).to_numpy(zero_copy_only=False), dtype=bool)
        return enc, bad if failed is None else (failed | bad)
