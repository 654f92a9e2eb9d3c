"""Length-field records (a copybook field holds each record's length): split by guess then
check like V and ODO files, read back exactly as read_table, written back byte for byte."""

from __future__ import annotations

import itertools
import random

import pytest

import legacyio
from legacyio.scale import RECORD_COLUMN, plan_splits, read_split, read_splits
from legacyio.scale.parts import record_runs, write_part, write_parts

LF_CPY = """\
       01 LF-REC.
          05 LF-LEN      PIC 9(4) COMP.
          05 LF-ID       PIC 9(6).
          05 LF-CNT      PIC 9(2).
          05 LF-ITEM     OCCURS 0 TO 20 TIMES DEPENDING ON LF-CNT.
             10 LF-CODE  PIC X(3).
             10 LF-AMT   PIC S9(5) COMP-3.
"""
KW = {"length_field": "LF-LEN", "variable_occurs": True}


def _zoned(n: int, width: int) -> bytes:
    return bytes(0xF0 + int(c) for c in str(n).rjust(width, "0"))


def lf_file(n: int, seed: int, adjustment: int = 0) -> bytes:
    """Records of 10 + 6 * count bytes whose first halfword is the length (minus
    ``adjustment``); items planted with byte pairs that read as plausible lengths."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        cnt = rng.choice([0, 1, 4, 20, 20])
        items = b""
        for _ in range(cnt):
            fake = rng.choice([16, 22, 130, 64]).to_bytes(2, "big")
            items += fake + b"\xc1" + b"\x00\x12\x3c"
        body = _zoned(i + 1, 6) + _zoned(cnt, 2) + items
        out.append((len(body) + 2 - adjustment).to_bytes(2, "big") + body)
    return b"".join(out)


@pytest.mark.parametrize("adjustment", [0, 2])
@pytest.mark.parametrize("split_size", [301, 2048, 1 << 30])
def test_length_field_splits_match_read_table(tmp_path, adjustment: int, split_size: int) -> None:
    path = tmp_path / "lf.dat"
    path.write_bytes(lf_file(500, seed=adjustment, adjustment=adjustment))
    kw = {**KW, "rdw_adjustment": adjustment}
    whole = legacyio.read_table(path, LF_CPY, **kw)
    assert whole.num_rows == 500
    splits = plan_splits(path, LF_CPY, split_size=split_size, index="ignore", workers=1, **kw)
    if split_size < 1000:
        assert len(splits) > 10
    assert splits[0].start == 0 and splits[-1].end == path.stat().st_size
    assert all(a.end == b.start for a, b in itertools.pairwise(splits))
    assert sum(s.records for s in splits) == 500
    got = read_splits(splits, LF_CPY, **kw)
    assert got.column(RECORD_COLUMN).to_pylist() == list(range(1, 501))
    assert got.drop_columns([RECORD_COLUMN]).equals(whole)


def test_length_field_write_back_is_byte_identical(tmp_path) -> None:
    path = tmp_path / "lf.dat"
    path.write_bytes(lf_file(300, seed=7))
    splits = plan_splits(path, LF_CPY, split_size=500, index="ignore", workers=1, **KW)
    parts = []
    for s in splits:
        for run in record_runs(read_split(s, LF_CPY, **KW).read_all()):
            parts.append(write_part(run, str(tmp_path / "parts"), LF_CPY, **KW))
    out = tmp_path / "out.dat"
    write_parts(parts, out, records=300)
    assert out.read_bytes() == path.read_bytes()
