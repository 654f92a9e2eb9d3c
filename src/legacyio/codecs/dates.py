"""Typed dates (``FileFormat.date_formats``): a field holding a date as digits, read as an
Arrow ``date32`` and written back in the same format, over whole batches.

The digits come from the field's own codec (zoned, packed or binary: the stored integer) or,
for a PIC X field, straight from its bytes (each byte a digit). The integer is split into
year, month and day (or day of the year) with NumPy; a row that is not a real date (month 13,
Feb 30, day 366 of a common year, zeros, spaces, a negative number) is null and invalid: the
reader reports it as a bad field and keeps the record's bytes in the residue.

Formats and their centuries:

* ``yyyymmdd`` (8 digits), ``yyyyddd`` (7, day of the year 001-366): years 0001-9999.
* ``cyymmdd`` (7): year = 1900 + 100 * c + yy (c=0: 19xx, c=1: 20xx, ..., c=9: 28xx).
* ``yymmdd`` (6), ``yyddd`` (5): the hundred years starting at ``date_pivot_year``
  (default 1950: yy 50-99 are 1950-1999, 00-49 are 2000-2049).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.codecs.buffers import valid_mask
from legacyio.codecs.fill import simple_fill
from legacyio.layout.model import Item
from legacyio.options import FileFormat

DIGITS = {"yyyymmdd": 8, "yyyyddd": 7, "cyymmdd": 7, "yymmdd": 6, "yyddd": 5}
"""Digits each date format takes."""

_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_EPOCH = 1970


def _leap(y: np.ndarray) -> np.ndarray:
    return ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)


def civil_to_days(
    y: np.ndarray, m: np.ndarray, d: np.ndarray, ok: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970-01-01 of (year, month, day) and where they form a real date."""
    ok = ok & (y >= 1) & (y <= 9999) & (m >= 1) & (m <= 12) & (d >= 1)
    mm = np.where(ok, m, 1)
    dim = _MONTH_DAYS[mm] + ((mm == 2) & _leap(y))
    ok &= d <= dim
    yy, mm, dd = np.where(ok, y, _EPOCH), np.where(ok, m, 1), np.where(ok, d, 1)
    months = ((yy - _EPOCH) * 12 + (mm - 1)).astype("datetime64[M]")
    return months.astype("datetime64[D]").astype(np.int64) + (dd - 1), ok


def ordinal_to_days(
    y: np.ndarray, ddd: np.ndarray, ok: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970-01-01 of (year, day of the year) and where they form a real date."""
    ok = ok & (y >= 1) & (y <= 9999) & (ddd >= 1) & (ddd <= 365 + _leap(y))
    yy, dd = np.where(ok, y, _EPOCH), np.where(ok, ddd, 1)
    start = (yy - _EPOCH).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    return start + (dd - 1), ok


def days_to_parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day, day of the year) of days since 1970-01-01."""
    dt = days.astype("datetime64[D]")
    year = dt.astype("datetime64[Y]")
    month = dt.astype("datetime64[M]")
    y = year.astype(np.int64) + _EPOCH
    m = (month - year.astype("datetime64[M]")).astype(np.int64) + 1
    d = (dt - month.astype("datetime64[D]")).astype(np.int64) + 1
    ddd = (dt - year.astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, d, ddd


class DateCodec:
    """A date held as digits in a numeric field (through ``inner``, its own codec) or in a
    PIC X field of exactly the format's digits (``inner`` None). Decodes to ``date32``;
    never vouches for canonical bytes (the reader re-encodes and compares)."""

    failure_reason = "the date is outside the years the field's date format can hold"

    def __init__(self, item: Item, fmt: FileFormat, form: str, inner: object | None = None) -> None:
        self.item = item
        self.date_format = form
        self.inner = inner
        self.width = item.size
        self.ndigits = DIGITS[form]
        self.pivot = fmt.date_pivot_year
        self.ebcdic = fmt.ebcdic
        self.zero_byte = 0xF0 if fmt.ebcdic else 0x30
        self.arrow_type = pa.date32()

    def fill(self, kind: str) -> bytes:
        if self.inner is not None:
            return bytes(self.inner.fill(kind))  # type: ignore[attr-defined]
        zero = bytes([self.zero_byte]) * self.width
        return simple_fill(kind, self.width, self.ebcdic, zero)

    # ---- digits <-> integers ------------------------------------------------------------
    def _integers(self, mat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The stored integer of each row and where there is one."""
        n = mat.shape[0]
        if self.inner is None:
            dig = np.asarray(mat, dtype=np.int16) - self.zero_byte
            ok: np.ndarray = np.asarray(((dig >= 0) & (dig <= 9)).all(axis=1))
            powers = 10 ** np.arange(self.width - 1, -1, -1, dtype=np.int64)
            return np.where(ok, dig.astype(np.int64) @ powers, 0), ok
        values, _ = self.inner.decode(mat)  # type: ignore[attr-defined]
        mask = valid_mask(values)
        ok = np.ones(n, dtype=bool) if mask is None else mask.copy()
        ints = pc.cast(values, pa.int64(), safe=False).fill_null(0)
        v = np.asarray(ints.to_numpy(zero_copy_only=False), dtype=np.int64)
        return v, ok

    def _to_field(self, v: np.ndarray, put: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Bytes of the integers ``v`` (rows ``put``; the others get the space fill)."""
        n = len(v)
        if self.inner is None:
            out = np.empty((n, self.width), dtype=np.uint8)
            out[:] = np.frombuffer(self.fill("spaces"), dtype=np.uint8)
            powers = 10 ** np.arange(self.width - 1, -1, -1, dtype=np.int64)
            dig = (v[:, None] // powers[None, :]) % 10 + self.zero_byte
            out[put] = dig[put].astype(np.uint8)
            return out, None
        t = self.inner.arrow_type  # type: ignore[attr-defined]
        arr = pa.array(v, type=pa.int64(), mask=~put).cast(t)
        mat, failed = self.inner.encode(arr)  # type: ignore[attr-defined]
        return np.ascontiguousarray(mat), failed

    # ---- decode ---------------------------------------------------------------------------
    def decode(self, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None]:
        """``date32`` values of an ``(n, width)`` byte matrix; null where not a real date."""
        v, ok = self._integers(mat)
        ok &= (v >= 0) & (v < 10**self.ndigits)
        f = self.date_format
        if f == "yyyymmdd":
            days, ok = civil_to_days(v // 10000, v // 100 % 100, v % 100, ok)
        elif f == "yymmdd":
            days, ok = civil_to_days(self._window(v // 10000), v // 100 % 100, v % 100, ok)
        elif f == "cyymmdd":
            y = 1900 + 100 * (v // 1000000) + v // 10000 % 100
            days, ok = civil_to_days(y, v // 100 % 100, v % 100, ok)
        elif f == "yyyyddd":
            days, ok = ordinal_to_days(v // 1000, v % 1000, ok)
        else:  # yyddd
            days, ok = ordinal_to_days(self._window(v // 1000), v % 1000, ok)
        arr = pa.array(np.where(ok, days, 0).astype(np.int32), type=pa.int32(), mask=~ok)
        bad = ~ok
        return arr.cast(pa.date32()), (bad if bad.any() else None)

    def _window(self, yy: np.ndarray) -> np.ndarray:
        """Two-digit years -> the hundred years starting at the pivot year."""
        base = self.pivot % 100
        century = self.pivot - base
        return np.where(yy >= base, century + yy, century + 100 + yy)

    # ---- encode ---------------------------------------------------------------------------
    def encode(
        self, values: pa.Array, *, truncate: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Digits of each date in the field's format; a date whose year the format cannot
        hold fails (``truncate`` does not apply: a date is never cut)."""
        arr = values if isinstance(values, pa.Array) else values.combine_chunks()
        if not pa.types.is_date32(arr.type):
            arr = pc.cast(arr, pa.date32())
        n = len(arr)
        valid = valid_mask(arr)
        valid = np.ones(n, dtype=bool) if valid is None else valid
        days = np.asarray(
            arr.cast(pa.int32()).fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64
        )
        y, m, d, ddd = days_to_parts(days)
        f = self.date_format
        if f in ("yyyymmdd", "yyyyddd"):
            fits = (y >= 1) & (y <= 9999)
        elif f == "cyymmdd":
            fits = (y >= 1900) & (y <= 2899)
        else:
            fits = (y >= self.pivot) & (y <= self.pivot + 99)
        if f == "yyyymmdd":
            v = y * 10000 + m * 100 + d
        elif f == "yyyyddd":
            v = y * 1000 + ddd
        elif f == "cyymmdd":
            v = (y - 1900) * 10000 + m * 100 + d
        elif f == "yymmdd":
            v = y % 100 * 10000 + m * 100 + d
        else:
            v = y % 100 * 1000 + ddd
        bad = valid & ~fits
        out, failed = self._to_field(np.where(fits, v, 0), valid & fits)
        if failed is not None:
            bad |= failed
        return out, (bad if bad.any() else None)
