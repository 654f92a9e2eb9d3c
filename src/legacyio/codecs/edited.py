"""Numeric-edited DISPLAY items (Z * + - CR DB . , B 0 / $) <-> exact Arrow numbers.

The PICTURE is compiled once into one entry per display position. Encoding follows IBM's
editing rules for a MOVE to the item, column by column over the whole batch:

* simple insertion (B 0 / ,) and special insertion (.) write their character;
* fixed insertion: a leftmost ``$``; ``+``/``-`` leftmost or rightmost; ``CR``/``DB`` rightmost
  (``+`` shows + or -, ``-`` shows space or -, CR/DB show two spaces unless negative);
* zero suppression (Z with spaces, * with asterisks) replaces leading zeros left of the decimal
  point, and any simple insertion character inside (or just right of) the suppression string
  that has only suppressed digits to its left;
* floating insertion (two or more ``$``, ``+`` or ``-``): the first symbol only holds the
  character, the others are digit positions; leading zeros and insertion characters are
  suppressed and the character lands in the rightmost suppressed position of the string;
* when every digit position is a suppression/floating symbol and the value is zero, the whole
  item is spaces (Z, floating) or asterisks except the decimal point (*); BLANK WHEN ZERO makes
  a zero value all spaces.

Decoding reads the digit positions (suppressed positions count as 0), takes the sign from the
sign positions, and marks a field invalid when a position holds a character the picture cannot
produce there (or a suppressed position follows a significant digit). Not supported: other
currency signs than ``$`` (CURRENCY SIGN), DECIMAL-POINT IS COMMA, external floating point
(``+9.9E+99``) pictures.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa

from legacyio.codecs.codepages import get_codepage
from legacyio.codecs.text import validity_bitmap
from legacyio.codecs.types import value_type
from legacyio.errors import CopybookError
from legacyio.layout.model import Item
from legacyio.options import FileFormat

_SIMPLE = {"B": " ", "0": "0", "/": "/", ",": ","}
_FLOATERS = "$+-"


class _Pos:
    """One display position of a compiled numeric-edited picture."""

    __slots__ = ("char", "digit", "k", "kind", "region")

    def __init__(self, kind: str, char: str = "", digit: int = -1) -> None:
        self.kind = kind  # digit9 | digitz | float_lead | ins | point | cur | sign | crdb
        self.char = char
        self.digit = digit  # index among digit positions (digits) or digits to the left
        self.region = False
        self.k = 0  # digit positions at or left of this position


class EditedCodec:
    """Numeric-edited DISPLAY field: displayed text <-> int32/int64/decimal (exact)."""

    failure_reason = "the number has more digits than the edited picture can display"

    def __init__(self, item: Item, fmt: FileFormat, *, trim: str = "right") -> None:
        pic = item.picture
        if pic is None:
            raise CopybookError(f"numeric-edited field {item.dotted} has no PICTURE")
        self.item = item
        self.width = item.size
        self.arrow_type = value_type(item.usage, pic)
        self.scale = pic.scale
        self.cp = get_codepage(fmt.encoding)
        self.blank_when_zero = bool(item.blank_when_zero)
        self._compile(pic.symbols or pic.source.upper(), item.dotted)
        if len(self.pos) != self.width:
            raise CopybookError(
                f"numeric-edited field {item.dotted}: picture has {len(self.pos)} positions "
                f"but the field is {self.width} bytes"
            )
        self._tables()

    # ---------------------------------------------------------------- picture compilation
    def _compile(self, sym: str, where: str) -> None:
        tail = ""
        if sym.endswith(("CR", "DB")):
            sym, tail = sym[:-2], sym[-2:]
        floater = next((c for c in _FLOATERS if sym.count(c) >= 2), "")
        self.repl = "*" if "*" in sym else " "
        self.floater = floater
        point = next((i for i, c in enumerate(sym) if c in ".V"), len(sym))
        sup_idx = [i for i, c in enumerate(sym) if c in "Z*" or (floater and c == floater)]
        pos: list[_Pos] = []
        first_float = sym.index(floater) if floater else -1
        region_syms: set[int] = set()
        if sup_idx:
            lo = sup_idx[0]
            hi = max([i for i in sup_idx if i < point], default=-1)
            if hi >= 0:
                j = hi + 1
                while j < point and sym[j] in _SIMPLE:
                    j += 1
                region_syms = set(range(lo, j))
        ndig = 0
        int_digits = 0
        for i, c in enumerate(sym):
            if c in "VPS":
                continue
            if c == "9":
                p = _Pos("digit9", digit=ndig)
            elif c in "Z*" or (c == floater and i != first_float):
                p = _Pos("digitz", digit=ndig)
            elif c == floater:
                p = _Pos("float_lead", char=c)
            elif c in _SIMPLE:
                p = _Pos("ins", char=_SIMPLE[c])
            elif c == ".":
                p = _Pos("point", char=".")
            elif c == "$":
                p = _Pos("cur", char="$")
            elif c in "+-":
                p = _Pos("sign", char=c)
            else:
                raise CopybookError(
                    f"numeric-edited field {where}: picture symbol {c!r} is not supported"
                )
            if p.kind in ("digit9", "digitz"):
                ndig += 1
                if i < point:
                    int_digits += 1
            p.k = ndig
            p.region = i in region_syms
            pos.append(p)
        for c in tail:
            pos.append(_Pos("crdb", char=c))
        self.pos = pos
        self.ndigits = ndig
        digit_pos = [p for p in pos if p.digit >= 0 and p.kind.startswith("digit")]
        self.all_suppressible = bool(digit_pos) and all(p.kind == "digitz" for p in digit_pos)
        n_sup = 0
        for p in digit_pos:
            if p.kind == "digitz" and p.region:
                n_sup += 1
            else:
                break
        self.n_sup = n_sup
        self.int_digits = int_digits
        if ndig == 0:
            raise CopybookError(f"numeric-edited field {where}: picture has no digit positions")

    def _tables(self) -> None:
        w = len(self.pos)
        allowed = np.zeros((w, 256), bool)
        digits = [ord(c) for c in "0123456789"]
        float_chars = {"$": "$", "+": "+-", "-": "- "}.get(self.floater, "")
        fill_chars = [ord(c) for c in self.repl + float_chars]
        for j, p in enumerate(self.pos):
            row = allowed[j]
            if p.kind == "digit9":
                row[digits] = True
            elif p.kind == "digitz":
                row[digits] = True
                if p.region:
                    row[fill_chars] = True
            elif p.kind in ("ins", "point"):
                row[ord(p.char)] = True
                if p.region:
                    row[fill_chars] = True
            elif p.kind == "float_lead":
                row[fill_chars] = True
            elif p.kind == "cur":
                row[ord("$")] = True
            elif p.kind == "sign":
                row[[ord("-"), ord("+" if p.char == "+" else " ")]] = True
            elif p.kind == "crdb":
                row[[ord(p.char), ord(" ")]] = True
        self._allowed = allowed
        self._digit_cols = np.array(
            [j for j, p in enumerate(self.pos) if p.kind.startswith("digit")]
        )
        self._region_digit_cols = np.array(
            [j for j, p in enumerate(self.pos) if p.kind == "digitz" and p.region], dtype=np.int64
        )
        self._minus_cols = np.array(
            [
                j
                for j, p in enumerate(self.pos)
                if p.kind == "sign" or (p.region and self.floater in "+-" and self.floater)
            ],
            dtype=np.int64,
        )
        crdb = [j for j, p in enumerate(self.pos) if p.kind == "crdb"]
        self._crdb_col = crdb[0] if crdb else -1
        self._crdb_char = ord(self.pos[crdb[0]].char) if crdb else 0
        self._point_cols = np.array(
            [j for j, p in enumerate(self.pos) if p.kind == "point"], dtype=np.int64
        )
        star = np.full(w, 0x2A, np.uint8)
        star[self._point_cols] = 0x2E
        self._star_zero = star
        try:
            self._out_lut = self.cp.from_ascii.copy()
            for ch in "0123456789 *+-$.,/CRDB":
                self.cp.byte_of(ch)
        except KeyError:
            raise CopybookError(
                f"numeric-edited field {self.item.dotted}: code page {self.cp.name} lacks an "
                "editing character"
            ) from None

    # ---------------------------------------------------------------- fill
    def fill(self, kind: str) -> bytes:
        """Bytes for a null written as 'spaces', 'low-values' or 'zero' (the edited zero)."""
        if kind == "spaces":
            return bytes([self.cp.space]) * self.width
        if kind == "low-values":
            return b"\x00" * self.width
        if kind == "zero":
            return self._edit(np.zeros(1, np.int64), np.zeros(1, bool))[0].tobytes()
        raise ValueError(f"unknown fill kind {kind!r}")

    # ---------------------------------------------------------------- decode
    def decode(self, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None]:
        """Decode displayed numbers to the exact value; impossible displays -> null."""
        mat = np.asarray(mat, dtype=np.uint8)
        n, w = mat.shape
        if n == 0:
            return pa.array([], self.arrow_type), None
        t = np.take(self.cp.to_ascii, mat)
        blank = np.zeros(n, bool)
        if self.blank_when_zero or (self.all_suppressible and self.repl == " "):
            blank = (t == 0x20).all(axis=1)
        elif self.all_suppressible:  # check protection: zero shows as asterisks
            blank = (t == self._star_zero[None, :]).all(axis=1)
        ok = self._allowed[np.arange(w)[None, :], t].all(axis=1)
        dcols = t[:, self._digit_cols]
        isd = (dcols >= 0x30) & (dcols <= 0x39)
        if self._region_digit_cols.size:
            r = t[:, self._region_digit_cols]
            rd = (r >= 0x30) & (r <= 0x39)
            seen = np.logical_or.accumulate(rd, axis=1)
            ok &= ~(seen[:, :-1] & ~rd[:, 1:]).any(axis=1)
        ok |= blank
        invalid = ~ok
        dig = np.where(isd & ~blank[:, None], dcols - 0x30, 0).astype(np.int64)
        neg = np.zeros(n, bool)
        if self._minus_cols.size:
            neg |= (t[:, self._minus_cols] == 0x2D).any(axis=1)
        if self._crdb_col >= 0:
            neg |= t[:, self._crdb_col] == self._crdb_char
        neg &= ~blank
        arr = self._build(dig, neg, invalid)
        return arr, (invalid if invalid.any() else None)

    def _build(self, dig: np.ndarray, neg: np.ndarray, invalid: np.ndarray) -> pa.Array:
        n, d = dig.shape
        t = self.arrow_type
        if d <= 18:
            v = dig @ (10 ** np.arange(d - 1, -1, -1, dtype=np.int64))
            v = np.where(neg, -v, v)
            v[invalid] = 0
            if pa.types.is_integer(t):
                mult = 10 ** max(0, -self.scale)
                if mult != 1:
                    v = v * mult  # P scaling positions: the type was sized for them
                validity = validity_bitmap(~invalid) if invalid.any() else None
                np_t = np.int32 if t == pa.int32() else np.int64
                return pa.Array.from_buffers(
                    t, n, [validity, pa.py_buffer(v.astype(np_t))], null_count=int(invalid.sum())
                )
            if isinstance(t, pa.Decimal128Type):
                two = np.empty((n, 2), np.int64)
                two[:, 0] = v
                two[:, 1] = v >> 63
                validity = validity_bitmap(~invalid) if invalid.any() else None
                return pa.Array.from_buffers(
                    t, n, [validity, pa.py_buffer(two)], null_count=int(invalid.sum())
                )
        # rare: more than 18 digits (or decimal256): Python integers per value
        vals: list[object] = []
        for i in range(n):
            if invalid[i]:
                vals.append(None)
                continue
            u = int("".join(map(str, dig[i].tolist())) or "0")
            u = -u if neg[i] else u
            if pa.types.is_integer(t):
                vals.append(u * 10 ** max(0, -self.scale))
            else:
                vals.append(Decimal(u).scaleb(-self.scale))
        return pa.array(vals, t)

    # ---------------------------------------------------------------- encode
    def encode(
        self, values: pa.Array, *, truncate: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Edit numbers exactly as a COBOL MOVE to this item would display them."""
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        n = len(values)
        if n == 0:
            return np.zeros((0, self.width), np.uint8), None
        valid, unscaled, lost = _unscaled(values, self.scale, self.arrow_type)
        limit = 10**self.ndigits
        if unscaled.dtype == object:
            mag = np.array([abs(int(x)) for x in unscaled], dtype=object)
            over = np.array([m >= limit for m in mag], bool)
            neg = np.array([int(x) < 0 for x in unscaled], bool)
            if over.any():
                mag = np.array([m % limit for m in mag], dtype=object)
        else:
            mag = np.abs(unscaled)
            neg = unscaled < 0
            over = mag >= limit if self.ndigits < 19 else np.zeros(n, bool)
            if over.any():
                mag = mag % limit
        neg &= _nonzero(mag)
        out = self._edit(mag, neg)
        if not valid.all():
            out[~valid] = self.cp.space
        failed = (over | lost) & valid
        if truncate:
            failed = np.zeros(n, bool)
        return out, (failed if failed.any() else None)

    def _digits(self, mag: np.ndarray) -> np.ndarray:
        d = self.ndigits
        if mag.dtype != object and d <= 18:
            return (mag[:, None] // (10 ** np.arange(d - 1, -1, -1, dtype=np.int64))) % 10
        s = "".join(str(int(x)).zfill(d) for x in mag)
        return (np.frombuffer(s.encode("ascii"), np.uint8).reshape(len(mag), d) - 0x30).astype(
            np.int64
        )

    def _edit(self, mag: np.ndarray, neg: np.ndarray) -> np.ndarray:
        """(n, width) code page bytes of the edited magnitudes with their signs."""
        n = len(mag)
        dig = self._digits(mag)
        nz = dig != 0
        zero = ~nz.any(axis=1)
        lz = np.where(zero, self.ndigits, np.argmax(nz, axis=1))
        s = np.minimum(lz, self.n_sup)
        out = np.empty((n, len(self.pos)), np.uint8)
        repl = ord(self.repl)
        region_cols: list[int] = []
        for j, p in enumerate(self.pos):
            if p.kind in ("digit9", "digitz"):
                col = (dig[:, p.digit] + 0x30).astype(np.uint8)
                if p.region:
                    col = np.where(p.digit < s, repl, col)
            elif p.kind in ("ins", "point"):
                col = np.full(n, ord(p.char), np.uint8)
                if p.region:
                    col = np.where(p.k <= s, repl, col)
            elif p.kind == "float_lead":
                col = np.full(n, repl, np.uint8)
            elif p.kind == "cur":
                col = np.full(n, ord("$"), np.uint8)
            elif p.kind == "sign":
                col = np.where(neg, ord("-"), ord("+") if p.char == "+" else ord(" "))
            else:  # crdb
                col = np.where(neg, ord(p.char), ord(" "))
            if p.region:
                region_cols.append(j)
            out[:, j] = col
        if self.floater and region_cols:
            rc = np.array(region_cols)
            ks = np.array(
                [self.pos[j].k - (1 if self.pos[j].kind == "digitz" else 0) for j in region_cols]
            )
            is_digit = np.array([self.pos[j].kind == "digitz" for j in region_cols])
            # region position suppressed: digit with index < s, other with k <= s
            sup = np.where(is_digit[None, :], ks[None, :] < s[:, None], ks[None, :] <= s[:, None])
            cnt = sup.sum(axis=1)
            fch = {"$": ord("$"), "+": ord("+"), "-": ord(" ")}[self.floater]
            ch = np.where(neg, ord("-"), fch) if self.floater in "+-" else np.full(n, fch)
            out[np.arange(n), rc[np.maximum(cnt - 1, 0)]] = ch
        if zero.any():
            if self.blank_when_zero or (self.all_suppressible and self.repl == " "):
                out[zero] = 0x20
            elif self.all_suppressible:
                out[zero] = 0x2A
                if self._point_cols.size:
                    out[np.ix_(np.flatnonzero(zero), self._point_cols)] = 0x2E
        return np.take(self._out_lut, out).astype(np.uint8)


def _nonzero(mag: np.ndarray) -> np.ndarray:
    if mag.dtype == object:
        return np.array([int(x) != 0 for x in mag], bool)
    return mag != 0


def _unscaled(
    values: pa.Array, scale: int, target: pa.DataType
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(valid mask, unscaled integers at ``scale`` (int64 or object), lost-digits mask)."""
    n = len(values)
    t = values.type
    valid = (
        np.ones(n, bool)
        if values.null_count == 0
        else values.is_valid().to_numpy(zero_copy_only=False)
    )
    if pa.types.is_integer(t):
        s_in = 0
        if pa.types.is_uint64(t):
            v = np.array([0 if x is None else x for x in values.to_pylist()], dtype=object)
        else:
            v = values.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    elif isinstance(t, pa.Decimal128Type) and t.precision <= 18:
        s_in = t.scale
        raw = np.frombuffer(values.buffers()[1], dtype=np.int64, count=2 * (values.offset + n))
        v = raw[2 * values.offset :: 2].copy()
        v[~valid] = 0
    elif pa.types.is_decimal(t):
        s_in = t.scale
        v = np.array(
            [0 if x is None else int(x.scaleb(s_in)) for x in values.to_pylist()], dtype=object
        )
    else:
        return _unscaled(values.cast(target), scale, target)
    shift = scale - s_in
    lost = np.zeros(n, bool)
    if shift > 0:
        mult = 10**shift
        if v.dtype != object and (np.abs(v).max(initial=0) < (2**62) // mult):
            v = v * mult
        else:
            v = np.array([int(x) * mult for x in v], dtype=object)
    elif shift < 0:
        div = 10**-shift
        if v.dtype != object:
            a = np.abs(v)
            lost = (a % div) != 0
            v = np.sign(v) * (a // div)
        else:
            lost = np.array([abs(int(x)) % div != 0 for x in v], bool)
            v = np.array([(-1 if x < 0 else 1) * (abs(int(x)) // div) for x in v], dtype=object)
    return valid, v, lost & valid
