"""Encoding tables built by hand (no residue): canonical IBM bytes, EncodeErrors that name the
record and field, and the explicit overflow / null policies."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

import legacyio
from tests.support.builders import binary, cobol, e, ibm_float, packed, zoned

CB = cobol("""
01 REC.
   05 NAME     PIC X(5).
   05 ZS       PIC S9(3).
   05 ZU       PIC 9(3).
   05 ZL       PIC S9(2) SIGN LEADING.
   05 ZSEP     PIC S9(2) SIGN TRAILING SEPARATE.
   05 PS       PIC S9(4)V9 COMP-3.
   05 PU       PIC 9(3) COMP-3.
   05 BN       PIC S9(4) COMP.
   05 F1       COMP-1.
""")


def _table(**over: list | pa.Array) -> pa.Table:
    cols = {
        "NAME": pa.array(["Zoë", "AB"], pa.string()),
        "ZS": pa.array([-12, 7], pa.int32()),
        "ZU": pa.array([345, 0], pa.int32()),
        "ZL": pa.array([-5, 5], pa.int32()),
        "ZSEP": pa.array([-9, 10], pa.int32()),
        "PS": pa.array([Decimal("-1234.5"), Decimal("0.1")], pa.decimal128(5, 1)),
        "PU": pa.array([999, 1], pa.int32()),
        "BN": pa.array([-2, 300], pa.int32()),
        "F1": pa.array([1.0, -118.625], pa.float32()),
    }
    for k, v in over.items():
        cols[k] = v if isinstance(v, pa.Array) else pa.array(v, cols[k].type)
    return pa.table(cols)


def _expected_row(
    name: str, zs: int, zu: int, zl: int, zsep: int, ps: int, pu: int, bn: int, f1: float
) -> bytes:
    return (
        e(name, 5)
        + zoned(zs, 3)
        + zoned(zu, 3, signed=False)
        + zoned(zl, 2, leading=True)
        + zoned(zsep, 2, separate=True)
        + packed(ps, 5)
        + packed(pu, 3, signed=False)
        + binary(bn, 2)
        + ibm_float(f1, 4)
    )


def test_canonical_ibm_output() -> None:
    out = legacyio.encode(_table(), CB)
    expected = _expected_row("Zoë", -12, 345, -5, -9, -12345, 999, -2, 1.0) + _expected_row(
        "AB", 7, 0, 5, 10, 1, 1, 300, -118.625
    )
    assert out == expected
    # spot checks of the IBM conventions, independent of the helpers
    assert out[5:8] == b"\xf0\xf1\xd2"  # zoned negative: D zone on the last digit
    assert out[8:11] == b"\xf3\xf4\xf5"  # unsigned zoned: F zones
    assert out[11:13] == b"\xd0\xf5"  # SIGN LEADING: D zone on the first digit
    assert out[13:16] == b"\xf0\xf9\x60"  # separate trailing '-'
    assert out[16:19] == b"\x12\x34\x5d"  # packed negative: D nibble
    assert out[19:21] == b"\x99\x9f"  # unsigned packed: F nibble
    assert out[21:23] == b"\xff\xfe"  # binary: big-endian two's complement
    assert out[23:27] == b"\x41\x10\x00\x00"  # COMP-1 1.0 in IBM hex
    assert out[2:5] == b"\x53\x40\x40"  # cp037 e-umlaut, padded with X'40'


def test_write_table_to_path_matches_encode(tmp_path: Path) -> None:
    target = tmp_path / "out.dat"
    stats = legacyio.write_table(_table(), target, CB)
    assert target.read_bytes() == legacyio.encode(_table(), CB)
    assert (stats.records, stats.bytes) == (2, 2 * legacyio.load_copybook(CB).record_length)


def test_encoded_new_data_decodes_to_the_same_values() -> None:
    src = _table()
    back = legacyio.read_table(legacyio.encode(src, CB), CB)
    assert back.column("_legacyio_residue").null_count == 2
    assert back.drop_columns(["_legacyio_residue"]).to_pylist() == src.to_pylist()


@pytest.mark.parametrize(
    ("column", "values", "field", "record"),
    [
        ("ZS", [1, 1000], "REC.ZS", 2),
        ("PU", [1000, 1], "REC.PU", 1),
        ("BN", [1, -10000], "REC.BN", 2),
        ("PS", pa.array([Decimal("12345.6"), Decimal(0)], pa.decimal128(6, 1)), "REC.PS", 1),
        ("NAME", ["ok", "toolong"], "REC.NAME", 2),
        ("ZU", [1, -1], "REC.ZU", 2),
        ("PU", [-3, 1], "REC.PU", 1),
        ("NAME", ["ok", "中文"], "REC.NAME", 2),
        ("ZS", [None, 1], "REC.ZS", 1),
        ("NAME", ["ok", None], "REC.NAME", 2),
    ],
    ids=[
        "zoned-digits",
        "packed-digits",
        "binary-digits",
        "decimal-digits",
        "string-long",
        "neg-unsigned-zoned",
        "neg-unsigned-packed",
        "unmappable",
        "null-number",
        "null-text",
    ],
)
def test_encode_errors_name_record_and_field(
    column: str, values: list | pa.Array, field: str, record: int
) -> None:
    with pytest.raises(legacyio.EncodeError) as ei:
        legacyio.encode(_table(**{column: values}), CB)
    err = ei.value
    assert (err.record, err.field) == (record, field)
    assert f"record {record}" in str(err) and field in str(err)
    bad = values[record - 1]
    bad = bad.as_py() if isinstance(bad, pa.Scalar) else bad
    if bad is not None:
        assert str(bad) not in str(err)


def test_decimal_with_more_fraction_digits_is_an_error() -> None:
    t = _table(PS=pa.array([Decimal("1.23"), Decimal(0)], pa.decimal128(6, 2)))
    with pytest.raises(legacyio.EncodeError) as ei:
        legacyio.encode(t, CB)
    assert ei.value.field == "REC.PS" and ei.value.record == 1


def test_on_overflow_truncate() -> None:
    t = _table(ZS=[1234, 1], NAME=["abcdefg", "x"])
    out = legacyio.encode(t, CB, on_overflow="truncate")
    # high-order digits and the right end of text are cut, as a COBOL MOVE does
    assert out[5:8] == zoned(234, 3)
    assert out[0:5] == e("abcde")


@pytest.mark.parametrize(
    ("null_as", "zs", "ps", "name"),
    [
        ("spaces", b"\x40" * 3, b"\x40" * 3, e("     ")),
        ("low-values", b"\x00" * 3, b"\x00" * 3, b"\x00" * 5),
        ("zero", zoned(0, 3), packed(0, 5), None),
    ],
)
def test_null_as(null_as: str, zs: bytes, ps: bytes, name: bytes | None) -> None:
    t = _table(ZS=[None, 1], PS=[None, Decimal(0)], NAME=[None, "x"])
    out = legacyio.encode(t, CB, null_as=null_as)
    assert out[5:8] == zs
    assert out[16:19] == ps
    if name is not None:
        assert out[0:5] == name
    # the second record is untouched by the policy
    assert out[27 + 5 : 27 + 8] == zoned(1, 3)
    assert out[27:32] == e("x", 5)


def test_odo_list_length_must_match_depending_on_field() -> None:
    cb = cobol("""
    01 REC.
       05 CNT    PIC 9.
       05 TBL    OCCURS 0 TO 3 TIMES DEPENDING ON CNT.
          10 V   PIC 9(2).
    """)
    item = pa.struct([pa.field("V", pa.int32())])
    ok = pa.table(
        {"CNT": pa.array([2], pa.int32()), "TBL": pa.array([[{"V": 1}, {"V": 2}]], pa.list_(item))}
    )
    assert legacyio.encode(ok, cb) == (
        zoned(2, 1, signed=False) + zoned(1, 2, signed=False) + zoned(2, 2, signed=False) + e("  ")
    )
    assert legacyio.encode(ok, cb, record_format="ODO") == (
        zoned(2, 1, signed=False) + zoned(1, 2, signed=False) + zoned(2, 2, signed=False)
    )
    bad = pa.table(
        {
            "CNT": pa.array([2, 3], pa.int32()),
            "TBL": pa.array([[{"V": 1}, {"V": 2}], [{"V": 1}]], pa.list_(item)),
        }
    )
    with pytest.raises(legacyio.EncodeError) as ei:
        legacyio.encode(bad, cb, record_format="ODO")
    assert ei.value.record == 2 and ei.value.field == "REC.TBL"
    with pytest.raises(legacyio.EncodeError):
        legacyio.encode(bad, cb)


def test_list_longer_than_occurs_is_an_error() -> None:
    cb = cobol("""
    01 REC.
       05 A      PIC 9 OCCURS 2.
    """)
    t = pa.table({"A": pa.array([[1, 2], [1, 2, 3]], pa.list_(pa.int32()))})
    with pytest.raises(legacyio.EncodeError) as ei:
        legacyio.encode(t, cb)
    assert ei.value.record == 2 and ei.value.field == "REC.A"


def test_rdw_output_for_new_data() -> None:
    cb = cobol("""
    01 REC.
       05 A      PIC X(3).
    """)
    t = pa.table({"A": ["ab", "xyz"]})
    out = legacyio.encode(t, cb, record_format="V")
    assert out == b"\x00\x07\x00\x00" + e("ab ") + b"\x00\x07\x00\x00" + e("xyz")
    out = legacyio.encode(t, cb, record_format="V", rdw_byteorder="little")
    assert out == b"\x00\x00\x07\x00" + e("ab ") + b"\x00\x00\x07\x00" + e("xyz")


def test_missing_column_is_an_error() -> None:
    with pytest.raises(legacyio.EncodeError) as ei:
        legacyio.encode(_table().drop_columns(["BN"]), CB)
    assert ei.value.field == "REC.BN"


def test_blank_when_zero_on_numeric_picture_writes_spaces() -> None:
    cb = cobol("""
    01 REC.
       05 Z PIC 9(3) BLANK WHEN ZERO.
    """)
    out = legacyio.encode(pa.table({"Z": pa.array([0, 5], pa.int32())}), cb)
    assert out == e("   ") + zoned(5, 3, signed=False)


FIXED_OCC = cobol("""
01 REC.
   05 K      PIC X(2).
   05 A      PIC S9(3) COMP-3 OCCURS 3.
""")


@pytest.mark.parametrize("value", [[1], None], ids=["short", "null"])
def test_short_or_null_list_for_fixed_occurs_follows_the_null_policy(value: list | None) -> None:
    t = pa.table({"K": ["k1"], "A": pa.array([value], pa.list_(pa.int32()))})
    with pytest.raises(legacyio.EncodeError) as ei:
        legacyio.encode(t, FIXED_OCC)
    assert ei.value.field == "REC.A" and ei.value.record == 1


def test_null_element_in_nested_list_follows_null_policy() -> None:
    t = pa.table({"K": ["k1"], "A": pa.array([[1, None, 3]], pa.list_(pa.int32()))})
    with pytest.raises(legacyio.EncodeError) as ei:
        legacyio.encode(t, FIXED_OCC)
    assert ei.value.field == "REC.A"
    out = legacyio.encode(t, FIXED_OCC, null_as="zero")
    assert out == e("k1") + packed(1, 3) + packed(0, 3) + packed(3, 3)


def test_flat_table_with_null_element_in_fixed_occurs() -> None:
    t = pa.table(
        {
            "K": ["k1"],
            "A_1": pa.array([1], pa.int32()),
            "A_2": pa.array([None], pa.int32()),
            "A_3": pa.array([3], pa.int32()),
        }
    )
    out = legacyio.encode(t, FIXED_OCC, null_as="zero")
    assert out == e("k1") + packed(1, 3) + packed(0, 3) + packed(3, 3)


FLAT_ODO = cobol("""
01 REC.
   05 CNT    PIC 9(2).
   05 ITEMS  OCCURS 0 TO 4 TIMES DEPENDING ON CNT.
      10 Q   PIC S9(3) COMP-3.
""")


def test_flat_odo_table_with_null_element_inside_the_list() -> None:
    data = zoned(3, 2, signed=False) + packed(1, 3) + b"\x40\x40" + packed(3, 3) + e("  ")
    t = legacyio.read_table(data, FLAT_ODO, flatten=True, residue=False)
    assert t.to_pylist()[0]["ITEMS_2_Q"] is None
    expected = zoned(3, 2, signed=False) + packed(1, 3) + packed(0, 3) + packed(3, 3) + e("  ")
    assert legacyio.encode(t, null_as="zero") == expected


def test_flat_odo_table_with_null_last_element() -> None:
    data = zoned(3, 2, signed=False) + packed(1, 3) + packed(2, 3) + b"\x40\x40" + e("  ")
    t = legacyio.read_table(data, FLAT_ODO, flatten=True, residue=False)
    assert t.to_pylist()[0]["ITEMS_3_Q"] is None
    expected = zoned(3, 2, signed=False) + packed(1, 3) + packed(2, 3) + packed(0, 3) + e("  ")
    assert legacyio.encode(t, null_as="zero") == expected
