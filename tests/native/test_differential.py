"""Differential tests: the NumPy engine (the reference) and the native kernels get the same
random bytes (decode) and the same random values (encode) and must give identical Arrow
arrays (types, values, validity), invalid masks, vouch flags, failed-row masks and bytes.

Bytes are canonical encodings of random values with random near-miss mutations (other sign
zones and nibbles, spaces, low-values, high-values, any byte), so valid, invalid, vouched and
unvouched batches all occur. ``--hypothesis-show-statistics`` prints the example counts.
"""

from __future__ import annotations

from decimal import Context, Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.items import numeric_item, plain_item, text_item

from legacyio.codecs import make_codec, native
from legacyio.layout.model import Usage
from legacyio.options import FileFormat

pytestmark = pytest.mark.skipif(not native.available(), reason="legacyio._native is not built")

EXAMPLES = 150
_WIDE = Context(prec=80)  # the default 28 digits would round 38-digit values

_NEAR = [0x00, 0x0C, 0x0D, 0x0F, 0x20, 0x2B, 0x2D, 0x30, 0x39, 0x40, 0x4E, 0x60, 0x7B, 0x7D]
_NEAR += [0x41, 0x4A, 0x70, 0x79, 0x99, 0xA5, 0xB3, 0xC0, 0xC5, 0xD0, 0xD9, 0xE1, 0xF0, 0xF9, 0xFF]


def on(engine: str, fn):
    with native.engine_scope(engine):
        return fn()


def decode_all(codec, mat: np.ndarray) -> tuple:
    if hasattr(codec, "decode_vouched"):
        return codec.decode_vouched(mat)
    arr, invalid = codec.decode(mat)
    return arr, invalid, None


def same_mask(a: np.ndarray | None, b: np.ndarray | None) -> None:
    assert (a is None) == (b is None), (a, b)
    if a is not None:
        assert a.dtype == bool and b.dtype == bool
        assert np.array_equal(a, b)


def same_arrays(a: pa.Array, b: pa.Array) -> None:
    assert a.type == b.type
    assert len(a) == len(b) and a.null_count == b.null_count
    if pa.types.is_floating(a.type):  # NaN != NaN: compare the bits of the valid rows
        assert a.is_valid().equals(b.is_valid())
        dt = np.uint64 if a.type == pa.float64() else np.uint32
        va = np.frombuffer(a.buffers()[1], dt, count=len(a), offset=a.offset * dt().itemsize)
        vb = np.frombuffer(b.buffers()[1], dt, count=len(b), offset=b.offset * dt().itemsize)
        ok = a.is_valid().to_numpy(zero_copy_only=False)
        assert np.array_equal(va[ok], vb[ok])
    else:
        assert a.equals(b), (a, b)


def covered(codec) -> bool:
    """Whether the native engine has a kernel for this field (else both runs are NumPy)."""
    t = codec.arrow_type
    if pa.types.is_decimal256(t):
        return False
    return not (type(codec).__name__ == "BinaryCodec" and codec.scale < 0)  # P-scaled binary


GLUE = {
    "ZonedCodec": native.zoned_decode,
    "PackedCodec": native.packed_decode,
    "BinaryCodec": native.binary_decode,
    "TextCodec": native.text_decode,
    "FloatCodec": native.float_decode,
}


def check_decode(codec, mat: np.ndarray) -> None:
    if mat.shape[0] and covered(codec):  # the kernel really runs (no silent fallback)
        assert GLUE[type(codec).__name__](codec, mat) is not None
    ref = on("numpy", lambda: decode_all(codec, mat))
    got = on("native", lambda: decode_all(codec, mat))
    same_arrays(ref[0], got[0])
    same_mask(ref[1], got[1])
    assert ref[2] == got[2], "vouch flags differ"
    # the same bytes as a column slice of a wider record matrix
    n, w = mat.shape
    big = np.full((n, w + 5), 0x5A, dtype=np.uint8)
    big[:, 3 : 3 + w] = mat
    sliced = on("native", lambda: decode_all(codec, big[:, 3 : 3 + w]))
    same_arrays(ref[0], sliced[0])
    assert ref[2] == sliced[2]


def check_encode(codec, values: pa.Array, truncate: bool, into: bool) -> None:
    def enc(engine: str):
        if not into:
            return on(engine, lambda: codec.encode(values, truncate=truncate))
        n, w = len(values), codec.width
        big = np.full((n, w + 6), 0x77, dtype=np.uint8)
        out, failed = on(
            engine, lambda: codec.encode(values, truncate=truncate, out=big[:, 2 : 2 + w])
        )
        assert (big[:, :2] == 0x77).all() and (big[:, 2 + w :] == 0x77).all()
        return np.array(out), failed

    ref, got = enc("numpy"), enc("native")
    assert ref[0].shape == got[0].shape
    assert np.array_equal(ref[0], got[0]), (ref[0], got[0])
    same_mask(ref[1], got[1])


@st.composite
def mutated(draw, canonical: np.ndarray) -> np.ndarray:
    """Canonical rows with random near-miss bytes put in some of them."""
    mat = canonical.copy()
    n, w = mat.shape
    for i in range(n):
        if w and draw(st.integers(0, 3)) == 0:
            for _ in range(draw(st.integers(1, min(w, 3)))):
                j = draw(st.integers(0, w - 1))
                mat[i, j] = draw(st.sampled_from(_NEAR) | st.integers(0, 255))
    return mat


def _unscaled_values(draw, digits: int, nulls: bool) -> list[int | None]:
    top = 10 ** min(digits + 1, 38) - 1
    ints = st.integers(-top, top) | st.sampled_from([0, 1, -1, top // 10, -(top // 10)])
    n = draw(st.integers(0, 12))
    return [draw(st.none() if nulls and draw(st.booleans()) else ints) for _ in range(n)]


def _arrow_values(codec, unscaled: list[int | None], scale: int) -> pa.Array:
    t = codec.arrow_type
    if pa.types.is_decimal(t):
        top = 10 ** (38 - max(0, -scale)) - 1  # P scaling multiplies: stay within 38 digits
        unscaled = [None if u is None else max(-top, min(top, u)) for u in unscaled]
        vals = [
            None
            if u is None
            else Decimal(u * 10**-scale)
            if scale < 0
            else Decimal(u).scaleb(-scale, _WIDE)
            for u in unscaled
        ]
        return pa.array(vals, pa.decimal128(38, max(scale, 0)))
    lim = 2**63 - 1
    return pa.array([None if u is None else max(-lim, min(lim, u)) for u in unscaled], pa.int64())


# ----------------------------------------------------------------------------------- zoned
@st.composite
def zoned_codecs(draw):
    digits = draw(st.integers(1, 38))
    scale = draw(st.integers(-3, min(digits, 6)))
    if digits + max(0, -scale) > 38:
        scale = 0
    signed = draw(st.booleans())
    separate = signed and draw(st.booleans())
    leading = signed and draw(st.booleans())
    enc = draw(st.sampled_from(["cp037", "cp1047", "ascii", "latin-1"]))
    sign = draw(st.sampled_from(["ibm", "mf"]))
    item = numeric_item(
        digits,
        scale,
        signed=signed,
        usage=Usage.DISPLAY,
        p_count=max(0, -scale),
        sign_leading=leading,
        sign_separate=separate,
    )
    return make_codec(item, FileFormat(encoding=enc, ascii_sign=sign))


@settings(max_examples=EXAMPLES, deadline=None)
@given(codec=zoned_codecs(), data=st.data())
def test_zoned_decode(codec, data):
    vals = _unscaled_values(data.draw, codec.digits, nulls=False)
    canon, _ = on(
        "numpy", lambda: codec.encode(_arrow_values(codec, vals, codec.scale), truncate=True)
    )
    check_decode(codec, data.draw(mutated(canon)))


@settings(max_examples=EXAMPLES, deadline=None)
@given(codec=zoned_codecs(), data=st.data())
def test_zoned_encode(codec, data):
    vals = _unscaled_values(data.draw, codec.digits, nulls=True)
    arr = _arrow_values(codec, vals, codec.scale)
    check_encode(codec, arr, data.draw(st.booleans()), data.draw(st.booleans()))


# ---------------------------------------------------------------------------------- packed
@st.composite
def packed_codecs(draw):
    digits = draw(st.integers(1, 38))
    scale = draw(st.integers(-2, min(digits, 6)))
    if digits + max(0, -scale) > 38:
        scale = 0
    usage = draw(st.sampled_from([Usage.PACKED, Usage.PACKED_NOSIGN]))
    item = numeric_item(
        digits, scale, signed=draw(st.booleans()), usage=usage, p_count=max(0, -scale)
    )
    return make_codec(item, FileFormat(encoding=draw(st.sampled_from(["cp037", "ascii"]))))


@settings(max_examples=EXAMPLES, deadline=None)
@given(codec=packed_codecs(), data=st.data())
def test_packed_decode(codec, data):
    vals = _unscaled_values(data.draw, codec.digits, nulls=False)
    canon, _ = on(
        "numpy", lambda: codec.encode(_arrow_values(codec, vals, codec.scale), truncate=True)
    )
    check_decode(codec, data.draw(mutated(canon)))


@settings(max_examples=EXAMPLES, deadline=None)
@given(codec=packed_codecs(), data=st.data())
def test_packed_encode(codec, data):
    vals = _unscaled_values(data.draw, codec.digits, nulls=True)
    arr = _arrow_values(codec, vals, codec.scale)
    check_encode(codec, arr, data.draw(st.booleans()), data.draw(st.booleans()))


# ---------------------------------------------------------------------------------- binary
@st.composite
def binary_codecs(draw):
    usage = draw(st.sampled_from([Usage.BINARY, Usage.COMP5]))
    digits = draw(st.integers(1, 18))
    scale = draw(st.sampled_from([0, 0, 2, min(digits, 4), -2]))
    item = numeric_item(
        digits, scale, signed=draw(st.booleans()), usage=usage, p_count=max(0, -scale)
    )
    order = draw(st.sampled_from(["big", "little"]))
    return make_codec(item, FileFormat(binary_byteorder=order, comp5_byteorder=order))


@settings(max_examples=EXAMPLES, deadline=None)
@given(codec=binary_codecs(), data=st.data())
def test_binary_decode(codec, data):
    n = data.draw(st.integers(0, 12))
    raw = data.draw(st.binary(min_size=n * codec.width, max_size=n * codec.width))
    mat = np.frombuffer(raw, np.uint8).reshape(n, codec.width)
    check_decode(codec, mat)


@settings(max_examples=EXAMPLES, deadline=None)
@given(codec=binary_codecs(), data=st.data())
def test_binary_encode(codec, data):
    n = data.draw(st.integers(0, 12))
    lim = 2**63 - 1
    ints = st.integers(-lim, lim) | st.integers(-(10**6), 10**6)
    vals = [data.draw(st.none() | ints) for _ in range(n)]
    t = codec.arrow_type
    if pa.types.is_decimal(t):
        arr = pa.array(
            [None if v is None else Decimal(v % 10**18).scaleb(-t.scale, _WIDE) for v in vals],
            pa.decimal128(18, t.scale),
        )
    else:
        arr = pa.array(vals, pa.int64())
    check_encode(codec, arr, data.draw(st.booleans()), data.draw(st.booleans()))


# ------------------------------------------------------------------------------------ text
PAGES = ["cp037", "cp1047", "cp500", "cp273", "cp1140", "latin-1", "cp1252", "ascii", "utf-8"]


@st.composite
def text_codecs(draw):
    item = text_item(draw(st.integers(1, 40)), justified=draw(st.booleans()))
    trim = draw(st.sampled_from(["right", "left", "both", "none"]))
    return make_codec(item, FileFormat(encoding=draw(st.sampled_from(PAGES))), trim=trim)


@settings(max_examples=EXAMPLES, deadline=None)
@given(codec=text_codecs(), data=st.data())
def test_text_decode(codec, data):
    n, w = data.draw(st.integers(0, 10)), codec.width
    rows = []
    for _ in range(n):
        if codec.cp.single_byte or data.draw(st.booleans()):
            pad = bytes([codec.cp.space]) * data.draw(st.integers(0, w))
            body = data.draw(st.binary(min_size=w, max_size=w))
            row = (pad + body)[:w] if data.draw(st.booleans()) else (body + pad)[-w:]
        else:  # valid UTF-8 padded with spaces, maybe cut inside a character
            s = data.draw(st.text(max_size=w)).encode("utf-8")[:w]
            row = s + b" " * (w - len(s))
        rows.append(row)
    mat = np.frombuffer(b"".join(rows), np.uint8).reshape(n, w)
    check_decode(codec, mat)


@settings(max_examples=EXAMPLES, deadline=None)
@given(codec=text_codecs(), data=st.data())
def test_text_encode(codec, data):
    n = data.draw(st.integers(1, 10))
    alphabet = st.characters(codec="utf-8") | st.sampled_from("AZaz09 -.{}ÄÖÜéñ€¤")
    vals = [data.draw(st.none() | st.text(alphabet, max_size=codec.width + 3)) for _ in range(n)]
    check_encode(codec, pa.array(vals, pa.string()), data.draw(st.booleans()), into=False)


# ---------------------------------------------------------------------------------- floats
@settings(max_examples=EXAMPLES, deadline=None)
@given(
    double=st.booleans(),
    fmt=st.sampled_from(["ibm", "ieee"]),
    order=st.sampled_from(["big", "little"]),
    data=st.data(),
)
def test_float_decode(double, fmt, order, data):
    codec = make_codec(
        plain_item(Usage.FLOAT8 if double else Usage.FLOAT4),
        FileFormat(float_format=fmt, float_byteorder=order),
    )
    n = data.draw(st.integers(0, 12))
    raw = data.draw(st.binary(min_size=n * codec.width, max_size=n * codec.width))
    check_decode(codec, np.frombuffer(raw, np.uint8).reshape(n, codec.width))
