"""The files ``legacyio convert`` writes and ``legacyio encode`` reads: format names and
extensions, the streaming output writer (an atomic sink, dispatching to the format's module:
``parquet``, ``ipc``, ``csv``, ``jsonl``) and the encode input (inspected, then conformed to
the copybook's schema by ``conform``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import pyarrow as pa

from legacyio.errors import OptionsError
from legacyio.layout.model import Layout
from legacyio.options import FileFormat
from legacyio.plan.flatten import flatten_table
from legacyio.plan.nodes import (
    META_COPYBOOK,
    META_FORMAT,
    META_ORPHAN,
    META_READ,
    RESIDUE_COLUMN,
)
from legacyio.sources import AtomicSink, open_sink
from legacyio.tables import csv as csv_format
from legacyio.tables import ipc, jsonl, parquet
from legacyio.tables.conform import Conformer, target_schema
from legacyio.tables.jsonl import DecimalStyle

__all__ = [
    "FORMATS",
    "InputInfo",
    "OutputWriter",
    "format_for_path",
    "inspect_input",
    "open_input",
    "open_output",
    "target_schema",
    "write_batches",
]

FORMATS = ("parquet", "arrow", "feather", "arrows", "csv", "jsonl")
"""Output/input formats by name: ``arrow``/``feather`` are the Arrow IPC file format (Feather
v2), ``arrows`` the Arrow IPC stream format."""

_EXTENSIONS = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".parq": "parquet",
    ".arrow": "arrow",
    ".feather": "feather",
    ".ipc": "arrow",
    ".arrows": "arrows",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
_COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz")


def format_for_path(path: str | os.PathLike[str], override: str | None = None) -> str:
    """The format name for a file: ``override`` if given, else from the extension (a trailing
    ``.gz``/``.bz2``/``.xz`` is looked through); OptionsError when it cannot be told."""
    if override:
        name = override.lower()
        if name not in FORMATS:
            raise OptionsError(f"unknown format {override!r} (choose from {', '.join(FORMATS)})")
        return name
    base = os.fspath(path).lower()
    for suffix in _COMPRESSION_SUFFIXES:
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    ext = os.path.splitext(base)[1]
    if ext not in _EXTENSIONS:
        known = ", ".join(sorted(_EXTENSIONS))
        raise OptionsError(
            f"{os.fspath(path)}: unknown extension {ext or '(none)'!r} (known: {known}, "
            f"also with .gz/.bz2/.xz); or give the format with --to/--from "
            f"({', '.join(FORMATS)})"
        )
    return _EXTENSIONS[ext]


# ---- inputs ----------------------------------------------------------------------------


class InputInfo:
    """What an input file says about itself before it is read: format, schema (Parquet /
    Arrow only), and the copybook / file format / read options a legacyio table carries."""

    def __init__(self, path: str, fmt: str, schema: pa.Schema | None) -> None:
        self.path = path
        self.format = fmt
        self.schema = schema
        md = (schema.metadata or {}) if schema is not None else {}
        self.copybook: str | None = md[META_COPYBOOK].decode() if META_COPYBOOK in md else None
        self.file_format: dict[str, Any] | None = None
        if META_FORMAT in md:
            raw = json.loads(md[META_FORMAT].decode())
            raw["segments"] = tuple(tuple(p) for p in raw.get("segments", ()))
            self.file_format = raw
        self.read: dict[str, Any] = json.loads(md[META_READ].decode()) if META_READ in md else {}


def inspect_input(path: str | os.PathLike[str], format: str | None = None) -> InputInfo:
    """Format and, for Parquet / Arrow files, the schema with its legacyio metadata."""
    p = os.fspath(path)
    fmt = format_for_path(p, format)
    schema = None
    if fmt == "parquet":
        schema = parquet.read_schema(p)
    elif fmt in ipc.IPC_FORMATS:
        schema = ipc.read_schema(p, fmt)
    return InputInfo(p, fmt, schema)


def open_input(
    path: str | os.PathLike[str],
    layout: Layout,
    fmt: FileFormat,
    *,
    format: str | None = None,
    names: str | None = None,
    fillers: bool | None = None,
    batch_size: int = 65536,
    allow_float: bool = False,
) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """Schema and batches of an encode input, conformed to the copybook's schema (float
    columns for decimal/integer fields only with ``allow_float``, and only exact ones).

    ``names``/``fillers`` describe the input's column naming; None takes them from the
    file's legacyio metadata (Parquet / Arrow), else COBOL names in python style.
    """
    info = inspect_input(path, format)
    p = info.path
    names = names or info.read.get("names", "python")
    if fillers is None:
        fillers = bool(info.read.get("fillers", True))
    nested = target_schema(layout, fmt, names=names, fillers=fillers)
    nested = (
        nested.remove(nested.get_field_index(RESIDUE_COLUMN))
        if RESIDUE_COLUMN in nested.names
        else nested
    )
    nested = nested.append(pa.field(RESIDUE_COLUMN, pa.binary()))
    orphan = (info.schema.metadata or {}).get(META_ORPHAN) if info.schema is not None else None
    if orphan:
        nested = nested.with_metadata({**(nested.metadata or {}), META_ORPHAN: orphan})
    flat = flatten_table(nested.empty_table()).schema
    if info.format == "parquet" or info.format in ipc.IPC_FORMATS:
        assert info.schema is not None
        conf = Conformer(p, nested, flat, info.schema.names, allow_float)
        raw = (
            parquet.read_batches(p, batch_size)
            if info.format == "parquet"
            else ipc.read_batches(p, info.format)
        )
        return conf.schema, (conf(b) for b in raw)
    if info.format == "jsonl":
        return jsonl.read_batches(p, nested, flat, batch_size)
    return csv_format.read_batches(p, nested, flat, batch_size)


# ---- outputs ---------------------------------------------------------------------------


class _SinkFile:
    """Minimal file object over an AtomicSink for pyarrow writers (tracks ``tell``)."""

    def __init__(self, sink: AtomicSink) -> None:
        self._sink = sink
        self.pos = 0
        self.closed = False

    def write(self, data: Any) -> int:
        n = self._sink.write(data)
        self.pos += n
        return n

    def tell(self) -> int:
        return self.pos

    def flush(self) -> None:
        self._sink.flush()

    def close(self) -> None:
        self.closed = True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readable(self) -> bool:
        return False


_OUTPUTS: dict[str, Any] = {
    "parquet": parquet.ParquetOutput,
    "arrow": ipc.IpcOutput,
    "feather": ipc.IpcOutput,
    "arrows": ipc.IpcOutput,
    "csv": csv_format.CsvOutput,
    "jsonl": jsonl.JsonlOutput,
}


class OutputWriter:
    """Streams record batches into one output file; ``close()`` commits it atomically and
    ``abort()`` removes every trace of it."""

    def __init__(
        self,
        path: str | os.PathLike[str] | BinaryIO,
        fmt: str,
        schema: pa.Schema,
        *,
        overwrite: bool = False,
        compression: str | None = None,
        compression_level: int | None = None,
        row_group_size: int | None = None,
        decimals: DecimalStyle = "string",
    ) -> None:
        # a path (written atomically) or a binary file object such as stdout (plain writes)
        self.path = (
            str(getattr(path, "name", "<stream>")) if hasattr(path, "write") else (os.fspath(path))
        )
        self.format = fmt
        self.schema = schema
        self.records = 0
        self.extra_metadata: dict[bytes, bytes] = {}
        if fmt not in _OUTPUTS:  # pragma: no cover - format_for_path validates the name
            raise OptionsError(f"unknown output format {fmt!r}")
        self._sink = open_sink(path if hasattr(path, "write") else self.path, overwrite=overwrite)
        self._file = _SinkFile(self._sink)
        self._writer: Any = None
        try:
            self._writer = _OUTPUTS[fmt](
                self._file,
                schema,
                format=fmt,
                compression=compression,
                compression_level=compression_level,
                row_group_size=row_group_size,
                decimals=decimals,
            )
        except BaseException:
            self._sink.abort()
            raise

    def write_batch(self, batch: pa.RecordBatch) -> None:
        """Append one batch."""
        self.records += batch.num_rows
        md = batch.schema.metadata or {}
        if not batch.num_rows and META_ORPHAN in md:
            # the bytes of a file without records (engine/read.py): kept where the format
            # can, refused where it cannot (they would be lost without a word)
            if not getattr(self._writer, "can_add_metadata", False):
                size = len(md[META_ORPHAN]) // 2
                where = (
                    "this pyarrow's Parquet writer"
                    if self.format == "parquet"
                    else (f"a {self.format.upper()} file")
                )
                raise OptionsError(
                    f"{self.path}: the input holds no record that could be decoded, and its "
                    f"{size:,} bytes (header, trailer or undecodable data) cannot be kept in "
                    f"{where}: write .arrow"
                    + (" or .parquet" if self.format != "parquet" else "")
                    + " to keep them, or pass --no-residue to leave them out"
                )
            self.extra_metadata[META_ORPHAN] = md[META_ORPHAN]
            batch = batch.replace_schema_metadata(self.schema.metadata)
        self._writer.write_batch(batch)

    def finish(self) -> None:
        """Write everything (footers included) to the temporary file, not yet renamed: after
        this only ``commit()`` (a rename) or ``abort()`` remain."""
        try:
            if self._writer is not None:
                if self.extra_metadata and getattr(self._writer, "can_add_metadata", False):
                    self._writer.add_metadata(self.extra_metadata)
                self._writer.close()
                self._writer = None
            self._sink.finish()
        except BaseException:
            self.abort()
            raise

    def commit(self) -> None:
        """Rename the finished file onto the target (``finish()`` first if needed)."""
        self.finish()
        try:
            self._sink.commit()
        except BaseException:
            self.abort()
            raise

    def close(self) -> None:
        """Finish the file and rename it onto the target."""
        self.commit()

    def abort(self) -> None:
        """Discard the output: nothing is left at the target path."""
        try:
            if self._writer is not None:
                self._writer.abort()
        except Exception:
            pass
        self._writer = None
        self._sink.abort()

    def __enter__(self) -> OutputWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def open_output(
    path: str | os.PathLike[str] | BinaryIO,
    schema: pa.Schema,
    *,
    format: str | None = None,
    overwrite: bool = False,
    **kw: Any,
) -> OutputWriter:
    """An ``OutputWriter`` for ``path`` in ``format`` (default: from the extension; a file
    object such as stdout needs ``format``)."""
    if hasattr(path, "write"):
        if not format:
            raise OptionsError("writing to a file object needs the output format")
        fmt = format_for_path("", format)
    else:
        fmt = format_for_path(path, format)  # type: ignore[arg-type]
    return OutputWriter(path, fmt, schema, overwrite=overwrite, **kw)


def write_batches(
    batches: Iterable[pa.RecordBatch], path: str | os.PathLike[str], schema: pa.Schema, **kw: Any
) -> int:
    """Write all batches to ``path`` atomically; returns the record count. The next batch
    is produced (decoded) in the background while this one is written."""
    from contextlib import closing

    from legacyio.engine.prefetch import prefetch

    with open_output(path, schema, **kw) as w, closing(prefetch(batches)) as ahead:  # type: ignore[type-var]
        for b in ahead:
            w.write_batch(b)
    return w.records
