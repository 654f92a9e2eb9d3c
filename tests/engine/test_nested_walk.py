"""The vectorized nested-ODO walk (all records of a batch in lockstep) finds exactly the places
the scalar one-record walk finds, for arbitrary bytes: lengths, expanded layouts and truncation."""

from __future__ import annotations

import numpy as np
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

PLAN = Plan(legacyio.load_copybook(NESTED), FileFormat(record_format="ODO"))
WALKER = PLAN.nested
DIGITS = st.sampled_from([0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF9, 0x40, 0xC1, 0x00])


@st.composite
def batches(draw) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 12))
    w = PLAN.width
    rows = []
    for _ in range(n):
        row = bytearray(draw(st.binary(min_size=w, max_size=w)))
        # count bytes where counts are likely to be read, so the layouts vary
        for at in draw(st.lists(st.integers(0, w - 1), max_size=8)):
            row[at] = draw(DIGITS)
        row[0] = draw(DIGITS)
        rows.append(bytes(row))
    mat = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(n, w).copy()
    lengths = np.array([draw(st.integers(0, w)) for _ in range(n)], dtype=np.int64)
    return mat, lengths


@settings(max_examples=120, deadline=None)
@given(batches())
def test_vectorized_walk_matches_the_scalar_walk(batch) -> None:
    assert WALKER is not None
    mat, lengths = batch
    assert np.array_equal(WALKER.lengths(mat), WALKER.lengths_scalar(mat))
    got = WALKER.expand(mat, lengths, PLAN.width, PLAN.pad)
    want = WALKER.expand_scalar(mat, lengths, PLAN.width, PLAN.pad)
    assert np.array_equal(got[0], want[0])
    assert np.array_equal(got[1], want[1])
    # compact is the inverse of expand on the records' own counts
    full = WALKER.lengths(mat)
    expanded, _ = WALKER.expand(mat, full, PLAN.width, PLAN.pad)
    packed, plen = WALKER.compact(expanded, PLAN.width)
    assert np.array_equal(plen, full)
    for i in range(len(full)):
        k = int(full[i])
        assert bytes(packed[i, :k]) == bytes(mat[i, :k])
