"""Every error path: one line naming the file and place, the right exit status, no field
contents, and nothing left at OUTPUT."""

from __future__ import annotations

import pytest

import legacyio.tables.files

from .conftest import SIMPLE_LEN, leftovers


def _one_line(res) -> str:
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, res.stderr
    return lines[0]


def test_missing_copybook(run, work):
    res = run("convert", "-c", "nope.cpy", "simple.dat", "o.parquet")
    assert res.exit_code == 2
    assert "nope.cpy" in _one_line(res) and "not found" in res.stderr
    assert not (work / "o.parquet").exists()


def test_bad_copybook_names_line(run, work):
    (work / "bad.cpy").write_text("       01 REC.\n          05 A PIC 9(0).\n")
    res = run("head", "-c", "bad.cpy", "simple.dat")
    assert res.exit_code == 2
    assert "bad.cpy:2" in _one_line(res)


def test_missing_input(run, work):
    res = run("convert", "-c", "simple.cpy", "nope.dat", "o.parquet")
    assert res.exit_code == 2 and "nope.dat" in _one_line(res)


def test_usage_errors_exit_2(run):
    assert run("convert", "--no-such-flag").exit_code == 2
    assert run("convert", "-c", "simple.cpy").exit_code == 2  # no INPUT
    assert run("head", "-c", "simple.cpy", "simple.dat", "--record-format", "XX").exit_code == 2
    res = run("head", "-c", "simple.cpy", "simple.dat", "--encoding", "klingon")
    assert res.exit_code == 2 and "klingon" in _one_line(res)
    res = run("head", "-c", "simple.cpy", "simple.dat", "--segment-field", "NOPE")
    assert res.exit_code == 2 and "NOPE" in _one_line(res)


def test_wrong_record_length(run, work):
    res = run(
        "convert",
        "-c",
        "simple.cpy",
        "simple.dat",
        "o.parquet",
        "--record-length",
        str(SIMPLE_LEN + 1),
    )
    assert res.exit_code == 1
    line = _one_line(res)
    assert "simple.dat" in line and "record" in line and "offset" in line
    assert not (work / "o.parquet").exists() and leftovers(work) == []


def test_truncated_file(run, work):
    data = (work / "simple.dat").read_bytes()
    (work / "cut.dat").write_bytes(data[:-10])
    res = run("convert", "-c", "simple.cpy", "cut.dat", "o.parquet")
    assert res.exit_code == 1
    line = _one_line(res)
    assert "cut.dat" in line and "record 40" in line
    assert not (work / "o.parquet").exists() and leftovers(work) == []


def test_strict_decode_error(run, work, bad_dat):
    res = run("convert", "-c", "simple.cpy", "bad.dat", "o.parquet", "--strict")
    assert res.exit_code == 1
    line = _one_line(res)
    assert "record 3" in line and "BAL" in line and "ALICE" not in line
    assert not (work / "o.parquet").exists() and leftovers(work) == []


def test_lenient_decode_counts_bad_fields_by_name(run, work, bad_dat):
    res = run("convert", "-c", "simple.cpy", "bad.dat", "o.parquet", "--report-file", "r.json")
    assert res.exit_code == 0, res.output
    assert "; bad fields: BAL 1" in res.stderr
    import json

    rep = json.loads((work / "r.json").read_text())
    assert rep["fields"]["MASTER.BAL"]["first_record"] == 3
    verbose = run("convert", "-c", "simple.cpy", "bad.dat", "o2.parquet", "-v")
    assert "first at record 3" in verbose.stderr


def test_existing_output_refused_then_overwritten(run, work):
    (work / "o.parquet").write_bytes(b"keep me")
    res = run("convert", "-c", "simple.cpy", "simple.dat", "o.parquet")
    assert res.exit_code == 2 and "--overwrite" in _one_line(res)
    assert (work / "o.parquet").read_bytes() == b"keep me"
    assert (
        run("convert", "-c", "simple.cpy", "simple.dat", "o.parquet", "--overwrite").exit_code == 0
    )
    assert (work / "o.parquet").read_bytes()[:4] == b"PAR1"
    res = run(
        "convert", "-c", "simple.cpy", "simple.dat", "simple.dat", "--to", "parquet", "--overwrite"
    )
    assert res.exit_code == 2 and "is the input" in res.stderr


def test_failed_overwrite_keeps_old_file(run, work, bad_dat):
    (work / "o.parquet").write_bytes(b"old")
    res = run("convert", "-c", "simple.cpy", "bad.dat", "o.parquet", "--strict", "--overwrite")
    assert res.exit_code == 1
    assert (work / "o.parquet").read_bytes() == b"old" and leftovers(work) == []


@pytest.mark.parametrize("exc,code", [(KeyboardInterrupt, 130), (RuntimeError, 1)])
def test_interrupted_write_leaves_nothing(run, work, monkeypatch, exc, code):
    real = legacyio.tables.files.OutputWriter.write_batch
    calls = []

    def boom(self, batch):
        calls.append(1)
        real(self, batch)
        if len(calls) == 2:
            raise exc("secret-value-123")

    monkeypatch.setattr(legacyio.tables.files.OutputWriter, "write_batch", boom)
    res = run("convert", "-c", "simple.cpy", "simple.dat", "o.jsonl", "--batch-size", "5")
    assert res.exit_code == code
    assert "secret-value-123" not in res.output
    assert not (work / "o.jsonl").exists() and leftovers(work) == []


def test_debug_shows_traceback(run, work, bad_dat):
    res = run("convert", "-c", "simple.cpy", "bad.dat", "o.parquet", "--strict", "--debug")
    assert res.exit_code == 1 and "Traceback" in res.stderr
