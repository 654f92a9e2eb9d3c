"""The protection actions, each applied to a whole Arrow array of one elementary field.

Arrays are the leaf arrays of a decoded table (a struct member's or a list's values): string,
int32/int64 and decimal128 as legacyio produces them. Every transformed value stays a value
of the field's picture (same length, same digits, sign and scale kept), so a protected table
still encodes to the mainframe layout. Deterministic per key and domain: each action and
domain draws its own HKDF subkey.

No function here puts a value in a message: errors name the field, its offset and the row.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.errors import DecodeError
from legacyio.layout.model import Item
from legacyio.protect.ff1 import FF1, Alphabet
from legacyio.protect.keys import ProtectionKey
from legacyio.protect.policy import (
    ALPHABETS,
    DEFAULT_TEXT_ALPHABET,
    FieldAction,
    _chars,
    _digits_only,
    date_format,
)

__all__ = ["ActionContext", "ProtectError", "apply_action", "reverse_fpe"]

_TOKEN_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class ProtectError(DecodeError):
    """A value cannot be protected (say a character outside an FPE alphabet); names the field,
    its offset and the record, never the value. A data error (CLI exit status 1)."""


@attrs.define
class ActionContext:
    """What an action needs besides the array: the key, the rows the array's values belong
    to (for ``date_shift`` context values), the trim mode, and counters."""

    key: ProtectionKey
    trim: str = "right"
    rows: np.ndarray | None = None
    """Top-level row of each value (values of a list column repeat their row)."""
    context: dict[str, pa.Array] = attrs.Factory(dict)
    """Original top-level values of ``date_shift`` context fields, by dotted path."""
    first_record: int = 1
    invalid: dict[str, int] = attrs.Factory(dict)
    """Values an action could not transform and nulled (invalid dates), by field path."""
    _ff1: dict[tuple[str, int], FF1] = attrs.Factory(dict)

    def ff1(self, domain: str, radix: int) -> FF1:
        k = (domain, radix)
        if k not in self._ff1:
            self._ff1[k] = FF1(self.key.subkey("fpe", domain), radix)
        return self._ff1[k]


def _err(fa: FieldAction, msg: str, row: int | None, ctx: ActionContext) -> ProtectError:
    rec = None
    if row is not None:
        top = int(ctx.rows[row]) if ctx.rows is not None else row
        rec = ctx.first_record + top
    return ProtectError(msg, record=rec, field=f"{fa.item.dotted} (offset {fa.item.offset})")


# ---- numbers --------------------------------------------------------------------------------
def _valid(arr: pa.Array) -> np.ndarray:
    if arr.null_count == 0:
        return np.ones(len(arr), dtype=bool)
    return np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def _stored_scale(item: Item, t: pa.DataType) -> int:
    """Power of ten from the Arrow value's unscaled integer to the stored digits."""
    arrow_scale = t.scale if pa.types.is_decimal(t) else 0
    return (item.scale if item.picture else 0) - arrow_scale


def _to_ints(arr: pa.Array) -> np.ndarray:
    """Unscaled integers of an int or decimal array (nulls as 0): int64, or Python ints
    (object) for decimals of more than 18 digits."""
    t = arr.type
    if pa.types.is_integer(t):
        return np.asarray(pc.fill_null(arr, 0).to_numpy(zero_copy_only=False), dtype=np.int64)
    if pa.types.is_decimal128(t):
        a = arr if arr.offset == 0 else pa.concat_arrays([arr])
        words = np.frombuffer(a.buffers()[1], dtype="<i8", count=2 * len(a))
        lo, hi = words[0::2], words[1::2]
        if t.precision <= 18:
            out = lo.copy()
        else:
            out = hi.astype(object) * (1 << 64) + lo.view(np.uint64).astype(object)
        if a.null_count:
            out[~_valid(a)] = 0
        return out
    vals = [0 if v is None else int(v.scaleb(t.scale)) for v in arr.to_pylist()]
    return np.array(vals, dtype=object)


def _from_ints(vals: np.ndarray, valid: np.ndarray, t: pa.DataType) -> pa.Array:
    n = len(vals)
    mask = None if valid.all() else pa.array(~valid)
    if pa.types.is_integer(t):
        arr = pa.array(np.asarray(vals, dtype=np.int64)).cast(t)
    elif pa.types.is_decimal128(t):
        if vals.dtype == object:
            lo = np.array([int(v) & 0xFFFFFFFFFFFFFFFF for v in vals], dtype=np.uint64)
            hi = np.array([int(v) >> 64 for v in vals], dtype=np.int64)
            words = np.empty(2 * n, dtype=np.uint64)
            words[0::2], words[1::2] = lo, hi.view(np.uint64)
        else:
            v64 = np.asarray(vals, dtype=np.int64)
            words = np.empty(2 * n, dtype=np.int64)
            words[0::2], words[1::2] = v64, np.where(v64 < 0, -1, 0)
        arr = pa.Array.from_buffers(t, n, [None, pa.py_buffer(words.tobytes())])
    else:
        from decimal import Decimal

        arr = pa.array([Decimal(int(v)).scaleb(-t.scale) for v in vals], type=t)
    if mask is not None:
        arr = pc.if_else(mask, pa.nulls(n, t), arr)
    return arr


def _stored(arr: pa.Array, item: Item) -> tuple[np.ndarray, np.ndarray, int]:
    """(stored digit integers, validity, scale shift) of a number array."""
    v = _to_ints(arr)
    shift = _stored_scale(item, arr.type)
    if shift > 0:
        v = v * 10**shift
    elif shift < 0:
        v = v // 10**-shift if v.dtype == object else v // np.int64(10**-shift)
    return v, _valid(arr), shift


def _unstored(v: np.ndarray, valid: np.ndarray, shift: int, t: pa.DataType) -> pa.Array:
    if shift > 0:
        v = v // 10**shift
    elif shift < 0:
        v = v * 10**-shift
    return _from_ints(v, valid, t)


def _abs_sign(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    neg = v < 0
    return np.where(neg, -v, v), np.asarray(neg, dtype=bool)


# ---- text -----------------------------------------------------------------------------------
def _pad(arr: pa.Array, n: int) -> list[str]:
    vals = pc.fill_null(arr, "").to_pylist()
    return [s.ljust(n) for s in vals]


def _finish_text(vals: list[str], arr: pa.Array, ctx: ActionContext) -> pa.Array:
    out = pa.array(vals, type=pa.string())
    if ctx.trim in ("right", "both"):
        out = pc.utf8_rtrim(out, characters=" ")
    if arr.null_count:
        out = pc.if_else(arr.is_valid(), out, pa.nulls(len(arr), pa.string()))
    return out.cast(arr.type)


def _alphabet(fa: FieldAction, for_fpe: bool) -> Alphabet:
    name = fa.opts.get("alphabet")
    if name is None:
        name = "digits" if for_fpe and _digits_only(fa.item) else DEFAULT_TEXT_ALPHABET
    return Alphabet(ALPHABETS.get(name, name))


# ---- actions --------------------------------------------------------------------------------
def blank_array(arr: pa.Array) -> pa.Array:
    """The typed default of each value: empty text (spaces), zero, zero bytes."""
    t, n = arr.type, len(arr)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pa.array([""] * n, type=t)
    if pa.types.is_fixed_size_binary(t):
        return pa.array([b"\x00" * t.byte_width] * n, type=t)
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return pa.array([b""] * n, type=t)
    if pa.types.is_decimal(t):
        return _from_ints(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool), t)
    return pa.array(np.zeros(n, dtype=np.int64)).cast(t)


def _mask_text(fa: FieldAction, arr: pa.Array, ctx: ActionContext) -> pa.Array:
    o = fa.opts
    kf, kl = int(o.get("keep_first", 0)), int(o.get("keep_last", 0))
    lut = np.arange(256, dtype=np.uint8)
    letter = ord(o.get("char", "X"))
    digit = ord(o.get("digit_char", "9"))
    for c in range(ord("A"), ord("Z") + 1):
        lut[c] = lut[c + 32] = letter
    for c in range(ord("0"), ord("9") + 1):
        lut[c] = digit
    a = arr.cast(pa.string())
    if a.offset:
        a = pa.concat_arrays([a])
    validity, offs_buf, data_buf = a.buffers()
    offs = np.frombuffer(offs_buf, dtype=np.int32, count=len(a) + 1)
    data = (
        np.frombuffer(data_buf, dtype=np.uint8)[offs[0] : offs[-1]]
        if data_buf is not None
        else np.zeros(0, dtype=np.uint8)
    )
    offs = offs - offs[0]
    high = data >= 0x80
    masked = lut[data]
    if kf or kl:
        lengths = np.diff(offs)
        pos = np.arange(len(data), dtype=np.int64) - np.repeat(offs[:-1].astype(np.int64), lengths)
        ln = np.repeat(lengths.astype(np.int64), lengths)
        keep = (pos < kf) | (pos >= ln - kl)
        masked = np.where(keep, data, masked)
    out = pa.Array.from_buffers(
        pa.string(),
        len(a),
        [validity, pa.py_buffer(offs.astype(np.int32).tobytes()), pa.py_buffer(masked.tobytes())],
    )
    if high.any():  # rows with non-ASCII text (é, ñ ...): character by character
        csum = np.concatenate([[0], np.cumsum(high)])
        rows = (csum[offs[1:]] - csum[offs[:-1]]) > 0
        idx = np.flatnonzero(rows)
        table = _mask_table(chr(letter), chr(digit))
        fixed = [
            None if s is None else _mask_fast(s, kf, kl, table, chr(letter), chr(digit))
            for s in a.take(pa.array(idx)).to_pylist()
        ]
        out = pc.replace_with_mask(out, pa.array(rows), pa.array(fixed, type=pa.string()))
    return out.cast(arr.type)


_TABLE_END = 0x3000


@lru_cache(maxsize=8)
def _mask_table(letter: str, digit: str) -> dict[int, str]:
    """str.translate table: every letter / digit below U+3000 to the mask characters."""
    out: dict[int, str] = {}
    for cp in range(_TABLE_END):
        c = chr(cp)
        if c.isdigit():
            out[cp] = digit
        elif c.isalpha():
            out[cp] = letter
    return out


def _mask_fast(s: str, kf: int, kl: int, table: dict[int, str], letter: str, digit: str) -> str:
    if s and max(s) >= chr(_TABLE_END):
        return _mask_str(s, kf, kl, letter, digit)
    n = len(s)
    lo, hi = min(kf, n), max(min(kf, n), n - kl)
    return s[:lo] + s[lo:hi].translate(table) + s[hi:]


def _mask_str(s: str, kf: int, kl: int, letter: str, digit: str) -> str:
    n = len(s)
    out = []
    for i, c in enumerate(s):
        if i < kf or i >= n - kl:
            out.append(c)
        elif c.isdigit():
            out.append(digit)
        elif c.isalpha():
            out.append(letter)
        else:
            out.append(c)
    return "".join(out)


def _mask_number(fa: FieldAction, arr: pa.Array, ctx: ActionContext) -> pa.Array:
    o = fa.opts
    d = fa.item.digits
    kf, kl = min(int(o.get("keep_first", 0)), d), min(int(o.get("keep_last", 0)), d)
    fill = int(o.get("digit_char", "0"))
    v, valid, shift = _stored(arr, fa.item)
    mag, neg = _abs_sign(v)
    if kf + kl >= d:
        return arr
    obj = mag.dtype == object
    p = (lambda e: 10**e) if obj else (lambda e: np.int64(10**e))
    head = (mag // p(d - kf)) * p(d - kf) if kf else mag * 0
    tail = mag % p(kl) if kl else mag * 0
    middle_digits = d - kf - kl
    middle = (10**middle_digits - 1) // 9 * fill * 10**kl
    res = head + tail + (middle if obj else np.int64(middle))
    res = np.where(neg, -res, res)
    return _unstored(res, valid, shift, arr.type)


def _fpe_number(
    fa: FieldAction, arr: pa.Array, ctx: ActionContext, decrypt: bool = False
) -> pa.Array:
    v, valid, shift = _stored(arr, fa.item)
    mag, neg = _abs_sign(v)
    d = fa.item.digits
    f = ctx.ff1(fa.domain, 10)
    tweak = fa.domain.encode("utf-8")
    if mag.dtype != object and len(mag) and int(mag.max()) >= 10**d:
        row = int(np.flatnonzero(mag >= 10**d)[0])
        raise _err(fa, f"a value has more digits than the picture's {d}", row, ctx)
    res = f.decrypt_int(mag, d, tweak) if decrypt else f.encrypt_int(mag, d, tweak)
    if res.dtype != object and mag.dtype == object:
        res = res.astype(object)
    res = np.where(neg, -res, res)
    return _unstored(res, valid, shift, arr.type)


def _fpe_text(
    fa: FieldAction, arr: pa.Array, ctx: ActionContext, decrypt: bool = False
) -> pa.Array:
    n = _chars(fa.item)
    alpha = _alphabet(fa, for_fpe=True)
    vals = _pad(arr, n)
    if any(len(s) != n for s in vals):
        row = next(i for i, s in enumerate(vals) if len(s) != n)
        raise _err(fa, f"a value is longer than the field's {n} characters", row, ctx)
    valid = _valid(arr)
    if not valid.all():  # nulls: encrypt a placeholder of the alphabet, then null again
        vals = [s if ok else alpha.chars[0] * n for s, ok in zip(vals, valid)]
    try:
        mat = alpha.to_numerals(vals, n)
    except ValueError as e:
        row = int(str(e).split()[1].rstrip(":"))
        raise _err(
            fa,
            "a character is outside the FPE alphabet (set alphabet = in the rule)",
            row,
            ctx,
        ) from None
    f = ctx.ff1(fa.domain, alpha.radix)
    tweak = fa.domain.encode("utf-8")
    out = f.decrypt(mat, tweak) if decrypt else f.encrypt(mat, tweak)
    return _finish_text(alpha.from_numerals(out), arr, ctx)


def _hmac_unique(
    arr: pa.Array, subkey: bytes, render: Callable[[bytes], Any], out_type: pa.DataType
) -> pa.Array:
    """HMAC-SHA256 of each distinct value (its canonical text), mapped back to the rows."""
    enc = pc.dictionary_encode(arr)
    uniq = enc.dictionary.to_pylist()
    mapped = [
        render(hmac.new(subkey, str(u).encode("utf-8"), hashlib.sha256).digest()) for u in uniq
    ]
    dict_arr = pa.array(mapped, type=out_type)
    return pc.take(dict_arr, enc.indices)


def _token(fa: FieldAction, arr: pa.Array, ctx: ActionContext) -> pa.Array:
    subkey = ctx.key.subkey("token", fa.domain)
    item = fa.item
    if pa.types.is_string(arr.type):
        n = _chars(item)
        chars = (
            ALPHABETS.get(fa.opts.get("alphabet", ""), fa.opts.get("alphabet", ""))
            or _TOKEN_ALPHABET
        )
        r = len(chars)

        def render(dg: bytes) -> str:
            x = int.from_bytes(dg, "big")
            out = []
            for _ in range(n):
                x, m = divmod(x, r)
                out.append(chars[m])
            return "".join(out)

        res = _hmac_unique(arr, subkey, render, pa.string())
        return pc.if_else(arr.is_valid(), res, pa.nulls(len(arr), pa.string())).cast(arr.type)
    v, valid, shift = _stored(arr, item)
    mag, neg = _abs_sign(v)
    mod = 10**item.digits
    ints = pa.array(mag.tolist(), type=pa.decimal128(38, 0) if mag.dtype == object else pa.int64())
    toks = _hmac_unique(ints, subkey, lambda dg: str(int.from_bytes(dg, "big") % mod), pa.string())
    res = np.array([int(x) for x in toks.to_pylist()], dtype=object)
    if mag.dtype != object and mod <= 1 << 62:
        res = res.astype(np.int64)
    res = np.where(neg, -res, res)
    return _unstored(res, valid, shift, arr.type)


def _hash(fa: FieldAction, arr: pa.Array, ctx: ActionContext) -> pa.Array:
    subkey = ctx.key.subkey("hash", fa.domain)
    n = min(_chars(fa.item), 64)
    res = _hmac_unique(pc.fill_null(arr, ""), subkey, lambda dg: dg.hex()[:n], pa.string())
    return pc.if_else(arr.is_valid(), res, pa.nulls(len(arr), pa.string())).cast(arr.type)


# ---- dates ----------------------------------------------------------------------------------
_EPOCH = np.datetime64("1970-01-01", "D")


def _ints_to_days(v: np.ndarray, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970 of yyyymmdd / yyyymm / yyyyddd integers, and which were valid."""
    v = np.asarray(v, dtype=np.int64)
    if fmt == "yyyymmdd":
        y, m, d = v // 10000, v // 100 % 100, v % 100
    elif fmt == "yyyymm":
        y, m, d = v // 100, v % 100, np.ones_like(v)
    else:  # yyyyddd
        y, m, d = v // 1000, np.ones_like(v), v % 1000
    ok = (y >= 1) & (y <= 9999) & (m >= 1) & (m <= 12) & (d >= 1)
    ys = np.where(ok, y, 1970)
    ms = np.where(ok, m, 1)
    months = (ys - 1970) * 12 + (ms - 1)
    first = np.datetime64("1970-01", "M") + months.astype("timedelta64[M]")
    first_d = first.astype("datetime64[D]")
    if fmt == "yyyyddd":
        last = ((first + np.timedelta64(12, "M")).astype("datetime64[D]") - first_d).astype(
            np.int64
        )
    else:
        last = ((first + np.timedelta64(1, "M")).astype("datetime64[D]") - first_d).astype(np.int64)
    ok &= d <= last
    days = (first_d - _EPOCH).astype(np.int64) + np.where(ok, d, 1) - 1
    return days, ok


def _days_to_ints(days: np.ndarray, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    dt = _EPOCH + days.astype("timedelta64[D]")
    y = dt.astype("datetime64[Y]").astype(np.int64) + 1970
    m = dt.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (dt - dt.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    ok = (y >= 1) & (y <= 9999)
    if fmt == "yyyymmdd":
        return y * 10000 + m * 100 + d, ok
    if fmt == "yyyymm":
        return y * 100 + m, ok
    doy = (dt - dt.astype("datetime64[Y]").astype("datetime64[D]")).astype(np.int64) + 1
    return y * 1000 + doy, ok


def _date_values(fa: FieldAction, arr: pa.Array) -> tuple[np.ndarray, np.ndarray, str, str | None]:
    """(int dates, validity, int format, text format or None)."""
    fmt = date_format(fa.item, fa.opts.get("format"), fa.item.dotted)
    if pa.types.is_string(arr.type):
        s = pc.fill_null(arr, "")
        digits = pc.replace_substring(s, "-", "") if fmt == "yyyy-mm-dd" else s
        ok_text = pc.match_substring_regex(digits, r"^\d{8}$")
        as_int = pc.if_else(ok_text, digits, "0").cast(pa.int64())
        valid = _valid(arr) & np.asarray(ok_text.to_numpy(zero_copy_only=False), dtype=bool)
        return np.asarray(as_int.to_numpy(), dtype=np.int64), valid, "yyyymmdd", fmt
    v, valid, _ = _stored(arr, fa.item)
    return np.asarray(v, dtype=np.int64), valid, fmt, None


def _date_out(
    fa: FieldAction,
    arr: pa.Array,
    new: np.ndarray,
    keep: np.ndarray,
    valid: np.ndarray,
    text_fmt: str | None,
    ctx: ActionContext,
) -> pa.Array:
    bad = int((_valid(arr) & ~valid).sum())
    if bad:
        ctx.invalid[fa.item.dotted] = ctx.invalid.get(fa.item.dotted, 0) + bad
    if text_fmt is None:
        return _from_ints(new, valid, arr.type)
    y, m, d = new // 10000, new // 100 % 100, new % 100
    if text_fmt == "yyyy-mm-dd":
        strs = [f"{a:04d}-{b:02d}-{c:02d}" for a, b, c in zip(y.tolist(), m.tolist(), d.tolist())]
    else:
        strs = [f"{x:08d}" for x in new.tolist()]
    out = pa.array(strs, type=pa.string())
    orig = pc.fill_null(arr.cast(pa.string()), "")
    out = pc.if_else(pa.array(keep), orig, out)
    return pc.if_else(pa.array(valid | keep), out, pa.nulls(len(arr), pa.string())).cast(arr.type)


def _sentinel(v: np.ndarray, fmt: str) -> np.ndarray:
    """0 and all nines ("no date", "open end") carry no personal data: kept as they are."""
    return (v == 0) | (v == 10 ** len(fmt) - 1)


def _generalize_date(fa: FieldAction, arr: pa.Array, ctx: ActionContext) -> pa.Array:
    v, valid, fmt, text_fmt = _date_values(fa, arr)
    keep = _sentinel(v, fmt) & valid
    days, ok = _ints_to_days(v, fmt)
    dt = _EPOCH + days.astype("timedelta64[D]")
    unit = "Y" if fa.opts.get("year") else "M"
    start = dt.astype(f"datetime64[{unit}]").astype("datetime64[D]")
    new, ok2 = _days_to_ints((start - _EPOCH).astype(np.int64), fmt)
    new = np.where(keep, v, new)
    good = valid & ((ok & ok2) | keep)
    return _date_out(fa, arr, new, keep, good, text_fmt, ctx)


def _date_shift(fa: FieldAction, arr: pa.Array, ctx: ActionContext) -> pa.Array:
    o = fa.opts
    max_days = int(o["max_days"])
    context = ctx.context.get(o["context"])
    if context is None:
        raise _err(fa, f"the context field {o['context']} is not in the batch", None, ctx)
    subkey = ctx.key.subkey("date_shift", str(o.get("domain") or o["context"]))
    span = 2 * max_days + 1
    shifts_top = _hmac_unique(
        pc.fill_null(context.cast(pa.string()), ""),
        subkey,
        lambda dg: int.from_bytes(dg[:8], "big") % span - max_days,
        pa.int64(),
    )
    shifts = np.asarray(shifts_top.to_numpy(zero_copy_only=False), dtype=np.int64)
    if ctx.rows is not None:
        shifts = shifts[ctx.rows]
    v, valid, fmt, text_fmt = _date_values(fa, arr)
    keep = _sentinel(v, fmt) & valid
    days, ok = _ints_to_days(v, fmt)
    new, ok2 = _days_to_ints(days + shifts, fmt)
    new = np.where(keep, v, new)
    good = valid & ((ok & ok2) | keep)
    return _date_out(fa, arr, new, keep, good, text_fmt, ctx)


def _generalize(fa: FieldAction, arr: pa.Array, ctx: ActionContext) -> pa.Array:
    o = fa.opts
    if "year" in o or "month" in o:
        return _generalize_date(fa, arr, ctx)
    if "prefix" in o:
        n = int(o["prefix"])
        if pa.types.is_string(arr.type):
            return pc.utf8_slice_codeunits(arr, 0, n)
        v, valid, shift = _stored(arr, fa.item)
        mag, neg = _abs_sign(v)
        d = fa.item.digits
        if n >= d:
            return arr
        p = 10 ** (d - n)
        res = mag // p * p
        return _unstored(np.where(neg, -res, res), valid, shift, arr.type)
    # bucket = N whole units, toward zero so that the result always fits the picture
    n = int(o["bucket"])
    v = _to_ints(arr)
    valid = _valid(arr)
    scale = arr.type.scale if pa.types.is_decimal(arr.type) else 0
    size = n * 10**scale
    mag, neg = _abs_sign(v)
    res = mag // size * size
    return _from_ints(np.where(neg, -res, res), valid, arr.type)


def apply_action(fa: FieldAction, arr: pa.Array, ctx: ActionContext) -> pa.Array | None:
    """The protected array of one field's values; None for ``drop``."""
    a = fa.action
    if a == "keep":
        return arr
    if a == "drop":
        return None
    if a == "null":
        return pa.nulls(len(arr), arr.type)
    if a == "blank":
        return blank_array(arr)
    text = pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
    if a == "mask":
        return _mask_text(fa, arr, ctx) if text else _mask_number(fa, arr, ctx)
    if a == "fpe":
        return _fpe_text(fa, arr, ctx) if text else _fpe_number(fa, arr, ctx)
    if a == "token":
        return _token(fa, arr, ctx)
    if a == "hash":
        return _hash(fa, arr, ctx)
    if a == "generalize":
        return _generalize(fa, arr, ctx)
    if a == "date_shift":
        return _date_shift(fa, arr, ctx)
    raise ValueError(f"unknown action {a!r}")


def reverse_fpe(fa: FieldAction, arr: pa.Array, ctx: ActionContext) -> pa.Array:
    """Undo ``fpe`` on one field's values (the only reversible action)."""
    if fa.action != "fpe":
        raise ValueError("only fpe can be reversed")
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return _fpe_text(fa, arr, ctx, decrypt=True)
    return _fpe_number(fa, arr, ctx, decrypt=True)
