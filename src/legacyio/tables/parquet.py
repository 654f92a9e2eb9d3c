"""Parquet, both ways: the output writer (optionally re-chunked into row groups of a given
size) and the encode input (its schema with the legacyio metadata, its batches)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

__all__ = ["ParquetOutput", "read_batches", "read_schema"]


class ParquetOutput:
    """Writes batches to a Parquet file object; ``row_group_size`` re-chunks them."""

    def __init__(
        self,
        file: Any,
        schema: pa.Schema,
        *,
        compression: str | None = None,
        compression_level: int | None = None,
        row_group_size: int | None = None,
        **_: Any,
    ) -> None:
        import pyarrow.parquet as pq

        self.schema = schema
        self.row_group_size = row_group_size
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0
        self._writer: Any = pq.ParquetWriter(
            pa.PythonFile(file, mode="w"),
            schema,
            compression=compression or "snappy",
            compression_level=compression_level,
        )

    def write_batch(self, batch: pa.RecordBatch) -> None:
        if self.row_group_size is None:
            if batch.num_rows:
                self._writer.write_batch(batch)
            return
        self._pending.append(batch)
        self._pending_rows += batch.num_rows
        if self._pending_rows >= self.row_group_size:
            self._flush_row_groups(final=False)

    def _flush_row_groups(self, final: bool) -> None:
        table = pa.Table.from_batches(self._pending, schema=self.schema)
        size = self.row_group_size or max(table.num_rows, 1)
        full = table.num_rows if final else (table.num_rows // size) * size
        if full:
            self._writer.write_table(table.slice(0, full), row_group_size=size)
        rest = table.slice(full)
        self._pending = rest.to_batches()
        self._pending_rows = rest.num_rows

    @property
    def can_add_metadata(self) -> bool:
        """Whether footer metadata can be added after the schema (pyarrow 15+)."""
        return hasattr(self._writer, "add_key_value_metadata")

    def add_metadata(self, md: dict[bytes, bytes]) -> None:
        """Key-value metadata written into the footer (``read_schema`` reads it back)."""
        self._writer.add_key_value_metadata(md)

    def close(self) -> None:
        if self._pending:
            self._flush_row_groups(final=True)
        self._writer.close()

    def abort(self) -> None:
        self._writer.close()


def read_schema(path: str) -> pa.Schema:
    """The schema (with its metadata, and legacyio keys added to the footer at the end of a
    write) of a Parquet file, without reading data."""
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    kv = pq.ParquetFile(path).metadata.metadata or {}
    extra = {k: v for k, v in kv.items() if k.startswith(b"legacyio.")}
    if extra:
        schema = schema.with_metadata({**(schema.metadata or {}), **extra})
    return schema


def read_batches(path: str, batch_size: int) -> Iterator[pa.RecordBatch]:
    """The record batches of a Parquet file, streamed."""
    import pyarrow.parquet as pq

    yield from pq.ParquetFile(path).iter_batches(batch_size=batch_size)
