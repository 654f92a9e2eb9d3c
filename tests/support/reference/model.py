"""Reference decoder/encoder: one record at a time, one item at a time, with ``construct``.

Written for clarity, not speed, and independent of ``legacyio.codecs`` and ``legacyio.plan.core``:
it only reads the layout tree (``legacyio.layout.model``) and the ``FileFormat``. Every
elementary item becomes a ``construct`` Adapter over ``Bytes(size)`` that parses to the Python
value (or None when the bytes are not a valid value) and builds canonical IBM bytes back.

Validity rules (the codec contract, briefs H2/H2a/H2b):

* zoned: digit positions hold the code page's digits; spaces are accepted (as zeros) only as a
  run before the first digit, and the last digit position is never a space; the embedded sign
  byte (last, or first with SIGN LEADING on a signed item) has zone C/A/E/F (positive) or D/B
  (negative, signed items only); ASCII files accept plain digits, IBM overpunch (``{A-I`` /
  ``}J-R``) and Micro Focus negatives (X'70'-X'79'); a separate sign byte is '+' or '-'.
* packed: digit nibbles 0-9, sign nibble C/A/E/F (positive) or D/B (negative, signed items
  only), the pad nibble of an even digit count must be 0; COMP-6 has no sign nibble.
* BINARY: a magnitude above the PICTURE's digits is invalid; COMP-5 holds its bytes' range.
* COMP-1/COMP-2 IBM hex: exactly rounded to float32/float64; a COMP-1 beyond float32's range
  is invalid. IEEE: a plain copy.
* text: the code page's characters, right-trimmed of its space; national: UTF-16BE, a lone
  surrogate is invalid.
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pyarrow as pa
from construct import Adapter, Array, Bytes, BytesInteger, Construct

from legacyio.codecs.types import value_type
from legacyio.layout.model import Category, Item, Layout, Usage
from legacyio.options import FileFormat

TEXT_CATEGORIES = (Category.ALPHANUMERIC, Category.ALPHABETIC, Category.ALPHANUMERIC_EDITED)


class ReferenceError(ValueError):
    """A value the reference encoder cannot represent (too many digits, wrong sign, ...)."""


# ------------------------------------------------------------------------------------------
# code page facts
# ------------------------------------------------------------------------------------------
def _space(fmt: FileFormat) -> int:
    return " ".encode(fmt.encoding)[0]


def _zone(fmt: FileFormat) -> int:
    return 0xF0 if fmt.ebcdic else 0x30


def _plus_minus(fmt: FileFormat) -> tuple[int, int]:
    return (0x4E, 0x60) if fmt.ebcdic else (0x2B, 0x2D)


# ------------------------------------------------------------------------------------------
# numbers: unscaled integer <-> Python value
# ------------------------------------------------------------------------------------------
class Scaled(Adapter):
    """Unscaled integer <-> value: ``stored * 10 ** -scale`` as int or Decimal per Arrow type."""

    def __init__(self, subcon: Construct, scale: int, arrow_type: pa.DataType) -> None:
        super().__init__(subcon)
        self.scale = scale
        self.decimal = pa.types.is_decimal(arrow_type)

    def _decode(self, obj: int | None, context: Any, path: Any) -> int | Decimal | None:
        if obj is None:
            return None
        if self.decimal:
            return Decimal(obj).scaleb(-self.scale)
        return obj * 10 ** (-self.scale)

    def _encode(self, obj: Any, context: Any, path: Any) -> int:
        d = Decimal(obj).scaleb(self.scale)
        if d != d.to_integral_value():
            raise ReferenceError("value has more decimal places than the PICTURE")
        return int(d)


def _check_digits(v: int, digits: int, signed: bool) -> None:
    if v < 0 and not signed:
        raise ReferenceError("negative value in an unsigned field")
    if abs(v) >= 10**digits:
        raise ReferenceError("too many digits")


class Zoned(Adapter):
    """Zoned decimal bytes <-> unscaled int (None when invalid)."""

    def __init__(self, item: Item, fmt: FileFormat) -> None:
        super().__init__(Bytes(item.size))
        pic = item.picture
        assert pic is not None
        self.digits = pic.digits
        self.signed = pic.signed
        self.separate = item.sign_separate
        self.leading = item.sign_leading
        self.ebcdic = fmt.ebcdic
        self.ascii_sign = fmt.ascii_sign
        self.zone = _zone(fmt)
        self.space = _space(fmt)
        self.plus, self.minus = _plus_minus(fmt)

    def _sign_digit(self, b: int) -> tuple[int, bool] | None:
        """(digit, negative) of the byte that carries an embedded sign, or None."""
        if self.ebcdic:
            zone, digit = b >> 4, b & 0xF
            if digit > 9:
                return None
            if zone in (0xC, 0xA, 0xE, 0xF):
                return digit, False
            if zone in (0xD, 0xB) and self.signed:
                return digit, True
            return None
        if 0x30 <= b <= 0x39:
            return b - 0x30, False
        if b == ord("{"):
            return 0, False
        if ord("A") <= b <= ord("I"):
            return b - ord("A") + 1, False
        if self.signed:
            if 0x70 <= b <= 0x79:
                return b - 0x70, True
            if b == ord("}"):
                return 0, True
            if ord("J") <= b <= ord("R"):
                return b - ord("J") + 1, True
        return None

    def _decode(self, obj: bytes, context: Any, path: Any) -> int | None:
        negative = False
        body = obj
        sign_pos = None
        if self.separate:
            sb = obj[0] if self.leading else obj[-1]
            if sb not in (self.plus, self.minus):
                return None
            negative = sb == self.minus
            body = obj[1:] if self.leading else obj[:-1]
        else:
            sign_pos = 0 if (self.leading and self.signed) else self.digits - 1
        value = 0
        seen_digit = False
        for i, b in enumerate(body):
            if i == sign_pos:
                sd = self._sign_digit(b)
                if sd is None:
                    return None
                d, negative = sd
                seen_digit = True
            elif b == self.space and not seen_digit:
                d = 0
            elif self.zone <= b <= self.zone + 9:
                d = b - self.zone
                seen_digit = True
            else:
                return None
            value = value * 10 + d
        if body[-1] == self.space:
            return None
        return -value if negative else value

    def _encode(self, obj: int, context: Any, path: Any) -> bytes:
        _check_digits(obj, self.digits, self.signed or self.separate)
        digits = [self.zone | int(c) for c in str(abs(obj)).rjust(self.digits, "0")]
        negative = obj < 0
        if self.separate:
            sign = self.minus if negative else self.plus
            return bytes([sign, *digits] if self.leading else [*digits, sign])
        pos = 0 if (self.leading and self.signed) else self.digits - 1
        d = digits[pos] & 0xF
        if self.ebcdic:
            digits[pos] = ((0xD if negative else 0xC) if self.signed else 0xF) << 4 | d
        elif self.signed and self.ascii_sign == "ibm":
            digits[pos] = (b"}JKLMNOPQR" if negative else b"{ABCDEFGHI")[d]
        elif negative:
            digits[pos] = 0x70 + d
        return bytes(digits)


class Packed(Adapter):
    """Packed decimal (COMP-3, or COMP-6 without a sign nibble) <-> unscaled int or None."""

    def __init__(self, item: Item) -> None:
        super().__init__(Bytes(item.size))
        pic = item.picture
        assert pic is not None
        self.size = item.size
        self.digits = pic.digits
        self.has_sign = item.usage == Usage.PACKED
        self.signed = pic.signed and self.has_sign

    def _decode(self, obj: bytes, context: Any, path: Any) -> int | None:
        nibbles = [n for b in obj for n in (b >> 4, b & 0xF)]
        negative = False
        if self.has_sign:
            sign = nibbles.pop()
            if sign in (0xC, 0xA, 0xE, 0xF):
                negative = False
            elif sign in (0xD, 0xB) and self.signed:
                negative = True
            else:
                return None
        pad = len(nibbles) - self.digits
        if any(n != 0 for n in nibbles[:pad]):
            return None
        if any(n > 9 for n in nibbles):
            return None
        value = int("".join(str(n) for n in nibbles))
        return -value if negative else value

    def _encode(self, obj: int, context: Any, path: Any) -> bytes:
        _check_digits(obj, self.digits, self.signed)
        n_digits = 2 * self.size - (1 if self.has_sign else 0)
        nibbles = [int(c) for c in str(abs(obj)).rjust(n_digits, "0")]
        if self.has_sign:
            nibbles.append((0xD if obj < 0 else 0xC) if self.signed else 0xF)
        return bytes(nibbles[i] << 4 | nibbles[i + 1] for i in range(0, len(nibbles), 2))


class Binary(Adapter):
    """Two's complement / unsigned integer <-> int; BINARY values beyond the PICTURE's digits
    are invalid, COMP-5 / POINTER / INDEX keep the full range of their bytes."""

    def __init__(self, item: Item, fmt: FileFormat) -> None:
        pic = item.picture
        if item.usage in (Usage.POINTER, Usage.INDEX):
            signed, little, self.limit = False, False, None
        else:
            assert pic is not None
            signed = pic.signed
            if item.usage == Usage.COMP5:
                little, self.limit = fmt.comp5_byteorder == "little", None
            else:
                little, self.limit = fmt.binary_byteorder == "little", 10**pic.digits - 1
        self.signed = signed
        super().__init__(BytesInteger(item.size, signed=signed, swapped=little))

    def _decode(self, obj: int, context: Any, path: Any) -> int | None:
        if self.limit is not None and abs(obj) > self.limit:
            return None
        return obj

    def _encode(self, obj: int, context: Any, path: Any) -> int:
        if self.limit is not None and abs(obj) > self.limit:
            raise ReferenceError("value beyond the PICTURE's digits")
        if obj < 0 and not self.signed:
            raise ReferenceError("negative value in an unsigned field")
        return obj


class IbmFloat(Adapter):
    """IBM hexadecimal floating point (big-endian) <-> Python float of float32/float64."""

    def __init__(self, double: bool) -> None:
        self.width = 8 if double else 4
        self.fbits = 56 if double else 24
        self.double = double
        super().__init__(Bytes(self.width))

    def _decode(self, obj: bytes, context: Any, path: Any) -> float | None:
        u = int.from_bytes(obj, "big")
        negative = bool(u >> (8 * self.width - 1))
        exp = (u >> self.fbits) & 0x7F
        frac = u & ((1 << self.fbits) - 1)
        exact = Fraction(frac, 1 << self.fbits) * Fraction(16) ** (exp - 64)
        value = float(exact)  # correctly rounded; exact for COMP-1 fractions
        if not self.double:
            with np.errstate(over="ignore"):
                value32 = np.float32(value)
            if math.isinf(value32):
                return None
            value = float(value32)
        return -value if negative else value

    def _encode(self, obj: float, context: Any, path: Any) -> bytes:
        x = float(obj)
        if not math.isfinite(x):
            raise ReferenceError("NaN and infinities have no IBM form")
        negative = math.copysign(1.0, x) < 0
        mag = Fraction(abs(x))
        if mag == 0:
            u = 0
        else:
            q = -64
            while Fraction(16) ** q <= mag:  # smallest q with |x| < 16**q (at least -64)
                q += 1
            scaled = mag * Fraction(16) ** (-q) * (1 << self.fbits)
            f = round(scaled)  # Fraction rounding: ties to even
            if self.double and f != scaled:
                raise ReferenceError("value below the IBM double range")
            if f == 1 << self.fbits:
                f, q = 1 << (self.fbits - 4), q + 1
            if q > 63:
                raise ReferenceError("value beyond the IBM float range")
            u = ((q + 64) << self.fbits) | f if f else 0
        if negative:
            u |= 1 << (8 * self.width - 1)
        return u.to_bytes(self.width, "big")


class IeeeFloat(Adapter):
    """IEEE 754 float of the file's byte order <-> Python float (float32 values for COMP-1)."""

    def __init__(self, double: bool, little: bool) -> None:
        self.code = ("<" if little else ">") + ("d" if double else "f")
        super().__init__(Bytes(8 if double else 4))

    def _decode(self, obj: bytes, context: Any, path: Any) -> float:
        return struct.unpack(self.code, obj)[0]

    def _encode(self, obj: float, context: Any, path: Any) -> bytes:
        try:
            return struct.pack(self.code, obj)
        except OverflowError as exc:
            raise ReferenceError("value beyond float32") from exc


class Text(Adapter):
    """Single-byte code page text <-> str, right-trimmed of the code page's space."""

    def __init__(self, item: Item, fmt: FileFormat) -> None:
        super().__init__(Bytes(item.size))
        self.size = item.size
        self.encoding = fmt.encoding
        self.space = bytes([_space(fmt)])
        self.justified = item.justified

    def _decode(self, obj: bytes, context: Any, path: Any) -> str:
        return obj.decode(self.encoding).rstrip(" ")

    def _encode(self, obj: str, context: Any, path: Any) -> bytes:
        try:
            b = obj.encode(self.encoding)
        except UnicodeEncodeError as exc:
            raise ReferenceError("character not in the code page") from exc
        if len(b) > self.size:
            raise ReferenceError("text longer than the field")
        pad = self.space * (self.size - len(b))
        return pad + b if self.justified else b + pad


class National(Adapter):
    """UTF-16BE text <-> str, right-trimmed of U+0020; a lone surrogate is invalid."""

    def __init__(self, item: Item) -> None:
        super().__init__(Bytes(item.size))
        self.size = item.size

    def _decode(self, obj: bytes, context: Any, path: Any) -> str | None:
        try:
            return obj.decode("utf-16-be").rstrip(" ")
        except UnicodeDecodeError:
            return None

    def _encode(self, obj: str, context: Any, path: Any) -> bytes:
        b = obj.encode("utf-16-be")
        if len(b) > self.size:
            raise ReferenceError("text longer than the field")
        return b + b"\x00\x20" * ((self.size - len(b)) // 2)


def field_construct(item: Item, fmt: FileFormat) -> Construct:
    """The construct that parses one occurrence of an elementary item to its Python value."""
    usage, pic = item.usage, item.picture
    if usage in (Usage.FLOAT4, Usage.FLOAT8):
        double = usage == Usage.FLOAT8
        if fmt.float_format == "ibm":
            return IbmFloat(double)
        return IeeeFloat(double, fmt.float_byteorder == "little")
    if usage in (Usage.POINTER, Usage.INDEX):
        return Binary(item, fmt)
    assert pic is not None, item.dotted
    if usage in (Usage.BINARY, Usage.COMP5):
        return Scaled(Binary(item, fmt), pic.scale, value_type(item.usage, item.picture))
    if usage in (Usage.PACKED, Usage.PACKED_NOSIGN):
        return Scaled(Packed(item), pic.scale, value_type(item.usage, item.picture))
    if usage == Usage.NATIONAL or pic.category in (Category.NATIONAL, Category.NATIONAL_EDITED):
        return National(item)
    if pic.category == Category.NUMERIC:
        return Scaled(Zoned(item, fmt), pic.scale, value_type(item.usage, item.picture))
    if pic.category in TEXT_CATEGORIES:
        return Text(item, fmt)
    raise NotImplementedError(f"{item.dotted}: {usage.value} {pic.category.value}")


# ------------------------------------------------------------------------------------------
# the record tree
# ------------------------------------------------------------------------------------------
def column_name(item: Item) -> str:
    """Python-style column name of an item (COBOL '-' -> '_')."""
    return item.name.replace("-", "_")


def _top_items(layout: Layout, fmt: FileFormat) -> tuple[Item, ...]:
    roots = layout.records
    if fmt.record is not None:
        roots = tuple(r for r in roots if r.name.upper() == fmt.record.upper())
    return roots[0].children if len(roots) == 1 else roots


def _find_path(layout: Layout, path: tuple[str, ...]) -> tuple[Item, bool]:
    """The item at ``path`` and whether it lies inside an OCCURS."""
    for root in layout.records:
        stack: list[tuple[Item, bool]] = [(root, False)]
        while stack:
            it, inside = stack.pop()
            if tuple(it.path) == tuple(path):
                return it, inside
            stack.extend((c, inside or it.occurs is not None) for c in it.children)
    raise KeyError(".".join(path))


class _Decoder:
    """Walks the item tree over one record's bytes (maximum layout)."""

    def __init__(self, layout: Layout, fmt: FileFormat, data: bytes) -> None:
        self.layout = layout
        self.fmt = fmt
        self.data = bytes(data)

    def count(self, item: Item) -> int:
        occ = item.occurs
        assert occ is not None
        if not occ.depending_path:
            return occ.max
        obj, inside = _find_path(self.layout, occ.depending_path)
        if inside:
            raise NotImplementedError("DEPENDING ON objects inside an OCCURS")
        value = self.one(obj, 0)
        if value is None:
            return 0
        return max(0, min(int(value), occ.max))

    def item(self, item: Item, shift: int) -> Any:
        if item.occurs is None:
            return self.one(item, shift)
        n = self.count(item)
        if not item.is_group:
            start = item.offset + shift
            con = Array(n, field_construct(item, self.fmt))
            return list(con.parse(self.data[start : start + n * item.size]))
        return [self.one(item, shift + k * item.size) for k in range(n)]

    def one(self, item: Item, shift: int) -> Any:
        if item.is_group:
            return self.children(item.children, shift)
        start = item.offset + shift
        return field_construct(item, self.fmt).parse(self.data[start : start + item.size])

    def children(self, items: tuple[Item, ...], shift: int) -> dict[str, Any]:
        return {column_name(c): self.item(c, shift) for c in items if not c.is_filler}


def decode_record(layout: Layout, fmt: FileFormat, data: bytes) -> dict[str, Any]:
    """Python values of one record's top-level columns (FILLER left out, None if invalid)."""
    if len(data) != layout.record_length:
        raise ValueError(f"record of {len(data)} bytes, layout needs {layout.record_length}")
    dec = _Decoder(layout, fmt, data)
    return dec.children(_top_items(layout, fmt), 0)


def _chain_names(items: tuple[Item, ...]) -> set[str]:
    """Names of the items that take part in a REDEFINES chain (base or alternative)."""
    bases = {c.redefines.upper() for c in items if c.redefines}
    return {c.name.upper() for c in items if c.redefines or c.name.upper() in bases}


class _Encoder:
    """Writes Python values into a record buffer that starts as the code page's spaces."""

    def __init__(self, fmt: FileFormat, size: int) -> None:
        self.fmt = fmt
        self.buf = bytearray([_space(fmt)]) * size

    def children(self, items: tuple[Item, ...], values: dict[str, Any], shift: int) -> None:
        chain = _chain_names(items)
        ordered = [c for c in items if not c.redefines] + [c for c in items if c.redefines]
        for c in ordered:
            if c.is_filler:
                continue
            v = values.get(column_name(c))
            if v is None:
                if c.name.upper() in chain:
                    continue  # an alternative that is not written
                raise ReferenceError(f"{c.dotted}: null value")
            self.item(c, v, shift)

    def item(self, item: Item, value: Any, shift: int) -> None:
        if item.occurs is None:
            self.one(item, value, shift)
            return
        if len(value) > item.occurs.max:
            raise ReferenceError(f"{item.dotted}: too many occurrences")
        for k, v in enumerate(value):
            if v is None:
                raise ReferenceError(f"{item.dotted}: null occurrence")
            self.one(item, v, shift + k * item.size)

    def one(self, item: Item, value: Any, shift: int) -> None:
        if item.is_group:
            self.children(item.children, value, shift)
            return
        start = item.offset + shift
        self.buf[start : start + item.size] = field_construct(item, self.fmt).build(value)


def encode_record(layout: Layout, fmt: FileFormat, values: dict[str, Any]) -> bytes:
    """Canonical IBM bytes of one record from its top-level column values.

    FILLER and unused ODO occurrences are the code page's spaces; in a REDEFINES chain the
    base is written first and every non-None alternative over it.
    """
    enc = _Encoder(fmt, layout.record_length)
    enc.children(_top_items(layout, fmt), values, 0)
    return bytes(enc.buf)
