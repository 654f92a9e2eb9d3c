"""Record-type rules (``record_types``): the REDEFINES alternative (or 01 record) of each record
chosen by a condition over earlier fields, evaluated over whole batches. Files are built byte by
byte here (tests/support/builders), never by legacyio."""

from __future__ import annotations

import io
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

import legacyio
from legacyio.plan.rules import RuleSet
from tests.support.builders import RESIDUE, cobol, e, packed, rdw, residues, zoned
from tests.support.roundtrip import assert_round_trip

CB = cobol("""
01 REC.
   05 REC-TYPE       PIC X.
   05 REGION         PIC X(2).
   05 KIND           PIC S9(3) COMP-3.
   05 RATE           PIC S9(2)V9.
   05 ENTITY-SEG.
      10 ENT-NAME    PIC X(6).
      10 ENT-AMT     PIC S9(5) COMP-3.
   05 PERSON-SEG     REDEFINES ENTITY-SEG.
      10 FIRST-NAME  PIC X(4).
      10 AGE         PIC 9(3).
      10 FILLER      PIC X(2).
   05 OTHER-SEG      REDEFINES ENTITY-SEG.
      10 OTHER-BYTES PIC X(9).
""")
WIDTH = 1 + 2 + 2 + 3 + 9

RULES = {
    # a composite key with an `in` list
    "ENTITY-SEG": "REC-TYPE = 'A' and REGION in ('01', '02')",
    # a value range, or a second key
    "PERSON-SEG": "KIND between 11 and 19 or (REC-TYPE = 'P' and not REGION = '99')",
    # a decimal bound on a zoned field with a scale
    "OTHER-SEG": "RATE >= 50.5",
}


def head(t: str, region: str, kind: int, rate: int) -> bytes:
    return e(t) + e(region, 2) + packed(kind, 3) + zoned(rate, 3)


def ent(t: str, region: str, kind: int, name: str, amt: int, rate: int = 0) -> bytes:
    return head(t, region, kind, rate) + e(name, 6) + packed(amt, 5)


def per(t: str, region: str, kind: int, first: str, age: int, rate: int = 0) -> bytes:
    return head(t, region, kind, rate) + e(first, 4) + zoned(age, 3, signed=False) + e("", 2)


def oth(t: str, region: str, kind: int, rate: int, body: str) -> bytes:
    return head(t, region, kind, rate) + e(body, 9)


RECORDS = [
    ent("A", "01", 5, "ACME", -500),  # ENTITY (composite key)
    per("B", "03", 12, "Ann", 42),  # PERSON (range)
    per("P", "07", 3, "Bob", 7),  # PERSON (second key)
    ent("A", "02", 15, "BOLT", 9),  # ENTITY and PERSON: the first rule wins
    oth("C", "09", 2, 600, "OTHER"),  # OTHER (decimal bound: 60.0 >= 50.5)
    oth("P", "99", 1, 100, "NOBODY"),  # no rule: kept as it is
]
DATA = b"".join(RECORDS)


def test_rules_choose_the_alternative_first_match_wins() -> None:
    report = legacyio.DecodeReport()
    t = legacyio.read_table(DATA, CB, record_types=RULES, report=report)
    assert t.num_rows == 6
    filled = [
        [name for name in ("ENTITY_SEG", "PERSON_SEG", "OTHER_SEG") if row[name] is not None]
        for row in t.to_pylist()
    ]
    assert filled == [
        ["ENTITY_SEG"],
        ["PERSON_SEG"],
        ["PERSON_SEG"],
        ["ENTITY_SEG"],
        ["OTHER_SEG"],
        [],
    ]
    assert t.column("ENTITY_SEG").to_pylist()[3] == {"ENT_NAME": "BOLT", "ENT_AMT": 9}
    assert t.column("PERSON_SEG").to_pylist()[1]["AGE"] == 42
    assert t.column("OTHER_SEG").to_pylist()[4] == {"OTHER_BYTES": "OTHER"}
    # the unmatched record: counted, reported with its record number and offset, kept raw
    assert report.unmatched_segments == 1
    fr = [f for f in report.framing if "record type rule" in f.message]
    assert len(fr) == 1 and fr[0].record == 6 and fr[0].offset == 5 * WIDTH
    assert residues(t) == [None] * 5 + [RECORDS[5]]
    assert t.column("REGION").to_pylist()[5] == "99"
    # inactive alternatives are not decoded: the AGE digits of entity records report nothing
    assert "REC.PERSON-SEG.AGE" not in report.fields


def test_round_trip_byte_for_byte_every_way() -> None:
    # whole, streaming in batches of 2 (rules evaluated per batch), verify, via Parquet
    t = assert_round_trip(DATA, CB, record_types=RULES)
    assert t.column(RESIDUE).null_count == 5


def test_bad_key_fields_make_tests_unknown_like_sql() -> None:
    bad_kind = bytearray(per("B", "03", 12, "Ann", 42))
    bad_kind[3:5] = b"\xff\xff"  # KIND is not packed decimal
    data = bytes(bad_kind) * 2
    report = legacyio.DecodeReport()
    # unknown: neither the test nor its negation holds
    rules = {"PERSON-SEG": "KIND = 12", "ENTITY-SEG": "not KIND = 12"}
    t = legacyio.read_table(data, CB, record_types=rules, report=report)
    assert t.column("PERSON_SEG").null_count == t.column("ENTITY_SEG").null_count == 2
    assert report.unmatched_segments == 2
    assert "REC.KIND" in report.fields  # the bad key field itself is reported
    # unknown or true is true; unknown and false is false
    rules = {"PERSON-SEG": "KIND = 12 or REC-TYPE = 'B'", "ENTITY-SEG": "KIND = 1 and 1ST = 1"}
    with pytest.raises(legacyio.OptionsError, match="unknown field 1ST"):
        legacyio.read_table(data, CB, record_types=rules)
    rules = {
        "ENTITY-SEG": "KIND = 12 and REC-TYPE = 'Z'",
        "PERSON-SEG": "KIND = 12 or REC-TYPE = 'B'",
    }
    t = legacyio.read_table(data, CB, record_types=rules)
    assert t.column("PERSON_SEG").null_count == 0
    assert_round_trip(data, CB, record_types=rules)


def test_evaluation_over_a_batch_matches_a_row_by_row_reference() -> None:
    rng = np.random.default_rng(16)
    n = 3000
    types = rng.choice(list("ABP"), n)
    regions = rng.choice(["01", "02", "03", "99"], n)
    kinds = rng.integers(-30, 30, n)
    rates = rng.integers(-999, 999, n)

    def reference(t: str, r: str, k: int, x: int) -> str | None:
        if t == "A" and r in ("01", "02"):
            return "ENTITY-SEG"
        if 11 <= k <= 19 or (t == "P" and r != "99"):
            return "PERSON-SEG"
        if Decimal(x) / 10 >= Decimal("50.5"):
            return "OTHER-SEG"
        return None

    keys = [(str(a), str(b), int(c), int(d)) for a, b, c, d in zip(types, regions, kinds, rates)]
    want = [reference(*k) for k in keys]
    # each record holds valid data of the alternative the reference gives it
    build = {
        "ENTITY-SEG": lambda t, r, k, x: ent(t, r, k, "N", k, rate=x),
        "PERSON-SEG": lambda t, r, k, x: per(t, r, k, "F", abs(k), rate=x),
    }
    data = b"".join(
        build.get(w or "", lambda t, r, k, x: oth(t, r, k, x, "X"))(*k) for k, w in zip(keys, want)
    )
    layout = legacyio.load_copybook(CB)
    rules = RuleSet(layout, legacyio.FileFormat(record_types=RULES))
    mat = np.frombuffer(data, dtype=np.uint8).reshape(n, WIDTH)
    choice = rules.choose(mat)
    names = [None if c < 0 else rules.names[c] for c in choice.tolist()]
    assert names == want
    # the same through the reader, in batches
    report = legacyio.DecodeReport()
    t = legacyio.read_table(data, CB, record_types=RULES, report=report, batch_size=700)
    assert report.unmatched_segments == want.count(None)
    ent_rows = [i for i, v in enumerate(t.column("ENTITY_SEG").is_valid().to_pylist()) if v]
    assert ent_rows == [i for i, w in enumerate(want) if w == "ENTITY-SEG"]


def test_new_table_encodes_the_filled_alternative_and_refuses_a_contradicting_key() -> None:
    ent_t = pa.struct([("ENT_NAME", pa.string()), ("ENT_AMT", pa.int32())])
    per_t = pa.struct([("FIRST_NAME", pa.string()), ("AGE", pa.int32())])
    cols = {
        "REC_TYPE": ["A", "B"],
        "REGION": ["01", "03"],
        "KIND": [5, 12],
        "RATE": pa.array([Decimal("0.0"), Decimal("0.0")], pa.decimal128(3, 1)),
        "ENTITY_SEG": pa.array([{"ENT_NAME": "ACME", "ENT_AMT": -500}, None], ent_t),
        "PERSON_SEG": pa.array([None, {"FIRST_NAME": "Ann", "AGE": 42}], per_t),
    }
    out = legacyio.encode(pa.table(cols), CB, record_types=RULES)
    assert out == RECORDS[0] + RECORDS[1]
    # a person filled in a record whose keys the rules read as an entity: the edit would be
    # lost on the next read, so it is refused, naming the record
    cols["REC_TYPE"] = ["A", "A"]
    cols["REGION"] = ["01", "02"]
    cols["KIND"] = [5, 3]
    with pytest.raises(legacyio.EncodeError, match=r"record 2.*PERSON-SEG.*as ENTITY-SEG"):
        legacyio.encode(pa.table(cols), CB, record_types=RULES)


def test_edit_of_a_decoded_table_switching_the_record_type() -> None:
    t = legacyio.read_table(DATA, CB, record_types=RULES)
    rows = t.to_pylist()
    # record 3 (PERSON by the second key) becomes an entity: keys and alternative change
    rows[2].update(
        REC_TYPE="A",
        REGION="02",
        PERSON_SEG=None,
        ENTITY_SEG={"ENT_NAME": "NEW", "ENT_AMT": 1},
    )
    edited = pa.Table.from_pylist(rows, schema=t.schema)
    out = legacyio.encode(edited)
    assert out[2 * WIDTH : 3 * WIDTH] == ent("A", "02", 3, "NEW", 1)
    assert out[: 2 * WIDTH] == DATA[: 2 * WIDTH] and out[3 * WIDTH :] == DATA[3 * WIDTH :]


def test_one_copybook_per_record_type_in_an_rdw_file() -> None:
    cb = cobol("""
01 HDR-REC.
   05 H-TYPE   PIC X.
   05 H-BATCH  PIC 9(4).
01 DTL-REC.
   05 D-TYPE   PIC X.
   05 D-SUB    PIC X.
   05 D-AMT    PIC S9(7) COMP-3.
   05 D-NAME   PIC X(10).
""")
    rules = {"HDR-REC": "H-TYPE = 'H'", "DTL-REC": "D-TYPE = 'D' and D-SUB in ('1', '2')"}
    hdr = e("H") + zoned(12, 4, signed=False)
    dtl = e("D") + e("2") + packed(-1234, 7) + e("SMITH", 10)
    odd = e("D") + e("9") + packed(5, 7) + e("X", 10)
    data = rdw(hdr) + rdw(dtl) + rdw(odd)
    report = legacyio.DecodeReport()
    t = legacyio.read_table(data, cb, record_format="V", record_types=rules, report=report)
    assert t.column("HDR_REC").to_pylist() == [{"H_TYPE": "H", "H_BATCH": 12}, None, None]
    assert t.column("DTL_REC").to_pylist()[1] == {
        "D_TYPE": "D",
        "D_SUB": "2",
        "D_AMT": -1234,
        "D_NAME": "SMITH",
    }
    assert report.unmatched_segments == 1
    assert_round_trip(data, cb, record_format="V", record_types=rules)


def test_read_segments_splits_by_rule() -> None:
    tables = legacyio.read_segments(DATA, CB, record_types=RULES)
    assert set(tables) == {"ENTITY-SEG", "PERSON-SEG", "OTHER-SEG"}
    assert tables["ENTITY-SEG"].column("REGION").to_pylist() == ["01", "02"]
    assert (
        tables["PERSON-SEG"].num_rows == 2 and "ENTITY_SEG" not in tables["PERSON-SEG"].column_names
    )


@pytest.mark.parametrize(
    ("rules", "extra", "words"),
    [
        ({"ENTITY-SEG": "RECTYPE = 'A'"}, {}, "column 1: unknown field RECTYPE"),
        ({"ENTITY-SEG": "REC-TYPE = 1"}, {}, "column 12: field REC-TYPE holds text"),
        ({"ENTITY-SEG": "KIND in (1, 'A')"}, {}, "column 13: field KIND holds numbers"),
        (
            {"ENTITY-SEG": "ENTITY-SEG = 'A'"},
            {},
            "column 1: field ENTITY-SEG must be an elementary",
        ),
        (
            {"NO-SUCH-SEG": "REC-TYPE = 'A'"},
            {},
            "no group or 01 record of the copybook: NO-SUCH-SEG",
        ),
        (
            {"ENTITY-SEG": "REC-TYPE = 'A'"},
            {"segment_field": "REC-TYPE", "segments": {"A": "ENTITY-SEG"}},
            "not both",
        ),
    ],
)
def test_rule_errors_name_the_rule_column_and_field(
    rules: dict[str, str], extra: dict[str, object], words: str
) -> None:
    with pytest.raises(legacyio.OptionsError) as info:
        legacyio.read_table(DATA, CB, record_types=rules, **extra)
    assert words in str(info.value)


def test_a_field_inside_an_occurs_table_is_refused() -> None:
    cb = cobol("""
01 R.
   05 CODES   PIC X OCCURS 2 TIMES.
   05 A-SEG   PIC X(3).
   05 B-SEG   REDEFINES A-SEG PIC 9(3).
""")
    with pytest.raises(legacyio.OptionsError, match="CODES must be an elementary item outside"):
        legacyio.read_table(e("AB") + e("xyz"), cb, record_types={"A-SEG": "CODES = 'A'"})


def test_rules_survive_the_table_metadata_for_writing() -> None:
    t = legacyio.read_table(DATA, CB, record_types=RULES)
    buf = io.BytesIO()
    legacyio.write_table(t, buf)  # copybook and format from the table's metadata
    assert buf.getvalue() == DATA


def test_elementary_alternatives_and_no_alternative_inside_a_table() -> None:
    cb = cobol("""
01 R.
   05 T     PIC X.
   05 A-SEG PIC X(3).
   05 B-SEG REDEFINES A-SEG PIC 9(3).
   05 TBL OCCURS 2.
      10 C-SEG PIC X.
      10 D-SEG REDEFINES C-SEG PIC 9.
""")
    data = e("A") + e("xyz") + e("ab") + e("B") + zoned(12, 3, signed=False) + e("cd")
    rules = {"A-SEG": "T = 'A'", "B-SEG": "T = 'B'"}
    t = assert_round_trip(data, cb, record_types=rules)
    assert t.column("A_SEG").to_pylist() == ["xyz", None]
    assert t.column("B_SEG").to_pylist() == [None, 12]
    with pytest.raises(legacyio.OptionsError, match=r"R\.TBL\.C-SEG is inside an OCCURS table"):
        legacyio.read_table(data, cb, record_types={"C-SEG": "T = 'A'"})
