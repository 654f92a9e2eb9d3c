"""The nested OCCURS DEPENDING ON walk in Rust (``odo_chain`` for ODO framing, ``odo_expand``
for the maximum layout) against the NumPy walk: on random, mostly damaged files of several
nested layouts (counts of one and two bytes, a fixed OCCURS inside an ODO table, a count
inside a table for a later table, SYNC slack), both engines give identical tables (values,
nulls, residue), reports and errors, under ODO and RDW framing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import legacyio
from legacyio.codecs import native
from legacyio.framing.base import RecordBlock
from legacyio.options import FileFormat
from legacyio.plan.core import Plan

pytestmark = pytest.mark.skipif(not native.available(), reason="legacyio._native is not built")

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
MIXED = """\
       01 REC.
          05 K           PIC X(2).
          05 N           PIC S9(4) COMP.
          05 G OCCURS 1 TO 4 TIMES DEPENDING ON N.
             10 FX OCCURS 2 TIMES.
                15 FA    PIC X.
                15 FB    PIC 9.
             10 M        PIC 9.
             10 Q        PIC 9.
             10 H OCCURS 0 TO 2 TIMES DEPENDING ON M.
                15 HH    PIC X(2).
                15 HI OCCURS 0 TO 3 TIMES DEPENDING ON Q PIC X.
          05 S           PIC X.
          05 B           PIC S9(4) COMP SYNC.
          05 TAIL        PIC X(3).
"""
LAYOUTS = {"nested": NESTED, "mixed": MIXED}
COUNT_BYTES = np.array([0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF9, 0x00, 0x01, 0x02, 0x40], np.uint8)


def _file(seed: int, size: int) -> bytes:
    rng = np.random.default_rng(seed)
    buf = rng.integers(0, 256, size, dtype=np.uint8)
    counts = rng.random(size) < 0.8
    buf[counts] = rng.choice(COUNT_BYTES, int(counts.sum()))
    return buf.tobytes()


def _read(data: bytes, text: str, fmt: str, engine: str) -> tuple:
    report = legacyio.DecodeReport()
    try:
        table = legacyio.read_table(
            data,
            legacyio.load_copybook(text),
            record_format=fmt,
            batch_size=5,
            report=report,
            engine=engine,
        )
    except legacyio.LegacyioError as e:
        return ("error", type(e).__name__, str(e))
    return (table, report)


def _same(data: bytes, text: str, fmt: str) -> None:
    got = _read(data, text, fmt, "native")
    want = _read(data, text, fmt, "numpy")
    if got[0] == "error" or want[0] == "error":
        assert got == want
        return
    assert got[0].equals(want[0])
    assert got[1] == want[1]


@pytest.mark.parametrize("name", sorted(LAYOUTS))
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(0, 300))
def test_odo_framing_native_reads_what_numpy_reads(name: str, seed: int, size: int) -> None:
    _same(_file(seed, size), LAYOUTS[name], "ODO")


@pytest.mark.parametrize("name", sorted(LAYOUTS))
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), records=st.integers(1, 10))
def test_rdw_records_of_any_length_native_reads_what_numpy_reads(
    name: str, seed: int, records: int
) -> None:
    """RDW payloads shorter and longer than their counts say (truncated tables, bytes past
    the layout) reach ``odo_expand`` as they are."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(records):
        length = int(rng.integers(1, 80))
        payload = _file(int(rng.integers(0, 2**32)), length)
        out.append((length + 4).to_bytes(2, "big") + b"\0\0" + payload)
    _same(b"".join(out), LAYOUTS[name], "V")


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_kernels_match_the_python_walk(name: str) -> None:
    """The kernels themselves: chain lengths and the expanded matrix with its available bytes
    are those of the compiled Python walk and ``NestedWalker.expand`` under NumPy."""
    plan = Plan(legacyio.load_copybook(LAYOUTS[name]), FileFormat(record_format="ODO"))
    walker = plan.nested
    assert walker is not None
    prog = walker.native_program()
    assert prog is not None
    window = np.frombuffer(_file(3, 5000), np.uint8)
    pl = plan.length_prefix()
    got = native.odo_chain(prog, window, pl, len(window) - pl, 10**6)
    with native.engine_scope("numpy"):
        want = walker.chain(window, 10**6, pl)
    assert got is not None and want is not None
    assert got.tolist() == want.tolist()
    rng = np.random.default_rng(4)
    mat = rng.choice(COUNT_BYTES, (400, plan.width + 5)).astype(np.uint8)
    lengths = rng.integers(0, plan.width + 6, 400)
    res = native.odo_expand(prog, mat, lengths, plan.width, plan.pad)
    with native.engine_scope("numpy"):
        ref = walker.expand(mat, lengths, plan.width, plan.pad)
    assert res is not None
    assert np.array_equal(res[0], ref[0])
    assert np.array_equal(res[1], ref[1])
    assert (ref[1] < plan.width).any() and (ref[1] > plan.width).any()  # both cases seen


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_expand_from_the_buffer_is_expand_of_the_padded_matrix(name: str) -> None:
    """``odo_expand_frames`` reads records where the framer found them, including records
    overlapping each other and one running past the end of the buffer: the same as
    ``expand`` of the framer's padded matrix."""
    plan = Plan(legacyio.load_copybook(LAYOUTS[name]), FileFormat(record_format="V"))
    walker = plan.nested
    assert walker is not None
    prog = walker.native_program()
    assert prog is not None
    buf = np.frombuffer(_file(9, 3000), np.uint8)
    rng = np.random.default_rng(10)
    starts = np.sort(rng.integers(0, len(buf), 300))
    lengths = rng.integers(0, plan.width + 8, 300)
    block = RecordBlock(buf, 0, starts, lengths, starts, lengths, None, 0)
    assert int((starts + lengths).max()) > len(buf)
    res = native.odo_expand_frames(prog, buf, starts, lengths, plan.width, plan.pad)
    with native.engine_scope("numpy"):
        ref = walker.expand(block.matrix(plan.width, plan.pad), lengths, plan.width, plan.pad)
    assert res is not None
    assert np.array_equal(res[0], ref[0])
    assert np.array_equal(res[1], ref[1])


def test_malformed_program_is_refused() -> None:
    """The kernel checks its program before walking: a table body running past the end is a
    ValueError, never a read out of bounds."""
    ops = np.array([2, -1, 3, 0, 0, 4, 10, 0, 0, 4], dtype=np.int64)
    with pytest.raises(ValueError, match="malformed ODO program"):
        native.odo_chain((ops, np.zeros(1, np.int64), 0), np.zeros(10, np.uint8), 4, 6, 10)
