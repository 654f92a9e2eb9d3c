"""Custom record headers: the ``boundaries(data, final)`` hook (a Python loop with NumPy
scalar reads per record, as ``tests/cobrix/hooks.py:TinyHeaders`` does) against the
vectorized ``frames(data, base_offset, final)`` hook (``VectorHeaders``: the chain followed
over a ``bytes`` copy, lengths and flags read with NumPy), framing the same bytes in the same
run. Records/s count framed records; MB/s the input.

Run: ``BENCH_RECORDS=200000 python -m pytest benchmarks/bench_header_hooks.py --benchmark-only
-p no:cacheprovider``.
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.cobrix.hooks import TinyHeaders, VectorHeaders

from benchmarks import workloads as wl
from legacyio.framing import framer_for
from legacyio.options import FileFormat
from legacyio.sources import open_source

WIDTH = 190
BATCH = 32_768


def _file(n: int) -> bytes:
    """``n`` records with a 3-byte header (X'AA', big-endian payload length) and payloads of
    20 to 190 bytes; 1 in 50 marked invalid."""
    rng = np.random.default_rng(11)
    lens = rng.integers(20, WIDTH + 1, n)
    frames = lens + 3
    buf = rng.integers(0x40, 0xFA, int(frames.sum()), dtype=np.uint8)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(frames[:-1], out=starts[1:])
    buf[starts] = np.where(np.arange(n) % 50 == 0, 0x00, 0xAA)
    buf[starts + 1] = lens >> 8
    buf[starts + 2] = lens & 0xFF
    return buf.tobytes()


@pytest.fixture(scope="module")
def data() -> tuple[bytes, int]:
    n = max(1000, wl.bench_records() // 5)
    return _file(n), n


def _frame(data: bytes, hook: object) -> int:
    framer = framer_for(FileFormat(record_header_parser=hook), record_length=WIDTH)
    n = 0
    with open_source(data) as stream:
        for block in framer.blocks(stream, BATCH):
            n += len(block)
    return n


@pytest.mark.parametrize("form", ["boundaries", "frames"])
def test_header_hook(measure, data, form):
    raw, n = data
    hook = TinyHeaders() if form == "boundaries" else VectorHeaders()
    valid = n - len(range(0, n, 50))
    assert _frame(raw, hook) == valid  # same records either way (the unit tests compare them)
    measure(lambda: _frame(raw, hook), len(raw), n, note=f"{form} hook")
