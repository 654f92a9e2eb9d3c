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
        (" 00123.45", "123.45"),  # edited -9(5).99, positive
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


def test_convert_nesting_lists_and_text() -> None:
    line = (
        "REC 1|A-B:N=+12|G.C:X=ab  |T:L=2|T(1).U:N=1|T(1).V:X=É|T(2).U:N=2|T(2).V:X=   "
        "|E:L=0|P:L=2|P(1):N=1.50|P(2):N=-2.5|F:F=-0.25|"
    )
    rec = json.loads(tool.convert(line.encode("latin-1")))
    assert rec == {
        "A_B": 12,
        "G": {"C": "ab"},
        "T": [{"U": 1, "V": "É"}, {"U": 2, "V": ""}],
        "E": [],
        "P": ["1.50", "-2.5"],
        "F": -0.25,
    }


@pytest.mark.parametrize(
    "text",
    [
        "REC 2|A:N=1",  # record numbers must run 1, 2, ...
        "REC 1|T:L=2|T(1):N=1",  # fewer occurrences than declared
        "REC 1|T(1):N=1",  # occurrence without declaration
        "REC 1|A:N=1|A:N=2",  # field given twice
        "REC 1|A=1",  # no tag
        "REC 1|A:Q=1",  # unknown tag
        "",  # no records
    ],
)
def test_convert_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        tool.convert(text.encode("latin-1"))
