"""Decode every golden file with legacyio and compare with the values the COBOL programs
DISPLAYed (golden_files/<name>.expected.jsonl)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import legacyio

from .conftest import GoldenCase


def _read(golden: GoldenCase) -> list[dict[str, Any]]:
    table = legacyio.read_table(
        str(golden.data_path),
        str(golden.copybook_path),
        format=legacyio.FileFormat(**golden.format_kwargs),
        **golden.read_kwargs,
    )
    return table.to_pylist()


def _diff(expected: Any, actual: Any, path: str, out: list[str]) -> None:
    """Append to ``out`` one line per difference (every key of ``expected`` is checked)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            out.append(f"{path}: expected a group, got {type(actual).__name__}")
            return
        for key, value in expected.items():
            if key not in actual:
                out.append(f"{path}.{key}: missing column")
            else:
                _diff(value, actual[key], f"{path}.{key}", out)
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            n = len(actual) if isinstance(actual, list) else type(actual).__name__
            out.append(f"{path}: expected {len(expected)} occurrences, got {n}")
            return
        for i, (e, a) in enumerate(zip(expected, actual)):
            _diff(e, a, f"{path}[{i}]", out)
    elif isinstance(actual, Decimal):
        want = Decimal(str(expected))
        if actual != want:
            out.append(f"{path}: expected {want}, got {actual}")
        elif isinstance(expected, str) and actual.as_tuple().exponent != want.as_tuple().exponent:
            out.append(f"{path}: expected scale of {want}, got {actual}")
    elif type(expected) is not type(actual) or expected != actual:
        out.append(f"{path}: expected {expected!r}, got {actual!r}")


def test_expected_matches_manifest(golden: GoldenCase) -> None:
    assert len(golden.expected) == golden.manifest["records"]
    assert all(golden.expected), "every expected record holds some fields"


def test_decode_matches_cobol_display(golden: GoldenCase) -> None:
    rows = _read(golden)
    assert len(rows) == golden.manifest["records"]
    problems: list[str] = []
    for n, (exp, row) in enumerate(zip(golden.expected, rows), start=1):
        _diff(exp, row, f"record {n}", problems)
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:30])


def test_expected_values_cover_every_column(golden: GoldenCase) -> None:
    """Every data column of the table is checked by at least one expected record."""
    rows = _read(golden)
    columns = {k for k in rows[0] if not k.startswith(("FILLER", "_"))}
    covered = set().union(*(exp.keys() for exp in golden.expected))
    assert columns <= covered, f"columns never checked: {sorted(columns - covered)}"
