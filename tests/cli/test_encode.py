"""`legacyio encode`: every input format back to the exact mainframe bytes."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from .conftest import SIMPLE_LEN, leftovers, simple_rows

SEGS = ["--segment-field", "SEG-TYPE", "--segment", "E=ENTITY-SEG", "--segment", "F=FILING-SEG"]


@pytest.mark.parametrize("ext", ["parquet", "arrow", "feather", "arrows", "csv", "jsonl"])
def test_round_trip_every_format(run, work, ext):
    assert run("convert", "-c", "simple.cpy", "simple.dat", f"o.{ext}").exit_code == 0
    res = run("encode", "-c", "simple.cpy", f"o.{ext}", "back.dat")
    assert res.exit_code == 0, res.output
    assert (work / "back.dat").read_bytes() == (work / "simple.dat").read_bytes()
    assert "encoded 40 records (2,160 bytes)" in res.stderr


def test_parquet_carries_copybook_and_format(run, work):
    assert run("convert", "-c", "seg.cpy", "seg.dat", "o.parquet", *SEGS).exit_code == 0
    res = run("encode", "o.parquet", "back.dat")  # no -c, no segment flags
    assert res.exit_code == 0, res.output
    assert (work / "back.dat").read_bytes() == (work / "seg.dat").read_bytes()


def test_framing_flags_apply_on_encode(run, work):
    assert run("convert", "-c", "simple.cpy", "simple.dat", "o.parquet").exit_code == 0
    res = run("encode", "o.parquet", "v.dat", "--record-format", "V")
    assert res.exit_code == 0, res.output
    data = (work / "v.dat").read_bytes()
    assert len(data) == 40 * (SIMPLE_LEN + 4)
    assert data[:4] == (SIMPLE_LEN + 4).to_bytes(2, "big") + b"\0\0"
    assert data[4 : 4 + SIMPLE_LEN] == (work / "simple.dat").read_bytes()[:SIMPLE_LEN]
    # and the same flags read it back
    res = run("verify", "-c", "simple.cpy", "v.dat", "--record-format", "V")
    assert res.exit_code == 0, res.output


def test_handwritten_jsonl_clean_table(run, work):
    rows = simple_rows(3)
    lines = []
    for r in rows:
        obj = dict(r, BAL=str(r["BAL"]), AMT=str(r["AMT"]))
        lines.append(json.dumps(obj))
    (work / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run("encode", "-c", "simple.cpy", "in.jsonl", "out.dat")
    assert res.exit_code == 0, res.output
    assert (work / "out.dat").read_bytes() == (work / "simple.dat").read_bytes()[: 3 * SIMPLE_LEN]


def test_flattened_parquet_is_unflattened(run, work):
    assert run("convert", "-c", "simple.cpy", "simple.dat", "f.parquet", "--flatten").exit_code == 0
    assert "ADDR_CITY" in pq.read_schema(work / "f.parquet").names
    res = run("encode", "-c", "simple.cpy", "f.parquet", "back.dat")
    assert res.exit_code == 0, res.output
    assert (work / "back.dat").read_bytes() == (work / "simple.dat").read_bytes()


def test_value_too_large_is_a_data_error_without_the_value(run, work):
    rows = [
        {
            "TIN": 1,
            "NAME": "X",
            "BAL": "98765432109.99",
            "CNT": 1,
            "AMT": "1.00",
            "ADDR": {"CITY": "A", "ZIP": 1},
            "CODES": [1, 2, 3],
        }
    ]
    (work / "in.jsonl").write_text(json.dumps(rows[0]) + "\n", encoding="utf-8")
    res = run("encode", "-c", "simple.cpy", "in.jsonl", "out.dat")
    assert res.exit_code == 1
    assert "98765432109" not in res.output
    assert "in.jsonl" in res.stderr and "BAL" in res.stderr
    assert not (work / "out.dat").exists() and leftovers(work) == []


def test_unknown_column_is_a_usage_error(run, work):
    (work / "in.jsonl").write_text('{"TIN": 1, "NOPE": 2}\n', encoding="utf-8")
    res = run("encode", "-c", "simple.cpy", "in.jsonl", "out.dat")
    assert res.exit_code == 2 and "NOPE" in res.stderr


def test_bad_hex_in_csv_names_record_and_column(run, work):
    assert run("convert", "-c", "simple.cpy", "simple.dat", "o.csv").exit_code == 0
    text = (work / "o.csv").read_text(encoding="utf-8").splitlines()
    text[2] = text[2].replace('"4040"', '"zz40"')
    (work / "o.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    res = run("encode", "-c", "simple.cpy", "o.csv", "out.dat")
    assert res.exit_code == 1
    assert "record 2" in res.stderr and "FILLER_1" in res.stderr
    assert not (work / "out.dat").exists()


def test_encode_needs_copybook_for_text_inputs(run, work):
    (work / "in.jsonl").write_text('{"TIN": 1}\n', encoding="utf-8")
    res = run("encode", "in.jsonl", "out.dat")
    assert res.exit_code == 2 and "copybook" in res.output


def test_write_options(run, work):
    t = pa.table({"TIN": pa.array([7], pa.int32())})
    pq.write_table(t, work / "p.parquet")
    res = run("encode", "-c", "simple.cpy", "p.parquet", "o.dat")
    assert res.exit_code == 1 and "column NAME is missing" in res.stderr
