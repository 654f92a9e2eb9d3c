"""Shared helpers to build int / decimal Arrow arrays from NumPy and read them back.

Numbers move between bytes and Arrow as *unscaled integers* (``value * 10**scale``). Up to 18
digits they are plain ``int64`` arrays. Beyond that they are *limbs*: a ``(k, n)`` ``uint64``
array of 32-bit limbs (limb 0 least significant) holding the magnitude, plus a bool sign mask.
Limbs make 128-bit (decimal128) and 256-bit (decimal256) arithmetic vectorized with plain NumPy
``uint64`` operations (multiply by < 2**30 and long division by < 2**30 never overflow).
Every function works on whole columns; nothing loops per value except the documented slow path
for inputs of unusual Arrow types (floats, strings, decimals of another scale).
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation, localcontext

import attrs
import numpy as np
import pyarrow as pa

_M32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
_E9 = 10**9
POW10_I64 = np.array([10**i for i in range(19)], dtype=np.int64)
"""Powers of ten that fit in int64 (10**0 .. 10**18)."""


# ---------------------------------------------------------------------------------------------
# masks and Arrow buffers
# ---------------------------------------------------------------------------------------------
def validity_buffer(valid: np.ndarray | None) -> tuple[pa.Buffer | None, int]:
    """Arrow validity bitmap and null count for a bool mask (None means all valid)."""
    if valid is None:
        return None, 0
    nulls = int(valid.size - np.count_nonzero(valid))
    if nulls == 0:
        return None, 0
    return pa.py_buffer(np.packbits(valid, bitorder="little")), nulls


def valid_mask(arr: pa.Array) -> np.ndarray | None:
    """Bool mask of non-null rows of ``arr`` (None when it has no nulls)."""
    if arr.null_count == 0:
        return None
    buf = arr.buffers()[0]
    n = len(arr)
    if buf is None:  # a null-typed array or similar: every row null
        return np.zeros(n, dtype=bool)
    bits = np.unpackbits(np.frombuffer(buf, dtype=np.uint8), bitorder="little")
    return bits[arr.offset : arr.offset + n].astype(bool)


def data_view(arr: pa.Array, dtype: np.dtype | str, per_value: int = 1) -> np.ndarray:
    """Zero-copy NumPy view of the data buffer of a fixed-width array (honours the offset)."""
    dt = np.dtype(dtype)
    n = len(arr)
    buf = arr.buffers()[1]
    if buf is None or n == 0:
        return np.zeros(n * per_value, dtype=dt)
    return np.frombuffer(
        buf, dtype=dt, count=n * per_value, offset=arr.offset * per_value * dt.itemsize
    )


def as_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A plain (non-chunked) Arrow array."""
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values


# ---------------------------------------------------------------------------------------------
# limbs: vectorized wide integers
# ---------------------------------------------------------------------------------------------
def limbs_zeros(k: int, n: int) -> np.ndarray:
    """A zero magnitude of ``k`` 32-bit limbs for ``n`` rows."""
    return np.zeros((k, n), dtype=np.uint64)


def limbs_mul_add(limbs: np.ndarray, mul: int, add: np.ndarray | None = None) -> None:
    """In place: ``limbs = limbs * mul + add`` (``mul`` and ``add`` below 2**31)."""
    m = np.uint64(mul)
    carry = None if add is None else add.astype(np.uint64, copy=False)
    for i in range(limbs.shape[0]):
        t = limbs[i] * m
        if carry is not None:
            t += carry
        limbs[i] = t & _M32
        carry = t >> _S32


def limbs_divmod(limbs: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Long division of every magnitude by ``d`` (< 2**30): ``(quotient limbs, remainder)``."""
    dd = np.uint64(d)
    q = np.empty_like(limbs)
    rem = np.zeros(limbs.shape[1], dtype=np.uint64)
    for i in range(limbs.shape[0] - 1, -1, -1):
        cur = (rem << _S32) | limbs[i]
        qi = cur // dd
        q[i] = qi
        rem = cur - qi * dd
    return q, rem


def limbs_from_u64(mag: np.ndarray, k: int) -> np.ndarray:
    """Limbs of ``uint64`` magnitudes."""
    limbs = limbs_zeros(k, mag.size)
    m = mag.astype(np.uint64, copy=False)
    limbs[0] = m & _M32
    if k > 1:
        limbs[1] = m >> _S32
    return limbs


def limbs_fit_u64(limbs: np.ndarray) -> np.ndarray:
    """Rows whose magnitude fits in 64 bits."""
    if limbs.shape[0] <= 2:
        return np.ones(limbs.shape[1], dtype=bool)
    return ~np.any(limbs[2:] != 0, axis=0)


def limbs_low_u64(limbs: np.ndarray) -> np.ndarray:
    """The low 64 bits of every magnitude."""
    lo = limbs[0].copy()
    if limbs.shape[0] > 1:
        lo |= limbs[1] << _S32
    return lo


def limbs_to_twos(limbs: np.ndarray, neg: np.ndarray | None) -> np.ndarray:
    """Two's complement little-endian bytes ``(n, 4k)`` of sign + magnitude."""
    k, n = limbs.shape
    if neg is not None and neg.any():
        inv = np.where(neg, limbs ^ _M32, limbs)
        limbs_mul_add(inv, 1, neg)
        limbs = inv
    out = np.ascontiguousarray(limbs.T).astype("<u4")
    return out.view(np.uint8).reshape(n, 4 * k)


def twos_to_limbs(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(magnitude limbs, negative mask)`` of two's complement little-endian rows."""
    n, nbytes = raw.shape
    k = nbytes // 4
    limbs = np.ascontiguousarray(raw).view("<u4").reshape(n, k).T.astype(np.uint64)
    neg = (limbs[k - 1] >> np.uint64(31)).astype(bool)
    if neg.any():
        inv = np.where(neg, limbs ^ _M32, limbs)
        limbs_mul_add(inv, 1, neg)
        limbs = inv
    return limbs, neg


def limbs_from_digits(digits: np.ndarray, k: int, extra_zeros: int = 0) -> np.ndarray:
    """Limbs of the numbers whose decimal digits (most significant first) are the columns of
    ``digits`` (``(n, D)`` small ints), times ``10**extra_zeros``."""
    n, d = digits.shape
    limbs = limbs_zeros(k, n)
    first = d % 9 or 9
    start = 0
    width = first
    while start < d:
        chunk = horner(digits[:, start : start + width])
        limbs_mul_add(limbs, 10**width, chunk)
        start += width
        width = 9
    while extra_zeros > 0:
        step = min(9, extra_zeros)
        limbs_mul_add(limbs, 10**step)
        extra_zeros -= step
    return limbs


def horner(digits: np.ndarray) -> np.ndarray:
    """int64 value of up to 18 decimal digit columns (most significant first).

    Column by column on purpose: a float64 ``np.dot`` measured faster for 32k rows but hands
    larger batches to multithreaded OpenBLAS, which ran 10-20x slower on a busy machine."""
    n, d = digits.shape
    if d == 0:
        return np.zeros(n, dtype=np.int64)
    cols = digits.T  # (d, n): each row one column of the input
    acc = cols[0].astype(np.int64)
    for j in range(1, d):
        acc *= 10
        acc += cols[j]
    return acc


def chunks_to_digits(chunks: list[np.ndarray], ndigits: int) -> np.ndarray:
    """``(n, ndigits)`` uint8 digits of numbers given as base-10**9 chunks (least significant
    first, each < 10**9); digits beyond the chunks are 0."""
    n = chunks[0].size if chunks else 0
    out = np.zeros((n, ndigits), dtype=np.uint8)
    pos = ndigits
    for ch in chunks:
        if pos <= 0:
            break
        c = ch.astype(np.int64)
        for _ in range(9):
            if pos <= 0:
                break
            pos -= 1
            q = c // 10
            out[:, pos] = c - q * 10
            c = q
    return out


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
        return data_view(arr, t.to_pandas_dtype()).astype(np.int64), valid
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
            u = _ints_unscaled(data_view(arr, t.to_pandas_dtype()).astype(np.int64), valid)
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


# ---------------------------------------------------------------------------------------------
# plumbing shared by the numeric codecs
# ---------------------------------------------------------------------------------------------
FILL_KINDS = ("spaces", "low-values", "zero")


def space_byte(ebcdic: bool) -> int:
    """The code page's space: X'40' in EBCDIC, X'20' on the ASCII side."""
    return 0x40 if ebcdic else 0x20


def simple_fill(kind: str, width: int, ebcdic: bool, zero: bytes) -> bytes:
    """Bytes for a null written as ``kind``; ``zero`` is the codec's canonical 0."""
    if kind == "spaces":
        return bytes([space_byte(ebcdic)]) * width
    if kind == "low-values":
        return b"\x00" * width
    if kind == "zero":
        return zero
    raise ValueError(f"unknown fill kind {kind!r}; expected one of {', '.join(FILL_KINDS)}")


def finish_encode(
    out: np.ndarray, valid: np.ndarray | None, failed: np.ndarray, fill: bytes
) -> tuple[np.ndarray, np.ndarray | None]:
    """Write ``fill`` into null and failed rows; return the matrix and the failed mask (None
    when nothing failed). Null rows are never failed."""
    if valid is not None:
        failed = failed & valid
        blank = ~valid | failed
    else:
        blank = failed
    if blank.any():
        out[blank] = np.frombuffer(fill, dtype=np.uint8)
    return out, (failed if failed.any() else None)


def invalid_or_none(invalid: np.ndarray) -> np.ndarray | None:
    """The invalid mask, or None when no row is invalid."""
    return invalid if invalid.any() else None


# ---------------------------------------------------------------------------------------------
# fast digit output for magnitudes below 10**19 (the common case of every encoder)
# ---------------------------------------------------------------------------------------------
def _digits4() -> np.ndarray:
    n = np.arange(10000)
    return np.stack([n // 1000, n // 100 % 10, n // 10 % 10, n % 10], axis=1).astype(np.uint8)


_DIGITS4 = _digits4()


def zoned4_table(zone: int) -> np.ndarray:
    """uint32 table: the four zoned bytes (``zone | digit``) of 0000-9999, in memory order."""
    return np.ascontiguousarray(_DIGITS4 | np.uint8(zone)).view(np.uint32).reshape(10000)


def packed4_table() -> np.ndarray:
    """uint16 table: the two packed bytes (four BCD nibbles) of 0000-9999, in memory order."""
    b = np.empty((10000, 2), dtype=np.uint8)
    b[:, 0] = (_DIGITS4[:, 0] << 4) | _DIGITS4[:, 1]
    b[:, 1] = (_DIGITS4[:, 2] << 4) | _DIGITS4[:, 3]
    return b.view(np.uint16).reshape(10000)


@functools.lru_cache(maxsize=64)
def zoned4_signed_table(zone: int, pos: bytes, neg: bytes) -> np.ndarray:
    """uint32 (20000,): ``zoned4_table(zone)`` with the last digit's byte taken from ``pos``
    (entries 0-9999) or ``neg`` (10000-19999, the same groups negative), indexed by that
    digit: the last group of a zoned number with its sign embedded in the last digit."""
    b = np.concatenate([_DIGITS4, _DIGITS4]) | np.uint8(zone)
    last = _DIGITS4[:, 3]
    b[:10000, 3] = np.frombuffer(pos, np.uint8)[last]
    b[10000:, 3] = np.frombuffer(neg, np.uint8)[last]
    return np.ascontiguousarray(b).view(np.uint32).reshape(20000)


@functools.lru_cache(maxsize=8)
def packed4_signed_table(pos_nibble: int) -> np.ndarray:
    """uint16 (20000,): ``packed4_table()`` with the last nibble replaced by the sign nibble,
    ``pos_nibble`` for entries 0-9999 and D for 10000-19999: the last group of a packed
    number whose magnitude was multiplied by ten to make room for the sign."""
    b = np.concatenate([packed4_table(), packed4_table()]).view(np.uint8).reshape(20000, 2)
    b[:10000, 1] = (b[:10000, 1] & 0xF0) | pos_nibble
    b[10000:, 1] = (b[10000:, 1] & 0xF0) | 0x0D
    return b.view(np.uint16).reshape(20000)


def u64_to_groups(
    mag: np.ndarray,
    table: np.ndarray,
    ngroups: int,
    last: np.ndarray | None = None,
    neg: np.ndarray | None = None,
) -> np.ndarray:
    """``(n, ngroups * itemsize)`` bytes of ``mag`` written as ``ngroups`` four-digit groups
    (most significant first) through ``table`` (``zoned4_table`` or ``packed4_table``);
    digits above the groups are dropped. With ``last`` (a signed table of 20000 entries) and
    ``neg``, the last group comes from ``last``, its second half for the negative rows: the
    sign is written with the digits instead of in another pass."""
    n = mag.size
    out = np.empty((n, ngroups), dtype=table.dtype)
    rest = mag.astype(np.uint64, copy=False)
    e4 = np.uint64(10000)
    r = np.empty(n, dtype=np.uint64)
    idx = r.view(np.int64)  # the remainders as take() indices, without a cast
    shift = None
    if last is not None and neg is not None:
        shift = np.multiply(neg, 10000, dtype=np.int64)  # negative rows: second half
    for g in range(ngroups - 1, -1, -1):
        q = rest // e4
        # in place: ``rest - q * e4`` as one expression is several times slower (NumPy's
        # temporary elision does not apply to a subtraction from a temporary)
        np.multiply(q, e4, out=r)
        np.subtract(rest, r, out=r)
        tab = table
        if g == ngroups - 1 and last is not None:
            tab = last
            if shift is not None:
                idx += shift  # (a masked ``where=`` add is several times slower)
        np.take(tab, idx, out=out[:, g])
        rest = q
    return out.view(np.uint8).reshape(n, ngroups * table.dtype.itemsize)


_ITEM_DTYPES = {
    1: np.dtype(np.uint8),
    2: np.dtype(np.uint16),
    4: np.dtype(np.uint32),
    8: np.dtype(np.uint64),
}


def row_items(a: np.ndarray) -> np.ndarray:
    """A ``(..., w)`` byte array with contiguous rows seen as ``(...)`` items of w bytes (a
    view; ValueError when the rows are not contiguous)."""
    w = a.shape[-1]
    return a.view(_ITEM_DTYPES.get(w) or np.dtype(f"V{w}"))[..., 0]


def put_rows(dst: np.ndarray, src: np.ndarray, where: np.ndarray | None = None) -> None:
    """``dst[...] = src`` (or ``dst[where] = src``) for byte matrices of w-byte rows, copied
    as whole items: several times faster than copying w single bytes per row when ``dst`` is
    a column slice of the record matrix."""
    if dst.shape[-1] == 0:
        return
    try:
        d, s = row_items(dst), row_items(src)
    except ValueError:  # rows not contiguous: plain byte copy
        d, s = dst, src
    if where is None:
        d[...] = s
    else:
        d[where] = s


_MASKS: dict[tuple[int, bool], np.ndarray] = {}


def columns_mask(lengths: np.ndarray, w: int, from_end: bool = False) -> np.ndarray:
    """(n, w) bool: the columns a value of ``lengths[i]`` units fills in row i (the first
    ones, or the last ones ``from_end``): text under its field, occurrences of an OCCURS
    table. Rows of a table of the w + 1 possible rows are gathered, which is several times
    faster than comparing against a column range."""
    if w > 256:
        cols = np.arange(w)[None, :]
        lens = lengths[:, None]
        return cols >= w - lens if from_end else cols < lens
    table = _MASKS.get((w, from_end))
    if table is None:
        cols, lens = np.arange(w)[None, :], np.arange(w + 1)[:, None]
        table = _MASKS[(w, from_end)] = cols >= w - lens if from_end else cols < lens
    return np.take(table, lengths, axis=0)
