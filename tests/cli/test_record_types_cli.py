"""`--record-type GROUP=RULE` and `--field-code-page FIELD=CP` on the command line and in job
files: files built byte by byte, converted and encoded back byte for byte."""

from __future__ import annotations

import pyarrow.parquet as pq

from tests.cli.conftest import packed, text, zoned

RT_CPY = """\
       01 REC.
          05 REC-TYPE       PIC X.
          05 REGION         PIC X(2).
          05 ENTITY-SEG.
             10 ENT-NAME    PIC X(6).
             10 ENT-AMT     PIC S9(5) COMP-3.
          05 PERSON-SEG     REDEFINES ENTITY-SEG.
             10 FIRST-NAME  PIC X(6).
             10 AGE         PIC 9(3).
"""
ENT_RULE = "ENTITY-SEG=REC-TYPE = 'A' and REGION in ('01', '02')"
PER_RULE = "PERSON-SEG=REC-TYPE in ('A', 'B') and not REGION = '99'"


def _ent(t: str, region: str, name: str, amt: int) -> bytes:
    return text(t, 1) + text(region, 2) + text(name, 6) + packed(amt, 5)


def _per(t: str, region: str, first: str, age: int) -> bytes:
    return text(t, 1) + text(region, 2) + text(first, 6) + zoned(age, 3, False)


RECORDS = [
    _ent("A", "01", "ACME", -5),
    _per("A", "03", "ANN", 42),  # A but not region 01/02: the second rule
    _per("B", "01", "BOB", 7),
    _per("B", "99", "ZED", 1),  # no rule
]


def _setup(work):
    (work / "rt.cpy").write_text(RT_CPY)
    (work / "rt.dat").write_bytes(b"".join(RECORDS))


def test_convert_and_encode_back_byte_for_byte(run, work):
    _setup(work)
    rules = ("--record-type", ENT_RULE, "--record-type", PER_RULE)
    res = run("convert", "-c", "rt.cpy", "rt.dat", "rt.parquet", *rules)
    assert res.exit_code == 0, res.output
    assert "no known segment: 1" in res.stderr
    t = pq.read_table(work / "rt.parquet")
    assert [v is not None for v in t.column("ENTITY_SEG").to_pylist()] == [1, 0, 0, 0]
    assert [v is not None for v in t.column("PERSON_SEG").to_pylist()] == [0, 1, 1, 0]
    res = run("encode", "-c", "rt.cpy", "rt.parquet", "back.dat", *rules)
    assert res.exit_code == 0, res.output
    assert (work / "back.dat").read_bytes() == (work / "rt.dat").read_bytes()
    res = run("verify", "-c", "rt.cpy", "rt.dat", *rules)
    assert res.exit_code == 0, res.output


def test_split_segments_by_rule(run, work):
    _setup(work)
    res = run(
        "convert",
        "-c",
        "rt.cpy",
        "rt.dat",
        "parts",
        "--split-segments",
        "--record-type",
        ENT_RULE,
        "--record-type",
        PER_RULE,
    )
    assert res.exit_code == 0, res.output
    per = pq.read_table(work / "parts" / "PERSON-SEG.parquet")
    assert per.column("REGION").to_pylist() == ["03", "01"]


def test_a_bad_rule_is_a_one_line_usage_error(run, work):
    _setup(work)
    res = run("head", "-c", "rt.cpy", "rt.dat", "--record-type", "ENTITY-SEG=REC-TYPE = 'A' and")
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr
    assert "'ENTITY-SEG', column 19: expected a field name" in lines[0]
    res = run("head", "-c", "rt.cpy", "rt.dat", "--record-type", "ENTITY-SEG=RGN = '01'")
    assert res.exit_code == 2 and "unknown field RGN" in res.stderr
    res = run("head", "-c", "rt.cpy", "rt.dat", "--record-type", "no rule")
    assert res.exit_code == 2 and "GROUP=RULE" in res.stderr


JOB = """\
copybook = "rt.cpy"
input = "rt.dat"
output = "job.parquet"

[format]
record-types = { ENTITY-SEG = "REC-TYPE = 'A' and REGION in ('01', '02')", \
PERSON-SEG = "REC-TYPE in ('A', 'B') and not REGION = '99'" }
field-code-page = { FIRST-NAME = "cp500" }
"""


def test_rules_and_code_pages_in_a_job_file(run, work):
    _setup(work)
    # FIRST-NAME in cp500: '!' and '|' are at other bytes than in cp037
    recs = [*RECORDS[:2], text("B", 1) + text("01", 2) + "B!|".ljust(6).encode("cp500")]
    (work / "rt.dat").write_bytes(b"".join(recs) + zoned(7, 3, False))
    (work / "job.toml").write_text(JOB)
    res = run("convert", "--job", "job.toml")
    assert res.exit_code == 0, res.output
    t = pq.read_table(work / "job.parquet")
    assert t.column("PERSON_SEG").to_pylist()[2] == {"FIRST_NAME": "B!|", "AGE": 7}
    assert t.column("ENTITY_SEG").to_pylist()[0] == {"ENT_NAME": "ACME", "ENT_AMT": -5}
    res = run("encode", "--job", "job.toml", "job.parquet", "back.dat")
    assert res.exit_code == 0, res.output
    assert (work / "back.dat").read_bytes() == (work / "rt.dat").read_bytes()
    # the list form, in order
    (work / "job2.toml").write_text(
        'copybook = "rt.cpy"\ninput = "rt.dat"\n[format]\n'
        "record-type = [\"PERSON-SEG=REC-TYPE = 'B'\", \"ENTITY-SEG=REC-TYPE = 'A'\"]\n"
    )
    res = run("head", "--job", "job2.toml", "--format", "jsonl")
    assert res.exit_code == 0, res.output


def test_field_code_page_flag(run, work):
    (work / "cp.cpy").write_text(
        "       01 R.\n          05 A PIC X(3).\n          05 B PIC X(3).\n"
    )
    data = "[!]".encode("cp037") + "[!]".encode("cp500")
    (work / "cp.dat").write_bytes(data)
    res = run("convert", "-c", "cp.cpy", "cp.dat", "cp.parquet", "--field-code-page", "B=cp500")
    assert res.exit_code == 0, res.output
    t = pq.read_table(work / "cp.parquet")
    assert t.column("A").to_pylist() == t.column("B").to_pylist() == ["[!]"]
    # no residue and no stored format: the flag alone tells the page of B
    t = t.drop_columns(["_legacyio_residue"]).replace_schema_metadata(None)
    pq.write_table(t, work / "plain.parquet")
    res = run("encode", "-c", "cp.cpy", "plain.parquet", "cp037.dat")
    assert res.exit_code == 0, res.output
    assert (work / "cp037.dat").read_bytes() == "[!][!]".encode("cp037") != data
    res = run("encode", "-c", "cp.cpy", "plain.parquet", "back.dat", "--field-code-page", "B=cp500")
    assert res.exit_code == 0, res.output
    assert (work / "back.dat").read_bytes() == data
    res = run("head", "-c", "cp.cpy", "cp.dat", "--field-code-page", "C=cp500")
    assert res.exit_code == 2 and "names no field of the copybook: C" in res.stderr
