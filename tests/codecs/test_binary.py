"""Binary codec: COMP/BINARY digit limits, COMP-5 full range, byte orders, POINTER/INDEX."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from legacyio.codecs import make_codec
from legacyio.codecs.binary import BinaryCodec
from legacyio.layout.model import Usage
from legacyio.options import FileFormat

BIG = FileFormat()
LITTLE = FileFormat(binary_byteorder="little", comp5_byteorder="little")


def codec(kit, digits, scale=0, signed=True, usage=Usage.BINARY, fmt=BIG, **kw):
    return make_codec(kit.numeric_item(digits, scale, signed=signed, usage=usage, **kw), fmt)


def test_types_and_sizes(kit):
    c = codec(kit, 4)
    assert isinstance(c, BinaryCodec) and c.width == 2 and c.arrow_type == pa.int32()
    assert codec(kit, 9).width == 4
    assert codec(kit, 18).arrow_type == pa.int64()
    assert codec(kit, 9, 2).arrow_type == pa.decimal128(9, 2)
    assert codec(kit, 9, signed=False, usage=Usage.COMP5).arrow_type == pa.int64()
    assert codec(kit, 18, signed=False, usage=Usage.COMP5).arrow_type == pa.uint64()


def test_big_endian_comp(kit):
    c = codec(kit, 4)
    mat = kit.as_matrix(bytes.fromhex("0001FFFF270FD8F127108000"), 2)
    arr, inv = c.decode(mat)
    assert arr.to_pylist() == [1, -1, 9999, -9999, None, None]
    assert inv.tolist() == [False] * 4 + [True, True]
    out, failed = c.encode(arr.slice(0, 4))
    assert failed is None and np.array_equal(out, mat[:4])


def test_little_endian_and_unsigned(kit):
    c = codec(kit, 9, signed=False, fmt=LITTLE)
    mat = kit.as_matrix(bytes.fromhex("01000000FFC99A3B00CA9A3BFFFFFFFF"), 4)
    arr, _ = c.decode(mat)
    assert arr.to_pylist() == [1, 999999999, None, None]
    out, failed = c.encode(pa.array([1, -1, 1000000000, None], pa.int32()))
    assert out[0].tobytes() == bytes.fromhex("01000000")
    assert out[3].tobytes() == b"\x40" * 4
    assert failed.tolist() == [False, True, True, False]


def test_comp5_full_range(kit):
    c = codec(kit, 4, usage=Usage.COMP5)
    mat = kit.as_matrix(bytes.fromhex("7FFF80002710"), 2)
    arr, inv = c.decode(mat)
    assert inv is None and arr.to_pylist() == [32767, -32768, 10000]
    assert np.array_equal(c.encode(arr)[0], mat)
    assert c.encode(pa.array([32768], pa.int32()))[1].tolist() == [True]
    out, failed = c.encode(pa.array([32768], pa.int32()), truncate=True)
    assert failed is None and out.tobytes() == bytes.fromhex("8000")
    u = codec(kit, 18, signed=False, usage=Usage.COMP5)
    mat = kit.as_matrix(bytes.fromhex("FFFFFFFFFFFFFFFF"), 8)
    arr, _ = u.decode(mat)
    assert arr.to_pylist() == [2**64 - 1]
    assert u.encode(arr)[0].tobytes() == mat.tobytes()


def test_comp5_scaled(kit):
    c = codec(kit, 18, 2, signed=False, usage=Usage.COMP5)
    assert c.arrow_type == pa.decimal128(20, 2)
    mat = kit.as_matrix(bytes.fromhex("FFFFFFFFFFFFFFFF"), 8)
    arr, _ = c.decode(mat)
    assert arr.to_pylist() == [Decimal(2**64 - 1).scaleb(-2)]
    assert c.encode(arr)[0].tobytes() == mat.tobytes()


def test_scaled_and_truncate(kit):
    c = codec(kit, 7, 2)
    out, failed = c.encode(pa.array([Decimal("-12345.67"), Decimal("99999.99")], c.arrow_type))
    assert failed is None
    assert out.tobytes() == (-1234567).to_bytes(4, "big", signed=True) + (9999999).to_bytes(
        4, "big"
    )
    big = pa.array([Decimal("123456.78"), Decimal("-123456.78")], pa.decimal128(10, 2))
    assert c.encode(big)[1].tolist() == [True, True]
    out, failed = c.encode(big, truncate=True)
    assert failed is None
    assert c.decode(out)[0].to_pylist() == [Decimal("23456.78"), Decimal("-23456.78")]


def test_p_scaling(kit):
    c = codec(kit, 4, -3, p_count=3)
    assert c.arrow_type == pa.int32()
    arr, _ = c.decode(kit.as_matrix((-25).to_bytes(2, "big", signed=True), 2))
    assert arr.to_pylist() == [-25000]
    assert c.encode(pa.array([-25000, 1], pa.int32()))[1].tolist() == [False, True]
    w = codec(kit, 18, -2, p_count=2)
    assert w.arrow_type == pa.decimal128(20, 0)
    arr, _ = w.decode(kit.as_matrix((-(10**18 - 1)).to_bytes(8, "big", signed=True), 8))
    assert arr.to_pylist() == [Decimal(-(10**18 - 1) * 100)]


@pytest.mark.parametrize("usage", [Usage.POINTER, Usage.INDEX])
def test_pointer_index(kit, usage):
    c = make_codec(kit.plain_item(usage), LITTLE)
    assert c.width == 4 and c.arrow_type == pa.int64()
    mat = kit.as_matrix(bytes.fromhex("FFFFFFFF00000010"), 4)
    arr, inv = c.decode(mat)
    assert inv is None and arr.to_pylist() == [2**32 - 1, 16]
    assert np.array_equal(c.encode(arr)[0], mat)
    assert c.encode(pa.array([-1, 2**32], pa.int64()))[1].tolist() == [True, True]


def test_fill_and_slices(kit):
    c = codec(kit, 9)
    assert c.fill("zero") == b"\x00" * 4 and c.fill("spaces") == b"\x40" * 4
    mat = kit.as_matrix(bytes.fromhex("0000000100FFFFFF"), 4)
    assert c.decode(mat)[0].equals(c.decode(kit.column_slice(mat))[0])
    arr, inv = c.decode(np.zeros((0, 4), dtype=np.uint8))
    assert len(arr) == 0 and inv is None


@st.composite
def binary_case(draw):
    usage = draw(st.sampled_from([Usage.BINARY, Usage.COMP5]))
    digits = draw(st.sampled_from([1, 4, 5, 9, 10, 18]))
    scale = draw(st.sampled_from([0, 0, 2]))
    signed = draw(st.booleans())
    fmt = draw(st.sampled_from([BIG, LITTLE]))
    return digits, scale, signed, usage, fmt


@settings(max_examples=80, deadline=None)
@given(case=binary_case(), data=st.data())
def test_any_bytes(kit, case, data):
    digits, scale, signed, usage, fmt = case
    c = codec(kit, digits, scale, signed=signed, usage=usage, fmt=fmt)
    n = data.draw(st.integers(1, 12))
    raw = data.draw(st.binary(min_size=n * c.width, max_size=n * c.width))
    mat = kit.as_matrix(raw, c.width)
    kit.check_reencode(c, mat)
    # binary is canonical whenever it is valid: valid rows re-encode byte for byte
    arr, inv = c.decode(mat)
    out, _ = c.encode(arr)
    ok = np.ones(n, dtype=bool) if inv is None else ~inv
    assert np.array_equal(out[ok], mat[ok])


@settings(max_examples=60, deadline=None)
@given(case=binary_case(), data=st.data())
def test_values_round_trip(kit, case, data):
    digits, scale, signed, usage, fmt = case
    c = codec(kit, digits, scale, signed=signed, usage=usage, fmt=fmt)
    lim = 10**digits - 1
    ints = data.draw(st.lists(st.integers(-lim if signed else 0, lim), min_size=1, max_size=10))
    arr = pa.array([Decimal(i).scaleb(-scale) for i in ints], pa.decimal128(38, scale))
    arr = arr.cast(c.arrow_type)
    out, failed = c.encode(arr)
    assert failed is None
    assert c.decode(out)[0].equals(arr)
