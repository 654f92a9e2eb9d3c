"""Copybook shapes through the engine: several 01 records, no 01 level, nested ODO in the
maximum layout, OCCURS of groups containing OCCURS."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

import legacyio
from tests.support.builders import binary, cobol, e, packed, rdw, residues, zoned
from tests.support.roundtrip import assert_round_trip

TWO_RECORDS = cobol("""
01 HEADER-REC.
   05 H-TYPE     PIC X.
   05 H-DATE     PIC 9(8).
01 DETAIL-REC.
   05 D-TYPE     PIC X.
   05 D-AMT      PIC S9(7) COMP-3.
   05 D-NAME     PIC X(4).
""")


def test_several_01_records_as_alternatives() -> None:
    hdr = e("H") + zoned(20240131, 8, signed=False)
    det = e("D") + packed(-1234567, 7) + e("abcd")
    data = hdr + det
    t = legacyio.read_table(data, TWO_RECORDS)
    assert t.column_names[:2] == ["HEADER_REC", "DETAIL_REC"]
    assert t.column("HEADER_REC").to_pylist()[0] == {"H_TYPE": "H", "H_DATE": 20240131}
    assert t.column("DETAIL_REC").to_pylist()[1] == {
        "D_TYPE": "D",
        "D_AMT": -1234567,
        "D_NAME": "abcd",
    }
    assert_round_trip(data, TWO_RECORDS)


def test_several_01_records_choose_one() -> None:
    det = e("D") + packed(5, 7) + e("abcd")
    t = legacyio.read_table(det * 2, TWO_RECORDS, record="DETAIL-REC")
    assert t.column_names[:3] == ["D_TYPE", "D_AMT", "D_NAME"]
    assert t.column("D_AMT").to_pylist() == [5, 5]
    assert_round_trip(det * 2, TWO_RECORDS, record="DETAIL-REC")
    with pytest.raises(legacyio.OptionsError):
        legacyio.read_table(det, TWO_RECORDS, record="NOPE")


def test_several_01_records_as_segments() -> None:
    hdr = e("H") + zoned(20240131, 8, signed=False)
    det = e("D") + packed(9, 7) + e("wxyz")
    t = legacyio.read_table(
        hdr + det,
        TWO_RECORDS,
        segment_field="H-TYPE",
        segments={"H": "HEADER-REC", "D": "DETAIL-REC"},
    )
    assert [r is None for r in t.column("HEADER_REC").to_pylist()] == [False, True]
    assert [r is None for r in t.column("DETAIL_REC").to_pylist()] == [True, False]
    assert_round_trip(
        hdr + det,
        TWO_RECORDS,
        segment_field="H-TYPE",
        segments={"H": "HEADER-REC", "D": "DETAIL-REC"},
    )


def test_copybook_starting_at_level_05() -> None:
    cb = cobol("""
    05 CODE       PIC X(2).
    05 GRP.
       10 QTY     PIC S9(3) COMP-3.
       10 PRICE   PIC 9(3)V99.
    """)
    data = e("ab") + packed(-7, 3) + zoned(1999, 5, signed=False)
    t = legacyio.read_table(data, cb)
    assert t.column_names[:2] == ["CODE", "GRP"]
    assert t.column("GRP").to_pylist() == [{"QTY": -7, "PRICE": Decimal("19.99")}]
    assert_round_trip(data, cb)


NESTED_ODO = cobol("""
01 REC.
   05 N-OUT      PIC 9.
   05 OUTER      OCCURS 1 TO 3 TIMES DEPENDING ON N-OUT.
      10 N-IN    PIC 9.
      10 INNER   OCCURS 0 TO 2 TIMES DEPENDING ON N-IN.
         15 V    PIC X(2).
   05 TAIL       PIC X(2).
""")


def _outer(inner: list[str]) -> bytes:
    vals = b"".join(e(v, 2) for v in inner) + e(" " * 2 * (2 - len(inner)))
    return zoned(len(inner), 1, signed=False) + vals


def test_nested_odo_in_maximum_layout() -> None:
    lay = legacyio.load_copybook(NESTED_ODO)
    assert lay.record_length == 1 + 3 * 5 + 2
    r1 = zoned(2, 1, signed=False) + _outer(["aa", "bb"]) + _outer([]) + e(" " * 5) + e("t1")
    r2 = zoned(3, 1, signed=False) + _outer(["cc"]) + _outer(["dd", "ee"]) + _outer([])
    r2 += e("t2")
    t = legacyio.read_table(r1 + r2, NESTED_ODO)
    assert t.column("OUTER").to_pylist() == [
        [{"N_IN": 2, "INNER": [{"V": "aa"}, {"V": "bb"}]}, {"N_IN": 0, "INNER": []}],
        [
            {"N_IN": 1, "INNER": [{"V": "cc"}]},
            {"N_IN": 2, "INNER": [{"V": "dd"}, {"V": "ee"}]},
            {"N_IN": 0, "INNER": []},
        ],
    ]
    assert t.column("TAIL").to_pylist() == ["t1", "t2"]
    assert t.column("_legacyio_residue").null_count == 2
    assert_round_trip(r1 + r2, NESTED_ODO)


def test_nested_odo_dirty_slack_round_trips() -> None:
    r = zoned(1, 1, signed=False) + _outer(["aa"])[:3] + b"\x00\x00" + b"\x11" * 10 + e("tt")
    t = assert_round_trip(r, NESTED_ODO)
    assert t.column("OUTER").to_pylist() == [[{"N_IN": 1, "INNER": [{"V": "aa"}]}]]
    assert residues(t) == [r]


def test_nested_odo_variable_layout_on_empty_input() -> None:
    # nested tables in records that shrink are supported (see
    # test_nested_odo_in_records_that_shrink); an empty file gives an empty table
    assert legacyio.read_table(b"", NESTED_ODO, record_format="ODO").num_rows == 0


def test_occurs_of_groups_containing_occurs() -> None:
    cb = cobol("""
    01 REC.
       05 ROWS       OCCURS 2 TIMES.
          10 LABEL   PIC X(2).
          10 CELLS   OCCURS 3 TIMES.
             15 C    PIC S9(3) COMP-3.
             15 F    PIC 9.
          10 FLAGS   PIC X OCCURS 2.
       05 TOTAL      PIC S9(4) COMP.
    """)
    lay = legacyio.load_copybook(cb)
    assert lay.record_length == 2 * (2 + 3 * 3 + 2) + 2

    def row(label: str, cells: list[tuple[int, int]], flags: str) -> bytes:
        return (
            e(label)
            + b"".join(packed(c, 3) + zoned(f, 1, signed=False) for c, f in cells)
            + e(flags)
        )

    data = (
        row("r1", [(1, 0), (-2, 1), (3, 2)], "YN")
        + row("r2", [(4, 3), (5, 4), (-6, 5)], "NN")
        + binary(-1, 2)
    )
    t = legacyio.read_table(data, cb)
    rows = t.column("ROWS").to_pylist()[0]
    assert [r["LABEL"] for r in rows] == ["r1", "r2"]
    assert [c["C"] for c in rows[1]["CELLS"]] == [4, 5, -6]
    assert [c["F"] for c in rows[0]["CELLS"]] == [0, 1, 2]
    assert rows[0]["FLAGS"] == ["Y", "N"]
    assert t.column("TOTAL").to_pylist() == [-1]
    cell_t = t.schema.field("ROWS").type.value_type.field("CELLS").type
    assert cell_t == pa.list_(pa.struct([("C", pa.int32()), ("F", pa.int32())]))
    assert_round_trip(data, cb)
    # flattened: ROWS_1_CELLS_2_C and friends
    flat = legacyio.read_table(data, cb, flatten=True)
    assert flat.column("ROWS_2_CELLS_3_C").to_pylist() == [-6]
    assert flat.column("ROWS_1_FLAGS_2").to_pylist() == ["N"]
    assert legacyio.encode(flat) == data


def test_odo_object_in_group_and_qualified_names() -> None:
    cb = cobol("""
    01 REC.
       05 HDR.
          10 CNT     PIC S9(3) COMP-3.
       05 TBL        OCCURS 0 TO 4 TIMES DEPENDING ON CNT OF HDR.
          10 X       PIC X.
    """)
    data = packed(2, 3) + e("ab")
    t = assert_round_trip(data, cb, record_format="ODO")
    assert t.column("TBL").to_pylist() == [[{"X": "a"}, {"X": "b"}]]


SEG_CB = cobol("""
01 HDR.
   05 H-TYPE     PIC X.
   05 H-DATE     PIC 9(8).
01 DET.
   05 D-TYPE     PIC X.
   05 D-AMT      PIC S9(3) COMP-3.
""")
SEG_MAP = {"H": "HDR", "D": "DET"}
SEG_V = rdw(e("H") + zoned(20240101, 8, signed=False)) + rdw(e("D") + packed(5, 3))


def test_several_01_records_of_different_lengths_in_v_file() -> None:
    report = legacyio.DecodeReport()
    t = assert_round_trip(
        SEG_V, SEG_CB, record_format="V", segment_field="H-TYPE", segments=SEG_MAP
    )
    legacyio.read_table(
        SEG_V, SEG_CB, record_format="V", segment_field="H-TYPE", segments=SEG_MAP, report=report
    )
    assert t.column("DET").to_pylist()[1] == {"D_TYPE": "D", "D_AMT": 5}
    # the longer, inactive record is not reported as truncated
    assert not report.fields


def test_v_record_length_follows_the_active_01_record() -> None:
    t = legacyio.read_table(
        SEG_V, SEG_CB, record_format="V", segment_field="H-TYPE", segments=SEG_MAP
    )
    assert t.column("_legacyio_residue").null_count == 2
    new = t.drop_columns(["_legacyio_residue"])
    assert legacyio.encode(new) == SEG_V


NESTED_CB = cobol("""
01 REC.
   05 N           PIC 9.
   05 G OCCURS 0 TO 2 TIMES DEPENDING ON N.
      10 M        PIC 9.
      10 H OCCURS 0 TO 3 TIMES DEPENDING ON M.
         15 F     PIC X.
   05 TAIL        PIC X(2).
""")


def test_nested_odo_in_records_that_shrink() -> None:
    recs = [e("0zz"), e("12AByy"), e("21A3BCDxx")]
    data = b"".join(rdw(r) for r in recs)
    t = legacyio.read_table(data, NESTED_CB, record_format="V")
    assert t.column("G").to_pylist() == [
        [],
        [{"M": 2, "H": [{"F": "A"}, {"F": "B"}]}],
        [{"M": 1, "H": [{"F": "A"}]}, {"M": 3, "H": [{"F": "B"}, {"F": "C"}, {"F": "D"}]}],
    ]
    assert t.column("TAIL").to_pylist() == ["zz", "yy", "xx"]
    assert t.column("_legacyio_residue").null_count == 3  # clean records carry no raw copy
    assert legacyio.encode(t) == data
    # new data (no residue) is laid out the same way
    assert legacyio.encode(t.drop_columns(["_legacyio_residue"])) == data
    # and the same records without headers, framed by their counts alone
    plain = b"".join(recs)
    t2 = legacyio.read_table(plain, NESTED_CB, record_format="ODO")
    assert t2.column("TAIL").to_pylist() == ["zz", "yy", "xx"]
    assert legacyio.encode(t2) == plain
