"""Shared helpers for the GnuCOBOL golden-file tests: where the files are, how to load them.

Only the files written by ``golden_files/regenerate_gnucobol.sh`` are listed here; other
golden sets in ``golden_files/`` have their own tests.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_DIR = ROOT / "golden_files"
SCRIPT = GOLDEN_DIR / "regenerate_gnucobol.sh"
NAMES = ("tax_master", "tax_master_ascii", "txn_modules", "biz_master")


def available() -> list[str]:
    """Golden sets of this suite whose manifest is present."""
    return [name for name in NAMES if (GOLDEN_DIR / f"{name}.json").exists()]


def manifest(name: str) -> dict[str, Any]:
    """The manifest of one golden data file."""
    return json.loads((GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))


def data_path(name: str) -> Path:
    """Path of the golden data file."""
    return GOLDEN_DIR / f"{name}.dat"


def copybook_path(name: str) -> Path:
    """Path of the copybook named by the manifest."""
    return ROOT / manifest(name)["copybook"]


def expected(name: str) -> list[dict[str, Any]]:
    """The records the COBOL program DISPLAYed, as parsed JSON objects."""
    lines = (GOLDEN_DIR / f"{name}.expected.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def differences(want: Any, got: Any, path: str) -> list[str]:
    """Paths where a decoded value differs from the expected one (only keys in ``want``).

    Decimal strings are compared as ``Decimal`` values, lists must have the same length.
    """
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{path}: expected an object, got {type(got).__name__}"]
        out: list[str] = []
        for key, value in want.items():
            if key not in got:
                out.append(f"{path}.{key}: column missing")
            else:
                out += differences(value, got[key], f"{path}.{key}")
        return out
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            size = len(got) if isinstance(got, list) else type(got).__name__
            return [f"{path}: expected {len(want)} occurrences, got {size}"]
        out = []
        for index, (w, g) in enumerate(zip(want, got), 1):
            out += differences(w, g, f"{path}({index})")
        return out
    if isinstance(got, Decimal):
        if isinstance(want, str) and Decimal(want) == got:
            return []
        return [f"{path}: expected {want!r}, got {got!r}"]
    if type(want) is not type(got) and not (isinstance(want, int) and isinstance(got, int)):
        return [f"{path}: expected {want!r} ({type(want).__name__}), got {got!r}"]
    if want != got:
        return [f"{path}: expected {want!r}, got {got!r}"]
    return []
