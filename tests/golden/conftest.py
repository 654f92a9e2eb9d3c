"""Fixtures for the GnuCOBOL golden files: one ``golden`` case per ``golden_files/*.json``.

Each manifest names its data file, copybook, FileFormat fields and record count; the expected
values come from ``<name>.expected.jsonl``, which the COBOL programs' DISPLAY output produced.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
GOLDEN_DIR = REPO / "golden_files"


@dataclass(frozen=True)
class GoldenCase:
    """One golden data file with its manifest and expected records."""

    name: str
    manifest: dict[str, Any]
    data_path: Path
    copybook_path: Path
    expected: list[dict[str, Any]]

    @property
    def format_kwargs(self) -> dict[str, Any]:
        return dict(self.manifest["format"])

    @property
    def read_kwargs(self) -> dict[str, Any]:
        return dict(self.manifest.get("read") or {})


def golden_names() -> list[str]:
    """Names of the golden files (stems of the manifests)."""
    return sorted(p.stem for p in GOLDEN_DIR.glob("*.json"))


def load_case(name: str) -> GoldenCase:
    """Read the manifest and expected records of one golden file."""
    manifest = json.loads((GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))
    lines = (GOLDEN_DIR / f"{name}.expected.jsonl").read_text(encoding="utf-8").splitlines()
    return GoldenCase(
        name=name,
        manifest=manifest,
        data_path=GOLDEN_DIR / f"{name}.dat",
        copybook_path=REPO / manifest["copybook"],
        expected=[json.loads(line) for line in lines],
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "golden" in metafunc.fixturenames:
        names = golden_names()
        metafunc.parametrize("golden", [load_case(n) for n in names], ids=names)
