"""Readers for ``legacyio encode`` inputs: Parquet, Arrow IPC/Feather, JSON Lines and CSV, each
streamed batch by batch into Arrow with the copybook's schema (nested or flattened columns,
hex strings back to bytes, exact decimals), ready for ``legacyio.write_table``.

Errors name the input file, the column and the record (line) number, never a value.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from legacyio.errors import EncodeError, OptionsError
from legacyio.layout.model import Layout
from legacyio.options import FileFormat, ReadOptions
from legacyio.plan.core import Plan
from legacyio.plan.flatten import flatten_table, unflatten_table
from legacyio.plan.nodes import META_COPYBOOK, META_FORMAT, META_READ, RESIDUE_COLUMN
from legacyio.tables.outputs import format_for_path, hex_decode

__all__ = ["InputInfo", "inspect_input", "open_input", "target_schema"]

_EXTRA_COLUMNS = frozenset({"record_number", "record_offset", "file_name"})
"""Columns the reader can add that are not part of the record: ignored when encoding."""


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
        import pyarrow.parquet as pq

        schema = pq.read_schema(p)
    elif fmt in ("arrow", "feather"):
        with pa.memory_map(p) as src:
            schema = pa.ipc.open_file(src).schema
    elif fmt == "arrows":
        with pa.input_stream(p) as src:
            schema = pa.ipc.open_stream(src).schema
    return InputInfo(p, fmt, schema)


def target_schema(
    layout: Layout,
    fmt: FileFormat,
    *,
    names: str = "python",
    fillers: bool = True,
    flat: bool = False,
) -> pa.Schema:
    """The schema ``legacyio`` reads this copybook into (the schema ``write_table`` expects)."""
    plan = Plan(layout, fmt, ReadOptions(names=names, fillers=fillers))  # type: ignore[arg-type]
    schema = plan.schema()
    if fmt.segment_children:  # one row per root, children nested
        from legacyio.engine.hierarchy import Hierarchy

        schema = Hierarchy(plan, schema).schema()
    if flat:
        schema = flatten_table(schema.empty_table()).schema
    return schema


def _textual(t: pa.DataType) -> pa.DataType:
    """The type a text format holds a value of type ``t`` in (binary -> hex string)."""
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, _textual(f.type)) for f in t])
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return pa.list_(_textual(t.value_type))
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return pa.string()
    if pa.types.is_decimal128(t):
        # read wider than the column so a value that does not fit is found per column and
        # record by _conform (the JSON reader's own error names neither)
        return pa.decimal128(38, t.scale + min(38 - t.precision, 10))
    return t


def _conform(arr: pa.Array, target: pa.DataType, column: str) -> pa.Array:
    """Cast ``arr`` to ``target`` recursively (hex strings to bytes); raises ValueError whose
    message names no value."""
    t = arr.type
    if t.equals(target):
        return arr
    if pa.types.is_struct(target) and pa.types.is_struct(t):
        kids = arr.flatten()
        names = [t.field(i).name for i in range(t.num_fields)]
        out, fields = [], []
        for f in target:
            if f.name in names:
                out.append(_conform(kids[names.index(f.name)], f.type, f"{column}.{f.name}"))
            else:
                out.append(pa.nulls(len(arr), f.type))
            fields.append(f)
        extra = set(names) - {f.name for f in target}
        if extra:
            raise ValueError(f"column {column}: unknown member(s) {', '.join(sorted(extra))}")
        mask = pc.invert(arr.is_valid()) if arr.null_count else None
        return pa.StructArray.from_arrays(out, fields=fields, mask=mask)
    if pa.types.is_list(target) and (pa.types.is_list(t) or pa.types.is_large_list(t)):
        vals = _conform(arr.values, target.value_type, column)
        offsets = arr.offsets
        mask = pc.invert(arr.is_valid()) if arr.null_count else None
        return pa.ListArray.from_arrays(pc.cast(offsets, pa.int32()), vals, mask=mask)
    if (
        pa.types.is_binary(target)
        or pa.types.is_large_binary(target)
        or pa.types.is_fixed_size_binary(target)
    ) and (pa.types.is_string(t) or pa.types.is_large_string(t)):
        try:
            return hex_decode(arr, target)
        except ValueError as e:
            raise ValueError(f"column {column}, {e}") from None
    try:
        return pc.cast(arr, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        if pa.types.is_decimal(target) and pa.types.is_decimal(t):
            limit = pa.scalar(10 ** (target.precision - target.scale), t)
            bad = pc.or_(
                pc.greater_equal(pc.abs(arr), limit), pc.not_equal(pc.round(arr, target.scale), arr)
            )
            idx = pc.index(bad, True).as_py()
            if idx is not None and idx >= 0:
                raise ValueError(
                    f"column {column}, row {idx + 1}: the value does not fit "
                    f"{target} (too many digits or decimals)"
                ) from None
        raise ValueError(
            f"column {column}: a value cannot be converted from {t} to {target}"
        ) from None


class _Conformer:
    """Turns the batches of one input into batches of the copybook's schema."""

    def __init__(
        self, path: str, nested: pa.Schema, flat_schema: pa.Schema | None, input_names: list[str]
    ) -> None:
        self.path = path
        self.records = 0
        known = set(nested.names) | (set(flat_schema.names) if flat_schema else set())
        unknown = [n for n in input_names if n not in known and n not in _EXTRA_COLUMNS]
        if unknown:
            raise OptionsError(
                f"{path}: column(s) not in the copybook: {', '.join(unknown)} "
                "(wrong copybook, or --names cobol/python?)"
            )
        present = [n for n in input_names if n in nested.names]
        flat_only = [
            n
            for n in input_names
            if flat_schema is not None and n in flat_schema.names and n not in nested.names
        ]
        self.flat = bool(flat_only)
        self.nested = nested
        self.flat_schema = flat_schema
        if self.flat:
            assert flat_schema is not None
            self.flat_names = [n for n in input_names if n in flat_schema.names]
            tops = []
            for f in nested:
                pre = f.name + "_"
                if f.name in input_names or any(n.startswith(pre) for n in self.flat_names):
                    tops.append(f)
            self.schema = pa.schema(tops, metadata=nested.metadata)
        else:
            self.schema = pa.schema([nested.field(n) for n in present], metadata=nested.metadata)

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        first = self.records + 1
        self.records += batch.num_rows
        try:
            if self.flat:
                assert self.flat_schema is not None
                cols = [
                    _conform(batch.column(n), self.flat_schema.field(n).type, n)
                    for n in self.flat_names
                ]
                flat = pa.Table.from_arrays(
                    cols, schema=pa.schema([self.flat_schema.field(n) for n in self.flat_names])
                )
                table = unflatten_table(flat, self.schema)
                return (
                    table.combine_chunks().to_batches()[0]
                    if table.num_rows
                    else pa.RecordBatch.from_pylist([], schema=self.schema)
                )
            cols = [_conform(batch.column(f.name), f.type, f.name) for f in self.schema]
            return pa.RecordBatch.from_arrays(cols, schema=self.schema)
        except ValueError as e:
            msg = str(e)
            m = re.match(r"(column [^,:]+)[,:] row (\d+): (.*)", msg)
            if m:
                msg = f"record {first + int(m.group(2)) - 1}, {m.group(1)}: {m.group(3)}"
            else:
                msg = f"records {first}-{self.records}: {msg}"
            raise EncodeError(f"{self.path}: {msg}") from None


def _arrow_message(e: Exception, names: list[str]) -> str:
    """A pyarrow parse error without the value it quotes: keep the column and the type."""
    text = str(e)
    m = re.search(r"column #(\d+)", text)
    col = names[int(m.group(1))] if m and int(m.group(1)) < len(names) else None
    m2 = re.search(
        r"to ((?:decimal|int|uint|float|double|bool|string|fixed_size_binary)"
        r"[\w\[\]]*(?:\([^)]*\))?)",
        text,
    )
    what = (
        f"a value cannot be converted to {m2.group(1)}"
        if m2
        else f"the input cannot be parsed ({type(e).__name__})"
    )
    if "Rescaling" in text or "precision" in text or "scale" in text:
        what = "a decimal value does not fit its column (too many digits or decimals)"
    return f"column {col}: {what}" if col else what


def open_input(
    path: str | os.PathLike[str],
    layout: Layout,
    fmt: FileFormat,
    *,
    format: str | None = None,
    names: str | None = None,
    fillers: bool | None = None,
    batch_size: int = 65536,
) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """Schema and batches of an encode input, conformed to the copybook's schema.

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
    flat = flatten_table(nested.empty_table()).schema
    if info.format == "parquet":
        import pyarrow.parquet as pq

        assert info.schema is not None
        conf = _Conformer(p, nested, flat, info.schema.names)
        pf = pq.ParquetFile(p)
        return conf.schema, (conf(b) for b in pf.iter_batches(batch_size=batch_size))
    if info.format in ("arrow", "feather", "arrows"):
        assert info.schema is not None
        conf = _Conformer(p, nested, flat, info.schema.names)
        return conf.schema, _ipc_batches(p, info.format, conf)
    if info.format == "jsonl":
        return _jsonl(p, nested, flat, batch_size)
    return _csv(p, nested, flat, batch_size)


def _ipc_batches(path: str, fmt: str, conf: _Conformer) -> Iterator[pa.RecordBatch]:
    with pa.memory_map(path) as src:
        if fmt == "arrows":
            for b in pa.ipc.open_stream(src):
                yield conf(b)
        else:
            r = pa.ipc.open_file(src)
            for i in range(r.num_record_batches):
                yield conf(r.get_batch(i))


def _first_json_keys(path: str) -> list[str]:
    with pa.input_stream(path) as f:
        buf = b""
        while True:
            chunk = f.read(1 << 16)
            buf += chunk
            lines = buf.split(b"\n")
            for line in lines[:-1] if chunk else lines:
                if line.strip():
                    try:
                        obj = json.loads(line)
                    except ValueError:
                        raise EncodeError(f"{path}: line 1 is not a JSON object") from None
                    if not isinstance(obj, dict):
                        raise EncodeError(f"{path}: line 1 is not a JSON object")
                    return list(obj)
            if not chunk:
                return []
            buf = lines[-1]


def _jsonl(
    path: str, nested: pa.Schema, flat: pa.Schema, batch_size: int
) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    import pyarrow.json as pj

    keys = _first_json_keys(path)
    conf = _Conformer(path, nested, flat, keys)
    source = flat if conf.flat else nested
    read_schema = pa.schema(
        [pa.field(k, _textual(source.field(k).type)) for k in keys if k in source.names]
    )
    block = max(1 << 20, min(batch_size * 256, 64 << 20))

    def batches() -> Iterator[pa.RecordBatch]:
        if not keys:
            return
        reader = None
        while True:
            first = conf.records + 1
            try:
                if reader is None:
                    reader = pj.open_json(
                        pa.input_stream(path),
                        read_options=pj.ReadOptions(block_size=block),
                        parse_options=pj.ParseOptions(
                            explicit_schema=read_schema, unexpected_field_behavior="error"
                        ),
                    )
                b = reader.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowInvalid as e:
                text = str(e)
                if "unexpected field" in text.lower():
                    raise EncodeError(
                        f"{path}: after line {first - 1}: an object has a key "
                        "that the first line does not have"
                    ) from None
                raise EncodeError(
                    f"{path}: after line {first - 1}: {_arrow_message(e, read_schema.names)}"
                ) from None
            for i in range(0, max(b.num_rows, 1), batch_size):
                if b.num_rows:
                    yield conf(b.slice(i, batch_size))

    return conf.schema, batches()


def _csv(
    path: str, nested: pa.Schema, flat: pa.Schema, batch_size: int
) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    import pyarrow.csv as pcsv

    types = {f.name: _textual(f.type) for f in flat}
    types.update(
        {
            f.name: _textual(f.type)
            for f in nested
            if not pa.types.is_struct(f.type) and not pa.types.is_list(f.type)
        }
    )
    convert = pcsv.ConvertOptions(
        column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=False
    )
    parse = pcsv.ParseOptions(newlines_in_values=True)
    try:
        reader = pcsv.open_csv(
            pa.input_stream(path),
            parse_options=parse,
            convert_options=convert,
            read_options=pcsv.ReadOptions(block_size=1 << 22),
        )
    except pa.ArrowInvalid as e:
        raise EncodeError(f"{path}: {_arrow_message(e, [])}") from None
    names = reader.schema.names
    conf = _Conformer(path, nested, flat, names)

    def batches() -> Iterator[pa.RecordBatch]:
        while True:
            first = conf.records + 1
            try:
                b = reader.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowInvalid as e:
                raise EncodeError(
                    f"{path}: after record {first - 1}: {_arrow_message(e, names)}"
                ) from None
            for i in range(0, b.num_rows, batch_size):
                yield conf(b.slice(i, batch_size))

    return conf.schema, batches()
