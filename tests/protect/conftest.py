"""Shared fixtures of the protection tests: keys, the golden taxpayer file, policy writers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

import legacyio

ROOT = Path(__file__).resolve().parents[2]
TAXPAYER_CPY = ROOT / "copybooks" / "golden" / "taxpayer.cpy"
TAXPAYER_DAT = ROOT / "golden_files" / "taxpayer_ebcdic.dat"

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))

BASE_POLICY = """
version = 1
name = "research"
purpose = "balance statistics"
default = "drop"

[tags]
names = ["TP-LAST-NAME", "TP-FIRST-NAME", "TP-DEP-NAME"]

[[rule]]
field = "TP-TIN"
action = "fpe"
domain = "tin"

[[rule]]
field = "TP-DEP-SSN"
action = "fpe"
domain = "tin"

[[rule]]
tag = "names"
action = "mask"
keep_first = 1

[[rule]]
field = ["TP-STREET", "TP-CITY"]
action = "mask"

[[rule]]
field = "TP-LAST-UPDATE"
action = "generalize"
year = true

[[rule]]
field = ["TP-STATE", "TP-BALANCE-DUE", "TP-TAX-YEAR"]
action = "keep"
"""


@pytest.fixture(scope="session")
def taxpayer() -> pa.Table:
    return legacyio.read_table(TAXPAYER_DAT, TAXPAYER_CPY)


@pytest.fixture(scope="session")
def taxpayer_flat() -> pa.Table:
    return legacyio.read_table(TAXPAYER_DAT, TAXPAYER_CPY, flatten=True)


@pytest.fixture
def write_policy(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str, name: str = "policy.toml") -> Path:
        p = tmp_path / name
        p.write_text(text)
        return p

    return write


@pytest.fixture
def policy_file(write_policy: Callable[[str], Path]) -> Path:
    return write_policy(BASE_POLICY)
