"""Costs that must grow linearly (issue 17): nested OCCURS DEPENDING ON (vectorized walk) with a
flat-ODO baseline in the same run, under RDW and ODO framing; and the per-file setup plus first
batch of copybooks with 1,000 / 10,000 / 30,000 fields (records/s here = fields/s of setup)."""

from __future__ import annotations

import os

import numpy as np
import pytest

import legacyio

NESTED = """\
       01 REC.
          05 N           PIC 9.
          05 G OCCURS 0 TO 5 TIMES DEPENDING ON N.
             10 M        PIC 9.
             10 H OCCURS 0 TO 3 TIMES DEPENDING ON M.
                15 F     PIC X(4).
                15 A     PIC S9(5) COMP-3.
             10 T        PIC X(3).
          05 TAIL        PIC X(6).
"""
FLAT = NESTED.replace("OCCURS 0 TO 3 TIMES DEPENDING ON M", "OCCURS 3 TIMES")


def _records(nested: bool, n: int) -> list[bytes]:
    """Records made with NumPy (not legacyio): random counts, fixed contents."""
    rng = np.random.default_rng(17)
    out = []
    for _ in range(n):
        k = int(rng.integers(0, 6))
        rec = bytes([0xF0 + k])
        for _ in range(k):
            m = int(rng.integers(0, 4)) if nested else 3
            rec += bytes([0xF0 + m]) + b"\xc1\xc2\xc3\xc4\x00\x12\x3c" * m + b"\xe7\xe8\xe9"
        out.append(rec + b"\xd7" * 6)
    return out


N_ODO = int(os.environ.get("BENCH_ODO_RECORDS", "50000"))


@pytest.mark.parametrize("framing", ["V", "ODO"])
@pytest.mark.parametrize("shape", ["flat", "nested"])
def test_odo_decode(measure, shape: str, framing: str) -> None:
    recs = _records(shape == "nested", N_ODO)
    if framing == "V":
        data = b"".join((len(r) + 4).to_bytes(2, "big") + b"\0\0" + r for r in recs)
    else:
        data = b"".join(recs)
    cb = legacyio.load_copybook(NESTED if shape == "nested" else FLAT)
    table = measure(
        lambda: legacyio.read_table(data, cb, record_format=framing), len(data), len(recs)
    )
    assert table.num_rows == len(recs)


@pytest.mark.parametrize("fields", [1_000, 10_000, 30_000])
def test_wide_setup_and_first_batch(measure, fields: int) -> None:
    text = "       01 R.\n" + "".join(
        f"          05 F{i} PIC {'X(4)' if i % 2 else 'S9(5) COMP-3'}.\n" for i in range(fields)
    )
    layout = legacyio.load_copybook(text)
    rec = (b"\x00\x12\x3c" + b"\xc1\xc2\xc3\xc4") * (fields // 2)
    data = rec * 3

    def first_batch():
        return next(iter(legacyio.open_reader(data, layout)))

    batch = measure(first_batch, len(data), fields, unit="records/s = fields/s of setup")
    assert batch.num_rows == 3
