"""Writers for the files ``legacyio convert`` produces: Parquet, Arrow IPC/Feather, CSV and
JSON Lines, each streaming batch by batch into an atomic sink (temporary file + rename).

Decimals are never routed through float: CSV and JSON Lines write the exact decimal text
(JSON as a string by default, or as a bare JSON number token). Binary columns (FILLER bytes,
the round-trip residue) are written as lower-case hex in the text formats, which
``legacyio.tables.inputs`` turns back into bytes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any, BinaryIO, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.errors import OptionsError
from legacyio.sources import AtomicSink, open_sink

__all__ = [
    "FORMATS",
    "OutputWriter",
    "format_for_path",
    "hex_decode",
    "hex_encode",
    "json_lines",
    "open_output",
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

DecimalStyle = Literal["string", "number"]


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


# ---- hex for binary columns --------------------------------------------------------------

_HEX_LUT = np.frombuffer(b"".join(f"{i:02x}".encode() for i in range(256)), dtype=np.uint8).reshape(
    256, 2
)
_NIBBLE = np.full(256, 255, dtype=np.uint8)
for _i, _c in enumerate(b"0123456789abcdef"):
    _NIBBLE[_c] = _i
for _i, _c in enumerate(b"ABCDEF"):
    _NIBBLE[_c] = 10 + _i


def _binary_parts(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(data bytes, int64 offsets starting at 0) of a binary or fixed-size binary array."""
    n = len(arr)
    bufs = arr.buffers()
    if pa.types.is_fixed_size_binary(arr.type):
        w = arr.type.byte_width
        data = (
            np.frombuffer(bufs[1], dtype=np.uint8)
            if bufs[1] is not None and w
            else np.zeros(0, dtype=np.uint8)
        )
        data = data[arr.offset * w : (arr.offset + n) * w]
        return data, np.arange(n + 1, dtype=np.int64) * w
    odt = np.int64 if pa.types.is_large_binary(arr.type) else np.int32
    offsets = np.frombuffer(bufs[1], dtype=odt)[arr.offset : arr.offset + n + 1].astype(np.int64)
    data = (
        np.frombuffer(bufs[2], dtype=np.uint8)
        if bufs[2] is not None
        else np.zeros(0, dtype=np.uint8)
    )
    data = data[offsets[0] : offsets[-1]] if n else data[:0]
    return data, offsets - (offsets[0] if n else 0)


def hex_encode(arr: pa.Array) -> pa.Array:
    """Binary / fixed-size binary -> lower-case hex strings (nulls kept), vectorized."""
    n = len(arr)
    data, offsets = _binary_parts(arr)
    out = _HEX_LUT[data].reshape(-1)
    odt = np.int64 if len(out) >= 2**31 else np.int32
    typ = pa.large_string() if odt is np.int64 else pa.string()
    res = pa.Array.from_buffers(
        typ, n, [None, pa.py_buffer((offsets * 2).astype(odt)), pa.py_buffer(out)]
    )
    if arr.null_count:
        res = pc.if_else(arr.is_valid(), res, pa.scalar(None, typ))
    return res


def hex_decode(arr: pa.Array, target: pa.DataType) -> pa.Array:
    """Hex strings -> ``target`` (binary or fixed-size binary); ValueError (no values in the
    message) when a string is not hex or has the wrong length."""
    arr = pc.cast(arr, pa.large_string()) if not pa.types.is_large_string(arr.type) else arr
    n = len(arr)
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data = (
        np.frombuffer(bufs[2], dtype=np.uint8)
        if bufs[2] is not None
        else np.zeros(0, dtype=np.uint8)
    )
    data = data[offsets[0] : offsets[-1]] if n else data[:0]
    offsets = offsets - (offsets[0] if n else 0)
    lengths = np.diff(offsets)
    valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    bad_len = (lengths % 2 == 1) & valid
    nib = _NIBBLE[data]
    if bad_len.any() or (nib == 255).any():
        bad_rows = np.flatnonzero(bad_len)
        if nib.size and (nib == 255).any():
            pos = int(np.flatnonzero(nib == 255)[0])
            bad_rows = np.append(bad_rows, np.searchsorted(offsets, pos, side="right") - 1)
        raise ValueError(f"row {int(bad_rows.min()) + 1}: not a hexadecimal string")
    out = (nib[0::2] << 4) | nib[1::2]
    res = pa.Array.from_buffers(
        pa.large_binary(), n, [None, pa.py_buffer(offsets // 2), pa.py_buffer(out.astype(np.uint8))]
    )
    if arr.null_count:
        res = pc.if_else(arr.is_valid(), res, pa.scalar(None, pa.large_binary()))
    if pa.types.is_fixed_size_binary(target):
        w = target.byte_width
        wrong = (lengths // 2 != w) & valid
        if wrong.any():
            raise ValueError(
                f"row {int(np.flatnonzero(wrong)[0]) + 1}: hex string is not {w} bytes long"
            )
        return pc.cast(pc.cast(res, pa.binary()), target)
    return pc.cast(res, target)


def _hexify(arr: pa.Array) -> pa.Array:
    """Replace binary columns, at any depth, with hex strings (for CSV)."""
    t = arr.type
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return hex_encode(arr)
    return arr


# ---- JSON Lines, vectorized -------------------------------------------------------------

_CONTROL = {i: f"\\u{i:04x}" for i in range(32)}
_CONTROL.update({8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"})


def _json_key(name: str) -> str:
    import json

    return json.dumps(name, ensure_ascii=False)


def _json_string(arr: pa.Array) -> pa.Array:
    s = pc.replace_substring(arr, "\\", "\\\\")
    s = pc.replace_substring(s, '"', '\\"')
    if len(s) and pc.any(pc.match_substring_regex(s, "[\\x00-\\x1f]")).as_py():
        for code, esc in _CONTROL.items():
            s = pc.replace_substring(s, chr(code), esc)
    return pc.binary_join_element_wise('"', s, '"', "")


def _fragments(arr: pa.Array, decimals: DecimalStyle) -> pa.Array:
    """One JSON text per value of ``arr`` (never null: nulls become ``null``)."""
    t = arr.type
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_struct(t):
        kids = arr.flatten()
        parts: list[Any] = []
        for i in range(t.num_fields):
            parts.append(("{" if i == 0 else ",") + _json_key(t.field(i).name) + ":")
            parts.append(_fragments(kids[i], decimals))
        if not parts:
            out = pa.array(["{}"] * len(arr), pa.string())
        else:
            parts.append("}")
            out = pc.binary_join_element_wise(*parts, "")
    elif pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        if pa.types.is_fixed_size_list(t):
            arr = pc.cast(arr, pa.list_(t.value_type))
        vals = _fragments(arr.values, decimals)
        if pa.types.is_large_list(arr.type):
            vals = pc.cast(vals, pa.large_string())
            lists = pa.LargeListArray.from_arrays(arr.offsets, vals)
        else:
            lists = pa.ListArray.from_arrays(arr.offsets, pc.cast(vals, pa.string()))
        out = pc.binary_join_element_wise("[", pc.binary_join(lists, ","), "]", "")
    elif pa.types.is_string(t) or pa.types.is_large_string(t):
        out = _json_string(arr)
    elif pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        out = _json_string(hex_encode(arr))
    elif pa.types.is_decimal(t):
        out = pc.cast(arr, pa.string())
        if decimals == "string":
            out = pc.binary_join_element_wise('"', out, '"', "")
    elif pa.types.is_floating(t):
        finite = pc.is_finite(arr)
        out = pc.if_else(finite, pc.cast(arr, pa.string()), pa.scalar(None, pa.string()))
    elif pa.types.is_integer(t) or pa.types.is_boolean(t):
        out = pc.cast(arr, pa.string())
    elif pa.types.is_null(t):
        out = pa.array(["null"] * len(arr), pa.string())
    else:
        out = _json_string(pc.cast(arr, pa.string()))
    if not (pa.types.is_string(out.type) or pa.types.is_large_string(out.type)):
        out = pc.cast(out, pa.string())
    if arr.null_count or out.null_count:
        out = pc.if_else(pc.and_(arr.is_valid(), out.is_valid()), out, "null")
    return out


def json_lines(batch: pa.RecordBatch | pa.Table, decimals: DecimalStyle = "string") -> bytes:
    """The JSON Lines text of a batch (one object a record, each line ending in LF).

    Structs are nested objects, lists arrays, decimals exact (quoted strings, or bare JSON
    numbers with ``decimals="number"``), binary as hex strings, NaN/infinity as null.
    """
    n = batch.num_rows
    if n == 0:
        return b""
    if isinstance(batch, pa.Table):
        batch = batch.combine_chunks().to_batches()[0] if batch.num_rows else batch
    struct = (
        pa.StructArray.from_arrays(batch.columns, fields=list(batch.schema))
        if batch.num_columns
        else None
    )
    if struct is None:
        return b"{}\n" * n
    lines = pc.binary_join_element_wise(_fragments(struct, decimals), "\n", "")
    lines = pc.cast(lines, pa.large_string())
    bufs = lines.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[lines.offset : lines.offset + n + 1]
    return bytes(memoryview(bufs[2])[int(offsets[0]) : int(offsets[-1])])


# ---- writers ---------------------------------------------------------------------------


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
        self.decimals = decimals
        self.row_group_size = row_group_size
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0
        self._sink = open_sink(path if hasattr(path, "write") else self.path, overwrite=overwrite)
        self._file = _SinkFile(self._sink)
        self._writer: Any = None
        try:
            self._open(compression, compression_level)
        except BaseException:
            self._sink.abort()
            raise

    def _open(self, compression: str | None, level: int | None) -> None:
        fmt = self.format
        if fmt == "parquet":
            import pyarrow.parquet as pq

            self._writer = pq.ParquetWriter(
                pa.PythonFile(self._file, mode="w"),
                self.schema,
                compression=compression or "snappy",
                compression_level=level,
            )
        elif fmt in ("arrow", "feather", "arrows"):
            comp = None if compression in (None, "none") else compression
            if comp not in (None, "lz4", "zstd"):
                raise OptionsError(f"Arrow IPC compression must be lz4 or zstd, not {comp!r}")
            if comp is not None and level is not None:
                comp = pa.Codec(comp, compression_level=level)
            opts = pa.ipc.IpcWriteOptions(compression=comp)
            sink = pa.PythonFile(self._file, mode="w")
            self._writer = (pa.ipc.new_stream if fmt == "arrows" else pa.ipc.new_file)(
                sink, self.schema, options=opts
            )
        elif fmt == "csv":
            if compression not in (None, "none"):
                raise OptionsError(
                    "CSV output is compressed by the file name (.csv.gz), not --compression"
                )
            for f in self.schema:
                if pa.types.is_struct(f.type) or pa.types.is_list(f.type):
                    raise OptionsError(
                        f"CSV needs flat columns; {f.name} is nested (use --flatten)"
                    )
            self._header = True
        elif fmt == "jsonl":
            if compression not in (None, "none"):
                raise OptionsError(
                    "JSON Lines output is compressed by the file name "
                    "(.jsonl.gz), not --compression"
                )
        else:  # pragma: no cover - format_for_path validates the name
            raise OptionsError(f"unknown output format {fmt!r}")

    def write_batch(self, batch: pa.RecordBatch) -> None:
        """Append one batch."""
        self.records += batch.num_rows
        fmt = self.format
        if fmt == "parquet":
            if self.row_group_size is None:
                if batch.num_rows:
                    self._writer.write_batch(batch)
                return
            self._pending.append(batch)
            self._pending_rows += batch.num_rows
            if self._pending_rows >= self.row_group_size:
                self._flush_row_groups(final=False)
        elif fmt in ("arrow", "feather", "arrows"):
            self._writer.write_batch(batch)
        elif fmt == "csv":
            self._write_csv(batch)
        else:
            self._sink.write(json_lines(batch, self.decimals))

    def _flush_row_groups(self, final: bool) -> None:
        table = pa.Table.from_batches(self._pending, schema=self.schema)
        size = self.row_group_size or max(table.num_rows, 1)
        full = table.num_rows if final else (table.num_rows // size) * size
        if full:
            self._writer.write_table(table.slice(0, full), row_group_size=size)
        rest = table.slice(full)
        self._pending = rest.to_batches()
        self._pending_rows = rest.num_rows

    def _write_csv(self, batch: pa.RecordBatch) -> None:
        import pyarrow.csv as pcsv

        cols = [_hexify(c) for c in batch.columns]
        table = pa.Table.from_arrays(cols, names=batch.schema.names)
        buf = pa.BufferOutputStream()
        pcsv.write_csv(table, buf, write_options=pcsv.WriteOptions(include_header=self._header))
        self._header = False
        self._sink.write(buf.getvalue())

    def finish(self) -> None:
        """Write everything (footers included) to the temporary file, not yet renamed: after
        this only ``commit()`` (a rename) or ``abort()`` remain."""
        try:
            if self.format == "parquet" and self._pending:
                self._flush_row_groups(final=True)
            if self.format == "csv" and self._header:
                self._write_csv(pa.RecordBatch.from_pylist([], schema=self.schema))
            if self._writer is not None:
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
                self._writer.close()
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
