"""Zoned decimal (USAGE DISPLAY numeric): one byte a digit, sign in a zone or a separate byte.

EBCDIC files: digits X'F0'-X'F9'; an embedded sign lives in the zone of the last (or first,
SIGN LEADING) byte: C/A/E/F positive, D/B negative; canonical output is F for unsigned and C/D
for signed. ASCII-side files: digits X'30'-X'39'; reading accepts both IBM overpunch
(``{ A-I`` positive, ``} J-R`` negative) and Micro Focus/GnuCOBOL (X'70'-X'79' negative);
writing follows ``FileFormat.ascii_sign``. Spaces before the first digit read as zeros.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.codecs import native
from legacyio.codecs.base import CodecBase
from legacyio.codecs.bigint import horner, u64_to_groups, zoned4_signed_table, zoned4_table
from legacyio.codecs.buffers import as_array, put_rows
from legacyio.codecs.fill import finish_encode, invalid_or_none, simple_fill
from legacyio.codecs.numbers import digits_to_arrow, ints_to_arrow, to_unscaled
from legacyio.codecs.types import value_type
from legacyio.layout.model import Item
from legacyio.options import FileFormat

_SPACE = 10  # code of a space in a digit position
_BAD = 11  # code of a byte that is no digit
_NEG = 16  # added to a digit code in the sign lookup table for a negative sign
_SBAD = 255


def _body_lut(ebcdic: bool) -> np.ndarray:
    lut = np.full(256, _BAD, dtype=np.uint8)
    zone = 0xF0 if ebcdic else 0x30
    lut[zone : zone + 10] = np.arange(10)
    lut[0x40 if ebcdic else 0x20] = _SPACE
    return lut


def _sign_lut(ebcdic: bool, signed: bool) -> np.ndarray:
    """Digit + sign of the byte carrying an embedded sign (``_NEG`` added when negative)."""
    lut = np.full(256, _SBAD, dtype=np.uint8)
    d = np.arange(10, dtype=np.uint8)
    if ebcdic:
        pos_zones, neg_zones = (0xC0, 0xA0, 0xE0, 0xF0), (0xD0, 0xB0)
        for z in pos_zones:
            lut[z + d] = d
        if signed:
            for z in neg_zones:
                lut[z + d] = d + _NEG
        return lut
    lut[0x30 + d] = d  # plain digit: positive (both conventions)
    lut[0x7B] = 0  # IBM overpunch '{' = +0, 'A'-'I' = +1..+9
    lut[0x41 + d[:9]] = d[1:]
    if signed:
        lut[0x70 + d] = d + _NEG  # Micro Focus / GnuCOBOL negative
        lut[0x7D] = _NEG  # IBM overpunch '}' = -0, 'J'-'R' = -1..-9
        lut[0x4A + d[:9]] = d[1:] + _NEG
    return lut


class ZonedCodec(CodecBase):
    """Decode/encode a NUMERIC DISPLAY item (zoned decimal) over whole batches."""

    failure_reason = "the value has more digits than the PICTURE allows or does not fit its sign"

    def __init__(self, item: Item, fmt: FileFormat, *, trim: str = "right") -> None:
        super().__init__(item, fmt)
        pic = self.required_picture("a zoned decimal")
        self.digits = pic.digits
        self.scale = pic.scale
        self.signed = pic.signed
        self.separate = bool(item.sign_separate)
        self.leading = bool(item.sign_leading)
        if self.width != self.digits + (1 if self.separate else 0):
            raise ValueError(
                f"{item.dotted}: zoned item of {self.digits} digits cannot be {self.width} bytes"
            )
        self.arrow_type = value_type(item.usage, pic)
        self.ascii_sign = fmt.ascii_sign
        self._body = _body_lut(self.ebcdic)
        self._sign = _sign_lut(self.ebcdic, self.signed)
        self._plus = 0x4E if self.ebcdic else 0x2B
        self._minus = 0x60 if self.ebcdic else 0x2D
        self._zone = 0xF0 if self.ebcdic else 0x30
        # column layout: which byte holds a separate sign, which digit holds an embedded one
        if self.separate:
            self._sep_col: int | None = 0 if self.leading else self.width - 1
            self._dig_start = 1 if self.leading else 0
            self._emb_col: int | None = None
        else:
            self._sep_col = None
            self._dig_start = 0
            self._emb_col = 0 if (self.leading and self.signed) else self.digits - 1
        self._pos_out, self._neg_out = self._sign_out_tables()
        self._tab4 = zoned4_table(self._zone)
        self._spaces = simple_fill("spaces", self.width, self.ebcdic, b"")

    # -----------------------------------------------------------------------------------------
    def _sign_out_tables(self) -> tuple[np.ndarray, np.ndarray]:
        d = np.arange(10, dtype=np.uint8)
        if self.ebcdic:
            if self.signed:
                return 0xC0 | d, 0xD0 | d
            return 0xF0 | d, 0xF0 | d
        if not self.signed or self.ascii_sign == "mf":
            return 0x30 | d, 0x70 | d
        pos = np.array([0x7B, *range(0x41, 0x4A)], dtype=np.uint8)
        neg = np.array([0x7D, *range(0x4A, 0x53)], dtype=np.uint8)
        return pos, neg

    def canonical(self, mat: np.ndarray) -> np.ndarray | None:
        """For rows that decode validly (EBCDIC only): are the bytes what ``encode`` writes?
        Digits with zone F, the sign as zone C (D for a nonzero value) or F when unsigned, or
        a separate '+' ('-' for a nonzero value). None: no shortcut, re-encode instead."""
        if not self.ebcdic or (self.separate and not self.signed):
            return None
        zones = mat >> 4
        if self.separate:
            col = self._sep_col
            assert col is not None
            digits = np.delete(np.arange(self.width), col)
            body = mat[:, digits]
            ok = np.all((body >> 4) == 0x0F, axis=1)
            nonzero = np.any((body & 0x0F) != 0, axis=1)
            sign = mat[:, col]
            return ok & ((sign == self._plus) | ((sign == self._minus) & nonzero))
        col = self._emb_col
        assert col is not None
        others = np.delete(np.arange(self.width), col)
        ok = np.all(zones[:, others] == 0x0F, axis=1)
        z = zones[:, col]
        if not self.signed:
            return ok & (z == 0x0F)
        nonzero = np.any((mat & 0x0F) != 0, axis=1)
        return ok & ((z == 0x0C) | ((z == 0x0D) & nonzero))

    # -----------------------------------------------------------------------------------------
    def decode(self, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None]:
        """Values of an ``(n, width)`` byte matrix; bad bytes give null and True in the mask."""
        values, invalid, _ = self.decode_vouched(mat)
        return values, invalid

    def decode_vouched(self, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None, bool]:
        """``decode`` plus whether every row is valid and exactly what ``encode`` writes for
        its value (see ``canonical``), found from the decode's own intermediates: the reader
        then needs no re-encoding to know that no record needs a raw copy."""
        if native.active():  # the Rust kernel (legacyio.codecs.native), when it covers this field
            res = native.zoned_decode(self, mat)
            if res is not None:
                return res
        n = mat.shape[0]
        c = np.asarray(mat, dtype=np.uint8)
        lo, hi = self._dig_start, self._dig_start + self.digits
        # digits 0-9 where the zone is right; a new contiguous matrix straight from the slice
        d = c[:, lo:hi] - np.uint8(self._zone)
        bad = np.zeros(n, dtype=bool)
        neg: np.ndarray | None = None
        if self._emb_col is not None:
            sc = np.take(self._sign, c[:, lo + self._emb_col])
            bad |= sc == _SBAD
            neg = sc >= _NEG
            d[:, self._emb_col] = sc & 0x0F  # 15 for a bad sign byte
        if self._sep_col is not None:
            sb = c[:, self._sep_col]
            neg = sb == self._minus
            bad |= ~neg & (sb != self._plus)
        slow = bool(n) and d.max() > 9
        if slow:
            # rare rows: leading spaces (zeros) or bad bytes, decoded with the lookup table
            rows = np.flatnonzero(np.any(d > 9, axis=1))
            sub = np.take(self._body, c[rows, lo:hi])
            if self._emb_col is not None:
                sub[:, self._emb_col] = d[rows, self._emb_col]
            space = sub == _SPACE
            rbad = np.any((sub > 9) & ~space, axis=1)
            # spaces only before the first digit (a prefix of the digit positions)
            rbad |= np.any(space[:, 1:] & ~space[:, :-1], axis=1) | space[:, -1]
            sub[sub > 9] = 0
            d[rows] = sub
            bad[rows] |= rbad
        mult = -self.scale if self.scale < 0 else 0
        v = horner(d) if self.digits + mult <= 18 else None
        vouched = not slow and self._vouch(c, d, v, neg, bad)
        valid = ~bad
        if neg is not None:
            neg &= valid
        if v is None:
            arr = digits_to_arrow(d, neg, valid, self.arrow_type, self.scale)
        else:
            if mult:
                v *= 10**mult
            if neg is not None:
                v = np.where(neg, -v, v)
            arr = ints_to_arrow(v, valid, self.arrow_type)
        return arr, invalid_or_none(bad), vouched

    def _vouch(
        self,
        c: np.ndarray,
        d: np.ndarray,
        v: np.ndarray | None,
        neg: np.ndarray | None,
        bad: np.ndarray,
    ) -> bool:
        """Canonical check of a batch whose digit bytes all have the digit zone (the fast
        path of ``decode``): only the sign byte is left to look at. EBCDIC only."""
        if not self.ebcdic or (self.separate and not self.signed) or bad.any():
            return False
        if self._sep_col is not None:
            minus = neg
        else:
            assert self._emb_col is not None
            z = c[:, self._dig_start + self._emb_col] >> 4
            if not self.signed:
                return bool((z == 0x0F).all())
            if not ((z == 0x0C) | (z == 0x0D)).all():
                return False
            minus = z == 0x0D
        if minus is None or not minus.any():
            return True
        # a negative sign is canonical only on a nonzero value (no negative zero); ``v`` is
        # the value when it fits int64
        nonzero = (v != 0) if v is not None else d.any(axis=1)
        return bool((nonzero | ~minus).all())

    # -----------------------------------------------------------------------------------------
    encodes_into = True
    """``encode`` takes ``out=``: it writes straight into a slice of the record matrix."""

    def encode(
        self, values: pa.Array, *, truncate: bool = False, out: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Canonical zoned bytes of ``values`` (into ``out``, an ``(n, width)`` uint8 matrix
        with contiguous rows, when given); rows that do not fit are marked failed."""
        if native.active():  # the Rust kernel (legacyio.codecs.native), when it covers this field
            res = native.zoned_encode(self, values, truncate, out)
            if res is not None:
                return res
        arr = as_array(values)
        n = len(arr)
        u = to_unscaled(arr, self.scale, truncate)
        failed = u.bad.copy()
        if out is None:
            out = np.empty((n, self.width), dtype=np.uint8)
        if u.mag is not None and self.digits <= 18:
            local, neg, over = self._encode_u64(u.mag, u.neg)
            if not truncate:
                failed |= over
            if not self.signed:
                failed |= neg
            put_rows(out, local)  # one pass over the (often strided) destination
            return finish_encode(out, u.valid, failed, self._spaces)
        body = out[:, self._dig_start : self._dig_start + self.digits]
        dig, over = u.digits(self.digits)
        neg = u.neg & np.any(dig != 0, axis=1)  # no negative zero
        np.bitwise_or(dig, self._zone, out=body)
        emb_digit = None if self._emb_col is None else dig[:, self._emb_col]
        if not truncate:
            failed |= over
        if not self.signed:
            failed |= neg
        if emb_digit is not None:
            body[:, self._emb_col] = np.where(
                neg, np.take(self._neg_out, emb_digit), np.take(self._pos_out, emb_digit)
            )
        if self._sep_col is not None:
            out[:, self._sep_col] = np.where(neg, self._minus, self._plus)
        return finish_encode(out, u.valid, failed, self._spaces)

    def _encode_u64(
        self, mag: np.ndarray, neg: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Magnitudes below 10**19 -> (a contiguous (n, width) matrix of the field's bytes,
        the negative rows, the rows with more digits than the field). A sign embedded in the
        last digit comes with the digits from a signed group table."""
        n = mag.size
        lim = np.uint64(10**self.digits)
        over = mag >= lim
        if over.any():
            mag = mag % lim
        neg = neg & (mag != 0)
        groups = -(-self.digits // 4)
        trailing = self._emb_col == self.digits - 1
        last = None
        if trailing:
            last = zoned4_signed_table(self._zone, self._pos_out.tobytes(), self._neg_out.tobytes())
        body = u64_to_groups(mag, self._tab4, groups, last, neg)[:, 4 * groups - self.digits :]
        if self._emb_col is not None and not trailing:  # SIGN LEADING: the first digit
            d = body[:, self._emb_col] & 0x0F
            body[:, self._emb_col] = np.where(
                neg, np.take(self._neg_out, d), np.take(self._pos_out, d)
            )
        if self._sep_col is None:
            return body, neg, over
        local = np.empty((n, self.width), dtype=np.uint8)
        local[:, self._dig_start : self._dig_start + self.digits] = body
        local[:, self._sep_col] = np.where(neg, self._minus, self._plus)
        return local, neg, over


class PointedZonedCodec:
    """Zoned decimal with an explicit, stored decimal point and an overpunched sign, such as
    ``PIC S9(3).99``: not a valid IBM numeric-edited picture (S is not an editing symbol), but
    Cobrix reads it and real files have it. The point byte is taken out and the rest decoded
    as ordinary zoned decimal; a point byte that is not '.' makes the value invalid."""

    def __init__(self, item: Item, fmt: FileFormat, *, trim: str = "right") -> None:
        import attrs

        from legacyio.layout.model import Category, Picture

        pic = item.picture
        if pic is None:
            raise ValueError(f"{item.dotted}: a zoned decimal item needs a PICTURE")
        self.item = item
        self.width = item.size
        self.point = pic.symbols.index(".") - pic.symbols[: pic.symbols.index(".")].count("S")
        zpic = Picture(
            source=pic.source,
            category=Category.NUMERIC,
            length=self.width - 1,
            digits=pic.digits,
            scale=pic.scale,
            signed=pic.signed,
            p_count=pic.p_count,
            symbols=pic.symbols.replace(".", ""),
        )
        self.inner = ZonedCodec(
            attrs.evolve(item, picture=zpic, size=self.width - 1), fmt, trim=trim
        )
        self.arrow_type = self.inner.arrow_type
        self.failure_reason = self.inner.failure_reason
        self.dot = 0x4B if fmt.ebcdic else 0x2E
        self.keep = np.array([i for i in range(self.width) if i != self.point], dtype=np.intp)

    def fill(self, kind: str) -> bytes:
        """Bytes for a null: the inner zoned fill with the point put back."""
        inner = self.inner.fill(kind)
        dot = bytes([self.dot]) if kind == "zero" else inner[:1]
        return inner[: self.point] + dot + inner[self.point :]

    def decode(self, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None]:
        """Digits around the point as zoned decimal; a wrong point byte is invalid."""
        mat = np.asarray(mat)
        values, invalid = self.inner.decode(np.take(mat, self.keep, axis=1))
        bad_dot = mat[:, self.point] != self.dot
        if bad_dot.any():
            invalid = bad_dot if invalid is None else (invalid | bad_dot)
            values = pc.if_else(pa.array(bad_dot), pa.scalar(None, values.type), values)
        return values, invalid

    def encode(
        self, values: pa.Array, *, truncate: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Zoned digits with the point byte inserted."""
        body, failed = self.inner.encode(values, truncate=truncate)
        out = np.empty((body.shape[0], self.width), dtype=np.uint8)
        out[:, self.keep] = body
        out[:, self.point] = self.dot
        return out, failed
