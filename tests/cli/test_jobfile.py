"""`--job job.toml`: options from a reviewable file, flags override it."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

JOB = """\
copybook = "seg.cpy"
input = "seg.dat"
output = "out/seg.parquet"

[format]
record-format = "F"
segment-field = "SEG-TYPE"
segments = { E = "ENTITY-SEG", F = "FILING-SEG" }

[read]
record_number = true

[convert]
compression = "zstd"

[head]
records = 2
"""


def test_job_runs_convert_head_verify(run, work):
    (work / "jobs").mkdir()
    (work / "out").mkdir()
    (work / "jobs" / "job.toml").write_text(
        JOB.replace('"seg', '"../seg').replace('"out/', '"../out/')
    )
    res = run("convert", "--job", "jobs/job.toml")
    assert res.exit_code == 0, res.output
    t = pq.read_table(work / "out" / "seg.parquet")
    assert "record_number" in t.column_names and t.num_rows == 30
    assert t.column("FILING_SEG").to_pylist()[0] is None  # segment map applied
    assert (
        pq.ParquetFile(work / "out" / "seg.parquet").metadata.row_group(0).column(0).compression
        == "ZSTD"
    )
    head = run("head", "--job", "jobs/job.toml")
    assert head.exit_code == 0, head.output
    assert len(head.stdout.splitlines()) == 4  # [head] records = 2
    assert run("verify", "--job", "jobs/job.toml").exit_code == 0


def test_flags_override_job(run, work):
    (work / "job.toml").write_text(JOB)
    (work / "out").mkdir()
    res = run(
        "convert",
        "--job",
        "job.toml",
        "--no-record-number",
        "--compression",
        "snappy",
        "seg.dat",
        "other.parquet",
    )
    assert res.exit_code == 0, res.output
    t = pq.read_table(work / "other.parquet")
    assert "record_number" not in t.column_names
    assert not (work / "out" / "seg.parquet").exists()
    head = run("head", "--job", "job.toml", "-n", "5")
    assert len(head.stdout.splitlines()) == 7


def test_job_errors_are_usage_errors(run, work):
    (work / "j1.toml").write_text('copybook = "seg.cpy"\nrecord-fromat = "V"\n')
    res = run("head", "--job", "j1.toml", "seg.dat")
    assert res.exit_code == 2 and "j1.toml" in res.stderr and "record_fromat" in res.stderr
    (work / "j2.toml").write_text('copybook = "seg.cpy"\nrecord-format = "XX"\n')
    res = run("head", "--job", "j2.toml", "seg.dat")
    assert res.exit_code == 2 and "record_format" in res.stderr
    (work / "j3.toml").write_text("copybook = [1\n")
    res = run("head", "--job", "j3.toml", "seg.dat")
    assert res.exit_code == 2 and "j3.toml" in res.stderr


def test_json_manifest_as_job(run, work):
    manifest = {
        "copybook": "seg.cpy",
        "format": {"segment_field": "SEG-TYPE", "segments": {"E": "ENTITY-SEG", "F": "FILING-SEG"}},
        "records": 30,
        "description": "x",
    }
    (work / "m.json").write_text(json.dumps(manifest))
    res = run("verify", "--job", "m.json", "seg.dat")
    assert res.exit_code == 0, res.output
