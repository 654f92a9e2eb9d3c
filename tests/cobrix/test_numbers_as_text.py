"""``numbers_as_text``: codes held in ``PIC 9(n)`` fields read as text with their leading
zeros, written back from that text (Cobrix #25, #584)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import legacyio
from legacyio.cli.main import cli

CPY = """\
       01 REC.
          05 ZIP     PIC 9(5).
          05 AMT     PIC 9(3)V99.
          05 CODE    PIC S9(3).
"""


def data(zip_: str = "02103") -> bytes:
    return (zip_ + "00150").encode("cp037") + bytes([0xF1, 0xF2, 0xC3])


def test_leading_zeros_kept_and_written_back() -> None:
    t = legacyio.read_table(data(), CPY, numbers_as_text=["zip", "AMT"])
    row = t.to_pylist()[0]
    assert row["ZIP"] == "02103" and row["AMT"] == "00150" and row["CODE"] == 123
    assert t.schema.field("ZIP").type == pa.string()
    assert legacyio.encode(t) == data()
    edited = t.drop(["_legacyio_residue"]).set_column(0, "ZIP", pa.array(["00501"]))
    assert legacyio.encode(edited)[:5] == "00501".encode("cp037")


def test_text_that_is_not_the_fields_digits() -> None:
    dirty = data("021 3")  # a space inside the code: read as it is, kept in the residue
    t = legacyio.read_table(dirty, CPY, numbers_as_text="ZIP")
    assert t.column("ZIP").to_pylist() == ["021 3"]
    assert t.column("_legacyio_residue").null_count == 0
    assert legacyio.encode(t) == dirty
    bad = t.drop(["_legacyio_residue"]).set_column(0, "ZIP", pa.array(["123"]))
    with pytest.raises(legacyio.EncodeError, match="ZIP"):
        legacyio.encode(bad)


def test_only_unsigned_display_numbers() -> None:
    with pytest.raises(legacyio.OptionsError, match="CODE"):
        legacyio.read_table(data(), CPY, numbers_as_text=["CODE"])
    with pytest.raises(legacyio.OptionsError, match="NOPE"):
        legacyio.read_table(data(), CPY, numbers_as_text=["NOPE"])


def test_cli_flag(tmp_path) -> None:
    (tmp_path / "r.cpy").write_text(CPY)
    (tmp_path / "r.dat").write_bytes(data())
    res = CliRunner().invoke(
        cli,
        [
            "convert",
            "-c",
            str(tmp_path / "r.cpy"),
            str(tmp_path / "r.dat"),
            str(tmp_path / "a.parquet"),
            "--quiet",
            "--numbers-as-text",
            "ZIP,AMT",
        ],
    )
    assert res.exit_code == 0, res.output
    assert pq.read_table(tmp_path / "a.parquet").column("ZIP").to_pylist() == ["02103"]
