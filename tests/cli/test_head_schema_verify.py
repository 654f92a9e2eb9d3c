"""`legacyio head`, `schema` and `verify`."""

from __future__ import annotations

import json

from .conftest import SIMPLE_LEN

SEGS = ["--segment-field", "SEG-TYPE", "--segment", "E=ENTITY-SEG", "--segment", "F=FILING-SEG"]


def test_head_table(run):
    res = run("head", "-c", "simple.cpy", "simple.dat", "-n", "3")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert len(lines) == 2 + 3
    header = lines[0].split()
    assert header[:3] == ["TIN", "NAME", "BAL"]
    assert "ADDR.CITY" in header and "ADDR.ZIP" in header and "CODES" in header
    assert "FILLER_1" not in header and "_legacyio_residue" not in header
    assert "100000000" in lines[2] and "-5000.00" in lines[2] and "[0, 1, 2]" in lines[2]
    # aligned: every data line has the header's column starts
    start = lines[0].index("NAME")
    assert lines[2][start : start + 6] == "ALICE0"


def test_head_cuts_long_values_and_lists(run):
    res = run("head", "-c", "simple.cpy", "simple.dat", "-n", "2", "--max-width", "5")
    assert res.exit_code == 0
    assert "ALIC\u2026" in res.stdout and "[3 items]" in res.stdout


def test_head_skip_vertical_jsonl(run):
    res = run(
        "head", "-c", "simple.cpy", "simple.dat", "-n", "1", "--skip", "2", "--format", "vertical"
    )
    assert res.exit_code == 0
    assert "-- record 3 --" in res.stdout and "ADDR.ZIP" in res.stdout
    res = run("head", "-c", "simple.cpy", "simple.dat", "-n", "2", "--format", "jsonl")
    objs = [json.loads(line) for line in res.stdout.splitlines()]
    assert [o["TIN"] for o in objs] == [100000000, 100000001]
    assert objs[0]["BAL"] == "-5000.00"


def test_head_segments_and_nulls(run):
    res = run("head", "-c", "seg.cpy", "seg.dat", "-n", "3", *SEGS)
    assert res.exit_code == 0, res.output
    assert "FILING_SEG.DUE" in res.stdout and "null" in res.stdout and "-2.02" in res.stdout


def test_schema_text_and_json(run):
    res = run("schema", "-c", "simple.cpy")
    assert res.exit_code == 0, res.output
    assert "BAL" in res.stdout and "S9(7)V99" in res.stdout
    res = run("schema", "-c", "simple.cpy", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    text = json.dumps(data)
    assert "decimal128(9, 2)" in text and "CODES" in text


def test_verify_identical(run):
    res = run("verify", "-c", "simple.cpy", "simple.dat")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "records checked: 40" in out and f"bytes checked:   {40 * SIMPLE_LEN:,}" in out
    hashes = [line.split()[-1] for line in out.splitlines() if line.startswith("sha256")]
    assert len(hashes) == 2 and hashes[0] == hashes[1] and len(hashes[0]) == 64
    assert "identical" in out


def test_verify_via_parquet_and_segments(run):
    res = run("verify", "-c", "seg.cpy", "seg.dat", "--via", "parquet", *SEGS)
    assert res.exit_code == 0, res.output
    assert "records checked: 30" in res.stdout


def test_verify_keeps_odd_bytes_and_needs_the_residue(run, work):
    # a ZIP digit with a C zone is not canonical: the residue keeps it, so verify succeeds
    data = bytearray((work / "simple.dat").read_bytes())
    data[SIMPLE_LEN * 5 + 45] = (data[SIMPLE_LEN * 5 + 45] & 0x0F) | 0xC0
    (work / "odd.dat").write_bytes(bytes(data))
    ok = run("verify", "-c", "simple.cpy", "odd.dat")
    assert ok.exit_code == 0 and "identical" in ok.stdout
    res = run("verify", "-c", "simple.cpy", "odd.dat", "--no-residue")
    assert res.exit_code == 2 and "residue" in res.stderr


def test_verify_mismatch_report_and_exit_1(run, monkeypatch):
    import legacyio
    from legacyio.api import Mismatch, VerifyResult
    from legacyio.report import DecodeReport

    def fake(*a, **kw):
        return VerifyResult(
            False, 40, 2160, "a" * 64, "b" * 64, Mismatch(6, 315, "MASTER.ZIP"), DecodeReport()
        )

    monkeypatch.setattr(legacyio, "verify", fake)
    res = run("verify", "-c", "simple.cpy", "simple.dat")
    assert res.exit_code == 1
    assert "MISMATCH at record 6, byte offset 315, field MASTER.ZIP" in res.stdout
    assert "sha256 input:    " + "a" * 64 in res.stdout
