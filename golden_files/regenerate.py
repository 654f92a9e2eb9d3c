#!/usr/bin/env python3
"""Regenerate the golden files from their manifests with GnuCOBOL.

    python3 golden_files/regenerate.py [OUTPUT_DIR]    (default: golden_files/ itself)

For every manifest ``golden_files/<name>.json`` this compiles the COBOL program named by its
``expected.program`` with the common flags below plus ``expected.cobc``, and ``-I`` the folder
of its ``copybook``; runs it in an empty folder of its own; requires that it wrote exactly
``<name>.dat``; and writes into OUTPUT_DIR that data file and ``<name>.expected.jsonl``, what
the program DISPLAYed, converted by ``tools/display_to_jsonl.py``. Nothing here is specific
to one golden: a new golden is a program, a copybook and a manifest.

Needs ``cobc`` (GnuCOBOL 3.1.2, Debian package gnucobol3). Standalone on purpose: nothing
here imports legacyio, so no expected value comes from the library under test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TOOLS = HERE / "tools"

# Every program: an executable, GnuCOBOL's default dialect, IBM binary sizes (2/4/8 bytes
# for 1-4/5-9/10-18 digits). Sign and byte-order flags are per golden (manifest).
COMMON_FLAGS = ["-x", "-std=default", "-fbinary-size=2-4-8"]

# Runtime settings that change what GnuCOBOL writes: pinned. COB_VARSEQ_FORMAT=0 gives each
# variable-length record a 2-byte big-endian length (not counting the prefix) + 2 zero bytes.
RUNTIME_ENV = {"COB_VARSEQ_FORMAT": "0"}
RUNTIME_UNSET = ("COB_FILE_PATH", "COB_SYNC", "COB_LS_FIXED", "COB_LS_NULLS")


class GoldenError(Exception):
    """A golden could not be regenerated (the message says which and why)."""


def manifests() -> list[Path]:
    """Every golden's manifest, in name order."""
    return sorted(HERE.glob("*.json"))


def _run(
    cmd: list[str], what: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ``cmd`` (no input, 60 s at most); GoldenError naming ``what`` if it fails."""
    try:
        proc = subprocess.run(
            cmd, capture_output=True, cwd=cwd, env=env, stdin=subprocess.DEVNULL, timeout=60
        )
    except subprocess.TimeoutExpired:
        raise GoldenError(f"{what} did not finish in 60 s") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("latin-1", "replace").strip()
        raise GoldenError(f"{what} failed (exit {proc.returncode}): {err}")
    return proc


def build_one(manifest: Path, build: Path, out: Path, env: dict[str, str]) -> str:
    """Compile and run one golden's program; write its two files to ``out``."""
    name = manifest.stem
    info = json.loads(manifest.read_text(encoding="utf-8"))
    recipe = info["expected"]
    program = REPO / recipe["program"]
    copybook_dir = (REPO / info["copybook"]).parent
    exe = build / name
    flags = [*COMMON_FLAGS, *recipe["cobc"], "-I", str(copybook_dir), "-I", str(build)]
    _run(["cobc", *flags, "-o", str(exe), str(program)], f"{name}: cobc {program.name}")

    rundir = build / f"{name}.run"
    rundir.mkdir()
    proc = _run([str(exe)], f"{name}: running {exe.name}", cwd=rundir, env=env)
    written = sorted(p.name for p in rundir.iterdir())
    if written != [f"{name}.dat"]:
        raise GoldenError(f"{name}: {program.name} wrote {written}, not [{name}.dat]")
    display = build / f"{name}.display"
    display.write_bytes(proc.stdout)

    shutil.copyfile(rundir / f"{name}.dat", out / f"{name}.dat")
    expected = out / f"{name}.expected.jsonl"
    _run(
        [sys.executable, str(TOOLS / "display_to_jsonl.py"), str(display), str(expected)],
        f"{name}: display_to_jsonl.py",
    )
    size = (out / f"{name}.dat").stat().st_size
    records = expected.read_bytes().count(b"\n")
    return f"{name}: {size} bytes, {records} records"


def main(argv: list[str]) -> int:
    """regenerate.py [OUTPUT_DIR]"""
    if len(argv) > 2:
        print(f"usage: {main.__doc__}", file=sys.stderr)
        return 2
    if shutil.which("cobc") is None:
        print("regenerate.py: cobc (GnuCOBOL) not found; install gnucobol3", file=sys.stderr)
        return 3
    out = Path(argv[1]) if len(argv) == 2 else HERE
    out.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in RUNTIME_UNSET}
    env.update(RUNTIME_ENV)
    with tempfile.TemporaryDirectory(prefix="legacyio-golden.") as tmp:
        build = Path(tmp)
        tables = build / "cp037tab.cpy"  # Latin-1 -> cp037, COPYed by the EBCDIC programs
        try:
            _run([sys.executable, str(TOOLS / "make_tables.py"), str(tables)], "make_tables.py")
            for manifest in manifests():
                print(build_one(manifest, build, out, env))
        except GoldenError as e:
            print(f"regenerate.py: {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
