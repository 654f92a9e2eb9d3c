"""atheris (libFuzzer) harness for the copybook parser and the reader: not collected by pytest.

    pip install atheris
    python tests/fuzz/atheris_harness.py -max_total_time=300

The first input byte picks the target and the framing; the rest is copybook text (parser) or
record bytes (reader, on a fixed copybook with ODO). The contract is ``harness``'s.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    import legacyio

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.fuzz.harness import load, read_and_roundtrip

CB = legacyio.load_copybook(
    "       01 R.\n          05 N PIC 9.\n          05 T PIC X(3) OCCURS 0 TO 4 DEPENDING ON N.\n"
    "          05 A PIC S9(5) COMP-3.\n          05 B PIC X(4).\n"
)
FORMATS = ["F", "V", "VB", "D", "ODO"]


def one(data: bytes) -> None:
    if not data:
        return
    pick, body = data[0], data[1:]
    if pick % 2:
        load(body.decode("utf-8", "surrogateescape"))
    else:
        read_and_roundtrip(body, CB, record_format=FORMATS[(pick // 2) % len(FORMATS)])


if __name__ == "__main__":
    atheris.Setup(sys.argv, one)
    atheris.Fuzz()
