"""The README recipe "decode -> edit in DuckDB (or Polars) -> encode back", end to end on the
golden taxpayer file: `convert --save-job`, an UPDATE in another tool that drops legacyio's
metadata, `encode --job`. The edited fields change on exactly the edited records; every other
byte of the file is the original byte (record 5, which carries a residue, is one of them)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import legacyio

duckdb = pytest.importorskip("duckdb", reason="duckdb is a dev dependency (pip install -e .[dev])")
pl = pytest.importorskip("polars", reason="polars is a dev dependency (pip install -e .[dev])")

ROOT = Path(__file__).resolve().parents[2]
COPYBOOK = ROOT / "copybooks" / "golden" / "taxpayer.cpy"
GOLDEN = ROOT / "golden_files" / "taxpayer_ebcdic.dat"
RECORD = 333
STATUS = (322, 1)  # TP-ACCOUNT-STATUS PIC X
BALANCE = (115, 7)  # TP-BALANCE-DUE PIC S9(11)V99 COMP-3


def _original() -> pa.Table:
    return legacyio.read_table(GOLDEN, str(COPYBOOK))


def _check(back: Path, edited: list[int], fields: list[tuple[int, int]]) -> None:
    """``back`` differs from the golden file only inside ``fields`` of the ``edited`` records
    (0-based), and inside each of them somewhere."""
    old, new = GOLDEN.read_bytes(), back.read_bytes()
    assert len(new) == len(old)
    allowed = {r * RECORD + off + i for r in edited for off, size in fields for i in range(size)}
    diff = {i for i in range(len(old)) if old[i] != new[i]}
    assert diff <= allowed, sorted(diff - allowed)[:5]
    for r in edited:
        for off, size in fields:
            span = range(r * RECORD + off, r * RECORD + off + size)
            assert any(i in diff for i in span), (r, off)


def _values(path: Path, column: str) -> list:
    return legacyio.read_table(path, str(COPYBOOK)).column(column).to_pylist()


def _convert(run, work: Path, out: str) -> None:
    res = run("convert", "-c", COPYBOOK, GOLDEN, out, "--save-job", "tp.toml")
    assert res.exit_code == 0, res.output


def test_duckdb_update_parquet_encodes_back(run, work):
    _convert(run, work, "tp.parquet")
    con = duckdb.connect()
    con.execute(f"CREATE TABLE tp AS SELECT * FROM read_parquet('{work / 'tp.parquet'}')")
    con.execute(
        "UPDATE tp SET TP_ACCOUNT_STATUS = 'H', TP_BALANCE_DUE = TP_BALANCE_DUE + 1 "
        "WHERE TP_FILING_STATUS = 4"
    )
    con.execute(f"COPY tp TO '{work / 'edited.parquet'}' (FORMAT parquet)")
    assert not (pq.read_schema(work / "edited.parquet").metadata or {}).get(b"legacyio.copybook")
    res = run("encode", "--job", "tp.toml", "edited.parquet", "back.dat")
    assert res.exit_code == 0, res.output

    orig = _original()
    edited = [i for i, s in enumerate(orig.column("TP_FILING_STATUS").to_pylist()) if s == 4]
    assert 4 in edited and len(edited) == 8  # record 5 (its residue merged with the edit)
    _check(work / "back.dat", edited, [STATUS, BALANCE])
    status = _values(work / "back.dat", "TP_ACCOUNT_STATUS")
    balance = _values(work / "back.dat", "TP_BALANCE_DUE")
    old_balance = orig.column("TP_BALANCE_DUE").to_pylist()
    for i in edited:
        assert status[i] == "H" and balance[i] == old_balance[i] + Decimal(1)


def test_polars_parquet_encodes_back(run, work):
    _convert(run, work, "tp.parquet")
    df = pl.read_parquet(work / "tp.parquet")
    df = df.with_columns(
        pl.when(pl.col("TP_TIN") == 5)
        .then(pl.lit("Z"))
        .otherwise(pl.col("TP_ACCOUNT_STATUS"))
        .alias("TP_ACCOUNT_STATUS")
    )
    df.write_parquet(work / "edited.parquet")
    res = run("encode", "--job", "tp.toml", "edited.parquet", "back.dat")
    assert res.exit_code == 0, res.output
    _check(work / "back.dat", [4], [STATUS])
    assert _values(work / "back.dat", "TP_ACCOUNT_STATUS")[4] == "Z"


def test_duckdb_csv_is_typed_by_the_copybook(run, work):
    _convert(run, work, "tp.csv")
    src, dst = work / "tp.csv", work / "edited.csv"
    # all_varchar: DuckDB would otherwise guess DOUBLE for the 31-digit decimals
    duckdb.execute(
        f"COPY (SELECT * REPLACE (CASE WHEN TP_FILING_STATUS = '2' THEN 'Q' "
        f"ELSE TP_ACCOUNT_STATUS END AS TP_ACCOUNT_STATUS) "
        f"FROM read_csv('{src}', all_varchar = true)) TO '{dst}' (HEADER)"
    )
    # DuckDB writes empty text as a blank field, which reads as a null: --null-as spaces
    res = run("encode", "--job", "tp.toml", "edited.csv", "back.dat")
    assert res.exit_code == 1 and "--null-as" in res.stderr
    res = run("encode", "--job", "tp.toml", "--null-as", "spaces", "edited.csv", "back.dat")
    assert res.exit_code == 0, res.output
    orig = _original()
    edited = [i for i, s in enumerate(orig.column("TP_FILING_STATUS").to_pylist()) if s == 2]
    assert edited
    _check(work / "back.dat", edited, [STATUS])
    status = _values(work / "back.dat", "TP_ACCOUNT_STATUS")
    assert all(status[i] == "Q" for i in edited)
