"""Arrow IPC, both ways: the file format (``arrow`` / ``feather``, Feather v2) and the stream
format (``arrows``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from legacyio.errors import OptionsError

__all__ = ["IPC_FORMATS", "IpcOutput", "read_batches", "read_schema"]

IPC_FORMATS = ("arrow", "feather", "arrows")


class IpcOutput:
    """Writes batches to an Arrow IPC file (``arrow``/``feather``) or stream (``arrows``)."""

    def __init__(
        self,
        file: Any,
        schema: pa.Schema,
        *,
        format: str = "arrow",
        compression: str | None = None,
        compression_level: int | None = None,
        **_: Any,
    ) -> None:
        comp: Any = None if compression in (None, "none") else compression
        if comp not in (None, "lz4", "zstd"):
            raise OptionsError(f"Arrow IPC compression must be lz4 or zstd, not {comp!r}")
        if comp is not None and compression_level is not None:
            comp = pa.Codec(comp, compression_level=compression_level)
        opts = pa.ipc.IpcWriteOptions(compression=comp)
        sink = pa.PythonFile(file, mode="w")
        self._schema = schema
        self._writer = (pa.ipc.new_stream if format == "arrows" else pa.ipc.new_file)(
            sink, schema, options=opts
        )

    def write_batch(self, batch: pa.RecordBatch) -> None:
        self._writer.write_batch(batch)

    can_add_metadata = True
    """Metadata known only at the end rides on a last, empty batch (its custom metadata)."""

    def add_metadata(self, md: dict[bytes, bytes]) -> None:
        """Key-value metadata on an empty last batch (``read_schema`` merges it back)."""
        empty = pa.RecordBatch.from_pylist([], schema=self._schema)
        self._writer.write_batch(empty, custom_metadata=md)

    def close(self) -> None:
        self._writer.close()

    def abort(self) -> None:
        self._writer.close()


def read_schema(path: str, fmt: str) -> pa.Schema:
    """The schema (with its metadata) of an Arrow IPC file or stream; the custom metadata of
    leading empty batches (``IpcOutput.add_metadata`` of a table without rows) is merged in."""
    extra: dict[bytes, bytes] = {}
    if fmt == "arrows":
        with pa.input_stream(path) as src:
            reader = pa.ipc.open_stream(src)
            schema = reader.schema
            while True:
                try:
                    batch, md = reader.read_next_batch_with_custom_metadata()
                except StopIteration:
                    break
                extra.update(dict(md or {}))
                if batch.num_rows:
                    break
    else:
        with pa.memory_map(path) as src:
            r = pa.ipc.open_file(src)
            schema = r.schema
            for i in range(r.num_record_batches):
                batch, md = r.get_batch_with_custom_metadata(i)
                extra.update(dict(md or {}))
                if batch.num_rows:
                    break
    if extra:
        schema = schema.with_metadata({**(schema.metadata or {}), **extra})
    return schema


def read_batches(path: str, fmt: str) -> Iterator[pa.RecordBatch]:
    """The record batches of an Arrow IPC file or stream, memory-mapped."""
    with pa.memory_map(path) as src:
        if fmt == "arrows":
            yield from pa.ipc.open_stream(src)
        else:
            r = pa.ipc.open_file(src)
            for i in range(r.num_record_batches):
                yield r.get_batch(i)
