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
    """Append to ``out`` one line per difference (every key of ``expected`` is checked).

    A decimal string must match the decoded Decimal in value and in scale; other values
    must match in value and type; lists must have the same length.
    """
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
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            _diff(e, a, f"{path}[{i}]", out)
    elif isinstance(actual, Decimal):
        want = Decimal(str(expected))
        if actual != want:
            out.append(f"{path}: expected {want}, got {actual}")
        elif isinstance(expected, str) and actual.as_tuple().exponent != want.as_tuple().exponent:
            out.append(f"{path}: expected scale of {want}, got {actual}")
    elif type(expected) is not type(actual) or expected != actual:
        out.append(f"{path}: expected {expected!r}, got {actual!r}")


def _differences(expected: Any, actual: Any) -> list[str]:
    out: list[str] = []
    _diff(expected, actual, "r", out)
    return out


def _leaf_paths(value: Any, prefix: str = "") -> set[str]:
    """Dotted paths of the elementary values of an expected record (lists collapsed)."""
    if isinstance(value, dict):
        out: set[str] = set()
        for key, item in value.items():
            out |= _leaf_paths(item, f"{prefix}.{key}" if prefix else key)
        return out
    if isinstance(value, list):
        out = set()
        for item in value:
            out |= _leaf_paths(item, prefix)
        return out
    return {prefix}


def _copybook_leaves(items: Any, prefix: str = "") -> set[str]:
    """Dotted paths of the named elementary items of a copybook (FILLER left out)."""
    out: set[str] = set()
    for item in items:
        if item.is_filler:
            continue
        path = (f"{prefix}." if prefix else "") + item.name.replace("-", "_")
        out |= _copybook_leaves(item.children, path) if item.children else {path}
    return out


def test_expected_matches_manifest(golden: GoldenCase) -> None:
    assert len(golden.expected) == golden.manifest["records"]
    assert all(golden.expected), "every expected record holds some fields"


def test_decode_matches_cobol_display(golden: GoldenCase) -> None:
    rows = _read(golden)
    assert len(rows) == golden.manifest["records"]
    problems: list[str] = []
    for n, (exp, row) in enumerate(zip(golden.expected, rows, strict=True), start=1):
        _diff(exp, row, f"record {n}", problems)
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:30])
    columns = {k for k in rows[0] if not k.startswith(("FILLER", "_"))}
    covered = set().union(*(exp.keys() for exp in golden.expected))
    assert columns <= covered, f"columns never checked: {sorted(columns - covered)}"


def test_expected_values_cover_every_field(golden: GoldenCase) -> None:
    """Each named elementary item of the copybook has a COBOL-displayed value in some
    record, and every displayed value is an item of the copybook."""
    layout = legacyio.load_copybook(str(golden.copybook_path))
    shown: set[str] = set()
    for record in golden.expected:
        shown |= _leaf_paths(record)
    leaves = _copybook_leaves(layout.records[0].children)
    assert sorted(leaves - shown) == [], "items never displayed"
    assert sorted(shown - leaves) == [], "displayed values that are not copybook items"


def test_comparison_detects_differences() -> None:
    """The comparison used above fails on a changed value, scale, type, key or length."""
    got = {"A": Decimal("1.50"), "B": [1, 2], "C": {"D": "x"}}
    assert _differences({"A": "1.50", "B": [1, 2], "C": {"D": "x"}}, got) == []
    assert _differences({"A": "1.51"}, got)
    assert _differences({"A": "1.5"}, got)  # same value, other scale
    assert _differences({"B": [1, 2, 3]}, got)
    assert _differences({"B": [1, 2.0]}, got)
    assert _differences({"C": {"D": "y"}}, got)
    assert _differences({"C": "x"}, got)
    assert _differences({"E": 1}, got)
