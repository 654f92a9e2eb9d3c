"""Decode + re-encode + compare (``verify``) throughput, in memory and through Parquet."""

from __future__ import annotations

import pytest

import legacyio
from benchmarks import workloads as wl


@pytest.mark.parametrize("name", ["master", "txn", "wide"])
def test_verify(measure, workloads_by_name, name: str) -> None:
    """verify() streams decode and encode and hashes both sides; it must find no mismatch."""
    w = workloads_by_name[name]
    res = measure(lambda: legacyio.verify(w.path, w.copybook, **w.options), w.nbytes, w.records)
    assert res.ok and res.records == w.records


def test_verify_via_parquet(measure, master: wl.Workload) -> None:
    """verify(via="parquet"): decode to a Parquet temp file, read it back, encode, compare."""
    res = measure(
        lambda: legacyio.verify(master.path, master.copybook, via="parquet", **master.options),
        master.nbytes,
        master.records,
    )
    assert res.ok
