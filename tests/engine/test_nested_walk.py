"""The vectorized nested-ODO walk (all records of a batch in lockstep) and the compiled
record-to-record walk of ODO framing find exactly the places the scalar one-record walk finds,
for arbitrary bytes: lengths, expanded layouts, truncation and chains of records."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import legacyio
from legacyio.options import FileFormat
from legacyio.plan.core import Plan

NESTED = """\
       01 REC.
          05 N           PIC 9.
          05 G OCCURS 0 TO 4 TIMES DEPENDING ON N.
             10 M        PIC 9.
             10 H OCCURS 0 TO 3 TIMES DEPENDING ON M.
                15 F     PIC X(2).
                15 A     PIC S9(3) COMP-3.
             10 FIX OCCURS 2 TIMES PIC X.
             10 T        PIC X(3).
             10 T2 REDEFINES T PIC 9(3).
          05 TAIL        PIC X(2).
"""

# no REDEFINES (expand/compact move bytes through one mask), a 2-byte binary count (looked up
# by byte pairs), a 3-digit count (decoded at every position), a fixed group inside a table
ORDERED = """\
       01 REC.
          05 N           PIC 9.
          05 G OCCURS 0 TO 3 TIMES DEPENDING ON N.
             10 M        PIC S9(4) COMP.
             10 H OCCURS 0 TO 3 TIMES DEPENDING ON M.
                15 F     PIC X(2).
                15 K     PIC 999.
                15 I OCCURS 0 TO 2 TIMES DEPENDING ON K.
                   20 IA PIC X.
                   20 IB PIC S9(3) COMP-3.
             10 FIXG.
                15 FX    PIC X(2).
                15 FY    PIC 9.
             10 T        PIC X(3).
          05 TAIL        PIC X(2).
"""

PLANS = {
    name: Plan(legacyio.load_copybook(text), FileFormat(record_format="ODO"))
    for name, text in (("nested", NESTED), ("ordered", ORDERED))
}
COUNT_BYTES = [0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF9, 0x40, 0xC1, 0x00, 0x01, 0x02, 0xFF]


@st.composite
def batches(draw, name: str) -> tuple[np.ndarray, np.ndarray]:
    plan = PLANS[name]
    n = draw(st.integers(1, 12))
    w = plan.width
    rows = []
    for _ in range(n):
        row = bytearray(draw(st.binary(min_size=w, max_size=w)))
        # count bytes where counts are likely to be read, so the layouts vary
        for at in draw(st.lists(st.integers(0, w - 1), max_size=12)):
            row[at] = draw(st.sampled_from(COUNT_BYTES))
        row[0] = draw(st.sampled_from(COUNT_BYTES))
        rows.append(bytes(row))
    mat = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(n, w).copy()
    lengths = np.array([draw(st.integers(0, w + 3)) for _ in range(n)], dtype=np.int64)
    return mat, lengths


def _check_walk(name: str, batch: tuple[np.ndarray, np.ndarray]) -> None:
    plan = PLANS[name]
    walker = plan.nested
    assert walker is not None
    mat, lengths = batch
    assert np.array_equal(walker.lengths(mat), walker.lengths_scalar(mat))
    got = walker.expand(mat, lengths, plan.width, plan.pad)
    want = walker.expand_scalar(mat, lengths, plan.width, plan.pad)
    assert np.array_equal(got[0], want[0])
    assert np.array_equal(got[1], want[1])
    # compact is the inverse of expand on the records' own counts
    full = walker.lengths(mat)
    expanded, _ = walker.expand(mat, full, plan.width, plan.pad)
    packed, plen = walker.compact(expanded, plan.width)
    assert np.array_equal(plen, full)
    for i in range(len(full)):
        k = int(full[i])
        assert bytes(packed[i, :k]) == bytes(mat[i, :k])


@settings(max_examples=120, deadline=None)
@given(batches("nested"))
def test_vectorized_walk_matches_the_scalar_walk(batch) -> None:
    assert not PLANS["nested"].nested.ordered  # type: ignore[union-attr]
    _check_walk("nested", batch)


@settings(max_examples=120, deadline=None)
@given(batches("ordered"))
def test_vectorized_walk_matches_the_scalar_walk_in_order(batch) -> None:
    assert PLANS["ordered"].nested.ordered  # type: ignore[union-attr]
    _check_walk("ordered", batch)


def _chain_by_scalar_walk(plan: Plan, buf: np.ndarray, limit: int) -> list[int]:
    """The reference: the scalar walk of each record's prefix, record after record."""
    assert plan.nested is not None
    pl = plan.length_prefix()
    out: list[int] = []
    p = 0
    while p + pl <= len(buf) and len(out) < limit:
        length = int(plan.nested.lengths_scalar(buf[p : p + pl][None, :])[0])
        out.append(length)
        if length < 1:
            break
        p += length
    return out


@pytest.mark.parametrize("name", ["nested", "ordered"])
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), records=st.integers(1, 6), limit=st.integers(1, 40))
def test_compiled_chain_matches_the_scalar_walk(
    name: str, seed: int, records: int, limit: int
) -> None:
    plan = PLANS[name]
    pl = plan.length_prefix()
    rng = np.random.default_rng(seed)
    buf = rng.integers(0, 256, pl * records, dtype=np.uint8)
    counts = rng.random(len(buf)) < 0.6
    buf[counts] = rng.choice(np.array(COUNT_BYTES, dtype=np.uint8), int(counts.sum()))
    got = plan.record_chain(buf, limit)
    assert got is not None
    assert got.tolist() == _chain_by_scalar_walk(plan, buf, limit)
