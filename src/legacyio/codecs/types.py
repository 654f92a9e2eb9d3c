"""Exact Arrow types of elementary items: one place decides them, so the codecs, the plan's
schema and the reference model agree.

Arrow mapping (never a float for a decimal):

============================  ==========================================================
item                          Arrow type
============================  ==========================================================
text (X, A, edited X, N, G)   ``string``
numeric, scale <= 0           ``int32`` up to 9 digits, ``int64`` up to 18,
                              ``decimal128(p, 0)`` up to 38, ``decimal256(p, 0)`` beyond
numeric, scale > 0            ``decimal128(p, s)`` (``decimal256`` when p > 38)
COMP-5 (native binary)        by storage range: 2 bytes ``int32``, 4 bytes ``int32``
                              (unsigned ``int64``), 8 bytes ``int64`` (unsigned ``uint64``);
                              with a scale ``decimal128(storage digits, s)``
numeric-edited                ``decimal128(p, s)`` / ``int32`` / ``int64`` as above
COMP-1 / COMP-2               ``float32`` / ``float64``
POINTER / INDEX               ``int64``
============================  ==========================================================

``p`` is the precision: stored digits plus P scaling positions.
"""

from __future__ import annotations

import pyarrow as pa

from legacyio.copybook.types import Picture, Usage
from legacyio.layout.types import TEXT_CATEGORIES, binary_size


def _integer_type(precision: int) -> pa.DataType:
    if precision <= 9:
        return pa.int32()
    if precision <= 18:
        return pa.int64()
    if precision <= 38:
        return pa.decimal128(precision, 0)
    return pa.decimal256(precision, 0)


def _decimal_type(precision: int, scale: int) -> pa.DataType:
    precision = max(precision, scale, 1)
    if precision <= 38:
        return pa.decimal128(precision, scale)
    return pa.decimal256(precision, scale)


def numeric_type(precision: int, scale: int) -> pa.DataType:
    """Exact Arrow type of a number with ``precision`` digits and ``scale`` (may be < 0)."""
    if scale <= 0:
        return _integer_type(precision)
    return _decimal_type(precision, scale)


def comp5_type(size: int, signed: bool, scale: int) -> pa.DataType:
    """COMP-5 holds the full range of its bytes, not only the PICTURE's digits."""
    digits = {2: 5, 4: 10, 8: 20 if not signed else 19}[size]
    if scale > 0:
        return _decimal_type(digits, scale)
    if scale < 0:
        # P scaling: the stored range times 10**-scale
        return _integer_type(digits - scale)
    if size == 2:
        return pa.int32()
    if size == 4:
        return pa.int32() if signed else pa.int64()
    return pa.int64() if signed else pa.uint64()


def value_type(usage: Usage, picture: Picture | None) -> pa.DataType:
    """Arrow type of one occurrence of an elementary item."""
    if usage == Usage.FLOAT4:
        return pa.float32()
    if usage == Usage.FLOAT8:
        return pa.float64()
    if usage in (Usage.POINTER, Usage.INDEX):
        return pa.int64()
    if picture is None:
        raise ValueError(f"usage {usage.value} needs a PICTURE")
    if picture.category in TEXT_CATEGORIES:
        return pa.string()
    if usage in (Usage.BINARY, Usage.COMP5) and picture.digits > 18:
        return numeric_type(picture.precision, picture.scale)  # Cobrix's wide binaries
    if usage == Usage.COMP5:
        return comp5_type(binary_size(picture.digits), picture.signed, picture.scale)
    return numeric_type(picture.precision, picture.scale)
