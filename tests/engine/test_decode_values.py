"""Decoding every usage through the engine: values and exact Arrow types from hand-built bytes."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

import legacyio
from tests.support.builders import binary, cobol, e, ibm_float, ieee, packed, zoned

ALL_USAGES = cobol("""
01 REC.
   05 NAME      PIC X(8).
   05 ZU        PIC 9(3).
   05 ZS        PIC S9(3).
   05 ZL        PIC S9(3) SIGN LEADING.
   05 ZSEP      PIC S9(3) SIGN TRAILING SEPARATE.
   05 ZLSEP     PIC S9(3) SIGN LEADING SEPARATE.
   05 PK        PIC S9(5) COMP-3.
   05 PKE       PIC S9(4)V99 COMP-3.
   05 PU        PIC 9(3) COMP-3.
   05 BN        PIC S9(4) COMP.
   05 BN8       PIC S9(12)V99 COMP.
   05 BU        PIC 9(9) BINARY.
   05 F1        COMP-1.
   05 F2        COMP-2.
   05 NAT       PIC N(3).
   05 ED        PIC -ZZ9.99.
   05 PS        PIC 9(3)PP.
   05 PV        PIC VPP99.
   05 BIG       PIC S9(20)V9(3) COMP-3.
""")

EXPECTED_TYPES = {
    "NAME": pa.string(),
    "ZU": pa.int32(),
    "ZS": pa.int32(),
    "ZL": pa.int32(),
    "ZSEP": pa.int32(),
    "ZLSEP": pa.int32(),
    "PK": pa.int32(),
    "PKE": pa.decimal128(6, 2),
    "PU": pa.int32(),
    "BN": pa.int32(),
    "BN8": pa.decimal128(14, 2),
    "BU": pa.int32(),
    "F1": pa.float32(),
    "F2": pa.float64(),
    "NAT": pa.string(),
    "ED": pa.decimal128(5, 2),
    "PS": pa.int32(),
    "PV": pa.decimal128(4, 4),
    "BIG": pa.decimal128(23, 3),
}


def _record(
    name: str,
    zu: int,
    zs: int,
    zl: int,
    zsep: int,
    zlsep: int,
    pk: int,
    pke: int,
    pu: int,
    bn: int,
    bn8: int,
    bu: int,
    f1: float,
    f2: float,
    nat: str,
    ed: str,
    ps: int,
    pv: int,
    big: int,
) -> bytes:
    rec = (
        e(name, 8)
        + zoned(zu, 3, signed=False)
        + zoned(zs, 3)
        + zoned(zl, 3, leading=True)
        + zoned(zsep, 3, separate=True)
        + zoned(zlsep, 3, separate=True, leading=True)
        + packed(pk, 5)
        + packed(pke, 6)
        + packed(pu, 3, signed=False)
        + binary(bn, 2)
        + binary(bn8, 8)
        + binary(bu, 4, signed=False)
        + ibm_float(f1, 4)
        + ibm_float(f2, 8)
        + nat.ljust(3).encode("utf-16-be")
        + e(ed)
        + zoned(ps, 3, signed=False)
        + zoned(pv, 2, signed=False)
        + packed(big, 23)
    )
    return rec


def test_every_usage_decodes_to_exact_values_and_types() -> None:
    rec1 = _record(
        "Müller",
        7,
        -12,
        -345,
        -678,
        9,
        -12345,
        -123456,
        999,
        -2,
        -12345678901234,
        123456789,
        -118.625,
        0.1,
        "äöü",
        "- 12.34",
        123,
        45,
        -12345678901234567890123,
    )
    rec2 = _record(
        "ÉTÉ", 0, 1, 2, 3, -4, 99999, 1, 0, 9999, 1, 0, 1.0, -2.5, "ab", " 999.00", 0, 1, 0
    )
    table = legacyio.read_table(rec1 + rec2, ALL_USAGES)
    for name, typ in EXPECTED_TYPES.items():
        assert table.schema.field(name).type == typ, name
    rows = table.to_pylist()
    r1, r2 = rows
    assert r1["NAME"] == "Müller"
    assert (r1["ZU"], r1["ZS"], r1["ZL"], r1["ZSEP"], r1["ZLSEP"]) == (7, -12, -345, -678, 9)
    assert r1["PK"] == -12345
    assert r1["PKE"] == Decimal("-1234.56")
    assert r1["PU"] == 999
    assert r1["BN"] == -2
    assert r1["BN8"] == Decimal("-123456789012.34")
    assert r1["BU"] == 123456789
    assert r1["F1"] == -118.625
    assert r1["F2"] == pytest.approx(0.1, rel=1e-15)
    assert r1["NAT"] == "äöü"
    assert r1["ED"] == Decimal("-12.34")
    assert r1["PS"] == 12300
    assert r1["PV"] == Decimal("0.0045")
    assert r1["BIG"] == Decimal("-12345678901234567890.123")
    assert r2["NAME"] == "ÉTÉ"
    assert (r2["ZU"], r2["ZS"], r2["ZL"], r2["ZSEP"], r2["ZLSEP"]) == (0, 1, 2, 3, -4)
    assert (r2["PK"], r2["PKE"], r2["PU"]) == (99999, Decimal("0.01"), 0)
    assert (r2["BN"], r2["BN8"], r2["BU"]) == (9999, Decimal("0.01"), 0)
    assert (r2["F1"], r2["F2"]) == (1.0, -2.5)
    assert r2["NAT"] == "ab"
    assert r2["ED"] == Decimal("999.00")
    assert (r2["PS"], r2["PV"], r2["BIG"]) == (0, Decimal("0.0001"), Decimal(0))


@pytest.mark.parametrize(
    ("trim", "expected"),
    [("right", "  a b"), ("left", "a b  "), ("both", "a b"), ("none", "  a b  ")],
)
def test_text_trim_policies(trim: str, expected: str) -> None:
    cb = cobol("""
    01 REC.
       05 T PIC X(7).
    """)
    t = legacyio.read_table(e("  a b  "), cb, trim=trim)
    assert t.column("T").to_pylist() == [expected]


def test_all_spaces_text_is_empty_string_not_null() -> None:
    cb = cobol("""
    01 REC.
       05 T PIC X(4).
    """)
    t = legacyio.read_table(e("    "), cb)
    assert t.column("T").to_pylist() == [""]


@pytest.mark.parametrize("zone", [0xC, 0xF, 0xA, 0xE])
def test_zoned_positive_zones(zone: int) -> None:
    cb = cobol("""
    01 REC.
       05 Z PIC S9(4).
    """)
    t = legacyio.read_table(zoned(1234, 4, pos_zone=zone), cb)
    assert t.column("Z").to_pylist() == [1234]


@pytest.mark.parametrize("zone", [0xD, 0xB])
def test_zoned_negative_zones(zone: int) -> None:
    cb = cobol("""
    01 REC.
       05 Z PIC S9(4)V9.
    """)
    t = legacyio.read_table(zoned(-12345, 5, neg_zone=zone), cb)
    assert t.column("Z").to_pylist() == [Decimal("-1234.5")]
    assert t.schema.field("Z").type == pa.decimal128(5, 1)


@pytest.mark.parametrize(
    ("nibble", "sign"), [(0xC, 1), (0xD, -1), (0xF, 1), (0xA, 1), (0xB, -1), (0xE, 1)]
)
def test_packed_sign_nibbles(nibble: int, sign: int) -> None:
    cb = cobol("""
    01 REC.
       05 P PIC S9(6) COMP-3.
    """)
    t = legacyio.read_table(packed(123456, 6, sign=nibble), cb)
    assert t.column("P").to_pylist() == [sign * 123456]


def test_packed_even_digit_count_has_leading_zero_nibble() -> None:
    cb = cobol("""
    01 REC.
       05 P PIC S9(4) COMP-3.
       05 Q PIC 9(2)V99 COMP-3.
    """)
    data = bytes([0x01, 0x23, 0x4D]) + bytes([0x09, 0x87, 0x6F])
    t = legacyio.read_table(data, cb)
    assert t.column("P").to_pylist() == [-1234]
    assert t.column("Q").to_pylist() == [Decimal("98.76")]


@pytest.mark.parametrize(
    ("order", "value"), [("big", -2), ("little", -2), ("big", 40000), ("little", 65535)]
)
def test_comp5_byte_order_and_full_range(order: str, value: int) -> None:
    cb = cobol("""
    01 REC.
       05 S5 PIC S9(4) COMP-5.
       05 U5 PIC 9(4) COMP-5.
    """)
    sval = value if value < 32768 else -1
    data = binary(sval, 2, byteorder=order) + binary(abs(value), 2, byteorder=order, signed=False)
    t = legacyio.read_table(data, cb, comp5_byteorder=order)
    # COMP-5 holds the full range of its bytes, beyond the PICTURE's 4 digits
    assert t.column("S5").to_pylist() == [sval]
    assert t.column("U5").to_pylist() == [abs(value)]
    assert t.schema.field("U5").type == pa.int32()


def test_comp5_byteorder_does_not_change_comp() -> None:
    cb = cobol("""
    01 REC.
       05 B  PIC S9(4) COMP.
       05 C5 PIC S9(4) COMP-5.
    """)
    data = binary(258, 2) + binary(258, 2, byteorder="little")
    t = legacyio.read_table(data, cb, comp5_byteorder="little")
    assert t.to_pylist()[0] == {"B": 258, "C5": 258, "_legacyio_residue": None}


def test_binary_eight_bytes_is_int64() -> None:
    cb = cobol("""
    01 REC.
       05 B PIC S9(18) COMP.
    """)
    t = legacyio.read_table(binary(-(10**17) - 7, 8), cb)
    assert t.schema.field("B").type == pa.int64()
    assert t.column("B").to_pylist() == [-(10**17) - 7]


@pytest.mark.parametrize("order", ["big", "little"])
def test_ieee_floats(order: str) -> None:
    cb = cobol("""
    01 REC.
       05 F1 COMP-1.
       05 F2 COMP-2.
    """)
    data = ieee(-1.5, 4, order) + ieee(1e300, 8, order)
    t = legacyio.read_table(data, cb, float_format="ieee", float_byteorder=order)
    assert t.to_pylist()[0]["F1"] == -1.5
    assert t.to_pylist()[0]["F2"] == 1e300


def test_ibm_hex_float_is_not_ieee() -> None:
    cb = cobol("""
    01 REC.
       05 F1 COMP-1.
    """)
    data = bytes.fromhex("41100000")  # 1.0 in IBM hex, 2.25 as an IEEE float
    assert legacyio.read_table(data, cb).column("F1").to_pylist() == [1.0]
    ieee_val = legacyio.read_table(data, cb, float_format="ieee").column("F1").to_pylist()
    assert ieee_val == [9.0]


def test_numeric_edited_variants() -> None:
    cb = cobol("""
    01 REC.
       05 E1 PIC ZZ,ZZ9.99-.
       05 E2 PIC $$$9.
       05 E3 PIC 999CR.
    """)
    data = e(" 1,234.56-") + e(" $12") + e("007CR")
    t = legacyio.read_table(data, cb)
    assert t.to_pylist()[0]["E1"] == Decimal("-1234.56")
    assert t.to_pylist()[0]["E2"] == 12
    assert t.to_pylist()[0]["E3"] == -7


def test_p_scaling_binary() -> None:
    cb = cobol("""
    01 REC.
       05 B PIC S9(3)PPP COMP.
    """)
    t = legacyio.read_table(binary(-42, 2), cb)
    assert t.column("B").to_pylist() == [-42000]
    assert t.schema.field("B").type == pa.int32()


def test_precision_over_nine_and_eighteen_digits() -> None:
    cb = cobol("""
    01 REC.
       05 A PIC 9(10).
       05 B PIC S9(19) COMP-3.
    """)
    data = zoned(1234567890, 10, signed=False) + packed(-(10**18) - 1, 19)
    t = legacyio.read_table(data, cb)
    assert t.schema.field("A").type == pa.int64()
    assert t.schema.field("B").type == pa.decimal128(19, 0)
    assert t.to_pylist()[0]["A"] == 1234567890
    assert t.to_pylist()[0]["B"] == Decimal(-(10**18) - 1)


def test_national_surrogate_pair_and_trim() -> None:
    cb = cobol("""
    01 REC.
       05 N PIC N(4).
    """)
    data = "€𝄞 ".encode("utf-16-be")
    t = legacyio.read_table(data, cb)
    assert t.column("N").to_pylist() == ["€𝄞"]


def test_blank_when_zero_on_numeric_edited_picture() -> None:
    cb = cobol("""
    01 REC.
       05 E PIC ZZ9.99 BLANK WHEN ZERO.
    """)
    t = legacyio.read_table(e("      ") + e(" 12.50"), cb)
    assert t.column("E").to_pylist() == [Decimal("0.00"), Decimal("12.50")]


def test_blank_when_zero_on_numeric_picture_reads_spaces_as_zero() -> None:
    cb = cobol("""
    01 REC.
       05 Z PIC 9(3) BLANK WHEN ZERO.
    """)
    report = legacyio.DecodeReport()
    t = legacyio.read_table(e("   ") + zoned(5, 3, signed=False), cb, report=report)
    assert t.column("Z").to_pylist() == [0, 5]
    assert not report.fields
