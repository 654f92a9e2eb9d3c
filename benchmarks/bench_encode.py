"""Encode throughput: ``encode`` and ``write_table`` of a decoded table, back to the file's bytes.

MB/s counts the bytes produced (the same as the original input for a decoded table).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

import legacyio
from benchmarks import workloads as wl

NAMES = ["master", "txn", "wide"]


@pytest.fixture(scope="module")
def decoded(workloads_by_name) -> dict[str, pa.Table]:
    """Decoded tables (round-trip residue kept), made once per module."""
    return {
        n: legacyio.read_table(w.path, w.copybook, **w.options)
        for n, w in workloads_by_name.items()
    }


@pytest.mark.parametrize("name", NAMES)
def test_encode(measure, workloads_by_name, decoded, name: str) -> None:
    """encode(table) to bytes in memory; the result must equal the input file."""
    w = workloads_by_name[name]
    out = measure(
        lambda: legacyio.encode(decoded[name], w.copybook, **w.options), w.nbytes, w.records
    )
    assert out == w.path.read_bytes()


def test_encode_analytics(measure, master: wl.Workload) -> None:
    """encode of a residue=False table (clean data: still byte for byte for this file)."""
    table = legacyio.read_table(master.path, master.copybook, residue=False, **master.options)
    out = measure(
        lambda: legacyio.encode(table, master.copybook, **master.options),
        master.nbytes,
        master.records,
    )
    assert len(out) == master.nbytes


def test_write_table(measure, master: wl.Workload, decoded, tmp_path: Path) -> None:
    """write_table of the decoded master table to a file (atomic temp file + rename)."""
    sink = tmp_path / "master.dat"
    stats = measure(
        lambda: legacyio.write_table(decoded["master"], sink, master.copybook, **master.options),
        master.nbytes,
        master.records,
    )
    assert stats.records == master.records and sink.stat().st_size == master.nbytes
