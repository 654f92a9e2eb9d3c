"""``debug`` (raw bytes of every field), ``corrupt_fields`` (per row, the fields that could
not be decoded) and ``non_terminals`` (a group also as one text column). Records are built
byte by byte; expected hex and text are written out by hand."""

from __future__ import annotations

import pyarrow.parquet as pq
from click.testing import CliRunner

import legacyio
from legacyio.cli.main import cli

CPY = """\
       01 REC.
          05 ACCT.
             10 BRANCH  PIC 9(3).
             10 NUM     PIC 9(4).
          05 AMT        PIC S9(3) COMP-3.
          05 TAGS       PIC X(2) OCCURS 2 TIMES.
"""


def rec(acct: str, amt: bytes, tags: str) -> bytes:
    return acct.encode("cp037") + amt + tags.encode("cp037")


GOOD = rec("0420007", b"\x12\x3c", "ABCD")
BAD = rec("04 0007", b"\x12\x3a", "  XY")  # BRANCH holds a space; sign nibble A is valid


def test_hex_and_binary_debug_columns() -> None:
    data = GOOD + BAD
    t = legacyio.read_table(data, CPY, debug="hex")
    rows = t.to_pylist()
    assert list(rows[0]["ACCT"]) == ["BRANCH", "BRANCH_debug", "NUM", "NUM_debug"]
    assert rows[0]["ACCT"]["BRANCH_debug"] == "F0F4F2"
    assert rows[1]["ACCT"]["BRANCH"] is None and rows[1]["ACCT"]["BRANCH_debug"] == "F0F440"
    assert rows[0]["AMT_debug"] == "123C" and rows[1]["AMT_debug"] == "123A"
    assert rows[0]["TAGS_debug"] == ["C1C2", "C3C4"]
    assert legacyio.encode(t) == data  # debug columns are never written
    b = legacyio.read_table(data, CPY, debug="raw")  # Cobrix's spelling of binary
    assert b.column("AMT_debug").to_pylist() == [b"\x12\x3c", b"\x12\x3a"]


def test_corrupt_fields_lists_the_bad_fields_of_each_row() -> None:
    t = legacyio.read_table(GOOD + BAD + GOOD, CPY, corrupt_fields=True)
    assert t.column("_corrupt_fields").to_pylist() == [[], ["REC.ACCT.BRANCH"], []]


def test_non_terminals() -> None:
    t = legacyio.read_table(GOOD, CPY, non_terminals="acct")
    assert t.column_names[:2] == ["ACCT", "ACCT_NT"]
    assert t.column("ACCT_NT").to_pylist() == ["0420007"]
    assert legacyio.encode(t) == GOOD


def test_cli_flags_and_job_file(tmp_path) -> None:
    (tmp_path / "r.cpy").write_text(CPY)
    (tmp_path / "r.dat").write_bytes(GOOD + BAD)
    args = ["-c", str(tmp_path / "r.cpy"), str(tmp_path / "r.dat")]
    runner = CliRunner()
    res = runner.invoke(
        cli,
        [
            "convert",
            *args,
            str(tmp_path / "a.parquet"),
            "--quiet",
            "--debug-columns",
            "hex",
            "--corrupt-fields",
            "--non-terminals",
            "ACCT",
        ],
    )
    assert res.exit_code == 0, res.output
    t = pq.read_table(tmp_path / "a.parquet")
    assert t.column("AMT_debug").to_pylist() == ["123C", "123A"]
    assert t.column("ACCT_NT").to_pylist() == ["0420007", "04 0007"]
    assert t.column("_corrupt_fields").to_pylist() == [[], ["REC.ACCT.BRANCH"]]
    (tmp_path / "job.toml").write_text('[read]\ndebug = "raw"\n')
    res = runner.invoke(
        cli,
        [
            "convert",
            *args,
            str(tmp_path / "b.parquet"),
            "--quiet",
            "--job",
            str(tmp_path / "job.toml"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert pq.read_table(tmp_path / "b.parquet").column("AMT_debug").to_pylist()[0] == b"\x12\x3c"
