"""Edits always land, untouched bytes stay: writing rows that carry a residue (issue 12).

The property: for arbitrary (dirty) records and arbitrary edits of arbitrary fields, the
re-decoded record shows exactly the edited values, and every byte outside the edited fields'
spans is the original byte.
"""

from __future__ import annotations

import decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import legacyio
from legacyio.layout.model import Layout
from legacyio.options import FileFormat, ReadOptions
from legacyio.plan.core import Plan
from legacyio.plan.nodes import Node
from tests.support.builders import cobol, e, packed, zoned
from tests.support.strategies.layouts import file_formats, layouts
from tests.support.strategies.records import record_bytes, value_strategy

ROOT = Path(__file__).resolve().parents[2]
RESIDUE = "_legacyio_residue"


def _leaves(nodes: list[Node], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Node]]:
    """Elementary fields outside OCCURS and REDEFINES chains, with their column path."""
    out = []
    for n in nodes:
        if n.occurs_max or n.in_chain or n.kind == "raw":
            continue
        if n.kind == "group":
            out += _leaves(n.children, (*prefix, n.name))
        else:
            out.append(((*prefix, n.name), n))
    return out


def _set(row: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for p in path[:-1]:
        if row[p] is None:
            return
        row = row[p]
    row[path[-1]] = value


def _get(row: dict[str, Any], path: tuple[str, ...]) -> Any:
    for p in path:
        if row is None:
            return None
        row = row[p]
    return row


@st.composite
def edit_cases(draw: st.DrawFn) -> tuple[Layout, FileFormat, list[bytes], list[tuple]]:
    _, layout = draw(layouts(allow_odo=False, allow_redefines=False))
    fmt = draw(file_formats())
    records = draw(st.lists(record_bytes(layout, fmt), min_size=1, max_size=4))
    leaves = _leaves(Plan(layout, fmt, ReadOptions()).top)
    edits = []
    if leaves:
        for _ in range(draw(st.integers(0, 4))):
            r = draw(st.integers(0, len(records) - 1))
            path, node = draw(st.sampled_from(leaves))
            edits.append((r, path, node, draw(value_strategy(node.item, fmt))))
    return layout, fmt, records, edits


@given(edit_cases())
def test_edits_land_and_other_bytes_stay(case: tuple) -> None:
    layout, fmt, records, edits = case
    data = b"".join(records)
    table = legacyio.read_table(data, layout, format=fmt)
    rows = table.to_pylist()
    # the edits go through Python values: a signalling NaN does not survive that (it comes
    # back quiet), whatever the writer does
    as_python = pa.Table.from_pylist(table.to_pylist(), schema=table.schema)
    assume(legacyio.encode(as_python, layout, format=fmt) == data)
    final: dict[tuple[int, tuple[str, ...]], Any] = {}
    spans: dict[int, list[tuple[int, int]]] = {}
    for r, path, node, value in edits:
        _set(rows[r], path, value)
        final[(r, path)] = value
        start = node.item.offset - layout.records[0].offset
        spans.setdefault(r, []).append((start, start + node.width))
    edited = pa.Table.from_pylist(rows, schema=table.schema)
    report = legacyio.WriteReport()
    out = legacyio.encode(edited, layout, format=fmt, report=report)
    assert len(out) == len(data)
    back = legacyio.read_table(out, layout, format=fmt).to_pylist()
    for (r, path), value in final.items():
        assert _get(back[r], path) == value, (layout.source_text, r, path)
    width = len(records[0])
    for r, rec in enumerate(records):
        got = out[r * width : (r + 1) * width]
        for i, (a, b) in enumerate(zip(rec, got)):
            if not any(s <= i < t for s, t in spans.get(r, [])):
                assert a == b, (layout.source_text, r, i)
    residue_rows = sum(v is not None for v in table.column(RESIDUE).to_pylist())
    assert report.unchanged + report.merged + report.reencoded == residue_rows
    assert report.reencoded == 0


# ---- the golden taxpayer file, record 5 (a residue record) -------------------------------

TAXPAYER = ROOT / "golden_files" / "taxpayer_ebcdic.dat"
TAXPAYER_CB = ROOT / "copybooks" / "golden" / "taxpayer.cpy"


def _replace(table: pa.Table, name: str, row: int, value: Any) -> pa.Table:
    i = table.schema.get_field_index(name)
    values = table.column(name).to_pylist()
    values[row] = value
    return table.set_column(i, table.schema.field(name), pa.array(values, table.field(name).type))


def test_golden_taxpayer_record_5_edit_lands() -> None:
    data = TAXPAYER.read_bytes()
    table = legacyio.read_table(data, TAXPAYER_CB)
    assert table.column(RESIDUE)[4].is_valid  # the dirty record the issue names
    edited = _replace(table, "TP_BALANCE_DUE", 4, decimal.Decimal("123.45"))
    report = legacyio.WriteReport()
    out = legacyio.encode(edited, report=report)
    back = legacyio.read_table(out, TAXPAYER_CB)
    assert back.column("TP_BALANCE_DUE")[4].as_py() == decimal.Decimal("123.45")
    assert (report.unchanged, report.merged, report.reencoded) == (0, 1, 0)
    node = Plan(legacyio.load_copybook(TAXPAYER_CB), FileFormat())._index
    item = next(n for p, n in node.items() if p.endswith("TP-BALANCE-DUE")).item
    width = len(data) // table.num_rows
    lo, hi = 4 * width + item.offset, 4 * width + item.offset + item.size
    assert out[:lo] == data[:lo] and out[hi:] == data[hi:]
    assert out[lo:hi] != data[lo:hi]


def test_golden_taxpayer_record_5_edit_through_duckdb(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    pq = pytest.importorskip("pyarrow.parquet")
    table = legacyio.read_table(TAXPAYER, TAXPAYER_CB)
    pq.write_table(table, tmp_path / "t.parquet")
    con = duckdb.connect()
    edited = con.sql(
        f"SELECT * REPLACE (CASE WHEN TP_TIN = 5 THEN 99.99 ELSE TP_BALANCE_DUE END "
        f"::DECIMAL(13,2) AS TP_BALANCE_DUE) FROM '{tmp_path / 't.parquet'}'"
    ).to_arrow_table()
    edited = edited.replace_schema_metadata(table.schema.metadata)
    out = legacyio.encode(edited)  # FILLER comes back as BLOB (binary): still encodes
    back = legacyio.read_table(out, TAXPAYER_CB)
    assert back.column("TP_BALANCE_DUE")[4].as_py() == decimal.Decimal("99.99")
    assert (
        back.column("TP_BALANCE_DUE").to_pylist()[:4]
        == table.column("TP_BALANCE_DUE").to_pylist()[:4]
    )


# ---- shapes: REDEFINES, ODO counts, RDW frames, VB blocks ---------------------------------


def test_edited_redefines_base_wins_over_unchanged_alternative() -> None:
    cb = cobol("""
    01 REC.
       05 D     PIC 9(8).
       05 D-R REDEFINES D.
          10 YY PIC 9(4).
          10 MD PIC 9(4).
       05 N     PIC S9(3) COMP-3.
    """)
    data = zoned(19991231, 8, signed=False) + bytes.fromhex("001F")  # F sign: dirty
    table = legacyio.read_table(data, cb)
    assert table.column(RESIDUE)[0].is_valid
    out = legacyio.encode(_replace(table, "D", 0, 20240102))
    back = legacyio.read_table(out, cb)
    assert back.column("D")[0].as_py() == 20240102
    assert out[8:] == data[8:]  # the dirty packed sign stays


def test_odo_count_change_reencodes_the_record_keeping_the_rdw_gap() -> None:
    cb = cobol("""
    01 REC.
       05 K     PIC 9.
       05 T OCCURS 0 TO 3 DEPENDING ON K PIC S9(3) COMP-3.
    """)
    rec = zoned(2, 1, signed=False) + packed(1, 3) + bytes.fromhex("002F")  # dirty F sign
    rdw = (len(rec) + 4).to_bytes(2, "big") + b"\0\0"
    data = rdw + rec
    table = legacyio.read_table(data, cb, record_format="V")
    assert table.column(RESIDUE)[0].is_valid
    # unchanged: the bytes come back
    report = legacyio.WriteReport()
    assert legacyio.encode(table, report=report) == data
    assert report.unchanged == 1
    # an element edited, same count: merged, the other element's dirty sign stays
    edited = _replace(table, "T", 0, [5, 2])
    report = legacyio.WriteReport()
    out = legacyio.encode(edited, report=report)
    assert report.merged == 1
    assert out[:5] == data[:5] and out[7:] == data[7:]
    assert legacyio.read_table(out, cb, record_format="V").column("T")[0].as_py() == [5, 2]
    # a new count: the record changes shape and is re-encoded with a new RDW
    edited = _replace(_replace(table, "T", 0, [1, 2, 3]), "K", 0, 3)
    report = legacyio.WriteReport()
    out = legacyio.encode(edited, report=report)
    assert report.reencoded == 1
    back = legacyio.read_table(out, cb, record_format="V")
    assert back.column("T")[0].as_py() == [1, 2, 3]
    assert back.column(RESIDUE).null_count == 1


def test_vb_edit_keeps_block_descriptor() -> None:
    cb = cobol("""
    01 REC.
       05 ID    PIC X(4).
       05 N     PIC S9(3) COMP-3.
    """)
    recs = [e(f"r{i:03d}") + packed(i, 3) for i in range(2)]
    frames = b"".join((len(r) + 4).to_bytes(2, "big") + b"\0\0" + r for r in recs)
    data = (len(frames) + 4).to_bytes(2, "big") + b"\0\0" + frames
    table = legacyio.read_table(data, cb, record_format="VB")
    assert table.column(RESIDUE)[0].is_valid  # the BDW rides on the first record
    out = legacyio.encode(_replace(table, "N", 0, 7))
    assert out[:12] == data[:12] and out[14:] == data[14:]
    back = legacyio.read_table(out, cb, record_format="VB")
    assert back.column("N").to_pylist() == [7, 1]


def test_use_residue_false_still_encodes_canonically() -> None:
    data = TAXPAYER.read_bytes()
    table = legacyio.read_table(data, TAXPAYER_CB)
    out = legacyio.encode(table, use_residue=False)
    assert out != data and len(out) == len(data)
