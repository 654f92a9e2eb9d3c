"""The command line does not import pandas (pyarrow's probe cost every command ~0.4 s),
while code that is not legacyio's (a user's hook) can still import it."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "golden_files"


_PROBE = """
import atexit, sys
def _report():
    m = sys.modules.get("pandas")
    print("PANDAS-LOADED" if m is not None else "PANDAS-ABSENT", file=sys.stderr)
atexit.register(_report)
sys.argv = ["legacyio", *sys.argv[1:]]
from legacyio.cli import main
main()
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, env=env, cwd=REPO
    )


def test_verify_and_convert_do_not_import_pandas(tmp_path: Path) -> None:
    job, data = GOLDEN / "tax_master.json", GOLDEN / "tax_master.dat"
    r = _run("verify", "--job", str(job), str(data), "-q")
    assert r.returncode == 0, r.stderr
    assert "PANDAS-ABSENT" in r.stderr
    r = _run("convert", "--job", str(job), str(data), str(tmp_path / "o.parquet"), "-q")
    assert r.returncode == 0, r.stderr
    assert "PANDAS-ABSENT" in r.stderr


@pytest.mark.skipif(importlib.util.find_spec("pandas") is None, reason="needs pandas installed")
def test_code_outside_legacyio_can_still_import_pandas() -> None:
    code = (
        "import numpy as np, pyarrow as pa\n"
        "from legacyio.cli import nopandas\n"
        "nopandas.install()\n"
        "import pandas\n"  # a user's module (here __main__) imports it
        "print(pandas.__name__)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "pandas", r.stderr
