"""NIST SP 800-38G FF1 format-preserving encryption over AES, batched over a whole column.

FF1 is a ten-round Feistel network. Every round computes, for each value, an AES CBC-MAC
over ``P || Q`` where ``P`` depends only on the radix and lengths and ``Q`` ends with the
round number and the right half ``B`` of the value. Everything before the first byte that
varies from value to value is the same for the whole column, so its CBC-MAC chaining value
is computed once; each round then costs one AES-ECB call over the column's varying blocks
(one 16-byte block a value for any practical domain), made through ``cryptography``
(OpenSSL, AES-NI where the CPU has it). The Feistel halves are kept as integers
(``NUM_radix`` of each half) in ``uint64`` arrays while ``radix ** v`` fits in 56 bits, and
as arrays of Python integers beyond that (long text fields, numbers of 34+ digits).

Domains smaller than one million values are refused, as the 2019 revision of SP 800-38G
requires (``radix ** minlen >= 1,000,000``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = ["FF1", "MIN_DOMAIN", "Alphabet", "FF1DomainError"]

MIN_DOMAIN = 1_000_000
"""Smallest domain size (``radix ** length``) FF1 accepts (SP 800-38G, 2019 revision)."""

_SMALL = 1 << 56  # halves below this bound are computed in uint64 arrays
_CHUNK = 32768  # values per pass: keeps the per-round buffers in cache


class FF1DomainError(ValueError):
    """The domain (``radix ** length``) is too small for FF1, or a numeral is out of range."""


@lru_cache(maxsize=256)
def _params(radix: int, n: int, t: int) -> tuple[int, int, int, int, bytes]:
    """u, v, b, d and the block P of FF1 for a radix, length n and tweak length t."""
    u = n // 2
    v = n - u
    bits = (radix**v - 1).bit_length()  # ceil(v * log2(radix)), exactly
    b = (bits + 7) // 8
    d = 4 * ((b + 3) // 4) + 4
    p = (
        bytes([1, 2, 1])
        + radix.to_bytes(3, "big")
        + bytes([10, u % 256])
        + n.to_bytes(4, "big")
        + t.to_bytes(4, "big")
    )
    return u, v, b, d, p


class FF1:
    """FF1 with one AES key (16, 24 or 32 bytes) and one radix (2 .. 65536).

    ``encrypt_int`` / ``decrypt_int`` take the values of numeral strings of length ``n`` (the
    integer ``NUM_radix(X)``, so a 9-digit number is itself); ``encrypt`` / ``decrypt`` take a
    2-D array of numerals (one row a value). All values of one call share ``n`` and the tweak.
    """

    def __init__(self, key: bytes, radix: int = 10) -> None:
        if len(key) not in (16, 24, 32):
            raise ValueError("an FF1 key is an AES key of 16, 24 or 32 bytes")
        if not 2 <= radix <= 65536:
            raise ValueError("FF1 radix must be between 2 and 65536")
        self.radix = radix
        self._cipher = Cipher(algorithms.AES(bytes(key)), modes.ECB())

    def __repr__(self) -> str:  # never show the key
        return f"FF1(radix={self.radix})"

    # ---- public API --------------------------------------------------------------------
    def check_length(self, n: int) -> None:
        """Refuse lengths whose domain ``radix ** n`` is under one million."""
        if n < 2 or self.radix**n < MIN_DOMAIN:
            raise FF1DomainError(
                f"FF1 domain too small: radix {self.radix} with {n} numerals gives "
                f"{self.radix**n:,} values, at least {MIN_DOMAIN:,} are required"
            )

    def encrypt_int(self, x: np.ndarray | Sequence[int], n: int, tweak: bytes = b"") -> np.ndarray:
        """Encrypt integers ``0 <= x < radix ** n`` (numeral strings of length ``n``)."""
        return self._run_int(x, n, tweak, decrypt=False)

    def decrypt_int(self, x: np.ndarray | Sequence[int], n: int, tweak: bytes = b"") -> np.ndarray:
        """Inverse of ``encrypt_int``."""
        return self._run_int(x, n, tweak, decrypt=True)

    def encrypt(self, numerals: np.ndarray, tweak: bytes = b"") -> np.ndarray:
        """Encrypt a ``(rows, n)`` array of numerals (each ``< radix``); same shape back."""
        return self._run_numerals(numerals, tweak, decrypt=False)

    def decrypt(self, numerals: np.ndarray, tweak: bytes = b"") -> np.ndarray:
        """Inverse of ``encrypt``."""
        return self._run_numerals(numerals, tweak, decrypt=True)

    # ---- conversions --------------------------------------------------------------------
    def _run_numerals(self, numerals: np.ndarray, tweak: bytes, decrypt: bool) -> np.ndarray:
        x = np.asarray(numerals)
        if x.ndim != 2:
            raise ValueError("numerals must be a 2-D array: one row a value")
        rows, n = x.shape
        self.check_length(n)
        if rows and (x.min() < 0 or x.max() >= self.radix):
            raise FF1DomainError(f"a numeral is outside radix {self.radix}")
        u = n // 2
        a = self._num(x[:, :u])
        b = self._num(x[:, u:])
        a, b = self._feistel(a, b, n, tweak, decrypt)
        out = np.empty((rows, n), dtype=x.dtype if x.dtype.kind in "iu" else np.int64)
        self._str(a, out[:, :u])
        self._str(b, out[:, u:])
        return out

    def _num(self, cols: np.ndarray) -> np.ndarray:
        """NUM_radix of each row of a numeral matrix."""
        rows, k = cols.shape
        if self.radix**k <= _SMALL:
            acc = np.zeros(rows, dtype=np.uint64)
            r = np.uint64(self.radix)
            for j in range(k):
                acc = acc * r + cols[:, j].astype(np.uint64)
            return acc
        acc_o = np.zeros(rows, dtype=object)
        for j in range(k):
            acc_o = acc_o * self.radix + cols[:, j].astype(object)
        return acc_o

    def _str(self, values: np.ndarray, out: np.ndarray) -> None:
        """STR_radix^k of each value into the columns of ``out`` (k = its width)."""
        k = out.shape[1]
        v = values.copy()
        r = np.uint64(self.radix) if v.dtype != object else self.radix
        for j in range(k - 1, -1, -1):
            out[:, j] = (v % r).astype(out.dtype)
            v = v // r

    def _run_int(
        self, x: np.ndarray | Sequence[int], n: int, tweak: bytes, decrypt: bool
    ) -> np.ndarray:
        self.check_length(n)
        full = self.radix**n
        u = n // 2
        mod_b = self.radix ** (n - u)
        if full <= 1 << 63:
            arr = np.asarray(x, dtype=np.int64)
            if arr.size and (arr.min() < 0 or arr.max() >= full):
                raise FF1DomainError(f"a value is outside the FF1 domain of {n} numerals")
            ua = arr.astype(np.uint64)
            mb = np.uint64(mod_b)
            if mod_b <= _SMALL:
                a, b = self._feistel(ua // mb, ua % mb, n, tweak, decrypt)
                return (a * mb + b).astype(np.int64)
        arr_o = np.array([int(v) for v in np.asarray(x).tolist()], dtype=object)
        if arr_o.size and (min(arr_o) < 0 or max(arr_o) >= full):
            raise FF1DomainError(f"a value is outside the FF1 domain of {n} numerals")
        a, b = self._feistel(arr_o // mod_b, arr_o % mod_b, n, tweak, decrypt)
        res = a.astype(object) * mod_b + b.astype(object)
        if full <= 1 << 63:
            return res.astype(np.int64)
        return res

    # ---- the Feistel network -------------------------------------------------------------
    def _feistel(
        self, a: np.ndarray, b: np.ndarray, n: int, tweak: bytes, decrypt: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        rows = len(a)
        if rows > _CHUNK:
            parts = [
                self._feistel(a[i : i + _CHUNK], b[i : i + _CHUNK], n, tweak, decrypt)
                for i in range(0, rows, _CHUNK)
            ]
            return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
        radix = self.radix
        t = len(tweak)
        u, v, bb, d, p = _params(radix, n, t)
        small = radix**v <= _SMALL and a.dtype != object and b.dtype != object
        if not small:
            a = a.astype(object)
            b = b.astype(object)
        mods = (radix**u, radix**v)
        # Q = T || 0^pad || [i] || [NUM(B)]^b; everything before the first varying byte is
        # constant for the column: fold it (and P) into one CBC-MAC chaining value.
        pad = (-t - bb - 1) % 16
        q = bytearray(tweak) + bytes(pad) + bytes(1 + bb)
        first = (len(q) - 1 - bb) // 16 * 16
        h = self._cbc_mac(bytes(p) + bytes(q[:first]))
        template = np.frombuffer(bytes(q[first:]), dtype=np.uint8).copy()
        template[:16] ^= h  # the chaining value enters the first varying block
        i_pos = len(template) - 1 - bb
        tail = len(template) - bb
        h_i = int(h[i_pos]) if i_pos < 16 else 0
        h_tail = template[tail:].copy()  # what XORs into [NUM(B)]^b (h or zeros)
        order = range(9, -1, -1) if decrypt else range(10)
        if small and len(template) == 16 and bb <= 7 and d in (8, 12):
            return self._feistel_one_block(a, b, template, bb, d, mods, order, decrypt)
        blocks = np.empty((rows, len(template)), dtype=np.uint8)
        blocks[:] = template
        for i in order:
            m_mod = mods[0] if i % 2 == 0 else mods[1]
            src = a if decrypt else b  # the half that feeds the round function
            blocks[:, i_pos] = i ^ h_i
            blocks[:, tail:] = self._be_bytes(src, bb) ^ h_tail
            state = self._aes(blocks[:, :16])
            for j in range(16, len(template), 16):
                state = self._aes(state ^ blocks[:, j : j + 16])
            y = self._num_mod(self._expand(state, d), d, m_mod, small)
            if small:
                mm = np.uint64(m_mod)
                # y < m and both halves < m: no underflow, c < 2m
                c = b + (mm - y) if decrypt else a + y
                c -= mm * (c >= mm)
            else:
                c = (b - y if decrypt else a + y) % m_mod
            if decrypt:
                a, b = c, a
            else:
                a, b = b, c
        return a, b

    def _feistel_one_block(
        self,
        a: np.ndarray,
        b: np.ndarray,
        template: np.ndarray,
        bb: int,
        d: int,
        mods: tuple[int, int],
        order: range,
        decrypt: bool,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The common case (halves below 2^56, one varying block, d <= 12): [i] and
        [NUM(B)]^b sit in the last 8 bytes of the block, so a round builds its blocks as two
        big-endian 64-bit words and reads y from the first word (and 4 more bytes)."""
        rows = len(a)
        words = template.view(">u8")
        blocks = np.empty((rows, 2), dtype=">u8")
        blocks[:, 0] = words[0]
        last = int(words[1])
        shift = 8 * bb
        for i in order:
            mm = np.uint64(mods[0] if i % 2 == 0 else mods[1])
            src = a if decrypt else b
            const = np.uint64(last ^ (i << shift))
            blocks[:, 1] = src ^ const
            enc = self._cipher.encryptor()
            out = np.frombuffer(enc.update(_flat(blocks)) + enc.finalize(), dtype=">u8")
            y = out[0::2] % mm
            if d == 12:
                lo = out[1::2] >> np.uint64(32)
                if int(mm) <= 1 << 32:
                    y = (y * np.uint64(1 << 32) + lo) % mm
                else:
                    for sh in (24, 16, 8, 0):
                        byte = (lo >> np.uint64(sh)) & np.uint64(255)
                        y = (y * np.uint64(256) + byte) % mm
            # y < m and the halves < m: c < 2m; min(c, c - m) wraps when c < m
            c = b + (mm - y) if decrypt else a + y
            c = np.minimum(c, c - mm)
            if decrypt:
                a, b = c, a
            else:
                a, b = b, c
        return a, b

    def _aes(self, blocks: np.ndarray) -> np.ndarray:
        enc = self._cipher.encryptor()
        out = enc.update(_flat(np.ascontiguousarray(blocks, dtype=np.uint8))) + enc.finalize()
        return np.frombuffer(out, dtype=np.uint8).reshape(-1, 16)

    def _cbc_mac(self, data: bytes) -> np.ndarray:
        y = np.zeros(16, dtype=np.uint8)
        for j in range(0, len(data), 16):
            y = self._aes(y ^ np.frombuffer(data[j : j + 16], dtype=np.uint8))[0]
        return y

    def _expand(self, r: np.ndarray, d: int) -> np.ndarray:
        """S: the first d bytes of R || CIPH(R xor [1]^16) || CIPH(R xor [2]^16) || ..."""
        if d <= 16:
            return r
        parts = [r]
        for j in range(1, (d + 15) // 16):
            x = r.copy()
            x[:, -8:] ^= np.frombuffer(j.to_bytes(8, "big"), dtype=np.uint8)
            parts.append(self._aes(x))
        return np.concatenate(parts, axis=1)

    @staticmethod
    def _be_bytes(values: np.ndarray, width: int) -> np.ndarray:
        """[x]^width: each value as ``width`` big-endian bytes."""
        if values.dtype != object and width <= 8:
            be = values.astype(">u8").view(np.uint8).reshape(-1, 8)
            return be[:, 8 - width :]
        raw = b"".join(int(v).to_bytes(width, "big") for v in values)
        return np.frombuffer(raw, dtype=np.uint8).reshape(-1, width)

    @staticmethod
    def _num_mod(s: np.ndarray, d: int, mod: int, small: bool) -> np.ndarray:
        """NUM(S) mod ``mod`` for the first ``d`` bytes of each row of S (contiguous)."""
        if small:
            m = np.uint64(mod)
            if d in (8, 12) and s.shape[1] == 16:
                words = np.ascontiguousarray(s)
                acc = words.view(">u8")[:, 0].astype(np.uint64) % m
                if d == 8:
                    return acc
                lo = words.view(">u4")[:, 2].astype(np.uint64)
                if mod <= 1 << 32:
                    return (acc * np.uint64(1 << 32) + lo) % m
                for shift in (24, 16, 8, 0):
                    acc = (acc * np.uint64(256) + ((lo >> np.uint64(shift)) & np.uint64(255))) % m
                return acc
            acc = np.zeros(len(s), dtype=np.uint64)
            for j in range(d):
                acc = (acc * np.uint64(256) + s[:, j].astype(np.uint64)) % m
            return acc
        w = s.shape[1]
        raw = np.ascontiguousarray(s).tobytes()
        return np.array(
            [int.from_bytes(raw[k : k + d], "big") % mod for k in range(0, len(raw), w)],
            dtype=object,
        )


class Alphabet:
    """Characters of a text domain: position = numeral. Maps strings of one length to
    numeral matrices and back."""

    def __init__(self, chars: str) -> None:
        if len(set(chars)) != len(chars) or len(chars) < 2:
            raise ValueError("an alphabet needs at least two distinct characters")
        self.chars = chars
        self.radix = len(chars)
        self._index = {c: i for i, c in enumerate(chars)}
        self._ascii = all(ord(c) < 128 for c in chars)
        if self._ascii:
            lut = np.full(256, -1, dtype=np.int32)
            for i, c in enumerate(chars):
                lut[ord(c)] = i
            self._lut = lut
            self._rev = np.frombuffer(chars.encode("ascii"), dtype=np.uint8)

    def to_numerals(self, values: Sequence[str], n: int) -> np.ndarray:
        """A ``(rows, n)`` numeral matrix; raises ValueError naming the row of the first
        value with a character outside the alphabet (never the value)."""
        if self._ascii:
            try:
                raw = "".join(values).encode("ascii")
            except UnicodeEncodeError:
                raw = b""
            if len(raw) == n * len(values):
                mat = self._lut[np.frombuffer(raw, dtype=np.uint8)].reshape(-1, n)
                bad = np.flatnonzero((mat < 0).any(axis=1))
                if len(bad):
                    raise ValueError(f"row {int(bad[0])}: a character is outside the alphabet")
                return mat
        mat = np.empty((len(values), n), dtype=np.int32)
        for r, s in enumerate(values):
            try:
                mat[r] = [self._index[c] for c in s]
            except (KeyError, ValueError):
                raise ValueError(f"row {r}: a character is outside the alphabet") from None
        return mat

    def from_numerals(self, mat: np.ndarray) -> list[str]:
        if self._ascii:
            raw = self._rev[mat].tobytes().decode("ascii")
            n = mat.shape[1]
            return [raw[k : k + n] for k in range(0, len(raw), n)]
        return ["".join(self.chars[i] for i in row) for row in mat.tolist()]


def _flat(blocks: np.ndarray) -> memoryview:
    """The bytes of a C-contiguous array as a one-dimensional buffer, without a copy.
    cryptography 42 (the declared floor) takes ``len()`` of a multi-dimensional buffer (its
    row count) as the data length, so a 2-D view of the blocks must not reach ``update``."""
    return blocks.view(np.uint8).reshape(-1).data
