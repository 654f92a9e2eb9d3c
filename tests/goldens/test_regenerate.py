"""Recompile the GnuCOBOL golden programs and check the committed goldens byte for byte."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .gc_goldens import GOLDEN_DIR, NAMES, SCRIPT

pytestmark = pytest.mark.gnucobol


NO_COBC = (
    "cobc (GnuCOBOL) is not installed: the golden files cannot be checked; "
    "install GnuCOBOL 3.1 (Debian/Ubuntu package gnucobol3)"
)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """Run regenerate_gnucobol.sh into a fresh directory; None when cobc is missing."""
    if shutil.which("cobc") is None:
        return None
    out = tmp_path_factory.mktemp("gnucobol_goldens")
    env = dict(os.environ, PYTHON=sys.executable)
    proc = subprocess.run(
        ["bash", str(SCRIPT), str(out)], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, f"regenerate_gnucobol.sh failed:\n{proc.stderr}"
    return out


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("suffix", [".dat", ".expected.jsonl"])
def test_reproduced_byte_for_byte(regenerated: Path | None, name: str, suffix: str) -> None:
    if regenerated is None:
        pytest.fail(NO_COBC)
    committed = GOLDEN_DIR / f"{name}{suffix}"
    fresh = regenerated / f"{name}{suffix}"
    assert committed.exists(), f"{committed.name} is not committed"
    assert fresh.exists(), f"regenerate_gnucobol.sh did not write {fresh.name}"
    assert fresh.read_bytes() == committed.read_bytes(), (
        f"{committed.name} differs from what the COBOL program writes now"
    )


def test_writes_nothing_else(regenerated: Path | None) -> None:
    if regenerated is None:
        pytest.fail(NO_COBC)
    written = sorted(p.name for p in regenerated.iterdir())
    assert written == sorted(f"{n}{s}" for n in NAMES for s in (".dat", ".expected.jsonl"))
