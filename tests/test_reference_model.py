"""The reference model itself, against bytes computed by hand from the IBM rules."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legacyio.layout.model import Layout
from legacyio.options import FileFormat
from tests.support.reference.model import ReferenceError, decode_record, encode_record
from tests.support.strategies.layouts import (
    FieldSpec,
    GroupSpec,
    build_layout,
    file_formats,
    layout_specs,
)
from tests.support.strategies.records import record_bytes, record_values

EBCDIC = FileFormat()
LATIN1 = FileFormat(encoding="latin-1")


def one(spec: FieldSpec) -> Layout:
    return build_layout(GroupSpec("R", [spec]))


def dec(spec: FieldSpec, hexbytes: str, fmt: FileFormat = EBCDIC):
    return decode_record(one(spec), fmt, bytes.fromhex(hexbytes))[spec.name.replace("-", "_")]


def enc(spec: FieldSpec, value, fmt: FileFormat = EBCDIC) -> str:
    return encode_record(one(spec), fmt, {spec.name.replace("-", "_"): value}).hex().upper()


# ---- packed decimal ------------------------------------------------------------------------
S5P = FieldSpec("F", "packed", int_digits=5, signed=True)
U5P = FieldSpec("F", "packed", int_digits=5)


@pytest.mark.parametrize(
    ("spec", "hexbytes", "value"),
    [
        (S5P, "12345C", 12345),
        (S5P, "12345D", -12345),
        (S5P, "12345F", 12345),
        (S5P, "12345A", 12345),
        (S5P, "12345B", -12345),
        (S5P, "00000D", 0),
        (S5P, "1234AC", None),  # digit nibble A
        (S5P, "123450", None),  # sign nibble 0
        (U5P, "12345F", 12345),
        (U5P, "12345C", 12345),
        (U5P, "12345D", None),  # negative sign in an unsigned field
        (FieldSpec("F", "packed", int_digits=4, signed=True), "01234C", 1234),
        (FieldSpec("F", "packed", int_digits=4, signed=True), "11234C", None),  # pad nibble
        (
            FieldSpec("F", "packed", int_digits=3, frac_digits=2, signed=True),
            "12345D",
            Decimal("-123.45"),
        ),
        (FieldSpec("F", "packed", int_digits=3, p_right=2, signed=True), "123C", 12300),
        (FieldSpec("F", "packed_nosign", int_digits=4), "1234", 1234),
        (FieldSpec("F", "packed_nosign", int_digits=3), "0123", 123),
        (FieldSpec("F", "packed_nosign", int_digits=3), "1123", None),
        (FieldSpec("F", "packed_nosign", int_digits=4), "123C", None),
    ],
)
def test_packed_decode(spec: FieldSpec, hexbytes: str, value) -> None:
    assert dec(spec, hexbytes) == value


def test_packed_encode() -> None:
    assert enc(S5P, -12345) == "12345D"
    assert enc(S5P, 7) == "00007C"
    assert enc(U5P, 12345) == "12345F"
    assert enc(FieldSpec("F", "packed", int_digits=4, signed=True), -1) == "00001D"
    assert (
        enc(FieldSpec("F", "packed", int_digits=1, frac_digits=2, signed=True), Decimal("-1.5"))
        == "150D"
    )
    assert enc(FieldSpec("F", "packed_nosign", int_digits=3), 5) == "0005"
    with pytest.raises(ReferenceError):
        enc(S5P, 123456)
    with pytest.raises(ReferenceError):
        enc(U5P, -1)
    with pytest.raises(ReferenceError):
        enc(FieldSpec("F", "packed", int_digits=3, frac_digits=1), Decimal("1.25"))


# ---- zoned decimal -------------------------------------------------------------------------
S3Z = FieldSpec("F", "zoned", int_digits=3, signed=True)
U3Z = FieldSpec("F", "zoned", int_digits=3)
S3L = FieldSpec("F", "zoned", int_digits=3, signed=True, sign_leading=True)
S3LS = FieldSpec("F", "zoned", int_digits=3, signed=True, sign_leading=True, sign_separate=True)
S3TS = FieldSpec("F", "zoned", int_digits=3, signed=True, sign_separate=True)


@pytest.mark.parametrize(
    ("spec", "hexbytes", "value"),
    [
        (S3Z, "F1F2D3", -123),
        (S3Z, "F1F2C3", 123),
        (S3Z, "F1F2F3", 123),
        (S3Z, "F1F2B3", -123),
        (S3Z, "F1F2A3", 123),
        (S3Z, "F1F2E3", 123),
        (S3Z, "F1F293", None),  # zone 9
        (S3Z, "F1F2DA", None),  # digit A
        (S3Z, "F1C2C3", None),  # a sign zone outside the sign position
        (S3Z, "40F1C2", 12),  # leading space reads as zero
        (S3Z, "4040D2", -2),
        (S3Z, "F140C2", None),  # a space after a digit
        (S3Z, "404040", None),  # all spaces
        (S3Z, "000000", None),  # low-values
        (U3Z, "F1F2F3", 123),
        (U3Z, "F1F2C3", 123),  # non-canonical positive zone in an unsigned field
        (U3Z, "F1F2D3", None),  # negative zone in an unsigned field
        (S3L, "D1F2F3", -123),
        (S3L, "C1F2F3", 123),
        (S3L, "F1F2D3", None),  # the sign is in the first byte
        (S3LS, "60F1F2F3", -123),
        (S3LS, "4EF1F2F3", 123),
        (S3LS, "40F1F2F3", None),  # a space is no sign
        (S3LS, "4E40F1F2", 12),
        (S3TS, "F1F2F360", -123),
        (S3TS, "F1F2F34E", 123),
        (S3TS, "F1F2F340", None),
        (S3TS, "F1F2404E", None),  # the last digit position is never a space
        (FieldSpec("F", "zoned", int_digits=3, p_right=2), "F1F2F3", 12300),
        (FieldSpec("F", "zoned", frac_digits=2, p_left=2, signed=True), "F1D2", Decimal("-0.0012")),
        (
            FieldSpec("F", "zoned", int_digits=2, frac_digits=2, signed=True),
            "F1F2F3D4",
            Decimal("-12.34"),
        ),
    ],
)
def test_zoned_decode(spec: FieldSpec, hexbytes: str, value) -> None:
    got = dec(spec, hexbytes)
    assert got == value
    if isinstance(value, Decimal):
        assert isinstance(got, Decimal) and got.as_tuple().exponent == value.as_tuple().exponent


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (b"123", 123),
        (b"12}", -120),
        (b"12{", 120),
        (b"12J", -121),
        (b"12C", 123),
        (b"12r", -122),
        (b"12p", -120),
        (b" 12", 12),
        (b"1 2", None),
        (b"12\xc3", None),
    ],
)
def test_zoned_ascii_decode(text: bytes, value) -> None:
    assert dec(S3Z, text.hex(), LATIN1) == value


def test_zoned_encode() -> None:
    assert enc(S3Z, -123) == "F1F2D3"
    assert enc(S3Z, 5) == "F0F0C5"
    assert enc(S3Z, 0) == "F0F0C0"
    assert enc(U3Z, 123) == "F1F2F3"
    assert enc(S3L, -5) == "D0F0F5"
    assert enc(S3LS, -123) == "60F1F2F3"
    assert enc(S3TS, 45) == "F0F4F54E"
    assert enc(S3Z, -123, LATIN1) == b"12s".hex().upper()
    assert enc(S3Z, -123, FileFormat(encoding="latin-1", ascii_sign="ibm")) == "31324C"
    assert enc(S3Z, 120, FileFormat(encoding="latin-1", ascii_sign="ibm")) == "31327B"
    with pytest.raises(ReferenceError):
        enc(U3Z, -1)
    with pytest.raises(ReferenceError):
        enc(S3Z, 1000)


# ---- binary --------------------------------------------------------------------------------
def test_binary() -> None:
    s4 = FieldSpec("F", "binary", int_digits=4, signed=True)
    u4 = FieldSpec("F", "binary", int_digits=4)
    c5u = FieldSpec("F", "comp5", int_digits=4)
    c5s = FieldSpec("F", "comp5", int_digits=4, signed=True)
    assert dec(s4, "FFFF") == -1
    assert dec(s4, "D8F1") == -9999
    assert dec(s4, "D8F0") is None  # -10000: beyond 4 digits
    assert dec(u4, "270F") == 9999
    assert dec(u4, "2710") is None
    assert dec(u4, "FFFF") is None
    assert dec(c5u, "FFFF") == 65535
    assert dec(c5s, "8000") == -32768
    assert dec(s4, "FFFE", FileFormat(binary_byteorder="little")) == -257
    assert dec(
        FieldSpec("F", "binary", int_digits=7, frac_digits=2, signed=True), "FFFFFF85"
    ) == Decimal("-1.23")
    assert dec(FieldSpec("F", "binary", int_digits=2, p_right=3), "000C") == 12000
    assert enc(s4, -2) == "FFFE"
    assert enc(c5u, 65535) == "FFFF"
    assert enc(c5s, -2, FileFormat(comp5_byteorder="little")) == "FEFF"
    with pytest.raises(ReferenceError):
        enc(s4, 10000)


# ---- floating point ------------------------------------------------------------------------
F4 = FieldSpec("F", "float4")
F8 = FieldSpec("F", "float8")


@pytest.mark.parametrize(
    ("spec", "hexbytes", "value"),
    [
        (F4, "41100000", 1.0),
        (F4, "C1100000", -1.0),
        (F4, "42640000", 100.0),
        (F4, "40800000", 0.5),
        (F4, "3F100000", 1 / 16**2),
        (F4, "00000000", 0.0),
        (F4, "4019999A", 0.10000002384185791015625),  # exact IBM value, float32-representable
        (F4, "7FFFFFFF", None),  # beyond float32
        (F8, "4110000000000000", 1.0),
        (F8, "C220000000000000", -32.0),
        (F8, "7FFFFFFFFFFFFFFF", 7.237005577332262e75),
    ],
)
def test_ibm_float_decode(spec: FieldSpec, hexbytes: str, value) -> None:
    assert dec(spec, hexbytes) == value


def test_ibm_float_rounding() -> None:
    # 0x1FFFFFF * 2**-25 needs 25 bits: COMP-2 to float64 is exact, COMP-1 cannot occur;
    # COMP-2 0x40 FFFFFFFFFFFFFF has 56 one bits and rounds (to even) up to 1.0
    assert dec(F8, "40FFFFFFFFFFFFFF") == 1.0
    assert dec(F8, "40FFFFFFFFFFFFF0") == float.fromhex("0x0.FFFFFFFFFFFFF") * 1
    assert enc(F4, 0.1) == "4019999A"
    assert enc(F4, 1.0) == "41100000"
    assert enc(F4, -0.5) == "C0800000"
    assert enc(F8, 1.0) == "4110000000000000"
    assert enc(F8, 0.1) == "401999999999999A"
    with pytest.raises(ReferenceError):
        enc(F8, math.inf)
    with pytest.raises(ReferenceError):
        enc(F8, 1e300)


def test_ieee_float() -> None:
    ieee = FileFormat(float_format="ieee")
    assert dec(F4, "3F800000", ieee) == 1.0
    assert dec(F4, "0000803F", FileFormat(float_format="ieee", float_byteorder="little")) == 1.0
    assert dec(F8, "BFF0000000000000", ieee) == -1.0
    assert enc(F8, 2.0, ieee) == "4000000000000000"


# ---- text ----------------------------------------------------------------------------------
def test_text_and_national() -> None:
    x4 = FieldSpec("F", "text", length=4)
    assert dec(x4, "C1C2C340") == "ABC"
    assert dec(x4, "40404040") == ""
    assert dec(x4, "00C14040") == "\x00A"
    assert dec(x4, "40C14040") == " A"
    assert dec(x4, "41424344", LATIN1) == "ABCD"
    assert enc(x4, "AB") == "C1C24040"
    assert enc(x4, "AB", LATIN1) == "41422020"
    with pytest.raises(ReferenceError):
        enc(x4, "ABCDE")
    n2 = FieldSpec("F", "national", length=2)
    assert dec(n2, "00410042") == "AB"
    assert dec(n2, "00E90020") == "é"
    assert dec(n2, "D83DDE00") == "\U0001f600"
    assert dec(n2, "D8000041") is None  # lone high surrogate
    assert enc(n2, "é") == "00E90020"


# ---- structure -----------------------------------------------------------------------------
def test_groups_occurs_odo_redefines() -> None:
    spec = GroupSpec(
        "REC",
        [
            FieldSpec("CNT", "zoned", int_digits=1),
            GroupSpec(
                "GRP-A",
                [
                    FieldSpec("X-1", "text", length=1),
                    FieldSpec("N-1", "packed", int_digits=1, signed=True),
                ],
                occurs=2,
            ),
            FieldSpec("FILL", "filler", length=1),
            FieldSpec("AREA", "text", length=2),
            FieldSpec("AREA-N", "binary", int_digits=4, signed=True, redefines="AREA"),
            FieldSpec("TAB", "text", length=1, occurs=3, odo_min=0, odo_object="CNT"),
        ],
    )
    layout = build_layout(spec)
    assert layout.record_length == 1 + 2 * 2 + 1 + 2 + 3
    data = bytes.fromhex("F2C11CC22D5C0102E7E8E9")
    assert decode_record(layout, EBCDIC, data) == {
        "CNT": 2,
        "GRP_A": [{"X_1": "A", "N_1": 1}, {"X_1": "B", "N_1": -2}],
        "AREA": "\x01\x02",
        "AREA_N": 258,
        "TAB": ["X", "Y"],
    }
    # an out-of-range count is clipped to the table; an invalid one gives no occurrences
    assert decode_record(layout, EBCDIC, b"\xf9" + data[1:])["TAB"] == ["X", "Y", "Z"]
    assert decode_record(layout, EBCDIC, b"\x00" + data[1:])["TAB"] == []
    values = {
        "CNT": 1,
        "GRP_A": [{"X_1": "A", "N_1": 1}, {"X_1": "B", "N_1": -2}],
        "AREA": None,
        "AREA_N": -1,
        "TAB": ["Q"],
    }
    out = encode_record(layout, EBCDIC, values)
    assert out.hex().upper() == "F1C11CC22D40FFFFD84040"
    # the base of a chain is written first, a non-null alternative over it
    out2 = encode_record(layout, EBCDIC, {**values, "AREA": "ZZ"})
    assert out2 == out
    with pytest.raises(ReferenceError):
        encode_record(layout, EBCDIC, {**values, "CNT": None})


# ---- the model is consistent with itself -----------------------------------------------------
@given(st.data())
def test_reference_round_trip(data: st.DataObject) -> None:
    """decode(encode(values)) == values for valid values; decode never raises on any bytes."""
    layout = build_layout(data.draw(layout_specs()))
    fmt = data.draw(file_formats())
    values = data.draw(record_values(layout, fmt))
    raw = encode_record(layout, fmt, values)
    assert len(raw) == layout.record_length
    back = decode_record(layout, fmt, raw)
    assert _restrict(back, values) == values
    decode_record(layout, fmt, data.draw(record_bytes(layout, fmt)))


def _restrict(decoded, values):
    """``decoded`` cut down to what ``values`` sets (REDEFINES alternatives set to None)."""
    if isinstance(values, dict):
        return {k: (None if v is None else _restrict(decoded[k], v)) for k, v in values.items()}
    if isinstance(values, list):
        return [_restrict(d, v) for d, v in zip(decoded, values)]
    return decoded
