"""Batches of an encode input -> batches of the copybook's schema: the schema ``write_table``
expects (nested or flattened columns, hex strings back to bytes, exact decimals).

Errors name the input file, the column and the record (line) number, never a value.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from legacyio.errors import EncodeError, OptionsError
from legacyio.layout.model import Layout
from legacyio.options import FileFormat, ReadOptions
from legacyio.plan.core import Plan
from legacyio.plan.flatten import flatten_table, unflatten_table
from legacyio.tables.hexcodec import fixed_binary, hex_decode

__all__ = ["Conformer", "arrow_message", "conform", "target_schema", "textual"]

EXTRA_COLUMNS = frozenset({"record_number", "record_offset", "file_name"})
"""Columns the reader can add that are not part of the record: ignored when encoding."""


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


def textual(t: pa.DataType) -> pa.DataType:
    """The type a text format holds a value of type ``t`` in (binary -> hex string)."""
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, textual(f.type)) for f in t])
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return pa.list_(textual(t.value_type))
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return pa.string()
    if pa.types.is_date(t):
        return pa.string()  # ISO dates (the JSON reader parses no dates itself)
    if pa.types.is_decimal128(t):
        # read wider than the column so a value that does not fit is found per column and
        # record by conform (the JSON reader's own error names neither)
        return pa.decimal128(38, t.scale + min(38 - t.precision, 10))
    return t


def conform(arr: pa.Array, target: pa.DataType, column: str, allow_float: bool = False) -> pa.Array:
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
                out.append(
                    conform(kids[names.index(f.name)], f.type, f"{column}.{f.name}", allow_float)
                )
            else:
                out.append(pa.nulls(len(arr), f.type))
            fields.append(f)
        extra = set(names) - {f.name for f in target}
        if extra:
            raise ValueError(f"column {column}: unknown member(s) {', '.join(sorted(extra))}")
        mask = pc.invert(arr.is_valid()) if arr.null_count else None
        return pa.StructArray.from_arrays(out, fields=fields, mask=mask)
    if pa.types.is_list(target) and (pa.types.is_list(t) or pa.types.is_large_list(t)):
        vals = conform(arr.values, target.value_type, column, allow_float)
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
    if pa.types.is_fixed_size_binary(target) and (
        pa.types.is_binary(t) or pa.types.is_large_binary(t)
    ):
        try:
            return fixed_binary(arr, target)
        except ValueError as e:
            raise ValueError(f"column {column}, {e}") from None
    numeric = pa.types.is_decimal(target) or pa.types.is_integer(target)
    if numeric and pa.types.is_floating(t):
        return _exact_floats(arr, target, column, allow_float)
    if numeric and (pa.types.is_string(t) or pa.types.is_large_string(t)):
        raise ValueError(
            f"column {column}: text values are not parsed into a {target} field "
            "(give the column a numeric type)"
        )
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


def _exact_floats(arr: pa.Array, target: pa.DataType, column: str, allow: bool) -> pa.Array:
    """Floats into a decimal or integer field: refused, or (``allow``) converted through
    their shortest decimal form when every value fits the field exactly."""
    import numpy as np

    from legacyio.codecs.numbers import to_unscaled

    valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    if not allow:
        first = int(np.flatnonzero(valid)[0]) + 1 if valid.any() else 1
        raise ValueError(
            f"column {column}, row {first}: the column holds floats ({arr.type}); a float is "
            f"never written into a {target} field (cast it to DECIMAL in the tool that wrote "
            "the file, or --allow-float / allow_float=True for floats that are exact)"
        )
    scale = getattr(target, "scale", 0)
    bad = to_unscaled(arr, scale, truncate=False).bad & valid
    if bad.any():
        raise ValueError(
            f"column {column}, row {int(np.flatnonzero(bad)[0]) + 1}: a float value is not "
            f"exact at the field's scale ({scale} decimal places)"
        )
    from decimal import Decimal

    exact = pa.array(
        [None if x is None else Decimal(repr(x)) for x in arr.to_pylist()],
        pa.decimal256(76, max(scale, 0)) if pa.types.is_decimal(target) else pa.decimal256(76, 0),
    )
    try:
        return pc.cast(exact, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise ValueError(f"column {column}: a value does not fit {target}") from None


class Conformer:
    """Turns the batches of one input into batches of the copybook's schema."""

    def __init__(
        self,
        path: str,
        nested: pa.Schema,
        flat_schema: pa.Schema | None,
        input_names: list[str],
        allow_float: bool = False,
    ) -> None:
        self.path = path
        self.allow_float = allow_float
        self.records = 0
        known = set(nested.names) | (set(flat_schema.names) if flat_schema else set())
        unknown = [n for n in input_names if n not in known and n not in EXTRA_COLUMNS]
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
                    conform(batch.column(n), self.flat_schema.field(n).type, n, self.allow_float)
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
            cols = [
                conform(batch.column(f.name), f.type, f.name, self.allow_float) for f in self.schema
            ]
            return pa.RecordBatch.from_arrays(cols, schema=self.schema)
        except ValueError as e:
            msg = str(e)
            m = re.match(r"(column [^,:]+)[,:] row (\d+): (.*)", msg)
            if m:
                msg = f"record {first + int(m.group(2)) - 1}, {m.group(1)}: {m.group(3)}"
            else:
                msg = f"records {first}-{self.records}: {msg}"
            raise EncodeError(f"{self.path}: {msg}") from None


def arrow_message(e: Exception, names: list[str]) -> str:
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
