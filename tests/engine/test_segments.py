"""Multi-segment files: a segment id field selects the active REDEFINES alternative."""

from __future__ import annotations

import pyarrow as pa

import legacyio
from tests.support.builders import (
    RESIDUE,
    cobol,
    e,
    packed,
    rdw,
    residues,
    zoned,
)
from tests.support.roundtrip import assert_round_trip

CB = cobol("""
01 REC.
   05 SEG-ID         PIC X.
   05 COMMON-KEY     PIC X(3).
   05 ENTITY-SEG.
      10 ENT-NAME    PIC X(6).
      10 ENT-AMT     PIC S9(5) COMP-3.
   05 PERSON-SEG     REDEFINES ENTITY-SEG.
      10 FIRST-NAME  PIC X(4).
      10 AGE         PIC 9(3).
      10 FILLER      PIC X(2).
""")
SEGS = {"E": "ENTITY-SEG", "P": "PERSON-SEG"}


def ent(key: str, name: str, amt: int) -> bytes:
    return e("E") + e(key, 3) + e(name, 6) + packed(amt, 5)


def per(key: str, first: str, age: int, filler: bytes = b"\x40\x40") -> bytes:
    return e("P") + e(key, 3) + e(first, 4) + zoned(age, 3, signed=False) + filler


def other(key: str) -> bytes:
    return e("X") + e(key, 3) + b"\x01\x02\x03\x04\x05\x06\x07\x08\x09"


DATA = ent("k1", "ACME", -500) + per("k2", "Ann", 42) + other("k3") + ent("k4", "Bolt", 7)


def test_only_the_active_alternative_is_non_null() -> None:
    report = legacyio.DecodeReport()
    t = legacyio.read_table(DATA, CB, segment_field="SEG-ID", segments=SEGS, report=report)
    assert t.num_rows == 4
    assert t.column("ENTITY_SEG").to_pylist() == [
        {"ENT_NAME": "ACME", "ENT_AMT": -500},
        None,
        None,
        {"ENT_NAME": "Bolt", "ENT_AMT": 7},
    ]
    persons = t.column("PERSON_SEG").to_pylist()
    assert [p is None for p in persons] == [True, False, True, True]
    assert persons[1]["FIRST_NAME"] == "Ann" and persons[1]["AGE"] == 42
    assert t.column("COMMON_KEY").to_pylist() == ["k1", "k2", "k3", "k4"]
    # inactive alternatives are not decoded, so they report nothing
    assert "REC.PERSON-SEG.AGE" not in report.fields
    assert "REC.ENTITY-SEG.ENT-AMT" not in report.fields


def test_unmatched_segment_ids_are_reported_and_rows_kept() -> None:
    report = legacyio.DecodeReport()
    t = legacyio.read_table(
        DATA + other("k5"), CB, segment_field="SEG-ID", segments=SEGS, report=report
    )
    assert t.num_rows == 5
    assert report.unmatched_segments == 2
    assert t.column("SEG_ID").to_pylist()[2] == "X"
    assert any("segment" in line for line in report.summary_lines())


def test_without_segment_map_every_alternative_is_decoded() -> None:
    report = legacyio.DecodeReport()
    t = legacyio.read_table(DATA, CB, report=report)
    assert t.column("ENTITY_SEG").null_count == 0
    assert t.column("PERSON_SEG").null_count == 0
    # the person alternative of an entity record has invalid digits: reported, not fatal
    assert report.fields["REC.PERSON-SEG.AGE"].first_record == 1


def test_read_segments_gives_one_table_per_segment() -> None:
    tables = legacyio.read_segments(DATA, CB, segment_field="SEG-ID", segments=SEGS)
    assert set(tables) == {"ENTITY-SEG", "PERSON-SEG"}
    ents, pers = tables["ENTITY-SEG"], tables["PERSON-SEG"]
    assert ents.column("COMMON_KEY").to_pylist() == ["k1", "k4"]
    assert "PERSON_SEG" not in ents.column_names
    assert ents.column("ENTITY_SEG").to_pylist()[1] == {"ENT_NAME": "Bolt", "ENT_AMT": 7}
    assert pers.column("COMMON_KEY").to_pylist() == ["k2"]
    assert "ENTITY_SEG" not in pers.column_names
    assert pers.column("PERSON_SEG").to_pylist()[0]["AGE"] == 42


def test_read_segments_needs_a_segment_map() -> None:
    try:
        legacyio.read_segments(DATA, CB)
    except legacyio.OptionsError as err:
        assert "segment" in str(err)
    else:
        raise AssertionError("read_segments without segments must raise OptionsError")


def test_segment_round_trip_with_unmatched_and_dirty_segments() -> None:
    dirty_filler = per("k6", "Bob", 7, filler=b"\xff\x00")
    data = DATA + dirty_filler
    t = assert_round_trip(data, CB, segment_field="SEG-ID", segments=SEGS)
    # the unmatched record keeps its raw bytes; the FILLER is a column of its segment
    assert residues(t) == [None, None, other("k3"), None, None]
    assert t.column("PERSON_SEG").to_pylist()[4]["FILLER_1"] == b"\xff\x00"


def test_segment_round_trip_in_rdw_file_with_different_lengths() -> None:
    data = rdw(ent("k1", "ACME", 1)) + rdw(per("k2", "Ann", 42)[:11])
    t = assert_round_trip(data, CB, record_format="V", segment_field="SEG-ID", segments=SEGS)
    assert t.column("PERSON_SEG").to_pylist()[1]["AGE"] == 42


def test_new_segment_table_encodes_active_alternative() -> None:
    ent_t = pa.struct([("ENT_NAME", pa.string()), ("ENT_AMT", pa.int32())])
    per_t = pa.struct([("FIRST_NAME", pa.string()), ("AGE", pa.int32())])
    t = pa.table(
        {
            "SEG_ID": ["E", "P"],
            "COMMON_KEY": ["k1", "k2"],
            "ENTITY_SEG": pa.array([{"ENT_NAME": "ACME", "ENT_AMT": -500}, None], ent_t),
            "PERSON_SEG": pa.array([None, {"FIRST_NAME": "Ann", "AGE": 42}], per_t),
        }
    )
    out = legacyio.encode(t, CB, segment_field="SEG-ID", segments=SEGS)
    assert out == ent("k1", "ACME", -500) + per("k2", "Ann", 42)
    back = legacyio.read_table(out, CB, segment_field="SEG-ID", segments=SEGS)
    assert back.column(RESIDUE).null_count == 2
