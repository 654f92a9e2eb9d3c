"""Recompile the golden COBOL programs and check every committed golden file is reproduced
byte for byte (data files and expected JSON Lines). Fails, never skips, without cobc."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import GOLDEN_DIR, golden_names

pytestmark = pytest.mark.gnucobol


# written by golden_files/regenerate_gnucobol.sh and checked by tests/goldens/
_OTHER_SCRIPT = {"tax_master", "tax_master_ascii", "txn_modules", "biz_master"}


def _committed() -> dict[str, bytes]:
    names = [n for n in golden_names() if n not in _OTHER_SCRIPT]
    files = [f"{n}.dat" for n in names] + [f"{n}.expected.jsonl" for n in names]
    return {f: (GOLDEN_DIR / f).read_bytes() for f in files}


def test_manifests_have_their_files() -> None:
    names = golden_names()
    assert len(names) >= 5
    dats = sorted(p.stem for p in GOLDEN_DIR.glob("*.dat"))
    assert dats == names, "every .dat needs a manifest and every manifest a .dat"
    for n in names:
        assert (GOLDEN_DIR / f"{n}.expected.jsonl").is_file(), n


def test_regenerate_reproduces_goldens(tmp_path: Path) -> None:
    if shutil.which("cobc") is None:
        pytest.fail(
            "cobc (GnuCOBOL 3.1.2) is not installed: install the Debian package "
            "gnucobol3 to check that the golden files are reproduced"
        )
    out = tmp_path / "out"
    proc = subprocess.run(
        ["bash", str(GOLDEN_DIR / "regenerate.sh"), str(out)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, f"regenerate.sh failed:\n{proc.stdout}\n{proc.stderr}"
    committed = _committed()
    produced = {p.name for p in out.iterdir()}
    assert produced == set(committed), "regenerate.sh writes a different set of files"
    for name, data in committed.items():
        new = (out / name).read_bytes()
        assert new == data, f"{name} is not reproduced byte for byte"
