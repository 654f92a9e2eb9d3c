"""Vectorized wide-integer arithmetic for numbers beyond int64.

Beyond 18 digits a column of magnitudes is a (k, n) uint64 array of 32-bit *limbs* (limb 0
least significant) plus a bool sign mask, so decimal128 and decimal256 arithmetic runs as plain
NumPy uint64 operations (multiply by < 2**30 and long division by < 2**30 never overflow).
Also the digit-group tables the zoned and packed encoders look up.
"""

from __future__ import annotations

import functools

import numpy as np

_M32 = np.uint64(0xFFFFFFFF)


_S32 = np.uint64(32)


_E9 = 10**9


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
