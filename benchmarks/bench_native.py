"""The native engine against the NumPy engine and a memory copy, in the same run on the same
bytes: decode (``read_table``) and encode (``encode``) of the master file, and a per-kernel
profile of where the decode time goes on each engine.

    BENCH_RECORDS=200000 python -m pytest benchmarks/bench_native.py --benchmark-only \
        -p no:cacheprovider
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pyarrow as pa
import pytest

import legacyio
from benchmarks import workloads as wl
from legacyio.codecs import native

ENGINES = ["numpy", "native"] if native.available() else ["numpy"]


@pytest.fixture(scope="module")
def master_bytes(master: wl.Workload) -> bytes:
    """The master file in memory (both engines and the copy read the same bytes)."""
    return master.path.read_bytes()


@pytest.fixture(scope="module")
def master_table(master: wl.Workload, master_bytes: bytes) -> pa.Table:
    """The decoded master table (round-trip residue kept), for the encode benchmarks."""
    with native.engine_scope("numpy"):
        return legacyio.read_table(master_bytes, master.copybook, **master.options)


def test_memcpy_baseline(measure, master: wl.Workload, master_bytes: bytes) -> None:
    """A copy of the whole file into a fresh buffer: the ceiling of any decoder."""
    src = np.frombuffer(master_bytes, dtype=np.uint8)
    out = measure(lambda: src.copy(), master.nbytes, master.records, note="memcpy")
    assert out.size == master.nbytes


@pytest.mark.parametrize("engine", ENGINES)
def test_decode_master(measure, master: wl.Workload, master_bytes: bytes, engine: str) -> None:
    """read_table of the master file on one engine (residue kept, the default)."""

    def run() -> pa.Table:
        with native.engine_scope(engine):
            return legacyio.read_table(master_bytes, master.copybook, **master.options)

    t = measure(run, master.nbytes, master.records, note=f"engine={engine}")
    assert t.num_rows == master.records


@pytest.mark.parametrize("engine", ENGINES)
def test_encode_master(
    measure, master: wl.Workload, master_bytes: bytes, master_table: pa.Table, engine: str
) -> None:
    """encode of the decoded master table on one engine; the bytes equal the input."""

    def run() -> bytes:
        with native.engine_scope(engine):
            return legacyio.encode(master_table, master.copybook, **master.options)

    out = measure(run, master.nbytes, master.records, note=f"engine={engine}")
    assert out == master_bytes


@contextmanager
def timed_codecs(totals: dict[str, float]) -> Iterator[None]:
    """Accumulate the seconds spent in each codec family's decode (instrumentation only)."""
    from legacyio.codecs.binary import BinaryCodec
    from legacyio.codecs.packed import PackedCodec
    from legacyio.codecs.text import TextCodec
    from legacyio.codecs.zoned import ZonedCodec

    patched = []
    for cls in (TextCodec, ZonedCodec, PackedCodec, BinaryCodec):
        for meth in ("decode", "decode_vouched"):
            orig = cls.__dict__.get(meth)
            if orig is None:
                continue

            def wrapper(self, mat, _orig=orig, _name=cls.__name__):
                t0 = time.perf_counter()
                try:
                    return _orig(self, mat)
                finally:
                    totals[_name] += time.perf_counter() - t0

            setattr(cls, meth, wrapper)
            patched.append((cls, meth, orig))
    try:
        yield
    finally:
        for cls, meth, orig in patched:
            setattr(cls, meth, orig)


@pytest.mark.parametrize("engine", ENGINES)
def test_decode_profile(
    measure, master: wl.Workload, master_bytes: bytes, engine: str, capsys
) -> None:
    """read_table with each codec family's decode timed: where the time goes per engine.
    (Nested calls, e.g. BinaryCodec.decode_vouched -> decode, count once per family.)"""
    totals: dict[str, float] = defaultdict(float)

    def run() -> pa.Table:
        with native.engine_scope(engine), timed_codecs(totals):
            return legacyio.read_table(master_bytes, master.copybook, **master.options)

    start = time.perf_counter()
    t = measure(run, master.nbytes, master.records, note=f"engine={engine} profiled")
    wall = time.perf_counter() - start
    assert t.num_rows == master.records
    parts = ", ".join(f"{k} {v / wall:.0%}" for k, v in sorted(totals.items()))
    with capsys.disabled():
        print(f"\n[profile engine={engine}] share of read_table wall time: {parts}")
