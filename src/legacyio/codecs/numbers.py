"""Numbers between bytes and Arrow as *unscaled integers* (``value * 10**scale``): int64 up to
18 digits, limbs beyond (``legacyio.codecs.bigint``). Builds int / decimal Arrow arrays from
them and reads any numeric Arrow input back, refusing what would lose a digit. Every function
works on whole columns; nothing loops per value except the documented slow path for inputs of
unusual Arrow types (floats, strings, decimals of another scale).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation, localcontext

import attrs
import numpy as np
import pyarrow as pa

from legacyio.codecs.bigint import (
    _E9,
    chunks_to_digits,
    horner,
    limbs_divmod,
    limbs_fit_u64,
    limbs_from_digits,
    limbs_from_u64,
    limbs_low_u64,
    limbs_mul_add,
    limbs_to_twos,
    limbs_zeros,
    twos_to_limbs,
)
from legacyio.codecs.buffers import (
    as_array,
    data_view,
    numpy_dtype,
    valid_mask,
    validity_buffer,
)

POW10_I64 = np.array([10**i for i in range(19)], dtype=np.int64)


"""Powers of ten that fit in int64 (10**0 .. 10**18)."""


# ---------------------------------------------------------------------------------------------
# NumPy -> Arrow
# ---------------------------------------------------------------------------------------------
def ints_to_arrow(values: np.ndarray, valid: np.ndarray | None, type_: pa.DataType) -> pa.Array:
    """Arrow array of ``type_`` from unscaled integers (int64, or uint64 for unsigned values).

    int32 / int64 / uint64 take the values as they are (the caller guarantees the range);
    decimal128 / decimal256 sign-extend int64 (zero-extend uint64) to 16 / 32 bytes; the
    scale comes from the type (the integers are already unscaled).
    """
    n = values.size
    vbuf, nulls = validity_buffer(valid)
    unsigned = values.dtype == np.uint64
    if pa.types.is_int32(type_):
        data = values.astype(np.int32)
    elif pa.types.is_int64(type_):
        data = values.astype(np.int64, copy=False) if not unsigned else values.view(np.int64)
    elif pa.types.is_uint64(type_):
        data = values.astype(np.uint64, copy=False) if unsigned else values.view(np.uint64)
    elif pa.types.is_decimal(type_):
        words = 2 if pa.types.is_decimal128(type_) else 4
        data = np.empty((n, words), dtype=np.int64)
        v = values.view(np.int64)
        data[:, 0] = v
        if unsigned:
            data[:, 1:] = 0
        elif words == 2:
            np.right_shift(v, 63, out=data[:, 1])
        else:
            data[:, 1:] = (v >> 63)[:, None]
    else:
        raise TypeError(f"ints_to_arrow cannot build {type_}")
    return pa.Array.from_buffers(type_, n, [vbuf, pa.py_buffer(np.ascontiguousarray(data))], nulls)


def limbs_to_arrow(
    limbs: np.ndarray, neg: np.ndarray | None, valid: np.ndarray | None, type_: pa.DataType
) -> pa.Array:
    """Arrow decimal128 / decimal256 (or int64 / uint64 / int32) array from wide magnitudes."""
    n = limbs.shape[1]
    if pa.types.is_decimal(type_):
        k = 4 if pa.types.is_decimal128(type_) else 8
        if limbs.shape[0] < k:
            limbs = np.concatenate([limbs, limbs_zeros(k - limbs.shape[0], n)])
        raw = limbs_to_twos(limbs[:k], neg)
        vbuf, nulls = validity_buffer(valid)
        return pa.Array.from_buffers(type_, n, [vbuf, pa.py_buffer(raw)], nulls)
    mag = limbs_low_u64(limbs)
    if pa.types.is_uint64(type_):
        return ints_to_arrow(mag, valid, type_)
    v = mag.view(np.int64)
    if neg is not None:
        v = np.where(neg, -v, v)
    return ints_to_arrow(v, valid, type_)


def digits_to_arrow(
    digits: np.ndarray,
    neg: np.ndarray | None,
    valid: np.ndarray | None,
    type_: pa.DataType,
    scale: int,
) -> pa.Array:
    """Arrow array from decimal digit columns (``(n, D)``, most significant first), a sign
    mask and the picture scale (negative scale multiplies by ``10**-scale``)."""
    _n, d = digits.shape
    mult = -scale if scale < 0 else 0
    if d + mult <= 18:
        v = horner(digits)
        if mult:
            v *= 10**mult
        if neg is not None:
            v = np.where(neg, -v, v)
        return ints_to_arrow(v, valid, type_)
    k = 4 if not pa.types.is_decimal256(type_) else 8
    k = max(k, -(-int((d + mult) * 3.33 + 2) // 32))
    limbs = limbs_from_digits(digits, k, mult)
    return limbs_to_arrow(limbs, neg, valid, type_)


# ---------------------------------------------------------------------------------------------
# Arrow -> NumPy (for encoders)
# ---------------------------------------------------------------------------------------------
def arrow_to_unscaled(
    arr: pa.Array, type_: pa.DataType
) -> tuple[np.ndarray | tuple[np.ndarray, np.ndarray], np.ndarray | None]:
    """Unscaled integers of an array of ``type_`` and its validity mask.

    int types give int64 (uint64 for uint64); decimal128 with precision <= 18 gives int64;
    wider decimal128 gives the two's complement halves ``(hi int64, lo uint64)`` read straight
    from the 16-byte little-endian buffer; decimal256 gives its ``(n, 4)`` uint64 words.
    """
    arr = as_array(arr)
    if arr.type != type_:
        arr = arr.cast(type_)
    valid = valid_mask(arr)
    t = arr.type
    if pa.types.is_uint64(t):
        return data_view(arr, np.uint64).copy(), valid
    if pa.types.is_integer(t):
        return data_view(arr, numpy_dtype(t)).astype(np.int64), valid
    if pa.types.is_decimal128(t):
        words = data_view(arr, np.uint64, 2).reshape(-1, 2)
        if t.precision <= 18:
            return words[:, 0].view(np.int64).copy(), valid
        return (words[:, 1].view(np.int64).copy(), words[:, 0].copy()), valid
    if pa.types.is_decimal256(t):
        return data_view(arr, np.uint64, 4).reshape(-1, 4).copy(), valid
    raise TypeError(f"arrow_to_unscaled does not handle {t}")


@attrs.define
class Unscaled:
    """Sign and magnitude of unscaled values prepared for an encoder.

    ``mag`` is a uint64 magnitude (small path) or ``limbs`` a wide magnitude; ``neg`` the sign;
    ``valid`` the non-null rows; ``bad`` rows that are not numbers of the target scale (NaN,
    inf, lost fraction digits without truncation).
    """

    neg: np.ndarray
    valid: np.ndarray | None
    bad: np.ndarray
    mag: np.ndarray | None = None
    limbs: np.ndarray | None = None

    @property
    def n(self) -> int:
        return self.neg.size

    def digits(self, ndigits: int) -> tuple[np.ndarray, np.ndarray]:
        """``(n, ndigits)`` uint8 low-order digits of the magnitude and the overflow mask (rows
        with more than ``ndigits`` digits)."""
        nch = -(-ndigits // 9)
        chunks: list[np.ndarray] = []
        if self.mag is not None:
            rest = self.mag
            e9 = np.uint64(_E9)
            for _ in range(nch):
                q = rest // e9
                chunks.append(rest - q * e9)
                rest = q
            over = rest != 0
        else:
            limbs = self.limbs
            assert limbs is not None
            for _ in range(nch):
                limbs, r = limbs_divmod(limbs, _E9)
                chunks.append(r)
            over = np.any(limbs != 0, axis=0)
        top = ndigits - 9 * (nch - 1)
        if top < 9:
            over |= chunks[-1] >= np.uint64(10**top)
        if not chunks:
            return np.zeros((self.n, 0), dtype=np.uint8), over
        return chunks_to_digits(chunks, ndigits), over

    def u64(self) -> tuple[np.ndarray, np.ndarray]:
        """Low 64 bits of the magnitude and the rows whose magnitude needs more than 64 bits."""
        if self.mag is not None:
            return self.mag, np.zeros(self.n, dtype=bool)
        assert self.limbs is not None
        return limbs_low_u64(self.limbs), ~limbs_fit_u64(self.limbs)


def _ints_unscaled(v: np.ndarray, valid: np.ndarray | None) -> Unscaled:
    if v.dtype == np.uint64:
        neg = np.zeros(v.size, dtype=bool)
        mag = v
    else:
        v = v.astype(np.int64, copy=False)
        neg = v < 0
        mag = np.abs(v).view(np.uint64)  # abs(INT64_MIN) wraps to 2**63: right
    if valid is not None:
        neg &= valid
        mag = np.where(valid, mag, np.uint64(0))
    return Unscaled(neg=neg, valid=valid, bad=np.zeros(v.size, dtype=bool), mag=mag)


def _rescale(u: Unscaled, shift: int, truncate: bool) -> Unscaled:
    """Multiply (shift > 0) or divide (shift < 0) unscaled values by a power of ten."""
    if shift == 0:
        return u
    if u.limbs is not None:
        limbs = u.limbs
    else:
        assert u.mag is not None
        limbs = limbs_from_u64(u.mag, 2)
    if shift > 0:
        extra = -(-int(shift * 3.33 + 1) // 32)
        limbs = np.concatenate([limbs, limbs_zeros(extra, limbs.shape[1])])
        while shift > 0:
            step = min(9, shift)
            limbs_mul_add(limbs, 10**step)
            shift -= step
        bad = u.bad
    else:
        lost = np.zeros(limbs.shape[1], dtype=bool)
        shift = -shift
        while shift > 0:
            step = min(9, shift)
            limbs, r = limbs_divmod(limbs, 10**step)
            lost |= r != 0
            shift -= step
        bad = u.bad if truncate else (u.bad | lost)
    neg = u.neg & np.any(limbs != 0, axis=0)
    return Unscaled(neg=neg, valid=u.valid, bad=bad, limbs=limbs)


def _slow_unscaled(arr: pa.Array, scale: int, truncate: bool) -> Unscaled:
    """Per-value path for unusual input types (floats, strings, ...): exact via Decimal."""
    n = len(arr)
    neg = np.zeros(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    valid = np.ones(n, dtype=bool)
    ints: list[int] = []
    with localcontext() as ctx:
        ctx.prec = 200
        for i, x in enumerate(arr.to_pylist()):
            if x is None:
                valid[i] = False
                ints.append(0)
                continue
            try:
                d = Decimal(x) if not isinstance(x, float) else Decimal(repr(x))
                if not d.is_finite():
                    raise InvalidOperation
                s = d.scaleb(scale)
                iv = int(s)  # toward zero
                if iv != s and not truncate:
                    bad[i] = True
            except (InvalidOperation, ValueError, TypeError):
                bad[i] = True
                iv = 0
            neg[i] = iv < 0
            ints.append(abs(iv))
    bits = max((x.bit_length() for x in ints), default=0)
    k = max(2, -(-bits // 32))
    raw = np.zeros((n, 4 * k), dtype=np.uint8)
    for i, x in enumerate(ints):
        if x:
            raw[i] = np.frombuffer(x.to_bytes(4 * k, "little"), dtype=np.uint8)
    limbs = np.ascontiguousarray(raw).view("<u4").reshape(n, k).T.astype(np.uint64)
    return Unscaled(neg=neg, valid=None if valid.all() else valid, bad=bad, limbs=limbs)


def to_unscaled(values: pa.Array | pa.ChunkedArray, scale: int, truncate: bool) -> Unscaled:
    """Sign and magnitude of ``value * 10**scale`` for every row of an Arrow numeric array.

    Integers and decimals are handled with vectorized NumPy; a decimal of another scale is
    rescaled (digits lost below the target scale make the row ``bad`` unless ``truncate``).
    Other types (floats, strings) take a per-value exact Decimal path.
    """
    arr = as_array(values)
    t = arr.type
    valid = valid_mask(arr)
    if pa.types.is_integer(t):
        if pa.types.is_uint64(t):
            u = _ints_unscaled(data_view(arr, np.uint64), valid)
        else:
            u = _ints_unscaled(data_view(arr, numpy_dtype(t)).astype(np.int64), valid)
        return _rescale(u, scale, truncate)
    if pa.types.is_decimal128(t) or pa.types.is_decimal256(t):
        words = 2 if pa.types.is_decimal128(t) else 4
        raw = data_view(arr, np.uint8, 8 * words).reshape(-1, 8 * words)
        if words == 2 and t.precision <= 18:
            v = np.ascontiguousarray(raw.view(np.int64)[:, 0])
            u = _ints_unscaled(v, valid)
        else:
            limbs, neg = twos_to_limbs(raw)
            if valid is not None:
                neg &= valid
                limbs = np.where(valid, limbs, np.uint64(0))
            u = Unscaled(neg=neg, valid=valid, bad=np.zeros(len(arr), dtype=bool), limbs=limbs)
        return _rescale(u, scale - t.scale, truncate)
    if pa.types.is_null(t):
        n = len(arr)
        return Unscaled(
            neg=np.zeros(n, dtype=bool),
            valid=np.zeros(n, dtype=bool),
            bad=np.zeros(n, dtype=bool),
            mag=np.zeros(n, dtype=np.uint64),
        )
    return _slow_unscaled(arr, scale, truncate)
