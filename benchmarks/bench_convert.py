"""End-to-end convert to Parquet: stream batches from open_reader into a ParquetWriter (and
through ``legacyio.tables.files.write_batches``, the path ``legacyio convert`` takes, if present)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

import legacyio


@pytest.mark.parametrize("name", ["master", "txn", "wide"])
def test_convert_parquet(measure, workloads_by_name, name: str, tmp_path: Path) -> None:
    """open_reader + pyarrow.parquet.ParquetWriter (default compression, snappy)."""
    w = workloads_by_name[name]
    out = tmp_path / f"{name}.parquet"

    def run() -> None:
        reader = legacyio.open_reader(w.path, w.copybook, **w.options)
        with pq.ParquetWriter(out, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)

    measure(run, w.nbytes, w.records)
    assert pq.ParquetFile(out).metadata.num_rows == w.records


def test_convert_parquet_cli_path(measure, master, tmp_path: Path) -> None:
    """The CLI's writer (atomic OutputWriter) on the master file."""
    outputs = pytest.importorskip("legacyio.tables.files")
    out = tmp_path / "master.parquet"

    def run() -> int:
        reader = legacyio.open_reader(master.path, master.copybook, **master.options)
        return outputs.write_batches(reader, out, reader.schema, overwrite=True)

    assert measure(run, master.nbytes, master.records) == master.records
