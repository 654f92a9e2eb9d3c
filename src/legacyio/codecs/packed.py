"""Packed decimal (COMP-3 / PACKED-DECIMAL, and COMP-6-style packed without a sign nibble).

Two digits a byte; for COMP-3 the last nibble is the sign: C/A/E/F positive, D/B negative
(unsigned fields: F canonical, C/A/E read as positive, D/B invalid). An even digit count has a
leading pad nibble that must be 0. Decoding splits the nibbles of every byte at once and runs Horner
over the byte columns in int64 (base 100) (up to 18 digits), or limbs beyond.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from legacyio.codecs import native
from legacyio.codecs.base import CodecBase
from legacyio.codecs.bigint import packed4_signed_table, packed4_table, u64_to_groups
from legacyio.codecs.buffers import as_array, put_rows
from legacyio.codecs.fill import finish_encode, invalid_or_none, simple_fill
from legacyio.codecs.numbers import digits_to_arrow, ints_to_arrow, to_unscaled
from legacyio.codecs.types import value_type
from legacyio.layout.model import Item, Usage
from legacyio.options import FileFormat

_PACKED4 = packed4_table()


class PackedCodec(CodecBase):
    """Decode/encode a COMP-3 (or unsigned packed) item over whole batches."""

    failure_reason = "the value has more digits than the PICTURE allows or does not fit its sign"

    def __init__(self, item: Item, fmt: FileFormat, *, trim: str = "right") -> None:
        super().__init__(item, fmt)
        pic = self.required_picture("a packed decimal")
        self.digits = pic.digits
        self.scale = pic.scale
        self.has_sign = item.usage == Usage.PACKED
        self.signed = pic.signed and self.has_sign
        nib = 2 * self.width - (1 if self.has_sign else 0)
        self.pad = nib - self.digits
        if self.pad not in (0, 1):
            raise ValueError(
                f"{item.dotted}: packed item of {self.digits} digits cannot be {self.width} bytes"
            )
        self.arrow_type = value_type(item.usage, pic)
        sign_ok = np.zeros(16, dtype=bool)
        sign_neg = np.zeros(16, dtype=bool)
        sign_ok[[0xA, 0xC, 0xE, 0xF]] = True
        if self.signed:
            sign_ok[[0xB, 0xD]] = True
            sign_neg[[0xB, 0xD]] = True
        self._sign_bad = ~sign_ok
        self._sign_neg = sign_neg
        self._pos_nib = 0xC if self.signed else 0xF
        self._spaces = simple_fill("spaces", self.width, self.ebcdic, b"")

    def canonical(self, mat: np.ndarray) -> np.ndarray | None:
        """For rows that decode validly: are the bytes what ``encode`` writes for their value?
        (sign nibble C, or D for a nonzero value, F when unsigned). Lets the reader's
        round-trip check skip re-encoding clean columns."""
        if not self.has_sign:
            return np.ones(mat.shape[0], dtype=bool)
        last = mat[:, -1]
        sg = last & 0x0F
        if not self.signed:
            return sg == 0x0F
        nonzero = np.any(mat[:, :-1] != 0, axis=1) | ((last >> 4) != 0)
        return (sg == 0x0C) | ((sg == 0x0D) & nonzero)

    # -----------------------------------------------------------------------------------------
    def decode(self, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None]:
        """Values of an ``(n, width)`` byte matrix; bad nibbles give null and True in the mask."""
        values, invalid, _ = self.decode_vouched(mat)
        return values, invalid

    def decode_vouched(self, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None, bool]:
        """``decode`` plus whether every row is valid and exactly what ``encode`` writes for
        its value (``canonical``), found from the decode's own intermediates."""
        if native.active():  # the Rust kernel (legacyio.codecs.native), when it covers this field
            res = native.packed_decode(self, mat)
            if res is not None:
                return res
        n = mat.shape[0]
        mat = np.asarray(mat, dtype=np.uint8)
        neg: np.ndarray | None = None
        bad = np.zeros(n, dtype=bool)
        mult = -self.scale if self.scale < 0 else 0
        if self.digits + mult <= 18:
            # whole-matrix nibble arithmetic (each result a new contiguous matrix), then Horner
            hi = mat >> 4
            lo = mat & np.uint8(0x0F)
            nb = self.width
            if self.has_sign:
                sg = lo[:, -1].copy()
                bad |= np.take(self._sign_bad, sg)
                if self.signed:
                    neg = np.take(self._sign_neg, sg)
                lo[:, -1] = 0
            if n and max(hi.max(), lo.max()) > 9:
                bad |= np.any((hi > 9) | (lo > 9), axis=1)
            if self.pad:
                bad |= hi[:, 0] != 0
            pt = hi * np.uint8(10)  # each byte's two digits: below 100 when valid
            pt += lo
            full = nb - 1 if self.has_sign else nb
            acc: np.ndarray = pt[:, 0].astype(np.int64) if full else np.zeros(n, dtype=np.int64)
            for j in range(1, full):
                acc *= 100
                acc += pt[:, j]
            if self.has_sign:
                acc *= 10
                acc += hi[:, -1]
            vouched = self._vouch(sg if self.has_sign else None, acc != 0, bad)
            if mult:
                acc *= 10**mult
            valid = ~bad
            if neg is not None:
                neg &= valid
                acc = np.where(neg, -acc, acc)
            return ints_to_arrow(acc, valid, self.arrow_type), invalid_or_none(bad), vouched
        if self.has_sign:
            sg = (mat[:, -1] & 0x0F).astype(np.uint8)
            bad |= np.take(self._sign_bad, sg)
            if self.signed:
                neg = np.take(self._sign_neg, sg)
        # wide: a nibble matrix, then limbs
        nib = np.empty((n, 2 * self.width), dtype=np.uint8)
        nib[:, 0::2] = mat >> 4
        nib[:, 1::2] = mat & 0x0F
        if self.pad:
            bad |= nib[:, 0] != 0
        dig = nib[:, self.pad : self.pad + self.digits]
        over = dig > 9
        if over.any():
            bad |= np.any(over, axis=1)
            dig = np.where(over, 0, dig)
        vouched = self._vouch(sg if self.has_sign else None, None, bad, dig)
        valid = ~bad
        if neg is not None:
            neg &= valid
        return (
            digits_to_arrow(dig, neg, valid, self.arrow_type, self.scale),
            invalid_or_none(bad),
            vouched,
        )

    def _vouch(
        self,
        sg: np.ndarray | None,
        nonzero: np.ndarray | None,
        bad: np.ndarray,
        dig: np.ndarray | None = None,
    ) -> bool:
        """All rows valid with the canonical sign nibble (C, D only on a nonzero value, F
        when unsigned); ``nonzero`` (or the digit matrix ``dig``) tells zero values apart."""
        if bad.any():
            return False
        if sg is None:
            return True
        if not self.signed:
            return bool((sg == 0x0F).all())
        if not ((sg == 0x0C) | (sg == 0x0D)).all():
            return False
        minus = sg == 0x0D
        if not minus.any():
            return True
        if nonzero is None:
            nonzero = np.any(dig != 0, axis=1)
        return bool((nonzero | ~minus).all())

    # -----------------------------------------------------------------------------------------
    encodes_into = True
    """``encode`` takes ``out=``: it writes straight into a slice of the record matrix."""

    def encode(
        self, values: pa.Array, *, truncate: bool = False, out: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Canonical packed bytes (sign C/D, unsigned F), into ``out`` (an ``(n, width)``
        uint8 matrix with contiguous rows) when given; rows that do not fit are failed."""
        if native.active():  # the Rust kernel (legacyio.codecs.native), when it covers this field
            res = native.packed_encode(self, values, truncate, out)
            if res is not None:
                return res
        arr = as_array(values)
        n = len(arr)
        u = to_unscaled(arr, self.scale, truncate)
        failed = u.bad.copy()
        if out is None:
            out = np.empty((n, self.width), dtype=np.uint8)
        if u.mag is not None and self.digits <= 18:
            lim = np.uint64(10**self.digits)
            mag = u.mag
            over = mag >= lim
            if over.any():
                mag = mag % lim
            neg = u.neg & (mag != 0)
            nib = 2 * self.width
            groups = -(-nib // 4)
            if self.has_sign:  # room for the sign nibble, written with the last group
                val = mag * np.uint64(10)
                grp = u64_to_groups(val, _PACKED4, groups, packed4_signed_table(self._pos_nib), neg)
            else:
                grp = u64_to_groups(mag, _PACKED4, groups)
            put_rows(out, grp[:, 2 * groups - self.width :])
        else:
            dig, over = u.digits(self.digits)
            neg = u.neg & np.any(dig != 0, axis=1)
            nibm = np.zeros((n, 2 * self.width), dtype=np.uint8)
            nibm[:, self.pad : self.pad + self.digits] = dig
            if self.has_sign:
                nibm[:, -1] = np.where(neg, 0x0D, self._pos_nib)
            np.bitwise_or(nibm[:, 0::2] << 4, nibm[:, 1::2], out=out)
        if not truncate:
            failed |= over
        if not self.signed:
            failed |= neg
        return finish_encode(out, u.valid, failed, self._spaces)
