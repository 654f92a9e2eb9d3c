"""No silent rounding, no type guessing, no lost bytes when streaming (issues 12 and 17)."""

from __future__ import annotations

import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

import legacyio

CB = """       01 R.
          05 A PIC S9(7)V99 COMP-3.
          05 B PIC S9(4) COMP.
"""


def test_float_into_decimal_is_refused_naming_column_and_record() -> None:
    t = pa.table({"A": pa.array([1.5, 1234.505]), "B": pa.array([1, 2], pa.int32())})
    with pytest.raises(legacyio.EncodeError) as exc:
        legacyio.encode(t, CB)
    msg = str(exc.value)
    assert "record 1" in msg and "R.A" in msg and "allow_float" in msg
    assert "1.5" not in msg and "1234" not in msg


def test_allow_float_accepts_only_exact_values() -> None:
    inexact = pa.table({"A": pa.array([1.5, 1234.505]), "B": pa.array([1, 2], pa.int32())})
    with pytest.raises(legacyio.EncodeError, match=r"record 2.*not exact"):
        legacyio.encode(inexact, CB, allow_float=True)
    exact = pa.table({"A": pa.array([1.5, 1234.5]), "B": pa.array([1.0, 2.0])})
    back = legacyio.read_table(legacyio.encode(exact, CB, allow_float=True), CB)
    assert back.column("A").to_pylist() == [Decimal("1.50"), Decimal("1234.50")]
    assert back.column("B").to_pylist() == [1, 2]


def test_huge_float_is_not_rounded_into_a_decimal() -> None:
    cb = "       01 R.\n          05 A PIC S9(29)V99 COMP-3.\n"
    t = pa.table({"A": pa.array([99999999999999999999999999999.99])})
    with pytest.raises(legacyio.EncodeError):
        legacyio.encode(t, cb)
    with pytest.raises(legacyio.EncodeError):
        legacyio.encode(t, cb, allow_float=True)  # 1e29 does not fit 29 digits


def test_text_into_numeric_is_refused() -> None:
    t = pa.table({"A": pa.array(["12.50"]), "B": pa.array([1], pa.int32())})
    with pytest.raises(legacyio.EncodeError, match=r"record 1.*string"):
        legacyio.encode(t, CB)


def test_decimal_with_more_places_is_refused() -> None:
    t = pa.table(
        {"A": pa.array([Decimal("1.505")], pa.decimal128(10, 3)), "B": pa.array([1], pa.int32())}
    )
    with pytest.raises(legacyio.EncodeError, match="record 1"):
        legacyio.encode(t, CB)


def test_cli_encode_refuses_float_parquet_and_allow_float_accepts_exact(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    cb = tmp_path / "r.cpy"
    cb.write_text(CB)
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"A": pa.array([1234.505]), "B": pa.array([1], pa.int32())}), src)
    cmd = [sys.executable, "-m", "legacyio", "encode", "-c", str(cb), str(src)]
    r = subprocess.run([*cmd, str(tmp_path / "o.dat")], capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    assert "column A" in r.stderr and "--allow-float" in r.stderr and "1234" not in r.stderr
    assert not (tmp_path / "o.dat").exists()
    r = subprocess.run(
        [*cmd, str(tmp_path / "o.dat"), "--allow-float"], capture_output=True, text=True
    )
    assert r.returncode == 1 and "not exact" in r.stderr
    pq.write_table(pa.table({"A": pa.array([1234.5]), "B": pa.array([1], pa.int32())}), src)
    r = subprocess.run(
        [*cmd, str(tmp_path / "o.dat"), "--allow-float"], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    back = legacyio.read_table(tmp_path / "o.dat", str(cb))
    assert back.column("A").to_pylist() == [Decimal("1234.50")]


# ---- files in which no record is decodable: the bytes survive streaming ----------------------

V_CB = "       01 R.\n          05 A PIC X(10).\n"


def _undecodable() -> bytes:
    return bytes(range(256)) * 72  # 18,432 bytes, no valid RDW at the start


def test_no_record_bytes_survive_open_reader_to_write_table() -> None:
    data = _undecodable()
    reader = legacyio.open_reader(data, V_CB, record_format="V", lenient_framing=True)
    buf = io.BytesIO()
    stats = legacyio.write_table(reader, buf)
    assert stats.records == 0
    assert buf.getvalue() == data


@pytest.mark.skipif(
    not hasattr(__import__("pyarrow.parquet").parquet.ParquetWriter, "add_key_value_metadata"),
    reason="pyarrow < 15 cannot add Parquet footer metadata after the schema (README)",
)
def test_no_record_bytes_survive_cli_convert_then_encode(tmp_path: Path) -> None:
    data = _undecodable()
    (tmp_path / "in.dat").write_bytes(data)
    (tmp_path / "r.cpy").write_text(V_CB)
    base = [sys.executable, "-m", "legacyio"]
    r = subprocess.run(
        [
            *base,
            "convert",
            "-c",
            str(tmp_path / "r.cpy"),
            str(tmp_path / "in.dat"),
            str(tmp_path / "t.parquet"),
            "--record-format",
            "V",
            "--lenient-framing",
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    r = subprocess.run(
        [*base, "encode", str(tmp_path / "t.parquet"), str(tmp_path / "out.dat")],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out.dat").read_bytes() == data
