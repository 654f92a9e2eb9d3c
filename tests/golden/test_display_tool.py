"""Unit tests of golden_files/tools/display_to_jsonl.py (the DISPLAY -> JSON Lines converter)."""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType

import pytest

from .conftest import GOLDEN_DIR


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "display_to_jsonl", GOLDEN_DIR / "tools" / "display_to_jsonl.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


tool = _tool()


@pytest.mark.parametrize(
    ("shown", "value"),
    [
        ("+00000001234.56", "1234.56"),
        ("-00000001234.56", "-1234.56"),
        ("0001234.56-", "-1234.56"),  # SIGN TRAILING SEPARATE
        ("0001234.56+", "1234.56"),
        ("-.00001", "-0.00001"),  # PIC SV9(5)
        ("+00000000000.00", "0.00"),
        ("-0000000.00", "0.00"),  # no negative zero
        (" 00123.45", "123.45"),  # edited -9(5).99, positive
        ("+.0000001", "0.0000001"),  # never an exponent
        ("09999", 9999),
        ("-0012", -12),
        ("+0000", 0),
    ],
)
def test_parse_number(shown: str, value: object) -> None:
    assert tool.parse_number(shown) == value


@pytest.mark.parametrize("shown", ["", "+", "12a", "+12-", "1.2.3"])
def test_parse_number_rejects(shown: str) -> None:
    with pytest.raises(ValueError):
        tool.parse_number(shown)


@pytest.mark.parametrize(
    ("kind", "shown", "value"),
    [
        ("X", "ab  ", "ab"),
        ("X", "a|b ", "a|b"),
        ("I", "+0012", 12),
        ("D", "0592.80+", "592.80"),
        ("F", "-1234.25", -1234.25),
        ("E", "0.1", 0.10000000149011612),  # rounded to single precision
    ],
)
def test_convert_value(kind: str, shown: str, value: object) -> None:
    assert tool.convert_value(kind, shown) == value


@pytest.mark.parametrize(("kind", "shown"), [("I", "+12.50"), ("D", "+1250"), ("Q", "1")])
def test_convert_value_rejects(kind: str, shown: str) -> None:
    """A type that does not match what was shown (a V missing or extra) is an error."""
    with pytest.raises(ValueError):
        tool.convert_value(kind, shown)


def test_convert_nesting_lists_and_text() -> None:
    lines = [
        "REC|0001",
        "FLD|A-B|I|+12",
        "FLD|G.C|X|ab  ",
        "LST|T|2",
        "FLD|T(1).U|I|1",
        "FLD|T(1).V|X|É",
        "FLD|T(2).U|I|2",
        "FLD|T(2).V|X|   ",
        "LST|E|+0000",
        "FLD|P(1)|D|1.50",
        "FLD|P(2)|D|-2.5",
        "FLD|Q(01).R(1)|X|x",
        "FLD|Q(01).R(2)|X|y",
        "FLD|F|F|-0.25",
        "END|0001",
    ]
    text = tool.convert("\n".join(lines).encode("latin-1") + b"\n")
    assert json.loads(text) == {
        "A_B": 12,
        "G": {"C": "ab"},
        "T": [{"U": 1, "V": "É"}, {"U": 2, "V": ""}],
        "E": [],
        "P": ["1.50", "-2.5"],
        "Q": [{"R": ["x", "y"]}],
        "F": -0.25,
    }
    assert text.count("\n") == 1


@pytest.mark.parametrize(
    "lines",
    [
        ["REC|2", "FLD|A|I|1", "END|2"],  # record numbers must run 1, 2, ...
        ["REC|1", "FLD|A|I|1", "END|2"],  # END of another record
        ["REC|1", "FLD|A|I|1"],  # output ends inside a record
        ["FLD|A|I|1"],  # field outside a record
        ["REC|1", "LST|T|2", "FLD|T(1)|I|1", "END|1"],  # fewer occurrences than declared
        ["REC|1", "FLD|T(2)|I|1", "END|1"],  # occurrence out of order
        ["REC|1", "FLD|T(1)|I|1", "LST|T|1", "END|1"],  # LST after the elements
        ["REC|1", "FLD|A|I|1", "FLD|A|I|2", "END|1"],  # field given twice
        ["REC|1", "FLD|A|I", "END|1"],  # no value
        ["REC|1", "FLD|a|I|1", "END|1"],  # not a COBOL name
        ["REC|1", "END|1"],  # no fields
        ["REC|1", "ERR|open 35"],  # an error line of a program
        [],  # no records
    ],
)
def test_convert_rejects(lines: list[str]) -> None:
    with pytest.raises(ValueError):
        tool.convert("\n".join(lines).encode("latin-1"))
