"""Fixtures for the CLI tests: tiny copybooks and EBCDIC data built by hand with Python's
cp037 codec (not with legacyio), and helpers to run the CLI in-process and as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from legacyio.cli.main import cli

SIMPLE_CPY = """\
       01 MASTER.
          05 TIN        PIC 9(9).
          05 NAME       PIC X(12).
          05 BAL        PIC S9(7)V99 COMP-3.
          05 CNT        PIC S9(4) COMP.
          05 AMT        PIC S9(5)V99.
          05 ADDR.
             10 CITY    PIC X(6).
             10 ZIP     PIC 9(5).
          05 CODES      PIC 99 OCCURS 3 TIMES.
          05 FILLER     PIC X(2).
"""
SIMPLE_LEN = 9 + 12 + 5 + 2 + 7 + 6 + 5 + 6 + 2  # 54

SEG_CPY = """\
       01 BIZ.
          05 BIZ-ID     PIC 9(6).
          05 SEG-TYPE   PIC X.
          05 ENTITY-SEG.
             10 ENT-NAME  PIC X(8).
             10 ENT-KIND  PIC 99.
          05 FILING-SEG REDEFINES ENTITY-SEG.
             10 TAX-YEAR  PIC 9(4).
             10 DUE       PIC S9(5)V99 COMP-3.
             10 FILLER    PIC X(2).
"""
SEG_LEN = 6 + 1 + 10


def zoned(value: int, digits: int, signed: bool) -> bytes:
    """IBM zoned decimal: F zones, sign C/D in the last zone when signed."""
    text = str(abs(value)).rjust(digits, "0").encode("cp037")
    if not signed:
        return text
    last = text[-1] & 0x0F | (0xD0 if value < 0 else 0xC0)
    return text[:-1] + bytes([last])


def packed(value: int, digits: int) -> bytes:
    """IBM packed decimal (COMP-3) with sign nibble C/D."""
    size = digits // 2 + 1
    nibbles = str(abs(value)).rjust(size * 2 - 1, "0")
    nibbles += "D" if value < 0 else "C"
    return bytes.fromhex(nibbles)


def text(value: str, length: int) -> bytes:
    return value.ljust(length).encode("cp037")


def simple_rows(n: int) -> list[dict]:
    """The values of the SIMPLE records, as legacyio should decode them."""
    rows = []
    for i in range(n):
        rows.append(
            {
                "TIN": 100000000 + i,
                "NAME": ["ALICE", "BOB", "Ñandú é", ""][i % 4] + ("" if i % 4 == 3 else str(i)),
                "BAL": Decimal(i * 12345 - 500000) / 100,
                "CNT": (i % 50) - 25,
                "AMT": Decimal(-(i * 7) if i % 2 else i * 7) / 100,
                "ADDR": {"CITY": "PARIS", "ZIP": 75000 + i % 100},
                "CODES": [i % 100, (i + 1) % 100, (i + 2) % 100],
            }
        )
    return rows


def simple_record(r: dict) -> bytes:
    rec = (
        zoned(r["TIN"], 9, False)
        + text(r["NAME"], 12)
        + packed(int(r["BAL"] * 100), 9)
        + int(r["CNT"]).to_bytes(2, "big", signed=True)
        + zoned(int(r["AMT"] * 100), 7, True)
        + text(r["ADDR"]["CITY"], 6)
        + zoned(r["ADDR"]["ZIP"], 5, False)
        + b"".join(zoned(c, 2, False) for c in r["CODES"])
        + b"\x40\x40"
    )
    assert len(rec) == SIMPLE_LEN
    return rec


def seg_record(i: int) -> bytes:
    if i % 3 == 2:
        body = text("F", 1) + zoned(2000 + i, 4, False) + packed(-i * 101, 7) + b"\x40\x40"
    else:
        body = text("E", 1) + text(f"ENT{i}", 8) + zoned(i % 100, 2, False)
    rec = zoned(i, 6, False) + body
    assert len(rec) == SEG_LEN
    return rec


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A folder holding simple.cpy/simple.dat (40 records) and seg.cpy/seg.dat (30)."""
    (tmp_path / "simple.cpy").write_text(SIMPLE_CPY)
    (tmp_path / "simple.dat").write_bytes(b"".join(simple_record(r) for r in simple_rows(40)))
    (tmp_path / "seg.cpy").write_text(SEG_CPY)
    (tmp_path / "seg.dat").write_bytes(b"".join(seg_record(i) for i in range(30)))
    return tmp_path


@pytest.fixture
def bad_dat(work: Path) -> Path:
    """simple.dat with an invalid packed BAL (bytes FF) in record 3."""
    data = bytearray((work / "simple.dat").read_bytes())
    start = 2 * SIMPLE_LEN + 21
    data[start : start + 5] = b"\xff" * 5
    p = work / "bad.dat"
    p.write_bytes(bytes(data))
    return p


class Run:
    """Invoke the CLI in-process (click's runner) inside a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, *args: str) -> object:
        runner = CliRunner()
        old = os.getcwd()
        os.chdir(self.folder)
        try:
            return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
        finally:
            os.chdir(old)


@pytest.fixture
def run(work: Path) -> Run:
    return Run(work)


def run_process(folder: Path, *args: str, **kw: object) -> subprocess.CompletedProcess:
    """``python -m legacyio ARGS`` as a real subprocess in ``folder``."""
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2] / "src")
    # no empty entry: an empty PYTHONPATH component puts the current folder on sys.path
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    kw.setdefault("text", True)
    return subprocess.run(
        [sys.executable, "-m", "legacyio", *map(str, args)],
        cwd=folder,
        capture_output=True,
        env=env,
        timeout=60,
        **kw,
    )


def leftovers(folder: Path) -> list[str]:
    """Temporary files the atomic sinks could have left behind."""
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
