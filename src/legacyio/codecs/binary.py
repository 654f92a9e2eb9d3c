"""Binary integers: COMP / COMP-4 / BINARY, COMP-5 (native binary), POINTER and INDEX.

Two's complement (signed pictures) or unsigned, 2/4/8 bytes, in ``fmt.binary_byteorder``
(COMP-5 in ``fmt.comp5_byteorder``; POINTER/INDEX are 4-byte unsigned big-endian). A BINARY
value whose magnitude exceeds the PICTURE's digits is invalid (TRUNC(STD) data); COMP-5 keeps
the full range of its bytes, and so does BINARY with ``binary_truncation="bin"`` (IBM's
TRUNC(BIN)). A scale makes the column a decimal of the stored integer.
"""

from __future__ import annotations

from decimal import Context, Decimal

import numpy as np
import pyarrow as pa

from legacyio.codecs import native
from legacyio.codecs.base import CodecBase
from legacyio.codecs.bigint import horner, limbs_from_u64, limbs_mul_add
from legacyio.codecs.buffers import as_array, data_view, numpy_dtype, valid_mask
from legacyio.codecs.fill import finish_encode, invalid_or_none, simple_fill
from legacyio.codecs.numbers import ints_to_arrow, limbs_to_arrow, to_unscaled
from legacyio.codecs.types import comp5_type, value_type
from legacyio.layout.model import Item, Usage
from legacyio.options import FileFormat

_U64 = np.uint64


def _type_max(t: pa.DataType) -> int:
    """Largest magnitude an integer Arrow type holds (decimals: no limit needed here)."""
    if pa.types.is_int32(t):
        return 2**31 - 1
    if pa.types.is_int64(t):
        return 2**63 - 1
    return 2**64 - 1


class BinaryCodec(CodecBase):
    """Decode/encode a binary integer item (COMP, COMP-5, POINTER, INDEX) over whole batches."""

    failure_reason = "the value is outside the range of the binary field"

    def __init__(self, item: Item, fmt: FileFormat, *, trim: str = "right") -> None:
        super().__init__(item, fmt)
        pic = item.picture
        if self.width not in (2, 4, 8):
            raise ValueError(f"{item.dotted}: binary items are 2, 4 or 8 bytes, not {self.width}")
        self.usage = item.usage
        self.arrow_type = value_type(item.usage, pic)
        if item.usage in (Usage.POINTER, Usage.INDEX):
            order, self.signed, self.scale, self.digit_limit = "big", False, 0, None
        else:
            pic = self.required_picture("a binary")
            self.signed, self.scale = pic.signed, pic.scale
            if item.usage == Usage.COMP5:
                order, self.digit_limit = fmt.comp5_byteorder, None
            elif fmt.binary_truncation == "bin":
                # TRUNC(BIN): the full range of the bytes, as COMP-5 holds it (and its type)
                order, self.digit_limit = fmt.binary_byteorder, None
                self.arrow_type = comp5_type(self.width, pic.signed, pic.scale)
            else:
                order, self.digit_limit = fmt.binary_byteorder, 10**pic.digits
        bits = 8 * self.width
        self.dtype = np.dtype(
            f"{'>' if order == 'big' else '<'}{'i' if self.signed else 'u'}{self.width}"
        )
        if self.digit_limit is not None:
            self._max_pos = self.digit_limit - 1
            self._max_neg = self.digit_limit - 1 if self.signed else 0
        elif self.signed:
            self._max_pos, self._max_neg = 2 ** (bits - 1) - 1, 2 ** (bits - 1)
        else:
            self._max_pos, self._max_neg = 2**bits - 1, 0
        self._bits = bits
        self._spaces = simple_fill("spaces", self.width, self.ebcdic, b"")
        self.zero = b"\x00" * self.width

    def canonical(self, mat: np.ndarray) -> np.ndarray | None:
        """For rows that decode validly: two's complement is unique, so the bytes are always
        what ``encode`` writes (lets the reader's round-trip check skip this column)."""
        return np.ones(mat.shape[0], dtype=bool)

    def decode_vouched(self, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None, bool]:
        """``decode`` plus whether every row is valid, hence canonical (see ``canonical``)."""
        values, invalid = self.decode(mat)
        return values, invalid, invalid is None or not invalid.any()

    # -----------------------------------------------------------------------------------------
    def decode(self, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None]:
        """Values of an ``(n, width)`` byte matrix; out-of-PICTURE values give null."""
        if native.active():  # the Rust kernel (legacyio.codecs.native), when it covers this field
            res = native.binary_decode(self, mat)
            if res is not None:
                return res
        n = mat.shape[0]
        raw = np.ascontiguousarray(mat).view(self.dtype).reshape(n)
        t = self.arrow_type
        if self.scale >= 0:
            # fast path: the stored integer is the unscaled value
            wide_unsigned = not self.signed and self.width == 8
            v = raw.astype(_U64 if wide_unsigned else np.int64)
            if self.digit_limit is None:
                return ints_to_arrow(v, None, t), None
            lim = self.digit_limit
            bad = (v >= lim) | (v <= -lim) if self.signed else (v >= _U64(lim))
            return ints_to_arrow(v, ~bad, t), invalid_or_none(bad)
        if self.signed:
            v = raw.astype(np.int64)
            neg = v < 0
            mag = np.where(neg, -v, v).view(_U64)
        else:
            mag = raw.astype(_U64)
            neg = None
        bad = np.zeros(n, dtype=bool)
        if self.digit_limit is not None:
            bad |= mag >= _U64(self.digit_limit)
        t = self.arrow_type
        if self.scale < 0:
            k = -self.scale
            if pa.types.is_decimal(t):
                limbs = limbs_from_u64(mag, 4 if pa.types.is_decimal128(t) else 8)
                while k > 0:
                    step = min(9, k)
                    limbs_mul_add(limbs, 10**step)
                    k -= step
                return limbs_to_arrow(limbs, neg, ~bad, t), invalid_or_none(bad)
            bad |= mag > _U64(_type_max(t) // 10**k)
            mag = np.where(bad, _U64(0), mag) * _U64(10**k)
        if neg is None:
            vals = mag if pa.types.is_uint64(t) or pa.types.is_decimal(t) else mag.view(np.int64)
        else:
            vals = mag.view(np.int64)
            vals = np.where(neg, -vals, vals)
        return ints_to_arrow(vals, ~bad, t), invalid_or_none(bad)

    def _fast_int64(self, arr: pa.Array) -> tuple[np.ndarray, np.ndarray | None] | None:
        """The unscaled int64 values when they can be read straight from the Arrow buffer."""
        t = arr.type
        if self.scale == 0 and pa.types.is_integer(t) and not pa.types.is_uint64(t):
            return data_view(arr, numpy_dtype(t)).astype(np.int64), valid_mask(arr)
        if pa.types.is_decimal128(t) and t.precision <= 18 and t.scale == self.scale:
            words = data_view(arr, np.int64, 2).reshape(-1, 2)
            return np.ascontiguousarray(words[:, 0]), valid_mask(arr)
        return None

    # -----------------------------------------------------------------------------------------
    encodes_into = True
    """``encode`` takes ``out=``: it writes straight into a slice of the record matrix."""

    def encode(
        self, values: pa.Array, *, truncate: bool = False, out: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Two's complement bytes (into ``out``, an ``(n, width)`` uint8 matrix with
        contiguous rows, when given); values outside the field's range are failed (or, with
        ``truncate``, keep their low-order digits / bits)."""
        if native.active():  # the Rust kernel (legacyio.codecs.native), when it covers this field
            res = native.binary_encode(self, values, truncate, out)
            if res is not None:
                return res
        arr = as_array(values)
        n = len(arr)
        if out is None:
            out = np.empty((n, self.width), dtype=np.uint8)
        fast = self._fast_int64(arr) if not truncate else None
        if fast is not None:
            v, valid = fast
            failed = (v > self._max_pos) | (v < -self._max_neg)
            # one cast per row into the field's bytes seen as the big/little-endian integer
            np.copyto(out.view(self.dtype)[:, 0], v, casting="unsafe")
            return finish_encode(out, valid, failed, self._spaces)
        u = to_unscaled(arr, self.scale, truncate)
        failed = u.bad.copy()
        neg = u.neg
        if truncate and self.digit_limit is not None:
            dig, _ = u.digits(len(str(self.digit_limit)) - 1)
            mag = horner(dig).view(_U64)
            neg = neg & (mag != 0)
        else:
            mag, over64 = u.u64()
            if not truncate:
                lim = np.where(neg, _U64(self._max_neg), _U64(self._max_pos))
                failed |= over64 | (mag > lim)
        if not self.signed:
            failed |= neg & (mag != 0)
            neg = np.zeros(n, dtype=bool)
        m = mag.view(np.int64)
        vals = np.where(neg, -m, m)  # wraps modulo 2**64: right for two's complement
        np.copyto(out.view(self.dtype)[:, 0], vals, casting="unsafe")
        return finish_encode(out, u.valid, failed, self._spaces)


_WIDE = Context(prec=80)
"""Decimal context wide enough for any binary item (the default 28 digits would round)."""


class WideBinaryCodec(CodecBase):
    """Binary items of more than 18 digits, laid out at Cobrix's sizes (9 bytes for 19-20
    digits, up to 16 for 37): not IBM COBOL, but found in files Cobrix users have. Decoded one
    value at a time with Python integers: rare, so clarity over speed."""

    failure_reason = "the value is outside the range of the binary field"

    def __init__(self, item: Item, fmt: FileFormat, *, trim: str = "right") -> None:
        from legacyio.codecs.types import numeric_type

        super().__init__(item, fmt)
        pic = self.required_picture("a binary")
        self.zero = b"\x00" * self.width
        self.signed, self.scale = pic.signed, pic.scale
        self.arrow_type = numeric_type(pic.precision, pic.scale)
        self.order = fmt.comp5_byteorder if item.usage == Usage.COMP5 else fmt.binary_byteorder
        # COMP-5 may hold the full range of its bytes, but a wide item's Arrow decimal holds
        # only the PICTURE's digits: larger values are invalid (null, bytes kept in the residue)
        self.limit = 10**pic.digits

    def _value(self, unscaled: int) -> object:
        if pa.types.is_decimal(self.arrow_type):
            return Decimal(unscaled).scaleb(-self.scale, _WIDE)
        return unscaled * 10 ** (-self.scale) if self.scale < 0 else unscaled

    def decode(self, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None]:
        """Values of an ``(n, width)`` byte matrix; values beyond the PICTURE give null."""
        rows = np.ascontiguousarray(mat)
        values: list[object] = []
        bad = np.zeros(rows.shape[0], dtype=bool)
        for i in range(rows.shape[0]):
            v = int.from_bytes(rows[i].tobytes(), self.order, signed=self.signed)
            if self.limit is not None and abs(v) >= self.limit:
                bad[i] = True
                values.append(None)
            else:
                values.append(self._value(v))
        arr = pa.array(values, type=self.arrow_type)
        return arr, (bad if bad.any() else None)

    def encode(
        self, values: pa.Array, *, truncate: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Two's complement bytes of each value (nulls get the space fill)."""
        n = len(values)
        out = np.empty((n, self.width), dtype=np.uint8)
        failed = np.zeros(n, dtype=bool)
        spaces = np.frombuffer(self.fill("spaces"), dtype=np.uint8)
        for i, v in enumerate(values.to_pylist()):
            if v is None:
                out[i] = spaces
                continue
            d = Decimal(v).scaleb(self.scale, _WIDE)
            u = int(d)
            if d != u or (self.limit is not None and abs(u) >= self.limit and not truncate):
                failed[i] = True
                out[i] = spaces
                continue
            if self.limit is not None and truncate:
                u = (abs(u) % self.limit) * (-1 if u < 0 else 1)
            try:
                out[i] = np.frombuffer(
                    u.to_bytes(self.width, self.order, signed=self.signed), dtype=np.uint8
                )
            except OverflowError:
                failed[i] = True
                out[i] = spaces
        return out, (failed if failed.any() else None)
