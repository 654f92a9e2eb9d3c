"""`--copybook-format` and detection through the CLI: a free-format copybook is detected,
a wrong format gives one line naming the place and the flag to try, job files take it."""

from __future__ import annotations

from .conftest import SIMPLE_CPY

FREE = "\n".join(line.strip() for line in SIMPLE_CPY.splitlines()) + "\n"  # code in column 1
FREE_COMMENTED = "*> simple record, free format\n" + FREE


def test_free_copybook_detected(run, work):
    (work / "free.cpy").write_text(FREE_COMMENTED)
    res = run("convert", "-c", "free.cpy", "simple.dat", "o.parquet")
    assert res.exit_code == 0, res.output
    res = run("encode", "-c", "free.cpy", "o.parquet", "back.dat")
    assert res.exit_code == 0, res.output
    assert (work / "back.dat").read_bytes() == (work / "simple.dat").read_bytes()


def test_forced_wrong_format_is_one_line_with_the_fix(run, work):
    (work / "free.cpy").write_text(FREE)
    res = run("schema", "-c", "free.cpy", "--copybook-format", "fixed")
    assert res.exit_code != 0
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, res.stderr
    assert "free.cpy:1:7:" in lines[0]
    assert "line 1 has code before column 8" in lines[0]
    assert "try --copybook-format free" in lines[0]
    assert run("schema", "-c", "free.cpy", "--copybook-format", "free").exit_code == 0


def test_job_file_takes_copybook_format(run, work):
    (work / "free.cpy").write_text(FREE)
    (work / "job.toml").write_text('copybook = "free.cpy"\ncopybook-format = "fixed"\n')
    res = run("schema", "--job", "job.toml")
    assert res.exit_code != 0 and "try --copybook-format free" in res.stderr
    (work / "job.toml").write_text('copybook = "free.cpy"\ncopybook-format = "free"\n')
    res = run("schema", "--job", "job.toml")
    assert res.exit_code == 0, res.output
