"""``occurs_mappings``: OCCURS DEPENDING ON a PIC X field through a value -> count map
(Cobrix's option of the same name), read and write, API, CLI and job files.

The data is built byte by byte here (cp037 via Python's codec) and the expected rows are
worked out by hand from the map, independently of legacyio.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import legacyio
from legacyio.cli.main import cli

CPY = """\
       01 REC.
          05 KIND      PIC X.
          05 ITEMS     OCCURS 0 TO 3 TIMES DEPENDING ON KIND.
             10 CODE   PIC X(2).
             10 QTY    PIC 9(3).
          05 TAIL      PIC X(2).
"""
MAP = {"ITEMS": {"N": 0, "S": 1, "T": 3}}


def e(s: str) -> bytes:
    return s.encode("cp037")


# records as stored in a variable layout (the table shrinks): kind, items, tail
RECORDS = [
    ("S", [("AB", 7)], "Z1"),
    ("N", [], "Z2"),
    ("T", [("CC", 1), ("DD", 22), ("EE", 333)], "Z3"),
]


def variable_bytes() -> bytes:
    out = b""
    for kind, items, tail in RECORDS:
        body = e(kind) + b"".join(e(c) + e(f"{q:03d}") for c, q in items) + e(tail)
        out += len(body + b"1234").to_bytes(2, "big") + b"\0\0" + body
    return out


def fixed_bytes() -> bytes:
    out = b""
    for kind, items, tail in RECORDS:
        body = e(kind) + b"".join(e(c) + e(f"{q:03d}") for c, q in items)
        body += e(" " * 5 * (3 - len(items))) + e(tail)
        out += body
    return out


EXPECTED = [
    {"KIND": k, "ITEMS": [{"CODE": c, "QTY": q} for c, q in items], "TAIL": t}
    for k, items, t in RECORDS
]


def test_without_a_mapping_the_copybook_is_refused() -> None:
    with pytest.raises(legacyio.CopybookError, match="KIND is a DEPENDING ON field"):
        legacyio.read_table(variable_bytes(), CPY, record_format="V")


@pytest.mark.parametrize("mapping", [MAP, json.dumps(MAP), {"items": MAP["ITEMS"]}])
def test_variable_records_read_and_round_trip(mapping) -> None:
    data = variable_bytes()
    t = legacyio.read_table(data, CPY, record_format="V", occurs_mappings=mapping)
    rows = [{k: v for k, v in r.items() if k != "_legacyio_residue"} for r in t.to_pylist()]
    assert rows == EXPECTED
    assert t.column("_legacyio_residue").null_count == t.num_rows  # canonical records
    assert legacyio.encode(t) == data


def test_fixed_records_at_maximum_size() -> None:
    data = fixed_bytes()
    t = legacyio.read_table(data, CPY, occurs_mappings=MAP, variable_occurs=False, residue=False)
    assert [r["ITEMS"] for r in t.to_pylist()] == [r["ITEMS"] for r in EXPECTED]
    assert legacyio.encode(t) == data


def test_a_value_missing_from_the_map_is_reported() -> None:
    data = bytearray(variable_bytes())
    data[4] = e("Q")[0]  # first record's KIND: not in the map
    rep = legacyio.DecodeReport()
    t = legacyio.read_table(bytes(data), CPY, record_format="V", occurs_mappings=MAP, report=rep)
    assert any("not in occurs_mappings" in line for line in rep.summary_lines())
    assert t.num_rows == 3
    assert legacyio.encode(t) == bytes(data)  # the record is kept raw in the residue
    with pytest.raises(legacyio.DecodeError, match="occurs_mappings"):
        legacyio.read_table(bytes(data), CPY, record_format="V", occurs_mappings=MAP, strict=True)


def test_writing_checks_list_lengths_against_the_map() -> None:
    t = legacyio.read_table(variable_bytes(), CPY, record_format="V", occurs_mappings=MAP)
    rows = t.drop(["_legacyio_residue"]).to_pylist()
    rows[0]["ITEMS"] = []  # KIND 'S' maps to 1 item
    bad = pa.Table.from_pylist(rows, schema=t.drop(["_legacyio_residue"]).schema)
    with pytest.raises(legacyio.EncodeError, match="DEPENDING ON field KIND"):
        legacyio.encode(bad)


def test_unknown_table_in_the_map_is_an_options_error() -> None:
    with pytest.raises(legacyio.OptionsError, match="NOPE"):
        legacyio.read_table(
            variable_bytes(), CPY, record_format="V", occurs_mappings={"ITEMS": {}, "NOPE": {}}
        )
    with pytest.raises(ValueError, match="integer"):
        legacyio.FileFormat(occurs_mappings={"ITEMS": {"A": "x"}})


def test_cli_flag_and_job_file(tmp_path) -> None:
    (tmp_path / "r.cpy").write_text(CPY)
    (tmp_path / "r.dat").write_bytes(variable_bytes())
    runner = CliRunner()
    res = runner.invoke(
        cli,
        [
            "convert",
            "-c",
            str(tmp_path / "r.cpy"),
            str(tmp_path / "r.dat"),
            str(tmp_path / "a.parquet"),
            "--record-format",
            "V",
            "--quiet",
            "--occurs-mappings",
            json.dumps(MAP),
        ],
    )
    assert res.exit_code == 0, res.output
    assert pq.read_table(tmp_path / "a.parquet").column("ITEMS").to_pylist() == [
        r["ITEMS"] for r in EXPECTED
    ]
    res = runner.invoke(
        cli, ["encode", str(tmp_path / "a.parquet"), str(tmp_path / "back.dat"), "--quiet"]
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "back.dat").read_bytes() == variable_bytes()
    (tmp_path / "job.toml").write_text(
        'copybook = "r.cpy"\ninput = "r.dat"\noutput = "b.parquet"\n'
        '[format]\nrecord-format = "V"\n'
        "[format.occurs-mappings]\nITEMS = { N = 0, S = 1, T = 3 }\n"
    )
    res = runner.invoke(cli, ["convert", "--job", str(tmp_path / "job.toml"), "--quiet"])
    assert res.exit_code == 0, res.output
    assert pq.read_table(tmp_path / "b.parquet").column("ITEMS").to_pylist() == [
        r["ITEMS"] for r in EXPECTED
    ]
    res = runner.invoke(
        cli,
        ["schema", "-c", str(tmp_path / "r.cpy"), "--occurs-mappings", "{bad json"],
    )
    assert res.exit_code == 2 and "occurs_mappings" in res.output
