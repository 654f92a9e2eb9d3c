"""Recompile the golden COBOL programs and check every committed golden file is reproduced
byte for byte (data files and expected JSON Lines). Fails, never skips, without cobc."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import GOLDEN_DIR, REPO, golden_names

pytestmark = pytest.mark.gnucobol

SCRIPT = GOLDEN_DIR / "regenerate.py"
NO_COBC = (
    "cobc (GnuCOBOL 3.1.2) is not installed: install the Debian package gnucobol3 to check "
    "that the golden files are reproduced"
)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run regenerate.py once into a fresh directory."""
    if shutil.which("cobc") is None:
        pytest.fail(NO_COBC)
    out = tmp_path_factory.mktemp("goldens")
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), str(out)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, f"regenerate.py failed:\n{proc.stdout}\n{proc.stderr}"
    return out


def test_manifests_have_their_files() -> None:
    names = golden_names()
    assert len(names) >= 9
    dats = sorted(p.stem for p in GOLDEN_DIR.glob("*.dat"))
    assert dats == names, "every .dat needs a manifest and every manifest a .dat"
    for name in names:
        assert (GOLDEN_DIR / f"{name}.expected.jsonl").is_file(), name


@pytest.mark.parametrize("name", golden_names())
def test_manifest_names_its_program(name: str) -> None:
    """regenerate.py needs no per-golden code: the manifest says how the golden is made."""
    info = json.loads((GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))
    recipe = info["expected"]
    assert (REPO / recipe["program"]).is_file()
    assert (REPO / recipe["program"]).parent == GOLDEN_DIR / "cobol"
    assert (REPO / info["copybook"]).parent == REPO / "copybooks" / "golden"
    assert all(isinstance(flag, str) for flag in recipe["cobc"])


@pytest.mark.parametrize("name", golden_names())
@pytest.mark.parametrize("suffix", [".dat", ".expected.jsonl"])
def test_reproduced_byte_for_byte(regenerated: Path, name: str, suffix: str) -> None:
    committed = GOLDEN_DIR / f"{name}{suffix}"
    fresh = regenerated / f"{name}{suffix}"
    assert fresh.exists(), f"regenerate.py did not write {fresh.name}"
    assert fresh.read_bytes() == committed.read_bytes(), (
        f"{committed.name} differs from what the COBOL program writes now"
    )


def test_writes_nothing_else(regenerated: Path) -> None:
    written = sorted(p.name for p in regenerated.iterdir())
    assert written == sorted(f"{n}{s}" for n in golden_names() for s in (".dat", ".expected.jsonl"))


def test_every_program_is_used() -> None:
    """No orphan COBOL program or copybook in the golden folders."""
    used = set()
    copybooks = set()
    for name in golden_names():
        info = json.loads((GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))
        used.add(REPO / info["expected"]["program"])
        copybooks.add(REPO / info["copybook"])
    assert set((GOLDEN_DIR / "cobol").glob("*.cbl")) == used
    assert set((REPO / "copybooks" / "golden").glob("*.cpy")) == copybooks
