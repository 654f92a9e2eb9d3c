"""Packed decimal codec: sign nibbles, pad nibble, validity, wide values, round trips."""

from __future__ import annotations

from decimal import Context, Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from legacyio.codecs import make_codec
from legacyio.codecs.packed import PackedCodec
from legacyio.layout.model import Usage
from legacyio.options import FileFormat

EBC = FileFormat()


def codec(kit, digits, scale=0, signed=True, usage=Usage.PACKED, fmt=EBC, **kw):
    return make_codec(kit.numeric_item(digits, scale, signed=signed, usage=usage, **kw), fmt)


def dec(kit, c, hexbytes):
    return c.decode(kit.as_matrix(bytes.fromhex(hexbytes), c.width))


def test_sizes_and_types(kit):
    c = codec(kit, 7, 2)
    assert isinstance(c, PackedCodec)
    assert c.width == 4 and c.arrow_type == pa.decimal128(7, 2)
    assert codec(kit, 8).width == 5
    assert codec(kit, 8, usage=Usage.PACKED_NOSIGN, signed=False).width == 4
    assert codec(kit, 31, 2).arrow_type == pa.decimal128(31, 2)


def test_signs(kit):
    c = codec(kit, 5)
    arr, inv = dec(kit, c, "12345C12345D12345F12345A12345B12345E12345100000D")
    assert arr.to_pylist() == [12345, -12345, 12345, 12345, -12345, 12345, None, 0]
    assert inv.tolist() == [False] * 6 + [True, False]


def test_unsigned_signs(kit):
    c = codec(kit, 3, signed=False)
    arr, _ = dec(kit, c, "123F123C123D123B123E")
    assert arr.to_pylist() == [123, 123, None, None, 123]
    out, failed = c.encode(pa.array([123, -1, 0], pa.int32()))
    assert out[0].tobytes() == bytes.fromhex("123F")
    assert out[2].tobytes() == bytes.fromhex("000F")
    assert failed.tolist() == [False, True, False]


def test_bad_nibbles_and_pad(kit):
    c = codec(kit, 4)  # even digits: 3 bytes, leading pad nibble
    arr, inv = dec(kit, c, "01234C11234C0A234C012A4C0123AC404040000000")
    assert arr.to_pylist() == [1234, None, None, None, None, None, None]
    assert inv.tolist() == [False] + [True] * 6


def test_encode_canonical_and_failures(kit):
    c = codec(kit, 7, 2)
    vals = pa.array([Decimal("-12345.67"), Decimal("0.01"), None, Decimal("0")], c.arrow_type)
    out, failed = c.encode(vals)
    assert failed is None
    assert out.tobytes().hex().upper() == "1234567D0000001C404040400000000C"
    over = pa.array([Decimal("123456.78")], pa.decimal128(8, 2))
    assert c.encode(over)[1].tolist() == [True]
    out, failed = c.encode(over, truncate=True)
    assert failed is None and out.tobytes().hex().upper() == "2345678C"


def test_negative_zero(kit):
    c = codec(kit, 3)
    arr, _ = dec(kit, c, "000D")
    assert arr.to_pylist() == [0]
    assert c.encode(arr)[0].tobytes() == bytes.fromhex("000C")


def test_nosign(kit):
    c = codec(kit, 5, usage=Usage.PACKED_NOSIGN, signed=False)
    assert c.width == 3
    arr, _inv = dec(kit, c, "01234511234501234F")
    assert arr.to_pylist() == [12345, None, None]
    out, _ = c.encode(pa.array([12345, 7], pa.int32()))
    assert out.tobytes().hex() == "012345000007"


def test_p_scaling(kit):
    c = codec(kit, 3, -2, p_count=2)
    assert c.arrow_type == pa.int32()
    arr, _ = dec(kit, c, "123D")
    assert arr.to_pylist() == [-12300]
    c = codec(kit, 17, -3, p_count=3)  # 17 digits + 3 P: 20 digits, decimal128(20, 0)
    assert c.arrow_type == pa.decimal128(20, 0)
    arr, _ = dec(kit, c, "12345678901234567D")
    assert arr.to_pylist() == [Decimal("-12345678901234567000")]
    out, _ = c.encode(arr)
    assert out.tobytes().hex().upper() == "12345678901234567D"


def test_wide(kit):
    for digits, scale in ((19, 0), (31, 2), (38, 38), (47, 4)):
        c = codec(kit, digits, scale)
        top = Decimal((0, (9,) * digits, -scale))
        arr = pa.array([top, top.copy_negate(), None, Decimal(0)], c.arrow_type)
        out, failed = c.encode(arr)
        assert failed is None
        back, _inv = c.decode(out)
        assert back.equals(arr)
        assert out[1].tobytes()[-1] == 0x9D
        bad = out.copy()
        bad[0, 0] = 0xAA
        assert c.decode(bad)[0].to_pylist()[0] is None


def test_fill_and_empty(kit):
    c = codec(kit, 4)
    assert c.fill("zero") == bytes.fromhex("00000C")
    assert c.fill("spaces") == b"\x40" * 3
    assert codec(kit, 4, fmt=FileFormat(encoding="ascii")).fill("spaces") == b"   "
    assert codec(kit, 4, signed=False).fill("zero") == bytes.fromhex("00000F")
    arr, inv = c.decode(np.zeros((0, 3), dtype=np.uint8))
    assert len(arr) == 0 and inv is None


def test_non_contiguous(kit):
    c = codec(kit, 9, 2)
    mat = kit.as_matrix(bytes.fromhex("123456789D000000001C"), 5)
    assert c.decode(mat)[0].equals(c.decode(kit.column_slice(mat))[0])


@st.composite
def packed_case(draw):
    usage = draw(st.sampled_from([Usage.PACKED, Usage.PACKED, Usage.PACKED_NOSIGN]))
    digits = draw(st.sampled_from([1, 2, 3, 4, 7, 9, 10, 15, 18, 19, 20, 31, 38, 40]))
    scale = draw(st.sampled_from([0, 2, digits]))
    signed = usage == Usage.PACKED and draw(st.booleans())
    return digits, scale, signed, usage


@settings(max_examples=80, deadline=None)
@given(case=packed_case(), data=st.data())
def test_values_round_trip(kit, case, data):
    digits, scale, signed, usage = case
    c = codec(kit, digits, scale, signed=signed, usage=usage)
    lim = 10**digits - 1
    ints = data.draw(st.lists(st.integers(-lim if signed else 0, lim), min_size=1, max_size=20))
    vals = [Decimal(i).scaleb(-scale, Context(prec=100)) for i in ints]
    arr = pa.array(vals, pa.decimal256(76, scale)).cast(c.arrow_type)
    out, failed = c.encode(arr)
    assert failed is None
    back, inv = c.decode(out)
    assert inv is None and back.equals(arr)


@settings(max_examples=80, deadline=None)
@given(case=packed_case(), data=st.data())
def test_any_bytes(kit, case, data):
    digits, scale, signed, usage = case
    c = codec(kit, digits, scale, signed=signed, usage=usage)
    n = data.draw(st.integers(1, 12))
    byte = st.integers(0, 255) | st.sampled_from([0x00, 0x12, 0x99, 0x9C, 0x0D, 0x1F, 0x4B])
    raw = data.draw(st.lists(byte, min_size=n * c.width, max_size=n * c.width))
    kit.check_reencode(c, kit.as_matrix(bytes(raw), c.width))


@pytest.mark.parametrize("digits", [5, 18, 25])
def test_canonical_bytes_reencode_exactly(kit, rng, digits):
    # random canonical packed bytes: digit nibbles 0-9 and a C/D sign re-encode byte for byte
    c = codec(kit, digits)
    n = 500
    nib = rng.integers(0, 10, size=(n, 2 * c.width), dtype=np.uint8)
    nib[:, -1] = np.where(rng.random(n) < 0.5, 0xC, 0xD)
    nib[:, : c.pad] = 0
    zero = ~np.any(nib[:, :-1] != 0, axis=1)
    nib[zero, -1] = 0xC
    mat = (nib[:, 0::2] << 4) | nib[:, 1::2]
    arr, inv = c.decode(mat)
    assert inv is None
    out, _ = c.encode(arr)
    assert np.array_equal(out, mat)
