"""`legacyio convert`: every output format read back and compared with `read_table`."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

import legacyio

from .conftest import leftovers, simple_rows

SEGS = ["--segment-field", "SEG-TYPE", "--segment", "E=ENTITY-SEG", "--segment", "F=FILING-SEG"]


def _reference(work: Path, **kw: object) -> pa.Table:
    return legacyio.read_table(work / "simple.dat", work / "simple.cpy", **kw)


def test_parquet_default_and_summary(run, work):
    res = run("convert", "-c", "simple.cpy", "simple.dat", "out.parquet")
    assert res.exit_code == 0, res.output
    got = pq.read_table(work / "out.parquet")
    assert got.equals(_reference(work))
    assert got.schema.metadata[b"legacyio.copybook"]  # encode can use it later
    assert "converted 40 records (2,160 bytes)" in res.stderr
    assert leftovers(work) == []


@pytest.mark.parametrize(
    "ext,reader", [("arrow", "file"), ("feather", "file"), ("arrows", "stream")]
)
def test_arrow_ipc(run, work, ext, reader):
    assert run("convert", "-c", "simple.cpy", "simple.dat", f"out.{ext}").exit_code == 0
    with pa.memory_map(str(work / f"out.{ext}")) as src:
        got = (pa.ipc.open_file(src) if reader == "file" else pa.ipc.open_stream(src)).read_all()
    assert got.equals(_reference(work))


def test_to_overrides_extension(run, work):
    assert (
        run(
            "convert", "-c", "simple.cpy", "simple.dat", "out.bin", "--to", "jsonl", "--no-residue"
        ).exit_code
        == 0
    )
    lines = (work / "out.bin").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 40 and json.loads(lines[0])["TIN"] == 100000000


def test_csv_is_flattened_and_reads_back(run, work):
    res = run("convert", "-c", "simple.cpy", "simple.dat", "out.csv")
    assert res.exit_code == 0, res.output
    ref = _reference(work, flatten=True)
    types = {
        f.name: (
            pa.string()
            if pa.types.is_fixed_size_binary(f.type) or pa.types.is_binary(f.type)
            else f.type
        )
        for f in ref.schema
    }
    got = pcsv.read_csv(
        work / "out.csv",
        convert_options=pcsv.ConvertOptions(
            column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=False
        ),
    )
    assert got.column_names == ref.column_names
    assert "ADDR_CITY" in got.column_names and "CODES_3" in got.column_names
    for name in ref.column_names:
        want = ref.column(name).to_pylist()
        if types[name] == pa.string() and ref.schema.field(name).type != pa.string():
            want = [None if v is None else v.hex() for v in want]  # binary as hex
        assert got.column(name).to_pylist() == want, name


def test_jsonl_decimals_exact_strings_and_numbers(run, work):
    assert run("convert", "-c", "simple.cpy", "simple.dat", "s.jsonl").exit_code == 0
    assert (
        run(
            "convert", "-c", "simple.cpy", "simple.dat", "n.jsonl", "--decimals", "number"
        ).exit_code
        == 0
    )
    rows = simple_rows(40)
    ref = _reference(work).to_pylist()
    for name, parse in (("s.jsonl", None), ("n.jsonl", Decimal)):
        text = (work / name).read_text(encoding="utf-8").splitlines()
        objs = [json.loads(line, parse_float=parse) if parse else json.loads(line) for line in text]
        assert len(objs) == 40
        for obj, want, r in zip(objs, ref, rows):
            assert Decimal(str(obj["BAL"])) == want["BAL"] == r["BAL"]
            assert obj["NAME"] == r["NAME"] and obj["ADDR"] == r["ADDR"]
            assert obj["CODES"] == r["CODES"]
    # exact text: two decimals always, never a float rendering
    assert '"BAL":"-5000.00"' in (work / "s.jsonl").read_text(encoding="utf-8")
    assert '"BAL":-5000.00,' in (work / "n.jsonl").read_text(encoding="utf-8")


def test_jsonl_read_back_with_pyarrow_equals_read_table(run, work):
    import pyarrow.json as pj

    assert (
        run(
            "convert", "-c", "simple.cpy", "simple.dat", "o.jsonl", "--no-residue", "--no-fillers"
        ).exit_code
        == 0
    )
    ref = _reference(work, residue=False, fillers=False)
    got = pj.read_json(work / "o.jsonl", parse_options=pj.ParseOptions(explicit_schema=ref.schema))
    assert got.to_pylist() == ref.to_pylist()


def test_segments_one_file_active_group_only(run, work):
    res = run("convert", "-c", "seg.cpy", "seg.dat", "o.parquet", *SEGS)
    assert res.exit_code == 0, res.output
    rows = pq.read_table(work / "o.parquet").to_pylist()
    assert len(rows) == 30
    for r in rows:
        if r["SEG_TYPE"] == "E":
            assert r["ENTITY_SEG"] is not None and r["FILING_SEG"] is None
        else:
            assert r["FILING_SEG"] is not None and r["ENTITY_SEG"] is None


@pytest.mark.parametrize("ext", ["parquet", "csv"])
def test_split_segments(run, work, ext):
    res = run("convert", "-c", "seg.cpy", "seg.dat", "segs", "--split-segments", "--to", ext, *SEGS)
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in (work / "segs").iterdir())
    assert names == [f"ENTITY-SEG.{ext}", f"FILING-SEG.{ext}"]
    if ext == "parquet":
        ent = pq.read_table(work / "segs" / "ENTITY-SEG.parquet")
        fil = pq.read_table(work / "segs" / "FILING-SEG.parquet")
        assert "FILING_SEG" not in ent.column_names and "ENTITY_SEG" not in fil.column_names
        assert fil.num_rows == 10 and ent.num_rows == 20
        assert set(fil.column("SEG_TYPE").to_pylist()) == {"F"}
        assert fil.column("FILING_SEG").to_pylist()[0]["DUE"] == Decimal("-2.02")
    else:
        fil = pcsv.read_csv(work / "segs" / "FILING-SEG.csv")
        assert "FILING_SEG_DUE" in fil.column_names and fil.num_rows == 10


def test_split_segments_needs_a_map(run, work):
    res = run("convert", "-c", "seg.cpy", "seg.dat", "segs", "--split-segments")
    assert res.exit_code == 2 and "--split-segments needs" in res.stderr
    assert not (work / "segs").exists()


def test_parquet_options(run, work):
    res = run(
        "convert",
        "-c",
        "simple.cpy",
        "simple.dat",
        "o.parquet",
        "--compression",
        "zstd",
        "--row-group-size",
        "16",
        "--batch-size",
        "7",
    )
    assert res.exit_code == 0, res.output
    meta = pq.ParquetFile(work / "o.parquet").metadata
    assert meta.num_row_groups == 3  # 16 + 16 + 8 rows, whatever the batch size
    assert meta.row_group(0).num_rows == 16
    assert meta.row_group(0).column(0).compression == "ZSTD"
    assert pq.read_table(work / "o.parquet").equals(_reference(work))


def test_reader_flags_are_passed(run, work):
    res = run(
        "convert",
        "-c",
        "simple.cpy",
        "simple.dat",
        "o.parquet",
        "--columns",
        "TIN,BAL",
        "--record-number",
        "--names",
        "cobol",
    )
    assert res.exit_code == 0, res.output
    got = pq.read_table(work / "o.parquet")
    assert got.column_names == ["TIN", "BAL", "record_number"]
    assert got.column("record_number").to_pylist()[:2] == [1, 2]


def test_gzip_input(run, work):
    import gzip

    (work / "simple.dat.gz").write_bytes(gzip.compress((work / "simple.dat").read_bytes()))
    res = run("convert", "-c", "simple.cpy", "simple.dat.gz", "o.parquet")
    assert res.exit_code == 0, res.output
    assert pq.read_table(work / "o.parquet").equals(_reference(work))


def test_batch_bytes_flag(run, work):
    """--batch-bytes bounds batches by bytes; the output does not depend on it."""
    res = run("convert", "-c", "simple.cpy", "simple.dat", "o.parquet", "--batch-bytes", "50")
    assert res.exit_code == 0, res.output
    assert pq.read_table(work / "o.parquet").equals(_reference(work))
    res = run("convert", "-c", "simple.cpy", "simple.dat", "p.parquet", "--batch-bytes", "0")
    assert res.exit_code == 2 and not (work / "p.parquet").exists()
