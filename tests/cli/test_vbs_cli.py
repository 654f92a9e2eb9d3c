"""`--record-format vbs` through the CLI: convert -> encode gives the file back byte for byte,
a canonical encode blocks as the reference does, malformed spanning is one clear line."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from tests.support import vbs as ref

from .conftest import leftovers

CPY = """\
       01 REC.
          05 N     PIC 9(3).
          05 T     PIC X OCCURS 0 TO 300 DEPENDING ON N.
"""


def rec(n: int) -> bytes:
    return f"{n:03d}".encode("cp037") + bytes(0xC1 + (i % 9) for i in range(n))


RECORDS = [rec(n) for n in (5, 60, 0, 12, 150, 7, 33)]


@pytest.fixture
def vbs(work):
    (work / "r.cpy").write_text(CPY)
    # blocked by a writer of 48-byte blocks, then one record re-cut by hand (non-canonical)
    blocks = ref.ibm_blocks(RECORDS, 48)
    blocks.append(ref.split_record(rec(20), [4, 9]))
    data = ref.vbs_file(blocks)
    (work / "f.vbs").write_bytes(data)
    return data


@pytest.mark.parametrize("ext", ["parquet", "jsonl"])
def test_convert_encode_round_trip(run, work, vbs, ext):
    res = run("convert", "-c", "r.cpy", "f.vbs", f"o.{ext}", "--record-format", "vbs")
    assert res.exit_code == 0, res.output
    res = run("encode", "-c", "r.cpy", f"o.{ext}", "back.vbs", "--record-format", "VBS")
    assert res.exit_code == 0, res.output
    assert (work / "back.vbs").read_bytes() == vbs
    res = run("verify", "-c", "r.cpy", "f.vbs", "--record-format", "vbs")
    assert res.exit_code == 0, res.output
    assert "spanned over segments" in res.output
    assert "result:          identical\n" in res.output  # no "layout does not fit" note


def test_canonical_encode_and_block_size(run, work, vbs):
    assert (
        run("convert", "-c", "r.cpy", "f.vbs", "o.parquet", "--record-format", "vbs").exit_code == 0
    )
    table = pq.read_table(work / "o.parquet")
    assert table.column("N").to_pylist() == [5, 60, 0, 12, 150, 7, 33, 20]
    clean = table.drop_columns(["_legacyio_residue"])
    pq.write_table(clean, work / "clean.parquet")
    res = run(
        "encode", "-c", "r.cpy", "clean.parquet", "c.vbs", "--record-format", "vbs",
        "--block-size", "64",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    want = ref.vbs_file(ref.ibm_blocks([*RECORDS, rec(20)], 64))
    assert (work / "c.vbs").read_bytes() == want
    assert ref.decode(want)[4] == rec(150)


def test_malformed_spanning_is_one_line(run, work):
    (work / "r.cpy").write_text(CPY)
    data = ref.vbs_file([[(ref.COMPLETE, rec(1))], [(ref.MIDDLE, rec(2))]])
    (work / "bad.vbs").write_bytes(data)
    res = run("convert", "-c", "r.cpy", "bad.vbs", "o.parquet", "--record-format", "vbs")
    assert res.exit_code == 1
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, res.stderr
    line = lines[0]
    assert (
        "bad.vbs" in line and "record 2" in line and "byte offset 16" in line
    )  # 12-byte block 1, then a BDW
    assert "middle segment without a first segment" in line
    assert "Traceback" not in res.output
    assert not (work / "o.parquet").exists() and leftovers(work) == []
    # lenient framing keeps the bytes: the file still comes back
    res = run(
        "convert", "-c", "r.cpy", "bad.vbs", "o.parquet", "--record-format", "vbs",
        "--lenient-framing",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    res = run("encode", "o.parquet", "back.vbs")
    assert res.exit_code == 0, res.output
    assert (work / "back.vbs").read_bytes() == data
