"""JSON Lines, both ways, vectorized: one object a record, structs as objects, lists as
arrays, decimals exact (quoted strings, or bare JSON number tokens), binary as hex strings;
read back with the copybook's types, never sniffed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.errors import EncodeError, OptionsError
from legacyio.tables.conform import Conformer, arrow_message, textual
from legacyio.tables.hexcodec import hex_encode

__all__ = ["DecimalStyle", "JsonlOutput", "json_lines", "read_batches"]

DecimalStyle = Literal["string", "number"]

_CONTROL = {i: f"\\u{i:04x}" for i in range(32)}
_CONTROL.update({8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"})


def _json_key(name: str) -> str:
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


class JsonlOutput:
    """Writes batches as JSON Lines to a file object."""

    def __init__(
        self,
        file: Any,
        schema: pa.Schema,
        *,
        compression: str | None = None,
        decimals: DecimalStyle = "string",
        **_: Any,
    ) -> None:
        if compression not in (None, "none"):
            raise OptionsError(
                "JSON Lines output is compressed by the file name (.jsonl.gz), not --compression"
            )
        self._file = file
        self.decimals = decimals

    def write_batch(self, batch: pa.RecordBatch) -> None:
        self._file.write(json_lines(batch, self.decimals))

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


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


def read_batches(
    path: str, nested: pa.Schema, flat: pa.Schema, batch_size: int
) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    import pyarrow.json as pj

    keys = _first_json_keys(path)
    conf = Conformer(path, nested, flat, keys)
    source = flat if conf.flat else nested
    read_schema = pa.schema(
        [pa.field(k, textual(source.field(k).type)) for k in keys if k in source.names]
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
                    ropts = pj.ReadOptions(block_size=block)
                    popts = pj.ParseOptions(
                        explicit_schema=read_schema, unexpected_field_behavior="error"
                    )
                    if hasattr(pj, "open_json"):
                        reader = pj.open_json(
                            pa.input_stream(path), read_options=ropts, parse_options=popts
                        )
                    else:  # pyarrow before 19 has no streaming JSON reader: one table
                        whole = pj.read_json(
                            pa.input_stream(path), read_options=ropts, parse_options=popts
                        )
                        reader = pa.RecordBatchReader.from_batches(whole.schema, whole.to_batches())
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
                    f"{path}: after line {first - 1}: {arrow_message(e, read_schema.names)}"
                ) from None
            for i in range(0, max(b.num_rows, 1), batch_size):
                if b.num_rows:
                    yield conf(b.slice(i, batch_size))

    return conf.schema, batches()
