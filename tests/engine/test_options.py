"""Read options: projection, flattening, naming, fillers, residue, extra columns, strict and
lenient decoding with the DecodeReport."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

import legacyio
from tests.support.builders import RESIDUE, cobol, e, packed, zoned
from tests.support.roundtrip import assert_round_trip

CB = cobol("""
01 CUST-REC.
   05 CUST-ID     PIC X(4).
   05 FILLER      PIC X(2).
   05 ADDR.
      10 CITY     PIC X(3).
      10 ZIP      PIC 9(3).
   05 AMTS        PIC S9(3) COMP-3 OCCURS 3.
   05 TAX-ID      PIC 9(5).
""")
WIDTH = 4 + 2 + 6 + 3 * 2 + 5


def rec(
    cid: str,
    city: str,
    zip_: int,
    amts: tuple[int, int, int],
    tax: bytes | None = None,
    filler: bytes = b"\x40\x40",
) -> bytes:
    return (
        e(cid, 4)
        + filler
        + e(city, 3)
        + zoned(zip_, 3, signed=False)
        + b"".join(packed(a, 3) for a in amts)
        + (tax if tax is not None else zoned(12345, 5, signed=False))
    )


DATA = rec("C001", "NYC", 100, (1, -2, 3)) + rec("C002", "SFO", 941, (4, 5, -6))


def test_default_schema_is_nested() -> None:
    t = legacyio.read_table(DATA, CB)
    assert t.column_names == ["CUST_ID", "FILLER_1", "ADDR", "AMTS", "TAX_ID", RESIDUE]
    assert t.schema.field("ADDR").type == pa.struct([("CITY", pa.string()), ("ZIP", pa.int32())])
    assert t.schema.field("AMTS").type == pa.list_(pa.int32())
    assert t.column("AMTS").to_pylist() == [[1, -2, 3], [4, 5, -6]]


def test_columns_projection() -> None:
    t = legacyio.read_table(DATA, CB, columns=["CUST_ID", "AMTS"])
    assert t.column_names == ["CUST_ID", "AMTS"]
    assert t.column("CUST_ID").to_pylist() == ["C001", "C002"]
    # COBOL spelling selects too
    t2 = legacyio.read_table(DATA, CB, columns=["TAX-ID"])
    assert t2.column_names == ["TAX_ID"]
    with pytest.raises(legacyio.OptionsError):
        legacyio.read_table(DATA, CB, columns=["NOPE"])


def test_flatten_and_encode_flattened_table_back() -> None:
    t = legacyio.read_table(DATA, CB, flatten=True)
    assert t.column_names == [
        "CUST_ID",
        "FILLER_1",
        "ADDR_CITY",
        "ADDR_ZIP",
        "AMTS_1",
        "AMTS_2",
        "AMTS_3",
        "TAX_ID",
        RESIDUE,
    ]
    assert t.column("AMTS_2").to_pylist() == [-2, 5]
    assert t.column("ADDR_ZIP").to_pylist() == [100, 941]
    assert legacyio.encode(t) == DATA
    # a flattened table built by hand (no metadata, no residue) encodes too
    hand = pa.table(
        {
            "CUST_ID": ["C001"],
            "ADDR_CITY": ["NYC"],
            "ADDR_ZIP": pa.array([100], pa.int32()),
            "AMTS_1": pa.array([1], pa.int32()),
            "AMTS_2": pa.array([-2], pa.int32()),
            "AMTS_3": pa.array([3], pa.int32()),
            "TAX_ID": pa.array([12345], pa.int32()),
        }
    )
    assert legacyio.encode(hand, CB) == DATA[:WIDTH]


def test_names_cobol() -> None:
    t = legacyio.read_table(DATA, CB, names="cobol")
    assert t.column_names[:5] == ["CUST-ID", "FILLER_1", "ADDR", "AMTS", "TAX-ID"]
    assert legacyio.encode(t) == DATA


def test_fillers_false_drops_filler_and_dirty_filler_still_round_trips() -> None:
    dirty = rec("C003", "LAX", 900, (0, 0, 0), filler=b"\x01\x02")
    data = DATA + dirty
    t = legacyio.read_table(data, CB, fillers=False)
    assert "FILLER_1" not in t.column_names
    assert t.column(RESIDUE).to_pylist() == [None, None, dirty]
    assert legacyio.encode(t) == data


def test_residue_false_gives_clean_table() -> None:
    dirty = rec("C003", "LAX", 900, (0, 0, 0), tax=zoned(12345, 5, signed=False, unsigned_zone=0xC))
    t = legacyio.read_table(DATA + dirty, CB, residue=False)
    assert RESIDUE not in t.column_names
    assert t.column("TAX_ID").to_pylist() == [12345, 12345, 12345]
    # clean records come back as they were, the dirty one in canonical form
    out = legacyio.encode(t)
    assert out[: 2 * WIDTH] == DATA
    assert out[2 * WIDTH :] == rec("C003", "LAX", 900, (0, 0, 0))
    with pytest.raises(legacyio.OptionsError):
        legacyio.verify(DATA, CB, residue=False)


def test_residue_false_null_needs_a_null_policy() -> None:
    spaces = rec("C003", "LAX", 900, (0, 0, 0), tax=b"\x40" * 5)
    t = legacyio.read_table(DATA + spaces, CB, residue=False)
    assert t.column("TAX_ID").to_pylist() == [12345, 12345, None]
    with pytest.raises(legacyio.EncodeError) as ei:
        legacyio.encode(t)
    assert (ei.value.record, ei.value.field) == (3, "CUST-REC.TAX-ID")
    assert legacyio.encode(t, null_as="spaces") == DATA + spaces


def test_record_number_offset_and_file_name(tmp_path: Path) -> None:
    p = tmp_path / "cust.dat"
    p.write_bytes(DATA * 3)
    t = legacyio.read_table(
        p, CB, record_number=True, record_offset=True, file_name=True, batch_size=4
    )
    assert t.column("record_number").to_pylist() == [1, 2, 3, 4, 5, 6]
    assert t.column("record_offset").to_pylist() == [i * WIDTH for i in range(6)]
    assert t.column("file_name").to_pylist() == [str(p)] * 6
    assert t.schema.field("record_number").type == pa.int64()
    # the extra columns are ignored when encoding
    assert legacyio.encode(t) == DATA * 3


def test_record_offset_with_header_and_rdw() -> None:
    payloads = [e("C00" + str(i), 4) for i in range(3)]
    cb = cobol("""
    01 R.
       05 K PIC X(4).
    """)
    data = b"HDR" + b"".join(b"\x00\x08\x00\x00" + p for p in payloads)
    t = legacyio.read_table(data, cb, record_format="V", header_bytes=3, record_offset=True)
    # the offset of each record's data (after the header bytes and its RDW), the same base
    # that DecodeError and DecodeReport offsets use
    assert t.column("record_offset").to_pylist() == [7, 15, 23]


def test_strict_raises_with_place_but_no_content() -> None:
    secret = "98765"
    bad_tax = secret.encode("cp037")[:4] + b"\x4b"  # '9876.' : not a zoned digit at the end
    data = DATA + rec("C003", "LAX", 900, (0, 0, 0), tax=bad_tax)
    with pytest.raises(legacyio.DecodeError) as ei:
        legacyio.read_table(data, CB, strict=True)
    err = ei.value
    assert err.record == 3
    assert err.offset == 2 * WIDTH + 18
    assert err.field == "CUST-REC.TAX-ID"
    msg = str(err)
    assert "record 3" in msg and "CUST-REC.TAX-ID" in msg and str(2 * WIDTH + 18) in msg
    assert "9876" not in msg and secret not in msg
    assert bad_tax.hex() not in msg.lower()


def test_lenient_default_nulls_and_reports() -> None:
    bad = b"\x4b" * 5
    data = (
        DATA
        + rec("C003", "LAX", 900, (0, 0, 0), tax=bad)
        + rec("C004", "BOS", 21, (0, 0, 0))
        + rec("C005", "SEA", 981, (0, 0, 0), tax=bad)
    )
    report = legacyio.DecodeReport()
    t = legacyio.read_table(data, CB, report=report)
    assert t.column("TAX_ID").to_pylist() == [12345, 12345, None, 12345, None]
    issue = report.fields["CUST-REC.TAX-ID"]
    assert (issue.count, issue.first_record, issue.first_offset) == (2, 3, 2 * WIDTH + 18)
    assert report.bad_fields == 2
    assert report.records == 5
    assert report.bytes == len(data)
    lines = "\n".join(report.summary_lines())
    assert "CUST-REC.TAX-ID" in lines and "record 3" in lines
    d = report.to_dict()
    assert d["fields"]["CUST-REC.TAX-ID"]["count"] == 2
    # and the bad records come back byte for byte
    assert_round_trip(data, CB)


def test_bad_values_inside_occurs_report_first_place() -> None:
    data = DATA + rec("C003", "LAX", 900, (0, 0, 0))
    data = bytearray(data)
    data[2 * WIDTH + 12 + 2] = 0x40  # second occurrence of AMTS in record 3: spaces
    data[2 * WIDTH + 12 + 3] = 0x40
    report = legacyio.DecodeReport()
    t = legacyio.read_table(bytes(data), CB, report=report)
    assert t.column("AMTS").to_pylist()[2] == [0, None, 0]
    issue = report.fields["CUST-REC.AMTS"]
    assert (issue.count, issue.first_record, issue.first_offset) == (1, 3, 2 * WIDTH + 14)
    with pytest.raises(legacyio.DecodeError) as ei:
        legacyio.read_table(bytes(data), CB, strict=True)
    assert (ei.value.record, ei.value.offset) == (3, 2 * WIDTH + 14)


def test_options_objects_and_keywords_agree() -> None:
    a = legacyio.read_table(
        DATA,
        CB,
        legacyio.ReadOptions(trim="none", record_number=True),
        format=legacyio.FileFormat(encoding="cp037"),
    )
    b = legacyio.read_table(DATA, CB, trim="none", record_number=True, encoding="037")
    assert a.equals(b)
    assert a.column("CUST_ID").to_pylist() == ["C001", "C002"]
    with pytest.raises(TypeError):
        legacyio.read_table(DATA, CB, no_such_option=1)


def test_batch_bytes_bounds_the_records_of_a_batch() -> None:
    """Wide records get fewer than batch_size records a batch, so memory stays bounded by
    bytes; the table is the same whatever the batching."""
    data = b"".join(rec(f"C{i:03d}", "NYC", i, (i, -i, 0)) for i in range(50))
    sizes = [b.num_rows for b in legacyio.open_reader(data, CB, batch_bytes=WIDTH * 7 + 3)]
    assert sizes == [7] * 7 + [1]
    assert [b.num_rows for b in legacyio.open_reader(data, CB, batch_bytes=1)] == [1] * 50
    assert [b.num_rows for b in legacyio.open_reader(data, CB, batch_size=20)] == [20, 20, 10]
    assert legacyio.read_table(data, CB, batch_bytes=WIDTH * 7).equals(
        legacyio.read_table(data, CB)
    )
    with pytest.raises(legacyio.OptionsError):
        legacyio.read_table(data, CB, batch_bytes=0)
