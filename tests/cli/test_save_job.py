"""`convert --save-job FILE`: the job file that encodes a table back after another tool
dropped its metadata (or for CSV / JSON Lines, which never carry it)."""

from __future__ import annotations

import shutil
import tomllib

import pyarrow.parquet as pq
import pytest

from legacyio.cli.jobfile import load_job

from .conftest import Run, leftovers

SEGS = ["--segment-field", "SEG-TYPE", "--segment", "E=ENTITY-SEG", "--segment", "F=FILING-SEG"]


def _strip_metadata(src, dst) -> None:
    """What DuckDB, Polars or pandas leave: the same columns, no legacyio metadata."""
    t = pq.read_table(src)
    pq.write_table(t.replace_schema_metadata(None), dst)
    assert pq.read_schema(dst).metadata is None or not any(
        k.startswith(b"legacyio") for k in pq.read_schema(dst).metadata
    )


def test_stripped_parquet_encodes_back_with_the_saved_job(run, work):
    (work / "jobs").mkdir()
    res = run(
        "convert",
        "-c",
        "seg.cpy",
        "seg.dat",
        "o.parquet",
        *SEGS,
        "--names",
        "cobol",
        "--save-job",
        "jobs/seg.toml",
    )
    assert res.exit_code == 0, res.output
    _strip_metadata(work / "o.parquet", work / "bare.parquet")
    # without the job file the table cannot be encoded: no copybook in it any more
    assert run("encode", "bare.parquet", "x.dat").exit_code == 2
    res = run("encode", "--job", "jobs/seg.toml", "bare.parquet", "back.dat")
    assert res.exit_code == 0, res.output
    assert (work / "back.dat").read_bytes() == (work / "seg.dat").read_bytes()


@pytest.mark.parametrize("ext", ["csv", "jsonl"])
def test_text_outputs_encode_back_with_the_saved_job(run, work, ext):
    res = run(
        "convert",
        "-c",
        "simple.cpy",
        "simple.dat",
        f"o.{ext}",
        "--record-format",
        "V",
        "--save-job",
        "o.toml",
    )
    # simple.dat is F: read as V the file is refused, and nothing is left behind
    assert res.exit_code != 0
    assert not (work / "o.toml").exists() and leftovers(work) == []
    assert not (work / f"o.{ext}").exists()
    res = run("convert", "-c", "simple.cpy", "simple.dat", f"o.{ext}", "--save-job", "o.toml")
    assert res.exit_code == 0, res.output
    res = run("encode", "--job", "o.toml", f"o.{ext}", "back.dat")
    assert res.exit_code == 0, res.output
    assert (work / "back.dat").read_bytes() == (work / "simple.dat").read_bytes()


def test_job_holds_every_format_option_with_relative_paths(run, work, tmp_path_factory):
    (work / "jobs").mkdir()
    res = run(
        "convert",
        "-c",
        "seg.cpy",
        "seg.dat",
        "o.parquet",
        *SEGS,
        "--binary-byteorder",
        "little",
        "--no-fillers",
        "--save-job",
        "jobs/seg.toml",
    )
    assert res.exit_code == 0, res.output
    text = (work / "jobs" / "seg.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data["copybook"] == "../seg.cpy"  # relative to the job file's folder
    assert data["format"]["segments"] == {"E": "ENTITY-SEG", "F": "FILING-SEG"}
    assert data["format"]["segment-field"] == "SEG-TYPE"
    assert data["format"]["binary-byteorder"] == "little"
    assert data["format"]["record-format"] == "F" and data["format"]["encoding"] == "cp037"
    assert data["read"]["fillers"] is False and data["read"]["names"] == "python"
    assert data["convert"] == {"input": "../seg.dat", "output": "../o.parquet", "to": "parquet"}
    job = load_job(work / "jobs" / "seg.toml")
    assert job.common["copybook"] == str(work / "seg.cpy")
    # the folder moves with its job file: paths still resolve, and the job repeats the run
    moved = tmp_path_factory.mktemp("moved") / "w"
    shutil.copytree(work, moved)
    (moved / "o.parquet").unlink()
    res = Run(moved / "jobs")("convert", "--job", "seg.toml")
    assert res.exit_code == 0, res.output
    assert pq.read_table(moved / "o.parquet").equals(pq.read_table(work / "o.parquet"))


def test_failed_convert_leaves_no_job_file(run, work, bad_dat):
    res = run(
        "convert", "-c", "simple.cpy", bad_dat.name, "o.parquet", "--strict", "--save-job", "j.toml"
    )
    assert res.exit_code == 1
    assert not (work / "j.toml").exists() and not (work / "o.parquet").exists()
    assert leftovers(work) == []


def test_save_job_onto_its_own_inputs_is_refused(run, work):
    (work / "job.toml").write_text('copybook = "simple.cpy"\n')
    for target in ("simple.dat", "simple.cpy", "job.toml", "o.parquet"):
        res = run("convert", "--job", "job.toml", "simple.dat", "o.parquet", "--save-job", target)
        assert res.exit_code == 2, (target, res.output)
        assert "--save-job" in res.stderr
    assert (work / "job.toml").read_text() == 'copybook = "simple.cpy"\n'
    assert not (work / "o.parquet").exists()


def test_save_job_in_a_job_file_is_relative_to_it(run, work):
    (work / "jobs").mkdir()
    (work / "jobs" / "job.toml").write_text(
        'copybook = "../simple.cpy"\nsave-job = "saved.toml"\n', encoding="utf-8"
    )
    res = run("convert", "--job", "jobs/job.toml", "simple.dat", "o.jsonl")
    assert res.exit_code == 0, res.output
    assert (work / "jobs" / "saved.toml").exists()
    res = run("encode", "--job", "jobs/saved.toml", "o.jsonl", "back.dat")
    assert res.exit_code == 0, res.output
    assert (work / "back.dat").read_bytes() == (work / "simple.dat").read_bytes()


def test_save_job_on_worker_processes(run, work):
    # 40 records of 54 bytes in 1 KiB splits: the parallel path (cli/scale.py) writes it too
    res = run(
        "convert",
        "-c",
        "simple.cpy",
        "simple.dat",
        "o.parquet",
        "--workers",
        "2",
        "--split-size",
        "1k",
        "--save-job",
        "o.toml",
    )
    assert res.exit_code == 0, res.output
    assert "splits on" in res.stderr
    _strip_metadata(work / "o.parquet", work / "bare.parquet")
    res = run("encode", "--job", "o.toml", "bare.parquet", "back.dat")
    assert res.exit_code == 0, res.output
    assert (work / "back.dat").read_bytes() == (work / "simple.dat").read_bytes()


DATES = ["--date-format", "BIZ-ID=yymmdd", "--date-pivot-year", "1960"]


RULES = [
    "--record-type",
    "FILING-SEG=SEG-TYPE = 'F'",
    "--record-type",
    "ENTITY-SEG=SEG-TYPE = 'E'",
    "--field-code-page",
    "ENT-NAME=cp500",
]


@pytest.mark.parametrize(
    "more",
    [[*SEGS, "--numbers-as-text", "BIZ-ID"], [*SEGS, *DATES], RULES],
    ids=["text", "dates", "rules"],
)
def test_saved_job_reproduces_every_format_option(run, work, more):
    flags = [
        *more,
        "--binary-truncation",
        "bin",
        "--binary-byteorder",
        "little",
        "--comp5-byteorder",
        "little",
        "--float-format",
        "ieee",
        "--float-byteorder",
        "little",
        "--ascii-sign",
        "ibm",
        "--record-length",
        "17",
        "--trim",
        "none",
        "--names",
        "cobol",
    ]
    res = run("convert", "-c", "seg.cpy", "seg.dat", "a.parquet", *flags, "--save-job", "a.toml")
    assert res.exit_code == 0, res.output
    # the job alone (no flags) gives the same table, file format metadata included
    res = run("convert", "--job", "a.toml", "seg.dat", "b.parquet")
    assert res.exit_code == 0, res.output
    a, b = pq.read_table(work / "a.parquet"), pq.read_table(work / "b.parquet")
    assert a.schema.metadata == b.schema.metadata
    assert a.equals(b)
    assert "BIZ-ID" in a.column_names  # --names cobol came back
