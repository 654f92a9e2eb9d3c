"""Flat columns for CSV and SQL users: structs become ``GROUP_FIELD`` columns and OCCURS
lists become ``ARR_1 .. ARR_n``; ``unflatten`` rebuilds the nested table for encoding."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def _occurs_max(field: pa.Field, arr: pa.Array) -> int:
    md = field.metadata or {}
    occ = md.get(b"occurs")
    if occ:
        text = occ.decode()
        parts = text.split()
        if "TO" in parts:
            return int(parts[parts.index("TO") + 1])
        return int(parts[0])
    lengths = pc.list_value_length(arr)
    mx = pc.max(lengths).as_py()
    return int(mx or 0)


def _list_item(arr: pa.Array, j: int) -> pa.Array:
    """Element j of every list (null where the list is shorter or null)."""
    offsets = np.asarray(arr.offsets.to_numpy(), dtype=np.int64)
    lengths = np.diff(offsets)
    valid = lengths > j
    if arr.null_count:
        valid &= np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    idx = offsets[:-1] + j
    idx[~valid] = 0
    values = arr.values
    if len(values) == 0:
        return pa.nulls(len(arr), type=values.type)
    return values.take(pa.array(idx, mask=~valid))


def _flatten_column(
    name: str,
    field: pa.Field,
    arr: pa.Array,
    out_names: list[str],
    out_arrays: list[pa.Array],
    out_fields: list[pa.Field],
) -> None:
    t = arr.type
    if pa.types.is_struct(t):
        children = arr.flatten()
        for i in range(t.num_fields):
            f = t.field(i)
            _flatten_column(f"{name}_{f.name}", f, children[i], out_names, out_arrays, out_fields)
        return
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        n = _occurs_max(field, arr)
        vf = pa.field("item", t.value_type)
        for j in range(n):
            _flatten_column(
                f"{name}_{j + 1}", vf, _list_item(arr, j), out_names, out_arrays, out_fields
            )
        return
    out_names.append(name)
    out_arrays.append(arr)
    out_fields.append(pa.field(name, t, metadata=field.metadata))


def flatten_table(table: pa.Table) -> pa.Table:
    """Structs -> ``GROUP_FIELD`` columns, lists -> ``ARR_1..ARR_n`` (n = OCCURS maximum)."""
    table = table.combine_chunks()
    names: list[str] = []
    arrays: list[pa.Array] = []
    fields: list[pa.Field] = []
    for field, col in zip(table.schema, table.columns):
        arr = (
            col.chunk(0)
            if col.num_chunks == 1
            else pa.concat_arrays(col.chunks)
            if col.num_chunks
            else pa.array([], type=col.type)
        )
        _flatten_column(field.name, field, arr, names, arrays, fields)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=table.schema.metadata))


def _rebuild(
    name: str, typ: pa.DataType, field: pa.Field, flat: dict[str, pa.Array], n: int
) -> pa.Array | None:
    return _rebuild_seen(name, typ, field, flat, n)[0]


def _valid(a: pa.Array) -> np.ndarray:
    if a.null_count == 0:
        return np.ones(len(a), dtype=bool)
    return np.asarray(a.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def _rebuild_seen(
    name: str, typ: pa.DataType, field: pa.Field, flat: dict[str, pa.Array], n: int
) -> tuple[pa.Array | None, np.ndarray]:
    """The nested column, and in which rows the flat columns hold anything of it (a value,
    or an ODO count). A fixed OCCURS always rebuilds to all its occurrences, so its list is
    no sign that the enclosing group is present: an inactive REDEFINES alternative (another
    segment) holding one stays null."""
    if pa.types.is_struct(typ):
        kids = []
        present = np.zeros(n, dtype=bool)
        for i in range(typ.num_fields):
            f = typ.field(i)
            a, seen = _rebuild_seen(f"{name}_{f.name}", f.type, f, flat, n)
            if a is None:
                a = pa.nulls(n, type=f.type)
            kids.append(a)
            present |= seen
        if n and not present.any():
            return None, present
        # a group is present in a row when any of its members is
        return pa.StructArray.from_arrays(kids, fields=list(typ), mask=pa.array(~present)), present
    if pa.types.is_list(typ):
        return _rebuild_list(name, typ, field, flat, n)
    a = flat.get(name)
    if a is None:
        return None, np.zeros(n, dtype=bool)
    if not a.type.equals(typ):
        a = pc.cast(a, typ)
    return a, _valid(a)


def _rebuild_list(
    name: str, typ: pa.DataType, field: pa.Field, flat: dict[str, pa.Array], n: int
) -> tuple[pa.Array, np.ndarray]:
    m = _occurs_max(field, pa.array([], type=typ))
    items: list[pa.Array | None] = []
    present = np.zeros((n, m), dtype=bool)
    for j in range(m):
        a, seen = _rebuild_seen(
            f"{name}_{j + 1}", typ.value_type, pa.field("item", typ.value_type), flat, n
        )
        items.append(a)
        present[:, j] = seen
    seen_any = np.asarray(present.any(axis=1), dtype=bool)
    occ = (field.metadata or {}).get(b"occurs", b"")
    counts = _count_column(field, flat, name) if m and b"DEPENDING" in occ else None
    if m and b"DEPENDING" not in occ:
        # a fixed OCCURS always has all its occurrences (missing ones are nulls)
        lengths = np.full(n, m, dtype=np.int64)
    elif counts is not None:
        # an ODO list has as many elements as its DEPENDING ON column says
        lengths = np.clip(
            np.asarray(counts.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64), 0, m
        )
        seen_any = seen_any | _valid(counts)
    elif m:
        # no count column: the list runs to its last present element
        last = m - np.argmax(present[:, ::-1], axis=1)
        lengths = np.where(seen_any, last, 0).astype(np.int64)
    else:
        lengths = np.zeros(n, dtype=np.int64)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    total = int(offsets[-1])
    if all(a is None for a in items):
        # nothing of the list in the table (e.g. a batch of records cut short before it)
        return pa.ListArray.from_arrays(pa.array(offsets), pa.nulls(total, typ.value_type)), (
            seen_any
        )
    # interleave element j of row i at position offsets[i] + j
    rows = np.arange(n)
    order_rows, order_j = [], []
    for j in range(m):
        sel = lengths > j
        order_rows.append(rows[sel])
        order_j.append(np.full(int(sel.sum()), j))
    r = np.concatenate(order_rows) if order_rows else np.zeros(0, dtype=np.int64)
    jj = np.concatenate(order_j) if order_j else np.zeros(0, dtype=np.int64)
    dest = offsets[:-1][r] + jj
    stacked = pa.concat_arrays(
        [
            (it if (it := items[j]) is not None else pa.nulls(n, typ.value_type)).filter(
                pa.array(lengths > j)
            )
            for j in range(m)
        ]
    )
    inv = np.empty(total, dtype=np.int64)
    inv[dest] = np.arange(total)
    values = stacked.take(pa.array(inv))
    return pa.ListArray.from_arrays(pa.array(offsets), values), seen_any


def _count_column(field: pa.Field, flat: dict[str, pa.Array], column: str = "") -> pa.Array | None:
    """The flattened DEPENDING ON column of an ODO list, when the table has it (its name is the
    COBOL path below the 01 level, or from the 01 level when a copybook has several 01
    records, joined with '_'; COBOL-style names are tried too)."""
    path = (field.metadata or {}).get(b"depending_path", b"").decode()
    if not path:
        return None
    # a sibling in the same occurrence of an enclosing OCCURS (``G_2_CNT`` for ``G_2_LIST``)
    names = []
    last = path.split(".")[-1]
    if column.endswith(field.name) and column != field.name:
        # the same occurrence, then each enclosing level outwards (``A_1_CNT`` for
        # ``A_1_B_1_LIST``)
        stem = column[: len(column) - len(field.name)]
        while stem:
            names += [stem + last.replace("-", "_"), stem + last]
            stem = stem[: stem.rstrip("_").rfind("_") + 1]
    # below the 01 level; with several 01 records, the 01 name leads the column names
    for parts in (path.split(".")[1:], path.split(".")):
        names += ["_".join(p.replace("-", "_") for p in parts), "_".join(parts)]
    for name in names:
        col = flat.get(name)
        if col is not None and (pa.types.is_integer(col.type) or pa.types.is_decimal(col.type)):
            return col if pa.types.is_integer(col.type) else pc.cast(col, pa.int64())
    return None


def unflatten_table(flat: pa.Table, schema: pa.Schema) -> pa.Table:
    """Rebuild a nested table of ``schema`` from its flattened columns."""
    flat = flat.combine_chunks()
    cols = {
        name: (c.chunk(0) if c.num_chunks == 1 else pa.concat_arrays(c.chunks))
        for name, c in zip(flat.column_names, flat.columns)
    }
    n = flat.num_rows
    arrays = []
    for f in schema:
        a, seen = _rebuild_seen(f.name, f.type, f, cols, n)
        if a is None:
            a = pa.nulls(n, type=f.type)
        elif b"redefines" in (f.metadata or {}) and pa.types.is_list(f.type) and not seen.all():
            # a REDEFINES alternative with nothing in the table: not written (null)
            a = pa.ListArray.from_arrays(a.offsets, a.values, mask=pa.array(~seen))
        arrays.append(a)
    return pa.Table.from_arrays(arrays, schema=schema)
