"""Decode each GnuCOBOL golden file with legacyio and compare with what COBOL displayed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import legacyio

from .gc_goldens import (
    NAMES,
    copybook_path,
    data_path,
    differences,
    expected,
    manifest,
)


@pytest.mark.parametrize("name", NAMES)
def test_decode_matches_cobol_display(name: str) -> None:
    info = manifest(name)
    table = legacyio.read_table(
        str(data_path(name)),
        str(copybook_path(name)),
        format=legacyio.FileFormat(**info["format"]),
        **info.get("read", {}),
    )
    want = expected(name)
    assert len(want) == info["records"]
    assert table.num_rows == info["records"]
    problems: list[str] = []
    for number, (w, got) in enumerate(zip(want, table.to_pylist()), 1):
        problems += differences(w, got, f"record {number}")
    assert not problems, f"{len(problems)} differences, first: " + "; ".join(problems[:10])


def _leaf_paths(value: Any, prefix: str = "") -> set[str]:
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
    out: set[str] = set()
    for item in items:
        if item.is_filler:
            continue
        path = (f"{prefix}." if prefix else "") + item.name.replace("-", "_")
        out |= _copybook_leaves(item.children, path) if item.children else {path}
    return out


@pytest.mark.parametrize("name", NAMES)
def test_expected_values_cover_every_field(name: str) -> None:
    """Each named elementary item of the copybook has a COBOL-displayed value in some record."""
    layout = legacyio.load_copybook(str(copybook_path(name)))
    shown: set[str] = set()
    for record in expected(name):
        shown |= _leaf_paths(record)
    leaves = _copybook_leaves(layout.records[0].children)
    assert leaves - shown == set()
    assert shown - leaves == set()


def test_comparison_detects_differences() -> None:
    """The comparison used above fails on a changed value, a missing key or a short list."""
    got = {"A": Decimal("1.50"), "B": [1, 2], "C": {"D": "x"}}
    assert differences({"A": "1.5", "B": [1, 2], "C": {"D": "x"}}, got, "r") == []
    assert differences({"A": "1.51"}, got, "r")
    assert differences({"B": [1, 2, 3]}, got, "r")
    assert differences({"C": {"D": "y"}}, got, "r")
    assert differences({"E": 1}, got, "r")
    assert differences({"B": [1, 2.0]}, got, "r")
