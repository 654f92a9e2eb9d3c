"""Zoned decimal codec: IBM and ASCII sign conventions, scaling, validity, round trips."""

from __future__ import annotations

from decimal import Context, Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from legacyio.codecs import make_codec
from legacyio.codecs.zoned import ZonedCodec
from legacyio.layout.model import Item, Usage
from legacyio.options import FileFormat

EBC = FileFormat()
ASC = FileFormat(encoding="latin-1")
ASC_IBM = FileFormat(encoding="latin-1", ascii_sign="ibm")


def codec(kit, digits, scale=0, fmt=EBC, **kw):
    return make_codec(kit.numeric_item(digits, scale, **kw), fmt)


def dec(kit, c, hexbytes):
    return c.decode(kit.as_matrix(bytes.fromhex(hexbytes), c.width))


def test_dispatch_and_types(kit):
    c = codec(kit, 7, 2)
    assert isinstance(c, ZonedCodec)
    assert c.width == 7 and c.arrow_type == pa.decimal128(7, 2)
    assert codec(kit, 9).arrow_type == pa.int32()
    assert codec(kit, 10).arrow_type == pa.int64()
    assert codec(kit, 30).arrow_type == pa.decimal128(30, 0)
    assert codec(kit, 40, 3).arrow_type == pa.decimal256(40, 3)


def test_ebcdic_signed_trailing(kit):
    c = codec(kit, 5, 2)
    arr, inv = dec(kit, c, "F1F2F3F4D5F0F0F0F0C0F0F0F1F2C3F9F9F9F9F9F1F2F3F4B5F0F0F0F1A2")
    assert inv is None
    assert arr.to_pylist() == [
        Decimal(x) for x in ("-123.45", "0", "1.23", "999.99", "-123.45", "0.12")
    ]


def test_ebcdic_encode_canonical(kit):
    c = codec(kit, 5, 2)
    out, failed = c.encode(pa.array([Decimal("-123.45"), Decimal("0.07"), None], c.arrow_type))
    assert failed is None
    assert out.tobytes().hex().upper() == "F1F2F3F4D5F0F0F0F0C74040404040"


def test_unsigned_zones(kit):
    c = codec(kit, 3, signed=False)
    arr, inv = dec(kit, c, "F1F2F3F1F2C3F1F2D3F1F2B3F1F2E3")
    assert arr.to_pylist() == [123, 123, None, None, 123]
    assert inv.tolist() == [False, False, True, True, False]
    out, failed = c.encode(pa.array([123, -5, 0], pa.int32()))
    assert out[0].tobytes() == bytes.fromhex("F1F2F3")
    assert out[2].tobytes() == bytes.fromhex("F0F0F0")
    assert failed.tolist() == [False, True, False]


def test_spaces_and_bad_bytes(kit):
    c = codec(kit, 4)
    arr, inv = dec(
        kit,
        c,
        "4040F1C2"  # leading spaces: zeros
        "F140F1C2"  # space after a digit
        "40404040"  # all spaces
        "00000000"  # low-values
        "F1F2F3FA"  # bad sign nibble digit
        "F1C2F3C4"  # sign zone in the middle
        "F1F2F34A",  # bad last byte
    )
    assert arr.to_pylist() == [12, None, None, None, None, None, None]
    assert inv.tolist() == [False] + [True] * 6


def test_sign_leading_embedded(kit):
    c = codec(kit, 4, sign_leading=True)
    arr, _ = dec(kit, c, "D1F2F3F4C0F0F0F9")
    assert arr.to_pylist() == [-1234, 9]
    out, _ = c.encode(arr)
    assert out.tobytes().hex().upper() == "D1F2F3F4C0F0F0F9"


@pytest.mark.parametrize("leading", [True, False])
def test_sign_separate(kit, leading):
    c = codec(kit, 3, 1, sign_separate=True, sign_leading=leading)
    assert c.width == 4
    body = ["F1F2F3", "F0F0F5"]
    signs = ["60", "4E"]
    raw = "".join(s + b if leading else b + s for s, b in zip(signs, body))
    arr, inv = dec(kit, c, raw)
    assert inv is None
    assert arr.to_pylist() == [Decimal("-12.3"), Decimal("0.5")]
    out, _ = c.encode(arr)
    assert out.tobytes().hex().upper() == raw
    bad = "F1F2F3F1"  # no sign byte, leading or trailing
    assert dec(kit, c, bad)[0].to_pylist() == [None]


def test_ascii_reads_both_conventions(kit):
    c = codec(kit, 3, fmt=ASC)
    raw = b"12312s12{12A12}12R12\x7012:"
    arr, _ = c.decode(kit.as_matrix(raw, 3))
    assert arr.to_pylist() == [123, -123, 120, 121, -120, -129, -120, None]


def test_ascii_writes_per_convention(kit):
    vals = pa.array([-123, 45, 0, -120], pa.int32())
    mf, _ = codec(kit, 3, fmt=ASC).encode(vals)
    ibm, _ = codec(kit, 3, fmt=ASC_IBM).encode(vals)
    assert mf.tobytes() == b"12s04500012p"
    assert ibm.tobytes() == b"12L04E00{12}"
    sep = codec(kit, 3, fmt=ASC, sign_separate=True)
    assert sep.encode(vals)[0].tobytes() == b"123-045+000+120-"


def test_ascii_unsigned(kit):
    c = codec(kit, 2, fmt=ASC, signed=False)
    arr, _ = c.decode(kit.as_matrix(b"121A1J1q 7", 2))
    assert arr.to_pylist() == [12, 11, None, None, 7]


def test_negative_zero_and_truncate(kit):
    c = codec(kit, 3)
    arr, _ = dec(kit, c, "F0F0D0")
    assert arr.to_pylist() == [0]
    out, failed = c.encode(pa.array([12345, -12345, -1000], pa.int32()))
    assert failed.tolist() == [True, True, True]
    out, failed = c.encode(pa.array([12345, -12345, -1000], pa.int32()), truncate=True)
    assert failed is None
    assert out.tobytes().hex().upper() == "F3F4C5F3F4D5F0F0C0"


def test_p_scaling(kit):
    c = codec(kit, 3, -2, p_count=2)  # 9(3)PP
    assert c.arrow_type == pa.int32()
    arr, _ = dec(kit, c, "F1F2C3")
    assert arr.to_pylist() == [12300]
    out, failed = c.encode(pa.array([12300, 12345], pa.int32()))
    assert out[0].tobytes() == bytes.fromhex("F1F2C3")
    assert failed.tolist() == [False, True]
    c = codec(kit, 2, 4, p_count=2)  # SVPP99
    assert c.arrow_type == pa.decimal128(4, 4)
    arr, _ = dec(kit, c, "F1D2")
    assert arr.to_pylist() == [Decimal("-0.0012")]


def test_input_types_cast(kit):
    c = codec(kit, 5, 2)
    # int64 into a decimal field, another decimal precision/scale, a float, a string
    assert c.encode(pa.array([12], pa.int64()))[0].tobytes() == bytes.fromhex("F0F1F2F0C0")
    d = pa.array([Decimal("1.5")], pa.decimal128(20, 1))
    assert c.encode(d)[0].tobytes() == bytes.fromhex("F0F0F1F5C0")
    out, failed = c.encode(pa.array([1.25, float("nan"), float("inf"), 1.255]))
    assert out[0].tobytes() == bytes.fromhex("F0F0F1F2C5")
    assert failed.tolist() == [False, True, True, True]
    out, failed = c.encode(pa.array([1.255]), truncate=True)
    assert failed is None and out[0].tobytes() == bytes.fromhex("F0F0F1F2C5")
    i = codec(kit, 4)
    assert i.encode(pa.array([-7], pa.int64()))[0].tobytes() == bytes.fromhex("F0F0F0D7")


def test_fill(kit):
    c = codec(kit, 3)
    assert c.fill("spaces") == b"\x40" * 3
    assert c.fill("low-values") == b"\x00" * 3
    assert c.fill("zero") == bytes.fromhex("F0F0C0")
    assert codec(kit, 3, signed=False).fill("zero") == bytes.fromhex("F0F0F0")
    assert codec(kit, 3, fmt=ASC).fill("spaces") == b"   "
    with pytest.raises(ValueError):
        c.fill("nothing")


def test_empty_and_non_contiguous(kit):
    c = codec(kit, 5, 2)
    arr, inv = c.decode(np.zeros((0, 5), dtype=np.uint8))
    assert len(arr) == 0 and arr.type == c.arrow_type and inv is None
    out, _failed = c.encode(pa.array([], c.arrow_type))
    assert out.shape == (0, 5)
    mat = kit.as_matrix(bytes.fromhex("F1F2F3F4D5F0F0F0F1C2"), 5)
    a1, _ = c.decode(mat)
    a2, _ = c.decode(kit.column_slice(mat))
    assert a1.equals(a2)


def test_wide_values(kit):
    for digits, scale in ((19, 0), (25, 3), (38, 10), (45, 5), (60, 0)):
        c = codec(kit, digits, scale)
        top = Decimal((0, (9,) * digits, -scale))
        vals = [top, top.copy_negate(), Decimal(0), None, Decimal((1, (1,), -scale))]
        arr = pa.array(vals, c.arrow_type)
        out, failed = c.encode(arr)
        assert failed is None
        back, inv = c.decode(out)
        assert back.equals(arr)
        assert inv.tolist() == [False, False, False, True, False]
        assert out[0].tobytes() == b"\xf9" * (digits - 1) + b"\xc9"


# ------------------------------------------------------------------------------ properties
@st.composite
def zoned_case(draw):
    digits = draw(st.sampled_from([1, 2, 5, 9, 10, 17, 18, 19, 27, 38, 41]))
    scale = draw(st.sampled_from([0, 0, 2, digits]))
    signed = draw(st.booleans())
    sep = signed and draw(st.booleans())
    leading = signed and draw(st.booleans())
    fmt = draw(st.sampled_from([EBC, ASC, ASC_IBM]))
    return digits, scale, signed, sep, leading, fmt


def make(kit, case):
    digits, scale, signed, sep, leading, fmt = case
    return codec(
        kit, digits, scale, fmt=fmt, signed=signed, sign_separate=sep, sign_leading=leading
    )


@settings(max_examples=80, deadline=None)
@given(case=zoned_case(), data=st.data())
def test_values_round_trip(kit, case, data):
    c = make(kit, case)
    digits, scale, signed = case[0], case[1], case[2]
    lim = 10**digits - 1
    ints = data.draw(st.lists(st.integers(-lim if signed else 0, lim), min_size=1, max_size=20))
    vals = [Decimal(i).scaleb(-scale, Context(prec=100)) if scale else i for i in ints]
    arr = pa.array(vals, pa.decimal256(76, scale) if scale else pa.decimal256(76, 0))
    arr = arr.cast(c.arrow_type)
    out, failed = c.encode(arr)
    assert failed is None
    back, inv = c.decode(out)
    assert inv is None and back.equals(arr)
    again, _ = c.encode(back)
    assert np.array_equal(again, out)


@settings(max_examples=80, deadline=None)
@given(case=zoned_case(), data=st.data())
def test_any_bytes(kit, case, data):
    c = make(kit, case)
    n = data.draw(st.integers(1, 12))
    alphabet = st.sampled_from(
        [
            64,
            32,
            0,
            78,
            96,
            43,
            45,
            123,
            125,
            65,
            74,
            112,
            121,
            255,
            *list(range(240, 250)),
            *list(range(48, 58)),
            192,
            197,
            208,
            217,
            163,
            180,
            231,
        ]
    )
    raw = data.draw(
        st.lists(alphabet | st.integers(0, 255), min_size=n * c.width, max_size=n * c.width)
    )
    kit.check_reencode(c, kit.as_matrix(bytes(raw), c.width))


def test_dispatcher_rejects_group_items(kit):
    child = kit.numeric_item(3)
    group = Item(
        level=1, name="R", path=("R",), usage=Usage.DISPLAY, offset=0, size=3, children=(child,)
    )
    with pytest.raises(ValueError, match="group"):
        make_codec(group, EBC)
