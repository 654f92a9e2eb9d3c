"""ODO framing finds record lengths by walking from record to record (``Plan.record_chain``)
instead of computing a length at every byte position: the records, values, residues and
reported problems are exactly those of the table of lengths (``record_lengths`` at every
position), for flat and nested tables, clean and damaged files."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import legacyio
from legacyio.options import FileFormat
from legacyio.plan.core import Plan

FLAT = """\
       01 REC.
          05 KEY         PIC X(2).
          05 N           PIC 9.
          05 W           PIC S9(4) COMP.
          05 G OCCURS 1 TO 4 TIMES DEPENDING ON N.
             10 F        PIC X(2).
             10 A        PIC S9(3) COMP-3.
          05 H OCCURS 0 TO 3 TIMES DEPENDING ON W   PIC X(3).
          05 TAIL        PIC X(2).
"""
WIDE_COUNT = FLAT.replace("05 N           PIC 9.", "05 N           PIC 999.")
NESTED = """\
       01 REC.
          05 N           PIC 9.
          05 G OCCURS 0 TO 5 TIMES DEPENDING ON N.
             10 M        PIC 9.
             10 H OCCURS 0 TO 3 TIMES DEPENDING ON M.
                15 F     PIC X(4).
                15 A     PIC S9(5) COMP-3.
             10 T        PIC X(3).
          05 TAIL        PIC X(6).
"""
LAYOUTS = {"flat": FLAT, "wide-count": WIDE_COUNT, "nested": NESTED}
COUNT_BYTES = np.array([0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF9, 0x00, 0x01, 0x02, 0x40], np.uint8)


def _file(seed: int, size: int) -> bytes:
    """Bytes in which counts are likely: most bytes are digits or small binary values."""
    rng = np.random.default_rng(seed)
    buf = rng.integers(0, 256, size, dtype=np.uint8)
    counts = rng.random(size) < 0.8
    buf[counts] = rng.choice(COUNT_BYTES, int(counts.sum()))
    return buf.tobytes()


def _read(data: bytes, text: str, chain: bool) -> tuple:
    with pytest.MonkeyPatch.context() as m:
        if not chain:
            m.setattr(Plan, "record_chain", lambda self, window, limit: None)
        report = legacyio.DecodeReport()
        try:
            table = legacyio.read_table(
                data, legacyio.load_copybook(text), record_format="ODO", batch_size=7, report=report
            )
        except legacyio.LegacyioError as e:
            return ("error", type(e).__name__, str(e))
        return (table, report)


@pytest.mark.parametrize("name", sorted(LAYOUTS))
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(0, 400))
def test_chain_reads_what_the_table_reads(name: str, seed: int, size: int) -> None:
    data = _file(seed, size)
    got = _read(data, LAYOUTS[name], True)
    want = _read(data, LAYOUTS[name], False)
    if got[0] == "error" or want[0] == "error":
        assert got == want
        return
    assert got[0].equals(want[0])
    assert got[1] == want[1]
    # and every file read this way encodes back to its own bytes
    assert legacyio.encode(got[0]) == data


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_clean_files_need_no_residue(name: str) -> None:
    """Records exactly as long as their counts say are vouched for by the codecs: no raw
    copies, and the table still encodes back byte for byte."""
    plan = Plan(legacyio.load_copybook(LAYOUTS[name]), FileFormat(record_format="ODO"))
    rng = np.random.default_rng(5)
    records = []
    for _ in range(300):
        n = int(rng.integers(1, 5))
        if name == "nested":
            rec = bytes([0xF0 + n])
            for _ in range(n):
                m = int(rng.integers(0, 4))
                rec += bytes([0xF0 + m]) + b"\xc1\xc2\xc3\xc4\x00\x12\x3c" * m + b"\xe7\xe8\xe9"
            records.append(rec + b"\xd7" * 6)
            continue
        w = int(rng.integers(0, 4))
        digits = b"%03d" % n if name == "wide-count" else b"%d" % n
        rec = b"\xc1\xc2" + bytes(0xF0 + d - 48 for d in digits) + w.to_bytes(2, "big")
        rec += b"\xc1\xc2\x00\x1c" * n + b"\xe7\xe8\xe9" * w + b"\xd7\xd7"
        records.append(rec)
    data = b"".join(records)
    # the chain stops where a record's prefix would run past the bytes it is given
    chain = plan.record_chain(np.frombuffer(data, np.uint8), 10**6)
    assert chain is not None
    assert len(chain) >= len(records) - plan.length_prefix() // 10
    assert chain.tolist() == [len(r) for r in records][: len(chain)]
    table = legacyio.read_table(data, legacyio.load_copybook(LAYOUTS[name]), record_format="ODO")
    assert table.num_rows == len(records)
    assert table.column("_legacyio_residue").null_count == len(records)
    assert legacyio.encode(table) == data


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), records=st.integers(1, 12))
def test_nested_rdw_records_round_trip(seed: int, records: int) -> None:
    """RDW records of a nested layout whose payloads are longer or shorter than their counts
    say, or hold non-canonical values, keep their bytes (the codecs vouch only for records
    that are exactly as long as their counts)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(records):
        payload = np.frombuffer(_file(int(rng.integers(0, 2**32)), 60), np.uint8)
        length = int(rng.integers(1, 60))
        walked = Plan(legacyio.load_copybook(NESTED), FileFormat(record_format="V"))
        assert walked.nested is not None
        exact = int(walked.nested.lengths_scalar(payload[None, :])[0])
        if rng.random() < 0.5 and 1 <= exact <= 60:
            length = exact
        out.append((length + 4).to_bytes(2, "big") + b"\0\0" + payload[:length].tobytes())
    data = b"".join(out)
    table = legacyio.read_table(data, legacyio.load_copybook(NESTED), record_format="V")
    assert table.num_rows == records
    assert legacyio.encode(table) == data


def test_occurs_mappings_odo_framing_reads_what_rdw_framing_reads() -> None:
    """Counts through ``occurs_mappings`` (a PIC X object) are not looked up by the record
    walk: ODO framing falls back to the lengths at every position and finds the same records."""
    cpy = """\
       01 REC.
          05 KIND      PIC X.
          05 ITEMS     OCCURS 0 TO 3 TIMES DEPENDING ON KIND.
             10 CODE   PIC X(2).
             10 QTY    PIC 9(3).
          05 TAIL      PIC X(2).
"""
    mapping = {"ITEMS": {"N": 0, "S": 1, "T": 3}}
    bodies = [
        "S" + "AB007" + "Z1",
        "N" + "Z2",
        "T" + "CC001DD022EE333" + "Z3",
        "N" + "Z4",
    ]
    raw = [b.encode("cp037") for b in bodies]
    odo = legacyio.read_table(b"".join(raw), cpy, record_format="ODO", occurs_mappings=mapping)
    rdw = b"".join(len(r + b"1234").to_bytes(2, "big") + b"\0\0" + r for r in raw)
    v = legacyio.read_table(rdw, cpy, record_format="V", occurs_mappings=mapping)
    assert odo.num_rows == 4
    assert odo.drop(["_legacyio_residue"]).to_pylist() == v.drop(["_legacyio_residue"]).to_pylist()
    assert [len(x) for x in odo.column("ITEMS").to_pylist()] == [1, 0, 3, 0]


def test_copybook_without_a_record_is_a_copybook_error() -> None:
    """Fuzz finding: a copybook of only 77-level items has no record to read; a
    CopybookError naming its line, not a ValueError from an empty max()."""
    layout = legacyio.load_copybook(" 77 S PIC 9.  ")
    with pytest.raises(legacyio.CopybookError, match="no record") as err:
        Plan(layout, FileFormat()).output_schema()
    assert ":1:" in str(err.value)
