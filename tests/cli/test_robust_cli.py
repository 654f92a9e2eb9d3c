"""Failures leave nothing, wrong layouts do not pass quietly, `-` is stdin/stdout, and
warnings and usage errors are one line each (issues 12 and 17)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import legacyio

from .conftest import SIMPLE_LEN, leftovers, run_process

GOLDEN = Path(__file__).resolve().parents[2] / "golden_files"
TAXPAYER_CPY = GOLDEN.parent / "copybooks" / "golden" / "taxpayer.cpy"


# ---------------------------------------------------------------- --report-file (issue 17)
def test_failing_report_file_leaves_no_output(run, work):
    r = run("convert", "-c", "simple.cpy", "simple.dat", "o.parquet",
            "--report-file", "no/such/folder/report.json")  # fmt: skip
    assert r.exit_code == 2, r.output
    assert "report.json" in r.stderr
    assert not (work / "o.parquet").exists()
    assert leftovers(work) == []


def test_report_file_that_is_a_folder_leaves_no_output(run, work):
    (work / "rep").mkdir()
    (work / "rep" / "x").mkdir()
    r = run("convert", "-c", "simple.cpy", "simple.dat", "o.jsonl", "--report-file", "rep/x/")
    assert r.exit_code != 0
    assert not (work / "o.jsonl").exists() and leftovers(work) == []


def test_failing_report_file_leaves_no_split_outputs(run, work):
    r = run("convert", "-c", "seg.cpy", "seg.dat", "parts", "--split-segments",
            "--segment-field", "SEG-TYPE", "--segment", "E=ENTITY-SEG",
            "--segment", "F=FILING-SEG", "--report-file", "missing/r.json")  # fmt: skip
    assert r.exit_code == 2, r.output
    assert not (work / "parts").exists()


def test_output_commit_failure_removes_the_report(run, work, monkeypatch):
    """The report is renamed first; when the output's rename then fails, the report goes."""
    from legacyio.tables import files as outputs

    def boom(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs.OutputWriter, "commit", boom)
    r = run("convert", "-c", "simple.cpy", "simple.dat", "o.parquet", "--report-file", "r.json")
    assert r.exit_code == 1, r.output
    assert not (work / "r.json").exists() and not (work / "o.parquet").exists()
    assert leftovers(work) == []


def test_report_file_written_with_the_output(run, work, bad_dat):
    r = run("convert", "-c", "simple.cpy", "bad.dat", "o.parquet", "--report-file", "r.json")
    assert r.exit_code == 0, r.output
    rep = json.loads((work / "r.json").read_text())
    assert rep["bad_fields"] == 1 and rep["bad_records"] == 1
    assert pq.read_metadata(work / "o.parquet").num_rows == 40


# ---------------------------------------------------------------- bad-data thresholds (12)
def test_ascii_file_read_as_cp037_warns_even_with_quiet(run):
    """The issue: 755 bad fields, exit 0, nothing printed with -q."""
    r = run("convert", "-q", "-c", TAXPAYER_CPY, GOLDEN / "taxpayer_ascii.dat", "o.parquet")
    assert r.exit_code == 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("legacyio: warning: ")
    assert "40 of 40 records are bad" in lines[0]
    assert "ASCII" in lines[0] and "--encoding" in lines[0]


def test_clean_file_gives_no_warning(run):
    r = run("convert", "-q", "-c", TAXPAYER_CPY, GOLDEN / "taxpayer_ebcdic.dat", "o.parquet")
    assert r.exit_code == 0 and r.stderr == ""


@pytest.mark.parametrize(
    "flag",
    [["--max-bad-fields", "10"], ["--max-bad-fraction", "0.5"], ["--max-bad-fields", "0"]],
)
def test_thresholds_fail_the_run_and_leave_nothing(run, work, flag):
    r = run("convert", "-c", TAXPAYER_CPY, GOLDEN / "taxpayer_ascii.dat", "o.parquet", *flag)
    assert r.exit_code == 1, r.output
    msg = r.stderr.strip()
    assert len(msg.splitlines()) == 1
    assert flag[0] in msg
    assert "record 1, byte offset 0, field TAXPAYER-MASTER.TP-" in msg
    assert "likely cause" in msg and "ASCII" in msg
    assert not (work / "o.parquet").exists() and leftovers(work) == []


def test_thresholds_not_reached_pass(run, work, bad_dat):
    r = run("convert", "-q", "-c", "simple.cpy", "bad.dat", "o.parquet",
            "--max-bad-fields", "1", "--max-bad-fraction", "0.03")  # fmt: skip
    assert r.exit_code == 0, r.output
    r = run("convert", "-q", "-c", "simple.cpy", "bad.dat", "o2.parquet",
            "--max-bad-fraction", "0.02")  # fmt: skip
    assert r.exit_code == 1 and "1 of 40 records" in r.stderr


def test_verify_reports_records_from_residue(run):
    r = run("verify", "-q", "-c", TAXPAYER_CPY, GOLDEN / "taxpayer_ascii.dat")
    assert r.exit_code == 0
    assert "from residue:    40 records (100%)" in r.stdout
    assert "layout probably does not fit" in r.stdout
    assert "identical" in r.stdout
    r = run("verify", "-q", "-c", TAXPAYER_CPY, GOLDEN / "taxpayer_ebcdic.dat")
    assert "from residue:    1 record (2%)" in r.stdout
    assert "result:          identical\n" in r.stdout


def test_wrong_record_length_is_named(run, work):
    (work / "short.cpy").write_text("       01 R.\n          05 A PIC 9(7).\n")
    r = run("convert", "-q", "-c", "short.cpy", "simple.dat", "o.parquet")
    assert r.exit_code == 1 and "partial record" in r.stderr  # strict framing says it already
    r = run("convert", "-q", "-c", "short.cpy", "simple.dat", "o.parquet", "--lenient-framing")
    assert r.exit_code == 0
    assert "not a multiple of the record length" in r.stderr, r.stderr


# ---------------------------------------------------------------- stdin / stdout (12)
def test_convert_stdin_to_stdout(work):
    data = (work / "simple.dat").read_bytes()
    r = run_process(work, "convert", "-q", "-c", "simple.cpy", "-", "-", "--to", "arrows",
                    input=data, text=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    got = pa.ipc.open_stream(io.BytesIO(r.stdout)).read_all()
    assert got.equals(legacyio.read_table(data, work / "simple.cpy"))
    assert leftovers(work) == []


def test_stdout_needs_to(run):
    r = run("convert", "-c", "simple.cpy", "simple.dat", "-")
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert lines[0] == (
        "legacyio: error: OUTPUT - (stdout) needs --to "
        "(parquet, arrow, feather, arrows, csv or jsonl)"
    )
    assert lines[1].startswith("Try '") and lines[1].endswith(" convert -h' for help.")
    assert len(lines) == 2


def test_encode_stdin_to_stdout_and_verify_head_stdin(work):
    data = (work / "simple.dat").read_bytes()
    assert run_process(work, "convert", "-q", "-c", "simple.cpy", "simple.dat",
                       "t.parquet").returncode == 0  # fmt: skip
    pq_bytes = (work / "t.parquet").read_bytes()
    r = run_process(work, "encode", "-q", "-", "-", "--from", "parquet", input=pq_bytes,
                    text=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stdout == data
    r = run_process(work, "encode", "-", "o.dat", input=pq_bytes, text=False)
    assert r.returncode == 2 and b"--from" in r.stderr
    r = run_process(work, "verify", "-c", "simple.cpy", "-", input=data, text=False)
    assert r.returncode == 0 and b"identical" in r.stdout
    r = run_process(work, "head", "-c", "simple.cpy", "-", "-n", "2", "--format", "jsonl",
                    input=data, text=False)  # fmt: skip
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2


def test_unknown_output_extension_lists_known_ones(run, work):
    r = run("convert", "-c", "simple.cpy", "simple.dat", "o.xlsx")
    assert r.exit_code == 2
    msg = r.stderr.strip()
    assert len(msg.splitlines()) == 1
    assert "'.xlsx'" in msg and ".parquet" in msg and ".jsonl" in msg and ".csv" in msg
    assert not (work / "o.xlsx").exists()
    # no extension at all: Parquet, as documented
    assert run("convert", "-q", "-c", "simple.cpy", "simple.dat", "plain").exit_code == 0
    assert pq.read_metadata(work / "plain").num_rows == 40


def test_record_format_is_case_insensitive(run, work):
    rdw = b"".join(
        (SIMPLE_LEN + 4).to_bytes(2, "big") + b"\0\0" + (work / "simple.dat").read_bytes()[i:i + SIMPLE_LEN]
        for i in range(0, 40 * SIMPLE_LEN, SIMPLE_LEN)
    )  # fmt: skip
    (work / "v.dat").write_bytes(rdw)
    r = run("verify", "-q", "-c", "simple.cpy", "v.dat", "--record-format", "vb")
    assert r.exit_code != 0  # VB wants block descriptors: the flag was taken as VB
    r = run("verify", "-q", "-c", "simple.cpy", "v.dat", "--record-format", "v")
    assert r.exit_code == 0, r.output
    t = legacyio.read_table(work / "v.dat", work / "simple.cpy", record_format="v")
    assert t.num_rows == 40
    assert legacyio.FileFormat(record_format="fb").record_format == "FB"
    with pytest.raises(legacyio.OptionsError, match="known: F, FB, V, VB, VBS, D, ODO"):
        legacyio.FileFormat(record_format="U")


# ---------------------------------------------------------------- warnings, one line each
def test_copybook_warning_is_one_line(work):
    (work / "w.cpy").write_text("       01 R.\n          05 A PIC X(4).\n          78 K VALUE 3.\n")
    r = run_process(work, "schema", "-c", "w.cpy")
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines() == [
        f"legacyio: warning: {work / 'w.cpy'}:3:11: level 78 constant skipped (it takes no storage)"
    ] or r.stderr.splitlines() == [
        "legacyio: warning: w.cpy:3:11: level 78 constant skipped (it takes no storage)"
    ], r.stderr
    assert "parser.py" not in r.stderr
    assert os.path.basename(__file__) not in r.stderr
