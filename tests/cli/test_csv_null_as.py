"""Blank CSV text fields on encode follow `--null-as` (`null_as=` in the API), and the hint
of the error names the flag on the command line and the keyword in the API."""

from __future__ import annotations

import pytest

import legacyio
from legacyio.errors import EncodeError
from legacyio.layout import load_copybook
from legacyio.options import FileFormat, WriteOptions
from legacyio.tables.files import open_input

from .conftest import SIMPLE_CPY, SIMPLE_LEN, leftovers

NAME_AT = 9  # TIN PIC 9(9), then NAME PIC X(12)


def _blank_name(work, record: int) -> None:
    """o.csv with the NAME of ``record`` (1-based) as a blank field: nothing between the
    commas, as pandas, DuckDB and Polars write a null (legacyio quotes every text)."""
    lines = (work / "o.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[record].split(",")
    assert cells[1].startswith('"') and cells[1] != '""'
    cells[1] = ""
    lines[record] = ",".join(cells)
    (work / "o.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def blank_csv(run, work):
    assert run("convert", "-c", "simple.cpy", "simple.dat", "o.csv").exit_code == 0
    _blank_name(work, 3)
    return work / "o.csv"


def test_blank_text_is_refused_by_default_with_the_flag_in_the_hint(run, work, blank_csv):
    res = run("encode", "-c", "simple.cpy", "o.csv", "out.dat")
    assert res.exit_code == 1
    err = res.stderr
    assert "record 3" in err and "NAME" in err
    assert "--null-as spaces|low-values|zero" in err
    assert "null_as" not in err
    assert not (work / "out.dat").exists() and leftovers(work) == []


@pytest.mark.parametrize(("null_as", "fill"), [("spaces", b"\x40"), ("low-values", b"\x00")])
def test_blank_text_follows_null_as(run, work, blank_csv, null_as, fill):
    res = run("encode", "-c", "simple.cpy", "o.csv", "out.dat", "--null-as", null_as)
    assert res.exit_code == 0, res.output
    got = (work / "out.dat").read_bytes()
    want = bytearray((work / "simple.dat").read_bytes())
    start = 2 * SIMPLE_LEN + NAME_AT
    assert want[start : start + 12] != fill * 12
    want[start : start + 12] = fill * 12
    assert got == bytes(want)


def test_quoted_empty_text_is_an_empty_string_not_a_null(run, work):
    # record 4's NAME is "" (all spaces in the file): quoted, it is text, not a null
    assert run("convert", "-c", "simple.cpy", "simple.dat", "o.csv").exit_code == 0
    assert ',"",' in (work / "o.csv").read_text(encoding="utf-8").splitlines()[4]
    res = run("encode", "-c", "simple.cpy", "o.csv", "out.dat")
    assert res.exit_code == 0, res.output
    assert (work / "out.dat").read_bytes() == (work / "simple.dat").read_bytes()


def test_api_hint_names_the_keyword(work, blank_csv):
    layout = load_copybook(SIMPLE_CPY)
    fmt = FileFormat()
    _, batches = open_input(blank_csv, layout, fmt)
    with pytest.raises(EncodeError) as e:
        legacyio.write_table(list(batches), work / "api.dat", layout, WriteOptions())
    msg = str(e.value)
    assert "record 3" in msg and "NAME" in msg
    assert "null_as=spaces|low-values|zero" in msg and "--null-as" not in msg
    assert e.value.cli_message().endswith("(use --null-as spaces|low-values|zero)")
    assert not (work / "api.dat").exists()
    _, batches = open_input(blank_csv, layout, fmt)
    legacyio.write_table(list(batches), work / "api.dat", layout, WriteOptions(null_as="spaces"))
    data = (work / "api.dat").read_bytes()
    start = 2 * SIMPLE_LEN + NAME_AT
    assert data[start : start + 12] == b"\x40" * 12
