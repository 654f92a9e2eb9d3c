"""Rendering decoded records for people: an aligned table or one record a block."""

from __future__ import annotations

from typing import Any


def _cell(value: Any, width: int) -> str:
    """One value as short text: lists compactly, bytes as hex, long text cut with an ellipsis."""
    if value is None:
        text = "null"
    elif isinstance(value, list):
        if value and all(not isinstance(v, (dict, list)) for v in value):
            shown = "[" + ", ".join(_cell(v, width) for v in value) + "]"
            text = shown if len(shown) <= width else f"[{len(value)} items]"
        else:
            text = f"[{len(value)} items]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}: {_cell(v, width)}" for k, v in value.items()) + "}"
    elif isinstance(value, (bytes, bytearray)):
        text = "x'" + bytes(value).hex().upper() + "'"
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = str(value)
    text = "".join(c if c.isprintable() else "\u00b7" for c in text)
    if len(text) > width and isinstance(value, (str, bytes, bytearray, dict)):
        text = text[: max(width - 1, 1)] + "\u2026"
    return text


def _flat_for_display(table: Any) -> Any:
    """Structs become dotted columns (``GRP.FIELD``), at any depth."""
    import pyarrow as pa

    while any(pa.types.is_struct(f.type) for f in table.schema):
        table = table.flatten()
    return table


def render_table(table: Any, width: int = 24) -> str:
    """A plain aligned text table of the records; numbers right-aligned."""
    import pyarrow as pa

    table = _flat_for_display(table)
    if table.num_columns == 0:
        return ""
    heads = list(table.column_names)
    cols = [
        [_cell(v, width) for v in table.column(i).to_pylist()] for i in range(table.num_columns)
    ]
    right = [
        pa.types.is_integer(f.type) or pa.types.is_decimal(f.type) or pa.types.is_floating(f.type)
        for f in table.schema
    ]
    widths = [max([len(h), *(len(c) for c in col)]) for h, col in zip(heads, cols)]
    lines = [
        "  ".join(
            h.rjust(w) if r else h.ljust(w) for h, w, r in zip(heads, widths, right)
        ).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for i in range(table.num_rows):
        lines.append(
            "  ".join(
                col[i].rjust(w) if r else col[i].ljust(w) for col, w, r in zip(cols, widths, right)
            ).rstrip()
        )
    return "\n".join(lines)


def render_vertical(table: Any, width: int = 72, first: int = 1) -> str:
    """One block a record, one ``path : value`` line a field (for wide records)."""
    table = _flat_for_display(table)
    heads = list(table.column_names)
    w = max((len(h) for h in heads), default=0)
    cols = [table.column(i).to_pylist() for i in range(table.num_columns)]
    out = []
    for i in range(table.num_rows):
        out.append(f"-- record {first + i} --")
        for h, col in zip(heads, cols):
            out.append(f"{h.ljust(w)} : {_cell(col[i], width)}")
    return "\n".join(out)
