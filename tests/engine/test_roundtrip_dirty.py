"""Byte-for-byte round trips of dirty data: decode, re-encode (and verify, also via Parquet)
must give back exactly the input bytes, whatever non-canonical bytes it holds."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

import legacyio
from tests.support.builders import (
    RESIDUE,
    bdw_block,
    binary,
    cobol,
    e,
    packed,
    rdw,
    residues,
    zoned,
)
from tests.support.roundtrip import assert_round_trip

NUMS = cobol("""
01 REC.
   05 ID       PIC X(4).
   05 ZS       PIC S9(3).
   05 ZU       PIC 9(3).
   05 PK       PIC S9(3) COMP-3.
   05 PU       PIC 9(3) COMP-3.
   05 BN       PIC S9(4) COMP.
""")


def nums(
    i: str,
    zs: bytes | None = None,
    zu: bytes | None = None,
    pk: bytes | None = None,
    pu: bytes | None = None,
    bn: bytes | None = None,
) -> bytes:
    """One NUMS record: canonical values unless a field's bytes are given."""
    return (
        e(i, 4)
        + (zs or zoned(-12, 3))
        + (zu or zoned(34, 3, signed=False))
        + (pk or packed(56, 3))
        + (pu or packed(78, 3, signed=False))
        + (bn or binary(-9, 2))
    )


def test_clean_file_has_all_null_residue() -> None:
    data = nums("A") + nums("B") + nums("C")
    table = assert_round_trip(data, NUMS)
    assert table.schema.field(RESIDUE).type == pa.binary()
    assert table.column(RESIDUE).null_count == 3
    assert table.column("ZS").to_pylist() == [-12] * 3


DIRTY_FIELDS = {
    "signed packed with F": {"pk": packed(56, 3, sign=0xF)},
    "packed A": {"pk": packed(56, 3, sign=0xA)},
    "packed B": {"pk": packed(56, 3, sign=0xB)},
    "packed E": {"pk": packed(56, 3, sign=0xE)},
    "unsigned packed with C": {"pu": packed(78, 3, sign=0xC)},
    "signed zoned with F": {"zs": zoned(12, 3, pos_zone=0xF)},
    "signed zoned A": {"zs": zoned(12, 3, pos_zone=0xA)},
    "signed zoned B": {"zs": zoned(-12, 3, neg_zone=0xB)},
    "signed zoned E": {"zs": zoned(12, 3, pos_zone=0xE)},
    "unsigned zoned with C": {"zu": zoned(34, 3, signed=False, unsigned_zone=0xC)},
    "spaces in zoned": {"zs": b"\x40\x40\x40"},
    "leading spaces in zoned": {"zu": b"\x40\xf3\xf4"},
    "low-values in zoned": {"zu": b"\x00\x00\x00"},
    "garbage in zoned": {"zs": b"\xc1\xc2\xc3"},
    "spaces in packed": {"pk": b"\x40\x40"},
    "low-values in packed": {"pk": b"\x00\x00"},
    "invalid packed digit nibble": {"pk": b"\xa1\x2c"},
    "packed digit in sign nibble": {"pu": b"\x12\x34"},
    "binary beyond PICTURE digits": {"bn": binary(12345, 2)},
    "negative binary beyond PICTURE": {"bn": binary(-10000, 2)},
    "packed negative zero": {"pk": packed(0, 3, sign=0xD)},
    "zoned negative zero": {"zs": b"\xf0\xf0\xd0"},
}


@pytest.mark.parametrize("case", sorted(DIRTY_FIELDS))
def test_dirty_numeric_field_round_trips(case: str) -> None:
    dirty = nums("D", **DIRTY_FIELDS[case])
    data = nums("A") + dirty + nums("C")
    table = assert_round_trip(data, NUMS)
    # exactly the dirty record carries a raw copy: its own bytes
    assert residues(table) == [None, dirty, None]


def test_dirty_values_decode_leniently_and_are_reported() -> None:
    data = (
        nums("A", pk=b"\x40\x40")
        + nums("B", zs=zoned(12, 3, pos_zone=0xF))
        + nums("C", pk=b"\xa1\x2c")
    )
    report = legacyio.DecodeReport()
    t = legacyio.read_table(data, NUMS, report=report)
    # non-preferred but valid signs decode to their value; invalid bytes to null
    assert t.column("ZS").to_pylist() == [-12, 12, -12]
    assert t.column("PK").to_pylist() == [None, 56, None]
    issue = report.fields["REC.PK"]
    assert (issue.count, issue.first_record, issue.first_offset) == (2, 1, 10)
    assert "REC.ZS" not in report.fields


def test_dirty_record_round_trips_in_every_batch_position() -> None:
    recs = [nums(str(i)) for i in range(10)]
    recs[0] = nums("X", zs=b"\0\0\0")
    recs[4] = nums("Y", pk=b"\x40\x40")
    recs[9] = nums("Z", pu=packed(1, 3, sign=0xC))
    data = b"".join(recs)
    table = assert_round_trip(data, NUMS, batch_size=3)
    res = residues(table)
    assert [i for i, r in enumerate(res) if r is not None] == [0, 4, 9]
    assert res[4] == recs[4]


@pytest.mark.parametrize("sign", [b"\x40", b"\x00", b"\xc1", b"\x4e", b"\x60"])
def test_separate_sign_bytes(sign: bytes) -> None:
    cb = cobol("""
    01 REC.
       05 L   PIC S9(3) SIGN LEADING SEPARATE.
       05 T   PIC S9(3) SIGN TRAILING SEPARATE.
    """)
    rec = sign + zoned(12, 3, signed=False) + zoned(34, 3, signed=False) + sign
    report = legacyio.DecodeReport()
    t = legacyio.read_table(rec, cb, report=report)
    valid = sign in (b"\x4e", b"\x60")
    factor = -1 if sign == b"\x60" else 1
    assert t.to_pylist()[0]["L"] == (factor * 12 if valid else None)
    assert t.to_pylist()[0]["T"] == (factor * 34 if valid else None)
    assert bool(report.fields) is not valid
    t = assert_round_trip(rec, cb)
    assert residues(t) == [None if valid else rec]


def test_filler_bytes_round_trip_and_are_binary_columns() -> None:
    cb = cobol("""
    01 REC.
       05 A      PIC X(2).
       05 FILLER PIC X(3).
       05 B      PIC 9(2).
       05 FILLER PIC X(2).
    """)
    data = e("ab") + b"\x00\x01\xff" + zoned(5, 2, signed=False) + e("zz")
    data += e("cd") + e("   ") + zoned(6, 2, signed=False) + e("  ")
    t = assert_round_trip(data, cb)
    assert t.column("FILLER_1").to_pylist() == [b"\x00\x01\xff", e("   ")]
    assert t.column("FILLER_2").to_pylist() == [e("zz"), e("  ")]
    assert t.column(RESIDUE).null_count == 2


def test_redefines_alternatives_with_different_bytes() -> None:
    cb = cobol("""
    01 REC.
       05 KIND   PIC X.
       05 BODY   PIC X(6).
       05 NUMS   REDEFINES BODY.
          10 N1  PIC S9(5) COMP-3.
          10 N2  PIC 9(3).
       05 BIN    REDEFINES BODY.
          10 B1  PIC S9(9) COMP.
          10 FILLER PIC XX.
    """)
    data = (
        e("T")
        + e("hello ")
        + e("N")
        + packed(-12345, 5)
        + zoned(42, 3, signed=False)
        + e("B")
        + binary(-7, 4)
        + b"\x00\x00"
        + e("X")
        + b"\x01\x02\x03\x04\x05\x06"
    )
    t = assert_round_trip(data, cb)
    assert t.column("BODY").to_pylist()[0] == "hello"
    assert t.column("NUMS").to_pylist()[1] == {"N1": -12345, "N2": 42}
    assert t.column("BIN").to_pylist()[2]["B1"] == -7


def test_slack_after_odo_table_in_fixed_layout() -> None:
    cb = cobol("""
    01 REC.
       05 CNT    PIC 9.
       05 TBL    OCCURS 0 TO 3 TIMES DEPENDING ON CNT.
          10 V   PIC X(2).
       05 TAIL   PIC X(2).
    """)
    # record 1 leaves garbage in the unused occurrences; record 2 is canonical
    r1 = zoned(1, 1, signed=False) + e("aa") + b"\x00\x11\x22\x33" + e("zz")
    r2 = zoned(2, 1, signed=False) + e("bbcc") + e("  ") + e("yy")
    t = assert_round_trip(r1 + r2, cb)
    assert t.column("TBL").to_pylist() == [[{"V": "aa"}], [{"V": "bb"}, {"V": "cc"}]]
    assert t.column("TAIL").to_pylist() == ["zz", "yy"]
    assert residues(t) == [r1, None]


def test_sync_slack_bytes() -> None:
    cb = cobol("""
    01 REC.
       05 C      PIC X.
       05 B      PIC S9(9) COMP SYNC.
       05 D      PIC X.
       05 H      PIC S9(4) COMP SYNC.
    """)
    lay = legacyio.load_copybook(cb)
    assert lay.find("B").offset == 4 and lay.find("H").offset == 10
    clean = e("a") + e("   ") + binary(5, 4) + e("b") + e(" ") + binary(-1, 2)
    dirty = e("a") + b"\x01\x02\x03" + binary(5, 4) + e("b") + b"\xee" + binary(-1, 2)
    t = assert_round_trip(clean + dirty, cb)
    assert t.column("B").to_pylist() == [5, 5]
    assert residues(t) == [None, dirty]


def test_text_with_non_space_bytes_after_the_text() -> None:
    cb = cobol("""
    01 REC.
       05 T      PIC X(6).
       05 N      PIC 9.
    """)
    data = e("ab") + b"\x00\x00\x00\x00" + zoned(1, 1, signed=False)
    data += e("cd ") + b"\x00" + e("  ") + zoned(2, 1, signed=False)
    t = assert_round_trip(data, cb)
    assert t.column("T").to_pylist() == ["ab\x00\x00\x00\x00", "cd \x00"]


@pytest.mark.parametrize("trim", ["both", "left"])
def test_text_trim_that_loses_spaces_still_round_trips(trim: str) -> None:
    cb = cobol("""
    01 REC.
       05 T      PIC X(5).
    """)
    data = e("  ab ") + e("cd   ")
    t = assert_round_trip(data, cb, trim=trim)
    assert t.column("T").to_pylist()[0] == ("ab" if trim == "both" else "ab ")
    assert residues(t)[0] == e("  ab ")


@pytest.mark.parametrize("order", ["big", "little"])
def test_rdw_records(order: str) -> None:
    cb = cobol("""
    01 REC.
       05 ID     PIC X(3).
       05 AMT    PIC S9(5) COMP-3.
    """)
    p1 = e("abc") + packed(-5, 5)
    p2 = e("def") + packed(5, 5, sign=0xF)
    data = rdw(p1, order) + rdw(p2, order)
    t = assert_round_trip(data, cb, record_format="V", rdw_byteorder=order)
    assert t.column("AMT").to_pylist() == [-5, 5]
    assert residues(t) == [None, rdw(p2, order)]


def test_variable_rdw_records_shorter_than_the_copybook() -> None:
    cb = cobol("""
    01 REC.
       05 ID     PIC X(3).
       05 REST   PIC X(7).
    """)
    data = rdw(e("abc")) + rdw(e("defghij")) + rdw(e("klmnopqrst"))
    report = legacyio.DecodeReport()
    t = legacyio.read_table(data, cb, record_format="V", report=report)
    # a field the record does not reach in full is null and reported
    assert t.column("REST").to_pylist() == [None, None, "nopqrst"]
    issue = report.fields["REC.REST"]
    assert (issue.count, issue.first_record, issue.first_offset) == (2, 1, 7)
    assert_round_trip(data, cb, record_format="V")


def test_vb_blocks_with_padding() -> None:
    cb = cobol("""
    01 REC.
       05 ID     PIC X(4).
       05 N      PIC S9(3) COMP-3.
    """)
    recs = [e(f"r{i:03d}") + packed(i, 3) for i in range(5)]
    data = bdw_block(recs[:2], pad_to=40) + bdw_block(recs[2:4], pad_to=41)
    data += bdw_block(recs[4:], pad_to=16)  # 2 bytes of padding: too short for an RDW
    t = assert_round_trip(data, cb, record_format="VB")
    assert t.column("N").to_pylist() == [0, 1, 2, 3, 4]
    assert t.column("ID").to_pylist() == [f"r{i:03d}" for i in range(5)]


def test_header_and_trailer_bytes() -> None:
    cb = cobol("""
    01 REC.
       05 ID     PIC X(2).
       05 N      PIC 9(2).
    """)
    head, trail = b"HDR\x00\x01\x02", b"\xff" * 5
    body = e("ab") + zoned(1, 2, signed=False) + e("cd") + zoned(2, 2, signed=False)
    data = head + body + trail
    t = assert_round_trip(data, cb, header_bytes=len(head), trailer_bytes=len(trail))
    assert t.num_rows == 2
    assert t.column("ID").to_pylist() == ["ab", "cd"]


def test_header_and_trailer_bytes_across_batches() -> None:
    cb = cobol("""
    01 REC.
       05 ID     PIC X(2).
    """)
    data = b"HH" + e("aabbccddee") + b"TTT"
    t = assert_round_trip(data, cb, header_bytes=2, trailer_bytes=3, batch_size=2)
    assert t.column("ID").to_pylist() == ["aa", "bb", "cc", "dd", "ee"]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_text_lines(newline: bytes) -> None:
    cb = cobol("""
    01 REC.
       05 NAME   PIC X(5).
       05 AMT    PIC S9(3)V9 SIGN LEADING SEPARATE.
    """)
    data = b"Alice+1234" + newline + b"Bob  -0015" + newline + b"Ca" + newline
    t = assert_round_trip(data, cb, record_format="D", encoding="ascii")
    assert t.column("NAME").to_pylist() == ["Alice", "Bob", "Ca"]
    assert t.column("AMT").to_pylist()[:2] == [Decimal("123.4"), Decimal("-1.5")]


def test_text_lines_mixed_terminators_and_no_final_newline() -> None:
    cb = cobol("""
    01 REC.
       05 NAME   PIC X(5).
    """)
    data = b"ab\r\ncd   \nef"
    t = assert_round_trip(data, cb, record_format="D", encoding="latin-1")
    assert t.column("NAME").to_pylist() == ["ab", "cd", "ef"]


def test_short_last_record_with_lenient_framing() -> None:
    cb = cobol("""
    01 REC.
       05 ID     PIC X(3).
       05 N      PIC S9(3) COMP-3.
    """)
    data = e("abc") + packed(1, 3) + e("de")
    with pytest.raises(legacyio.DecodeError) as ei:
        legacyio.read_table(data, cb)
    assert ei.value.record == 2 and ei.value.offset == 5
    report = legacyio.DecodeReport()
    t = legacyio.read_table(data, cb, lenient_framing=True, report=report)
    assert t.num_rows == 2
    assert t.column("N").to_pylist() == [1, None]
    assert report.framing
    assert_round_trip(data, cb, lenient_framing=True)


ODO_CB = cobol("""
01 REC.
   05 ID     PIC X(2).
   05 CNT    PIC 9(2).
   05 ITEMS  OCCURS 0 TO 5 TIMES DEPENDING ON CNT.
      10 Q   PIC S9(3) COMP-3.
   05 TAIL   PIC X(2).
""")


def _odo(i: str, qs: list[int], tail: str = "zz", sign: int | None = None) -> bytes:
    return (
        e(i, 2)
        + zoned(len(qs), 2, signed=False)
        + b"".join(packed(q, 3, sign=sign) for q in qs)
        + e(tail, 2)
    )


def test_odo_variable_records() -> None:
    data = _odo("a", [1, 2]) + _odo("b", []) + _odo("c", [-3, 4, 5, 6, 7], "yy")
    t = assert_round_trip(data, ODO_CB, record_format="ODO")
    assert t.column("ITEMS").to_pylist() == [
        [{"Q": 1}, {"Q": 2}],
        [],
        [{"Q": v} for v in (-3, 4, 5, 6, 7)],
    ]
    assert t.column("TAIL").to_pylist() == ["zz", "zz", "yy"]
    assert t.column(RESIDUE).null_count == 3


def test_odo_variable_records_dirty() -> None:
    dirty = _odo("b", [9], sign=0xF)
    data = _odo("a", [1, 2]) + dirty + _odo("c", [3])
    t = assert_round_trip(data, ODO_CB, record_format="ODO")
    assert residues(t) == [None, dirty, None]


def test_v_records_with_variable_occurs() -> None:
    p = [_odo("a", [1, 2]), _odo("b", []), _odo("c", [-3, 4, 5, 6, 7], "yy")]
    data = b"".join(rdw(x) for x in p)
    t = assert_round_trip(data, ODO_CB, record_format="V", variable_occurs=True)
    assert [len(x) for x in t.column("ITEMS").to_pylist()] == [2, 0, 5]
    assert t.column("TAIL").to_pylist() == ["zz", "zz", "yy"]


def test_v_records_with_maximum_size_odo_layout() -> None:
    full = e("ab") + zoned(1, 2, signed=False) + packed(7, 3) + e("  " * 4) + e("zz")
    data = rdw(full)
    t = assert_round_trip(data, ODO_CB, record_format="V", variable_occurs=False)
    assert t.column("TAIL").to_pylist() == ["zz"]
    assert t.column("ITEMS").to_pylist() == [[{"Q": 7}]]


def test_odo_count_beyond_maximum_in_fixed_layout() -> None:
    rec = e("ab") + zoned(7, 2, signed=False) + packed(1, 3) * 5 + e("zz")
    report = legacyio.DecodeReport()
    t = legacyio.read_table(rec, ODO_CB, report=report)
    assert len(t.column("ITEMS").to_pylist()[0]) == 5
    issue = report.fields["REC.ITEMS"]
    assert (issue.count, issue.first_record, issue.first_offset) == (1, 1, 4)
    assert residues(assert_round_trip(rec, ODO_CB)) == [rec]


def test_bytes_between_records_round_trip_as_residue() -> None:
    # an undeterminable ODO length in the middle: the rest is kept as raw bytes
    good = _odo("a", [1])
    bad = e("cd") + b"\x40\x40" + packed(1, 3) * 5 + e("zz")
    data = good + bad + good
    report = legacyio.DecodeReport()
    t = legacyio.read_table(data, ODO_CB, record_format="ODO", lenient_framing=True, report=report)
    assert t.num_rows == 1
    assert report.framing[0].record == 2 and report.framing[0].offset == len(good)
    assert legacyio.encode(t) == data
    assert legacyio.verify(data, ODO_CB, record_format="ODO", lenient_framing=True).ok


@pytest.mark.parametrize("case", ["header+trailer", "trailer only", "unframeable first"])
def test_file_without_records_round_trips(case: str) -> None:
    cb = cobol("""
    01 REC.
       05 ID     PIC X(2).
    """)
    if case == "header+trailer":
        data, kw = e("HEADTRL"), {"header_bytes": 4, "trailer_bytes": 3}
    elif case == "trailer only":
        data, kw = e("TRL"), {"trailer_bytes": 3}
    else:
        data = e("cd") + b"\x40\x40" + packed(1, 3) + e("zz")
        cb, kw = ODO_CB, {"record_format": "ODO", "lenient_framing": True}
    t = legacyio.read_table(data, cb, **kw)
    assert t.num_rows == 0
    assert legacyio.encode(t) == data


def test_clean_crlf_text_file_carries_no_residue() -> None:
    cb = cobol("""
    01 REC.
       05 NAME   PIC X(3).
    """)
    data = b"abc\r\ndef\r\n"
    t = legacyio.read_table(data, cb, record_format="D", encoding="ascii", line_terminator="crlf")
    assert t.column(RESIDUE).null_count == 2
    assert legacyio.encode(t) == data


FLOATS = cobol("""
01 REC.
   05 F1     COMP-1.
   05 F2     COMP-2.
""")


@pytest.mark.parametrize(
    ("raw", "values"),
    [
        ("410100004101000000000000", (0.0625, 0.0625)),  # unnormalized fractions
        ("4110000041ffffffffffffff", (1.0, 16.0)),  # 56 bits: more than a double
        ("450000000000000000000000", (0.0, 0.0)),  # zero with an exponent
        ("7fffffffc110000000000000", (None, -1.0)),  # beyond float32: null
    ],
    ids=["unnormalized", "56-bit", "dirty-zero", "overflow"],
)
def test_ibm_float_bytes_that_are_not_canonical(raw: str, values: tuple) -> None:
    data = bytes.fromhex(raw)
    t = assert_round_trip(data, FLOATS)
    row = t.to_pylist()[0]
    assert (row["F1"], row["F2"]) == values
    assert residues(t) == [data]


def test_ieee_special_values_round_trip() -> None:
    data = bytes.fromhex("7fc00001fff8000000000001") + bytes.fromhex("800000000000000000000001")
    t = assert_round_trip(data, FLOATS, float_format="ieee")
    vals = t.to_pylist()
    assert vals[1]["F1"] == 0.0 and str(vals[1]["F1"]) == "-0.0"
    assert vals[1]["F2"] == 5e-324


V_ODO_DIRT = {
    "bytes after the last field": lambda: rdw(_odo("b", [9]) + e("??")),
    "record cut inside the table": lambda: rdw(_odo("b", [9, 8])[:-4]),
    "count beyond the maximum": lambda: rdw(
        e("b", 2) + zoned(7, 2, signed=False) + packed(1, 3) * 5 + e("zz")
    ),
    "F sign in an entry": lambda: rdw(_odo("b", [9, 8], sign=0xF)),
    "negative zero in an entry": lambda: rdw(_odo("b", [0], sign=0xD)),
}


@pytest.mark.parametrize("case", list(V_ODO_DIRT))
def test_v_odo_record_dirt_is_kept_next_to_clean_records(case: str) -> None:
    """RDW records with ODO tables: the clean ones need no raw copy (the codecs vouch for
    them), each kind of dirt in one record must still come back byte for byte."""
    dirty = V_ODO_DIRT[case]()
    clean = [rdw(_odo("a", [1, 2])), rdw(_odo("c", [])), rdw(_odo("d", [-3, 4, 5, 6, 7]))]
    data = clean[0] + dirty + clean[1] + clean[2]
    t = assert_round_trip(data, ODO_CB, record_format="V", lenient_framing=True)
    assert residues(t) == [None, dirty, None, None]


def test_clean_v_odo_file_is_not_re_encoded(monkeypatch) -> None:
    """Clean files must not pay for dirty ones: when every field of every record is canonical
    the reader does not encode the batch to look for differences."""
    from legacyio.plan.core import Plan

    data = b"".join(rdw(_odo(f"{i:02d}", list(range(i % 6)))) for i in range(40))
    expected = legacyio.read_table(data, ODO_CB, record_format="V")

    def no_encode(*args, **kwargs):
        raise AssertionError("a clean batch was re-encoded")

    monkeypatch.setattr(Plan, "encode", no_encode)
    t = legacyio.read_table(data, ODO_CB, record_format="V", batch_size=7)
    assert t.equals(expected)
    assert t.column(RESIDUE).null_count == 40


def test_expand_leaves_the_payloads_as_read() -> None:
    """The reader compares non-vouched records with the payloads as read, so moving the
    fields after an ODO table into the maximum layout must not write into them."""
    import numpy as np

    from legacyio.options import FileFormat
    from legacyio.plan.core import Plan

    payloads = [_odo("a", [1, 2]), _odo("b", []), _odo("c", [3, 4, 5, 6, 7])]
    plan = Plan(legacyio.load_copybook(ODO_CB), FileFormat(record_format="V"))
    mat = np.full((3, plan.width), 0x40, dtype=np.uint8)
    for i, p in enumerate(payloads):
        mat[i, : len(p)] = np.frombuffer(p, dtype=np.uint8)
    before = mat.copy()
    wide, avail = plan.expand(mat, np.array([len(p) for p in payloads]))
    assert np.array_equal(mat, before)
    assert (avail == plan.width).all()
    assert bytes(wide[1, plan.width - 2 :]) == e("zz")  # TAIL moved to its maximum place


def test_gather_rows_matches_plain_indexing() -> None:
    """The window gather behind ODO decoding: same bytes as plain indexing for a contiguous
    matrix, a column slice of a wider one, and a matrix whose columns are not adjacent."""
    import numpy as np

    from legacyio.plan.decode import _gather_rows

    rng = np.random.default_rng(5)
    big = rng.integers(0, 256, (9, 40), dtype=np.uint8)
    for mat in (big, big[:, 3:30], big[:, ::2], big[2:7]):
        rows = rng.integers(0, mat.shape[0], 25)
        cols = rng.integers(0, mat.shape[1] - 4, 25)
        want = np.stack([mat[r, c : c + 4] for r, c in zip(rows, cols)])
        assert np.array_equal(_gather_rows(mat, rows, cols, 4), want)
    assert _gather_rows(big, rows[:0], cols[:0], 4).shape == (0, 4)
