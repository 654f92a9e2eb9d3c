"""Parent/child segment hierarchies (``segment_children``): children nested as lists of structs
under their parent, one row per root; writing flattens back so the file round-trips.

The file is built byte by byte (cp037, IBM RDWs, every record the copybook's full length, as
the writer makes them); the expected nesting is written out by hand."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import legacyio
from legacyio.cli.main import cli

CPY = """\
       01 REC.
          05 SEG     PIC X.
          05 KEY     PIC 9(2).
          05 CO.
             10 CO-NAME   PIC X(4).
          05 DEPT REDEFINES CO.
             10 DEPT-NO   PIC 9(4).
          05 EMP REDEFINES CO.
             10 EMP-NAME  PIC X(3).
             10 FILLER    PIC X.
          05 OFFICE REDEFINES CO.
             10 FLOOR     PIC 9(2).
             10 FILLER    PIC X(2).
"""
SEGMENTS = {"C": "CO", "D": "DEPT", "E": "EMP", "O": "OFFICE"}
CHILDREN = {"CO": ["DEPT"], "DEPT": ["EMP", "OFFICE"]}
KW = {
    "record_format": "V",
    "segment_field": "SEG",
    "segments": SEGMENTS,
    "segment_children": CHILDREN,
}


def rec(seg: str, key: int, body: str) -> bytes:
    payload = (seg + f"{key:02d}" + body.ljust(4)).encode("cp037")
    return (len(payload) + 4).to_bytes(2, "big") + b"\0\0" + payload


# two companies; records in canonical pre-order (employees before offices)
CANON = [
    ("C", 1, "ACME"),
    ("D", 1, "0010"),
    ("E", 1, "ANN"),
    ("E", 1, "BOB"),
    ("O", 1, "03"),
    ("D", 1, "0020"),
    ("C", 2, "BETA"),
    ("D", 2, "0030"),
    ("O", 2, "07"),
]
EXPECTED = [
    {
        "SEG": "C",
        "KEY": 1,
        "CO": {
            "CO_NAME": "ACME",
            "DEPT": [
                {
                    "DEPT_NO": 10,
                    "EMP": [
                        {"EMP_NAME": "ANN", "FILLER_1": b"\x40"},
                        {"EMP_NAME": "BOB", "FILLER_1": b"\x40"},
                    ],
                    "OFFICE": [{"FLOOR": 3, "FILLER_2": b"\x40\x40"}],
                },
                {"DEPT_NO": 20, "EMP": [], "OFFICE": []},
            ],
        },
    },
    {
        "SEG": "C",
        "KEY": 2,
        "CO": {
            "CO_NAME": "BETA",
            "DEPT": [{"DEPT_NO": 30, "EMP": [], "OFFICE": [{"FLOOR": 7, "FILLER_2": b"\x40\x40"}]}],
        },
    },
]


def data(records=CANON) -> bytes:
    return b"".join(rec(*r) for r in records)


def rows(t) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "_legacyio_residue"} for r in t.to_pylist()]


def test_nested_rows_and_a_canonical_round_trip() -> None:
    rep = legacyio.DecodeReport()
    t = legacyio.read_table(data(), CPY, report=rep, **KW)
    assert rows(t) == EXPECTED
    assert t.column_names == ["SEG", "KEY", "CO", "_legacyio_residue"]
    assert t.column("_legacyio_residue").null_count == 2  # canonical: no raw copies
    assert rep.skipped_records == 0
    assert legacyio.encode(t) == data()
    clean = legacyio.read_table(data(), CPY, residue=False, fillers=True, **KW)
    assert legacyio.encode(clean) == data()  # flattening alone gives the file back


def test_records_out_of_canonical_order_keep_their_bytes() -> None:
    mixed = list(CANON)
    mixed[3], mixed[4] = mixed[4], mixed[3]  # an office between two employees
    t = legacyio.read_table(data(mixed), CPY, **KW)
    assert rows(t) == EXPECTED  # same nesting
    assert t.column("_legacyio_residue").is_valid().to_pylist() == [True, False]
    assert legacyio.encode(t) == data(mixed)


def test_a_child_key_that_differs_from_its_root_is_kept() -> None:
    odd = list(CANON)
    odd[2] = ("E", 9, "ANN")
    t = legacyio.read_table(data(odd), CPY, **KW)
    assert t.column("_legacyio_residue").is_valid().to_pylist() == [True, False]
    assert legacyio.encode(t) == data(odd)


def test_records_outside_the_hierarchy_are_counted_and_kept() -> None:
    odd = [
        ("E", 0, "ZED"),  # before any root
        *CANON[:6],
        ("O", 1, "09"),  # belongs to the open department 20
        CANON[6],
        ("E", 2, "LOS"),  # company BETA has no open department yet
        *CANON[7:],
    ]
    rep = legacyio.DecodeReport()
    t = legacyio.read_table(data(odd), CPY, report=rep, **KW)
    assert t.num_rows == 2
    assert rep.skipped_records == 2
    assert any("outside the segment hierarchy" in line for line in rep.summary_lines())
    assert legacyio.encode(t) == data(odd)
    assert t.to_pylist()[0]["CO"]["DEPT"][1]["OFFICE"] == [{"FLOOR": 9, "FILLER_2": b"\x40\x40"}]


def test_bad_tree_is_an_options_error() -> None:
    with pytest.raises(legacyio.OptionsError, match="NOPE"):
        legacyio.read_table(data(), CPY, **{**KW, "segment_children": {"CO": ["NOPE"]}})
    with pytest.raises(legacyio.OptionsError, match="cycle"):
        legacyio.read_table(
            data(), CPY, **{**KW, "segment_children": {"CO": ["DEPT"], "DEPT": ["CO"]}}
        )


def test_cli_and_job_file(tmp_path) -> None:
    (tmp_path / "r.cpy").write_text(CPY)
    (tmp_path / "r.dat").write_bytes(data())
    runner = CliRunner()
    args = ["-c", str(tmp_path / "r.cpy"), str(tmp_path / "r.dat")]
    flags = ["--record-format", "V", "--segment-field", "SEG"]
    flags += [x for sid, g in SEGMENTS.items() for x in ("--segment", f"{sid}={g}")]
    res = runner.invoke(
        cli,
        [
            "convert",
            *args,
            str(tmp_path / "a.parquet"),
            "--quiet",
            *flags,
            "--segment-children",
            "CO=DEPT",
            "--segment-children",
            "DEPT=EMP,OFFICE",
        ],
    )
    assert res.exit_code == 0, res.output
    assert pq.read_table(tmp_path / "a.parquet").num_rows == 2
    res = runner.invoke(
        cli, ["encode", str(tmp_path / "a.parquet"), str(tmp_path / "b.dat"), "--quiet"]
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "b.dat").read_bytes() == data()
    (tmp_path / "job.toml").write_text(
        '[format]\nrecord-format = "V"\nsegment-field = "SEG"\n'
        'segments = { C = "CO", D = "DEPT", E = "EMP", O = "OFFICE" }\n'
        'segment-children = { CO = "DEPT", DEPT = ["EMP", "OFFICE"] }\n'
    )
    res = runner.invoke(cli, ["verify", *args, "--job", str(tmp_path / "job.toml")])
    assert res.exit_code == 0, res.output
    assert "identical" in res.output
