"""COMP-1 / COMP-2 floating point: IBM hexadecimal (z/OS) or IEEE 754.

IBM hex float: sign bit, 7-bit exponent of 16 biased by 64, 24-bit (COMP-1) or 56-bit
(COMP-2) fraction, always big-endian. Decoding is exactly rounded: a COMP-1 value is built
exactly in float64 then rounded once to float32 (values beyond float32's range are invalid);
a COMP-2 fraction is split in two exact halves whose float64 sum is the one rounding.

Encoding to IBM: every float64 is exact in IBM double precision (56-bit fraction) when its
exponent fits (about 5.4e-79 to 7.2e75; outside that range the row fails). IBM single
precision holds only 21-24 significant bits after hex normalization, so a float32 is rounded
to the nearest IBM single value, ties to even (0.1f becomes X'4019999A'). NaN and infinities
have no IBM form and fail. IEEE fields are a plain byte-order copy and never fail.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from legacyio.codecs import native
from legacyio.codecs.base import CodecBase
from legacyio.codecs.buffers import as_array, data_view, numpy_dtype, valid_mask
from legacyio.codecs.fill import finish_encode, invalid_or_none, simple_fill
from legacyio.codecs.types import value_type
from legacyio.layout.model import Item, Usage
from legacyio.options import FileFormat

_U64 = np.uint64


class FloatCodec(CodecBase):
    """Decode/encode a COMP-1 (float32) or COMP-2 (float64) item over whole batches."""

    def __init__(self, item: Item, fmt: FileFormat, *, trim: str = "right") -> None:
        if item.usage not in (Usage.FLOAT4, Usage.FLOAT8):
            raise ValueError(f"{item.dotted}: not a COMP-1/COMP-2 item")
        super().__init__(item, fmt)
        self.double = item.usage == Usage.FLOAT8
        self.width = 8 if self.double else 4
        if item.size != self.width:
            raise ValueError(f"{item.dotted}: a float item of {item.size} bytes")
        self.arrow_type = value_type(item.usage, None)
        self.np_type = np.dtype(np.float64 if self.double else np.float32)
        self.ibm = fmt.float_format == "ibm"
        order = ">" if (self.ibm or fmt.float_byteorder == "big") else "<"
        if self.ibm:
            self.raw_dtype = np.dtype(f"{order}u{self.width}")
            self.failure_reason = (
                "the value is NaN, infinite or outside the IBM hexadecimal float range"
            )
        else:
            self.raw_dtype = np.dtype(f"{order}f{self.width}")
            self.failure_reason = "the value cannot be converted to a float of this size"
        self._spaces = simple_fill("spaces", self.width, self.ebcdic, b"")
        self.zero = b"\x00" * self.width  # +0.0 in both float formats

    # -----------------------------------------------------------------------------------------
    def decode(self, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None]:
        """Floats of an ``(n, width)`` byte matrix (IBM values beyond float32 give null)."""
        if native.active():  # the Rust kernel (legacyio.codecs.native), when it covers this field
            res = native.float_decode(self, mat)
            if res is not None:
                return res
        n = mat.shape[0]
        raw = np.ascontiguousarray(mat).view(self.raw_dtype).reshape(n)
        bad = None
        if not self.ibm:
            vals = raw.astype(self.np_type)
        else:
            u = raw.astype(_U64)
            if self.double:
                sign = (u >> _U64(63)).astype(bool)
                exp = ((u >> _U64(56)) & _U64(0x7F)).astype(np.int64)
                frac = u & _U64((1 << 56) - 1)
                # two exact halves; their sum is the single (correct) rounding to 53 bits
                f = (frac >> _U64(32)).astype(np.float64) * 4294967296.0
                f += (frac & _U64(0xFFFFFFFF)).astype(np.float64)
                vals = np.ldexp(f, 4 * (exp - 64) - 56)
            else:
                sign = (u >> _U64(31)).astype(bool)
                exp = ((u >> _U64(24)) & _U64(0x7F)).astype(np.int64)
                frac = (u & _U64(0xFFFFFF)).astype(np.float64)
                with np.errstate(over="ignore"):
                    vals = np.ldexp(frac, 4 * (exp - 64) - 24).astype(np.float32)
                inf = np.isinf(vals)
                if inf.any():
                    bad = inf
                    vals[inf] = 0
            np.negative(vals, out=vals, where=sign)
        vbuf = None
        nulls = 0
        if bad is not None:
            vbuf = pa.py_buffer(np.packbits(~bad, bitorder="little"))
            nulls = int(np.count_nonzero(bad))
        arr = pa.Array.from_buffers(self.arrow_type, n, [vbuf, pa.py_buffer(vals)], nulls)
        return arr, (invalid_or_none(bad) if bad is not None else None)

    # -----------------------------------------------------------------------------------------
    def _floats(self, values: pa.Array) -> tuple[np.ndarray, np.ndarray | None]:
        arr = as_array(values)
        t = arr.type
        if not pa.types.is_floating(t) or pa.types.is_float16(t):
            arr = arr.cast(pa.float64())
            t = arr.type
        valid = valid_mask(arr)
        data = data_view(arr, numpy_dtype(t))
        return data, valid

    def encode(
        self, values: pa.Array, *, truncate: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """IBM hex (rounded as the module says) or IEEE bytes; NaN/inf fail for IBM."""
        data, valid = self._floats(values)
        n = data.size
        if not self.ibm:
            with np.errstate(over="ignore", invalid="ignore"):
                v = data.astype(self.np_type)
            failed = np.isinf(v) & np.isfinite(data)  # finite float64 too big for COMP-1
            out = v.astype(self.raw_dtype).view(np.uint8).reshape(n, self.width)
            return finish_encode(np.ascontiguousarray(out), valid, failed, self._spaces)
        # IBM: work from the input's own float64 value (one rounding, never via float32)
        x = data.astype(np.float64)
        failed = ~np.isfinite(x)
        x = np.where(failed, 0.0, x)
        sign = np.signbit(x)
        fr, ex = np.frexp(np.abs(x))  # |x| = fr * 2**ex, fr in [0.5, 1) (0 for zero)
        ex = ex.astype(np.int64)
        q = np.maximum(-((-ex) // 4), -64)  # hex exponent: 16**(q-1) <= |x| < 16**q
        fbits = 56 if self.double else 24
        exact = np.ldexp(fr, ex + fbits - 4 * q)
        f = np.rint(exact)  # ties to even
        if self.double and not truncate:
            failed |= f != exact  # only below 16**-65, where the fraction is unnormalized
        carry = f >= 2.0**fbits
        if carry.any():
            f = np.where(carry, 2.0 ** (fbits - 4), f)
            q = q + carry
        failed |= q > 63
        zero = f == 0
        expf = np.where(zero, 0, q + 64).astype(_U64) & _U64(0x7F)
        u = (sign.astype(_U64) << _U64(8 * self.width - 1)) | (expf << _U64(fbits))
        u |= f.astype(_U64)
        out = u.astype(self.raw_dtype).view(np.uint8).reshape(n, self.width)
        return finish_encode(np.ascontiguousarray(out), valid, failed, self._spaces)
