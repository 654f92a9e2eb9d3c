"""Rows and renderings of a plan for ``legacyio schema``: one row per item with its level,
path, picture, usage, offset, length, OCCURS, REDEFINES and Arrow type, and the exact Arrow
schema that ``convert`` writes with the same options (``Plan.output_schema``)."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from legacyio.layout.model import Category, Item
from legacyio.plan.core import Plan


def _occurs(item: Item) -> str | None:
    oc = item.occurs
    if oc is None:
        return None
    if oc.depending_on:
        return f"{oc.min} TO {oc.max} DEPENDING ON {oc.depending_on}"
    return str(oc.max)


def _row(item: Item, depth: int, arrow: pa.DataType | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "level": item.level,
        "name": item.name,
        "path": item.dotted,
        "depth": depth,
        "picture": item.picture.source if item.picture else None,
        "usage": None if item.is_group else item.usage.value,
        "offset": item.offset,
        "length": item.size,
        "occurs": _occurs(item),
        "redefines": item.redefines,
        "arrow_type": str(arrow) if arrow is not None else None,
    }
    if item.slack_before:
        row["slack_before"] = item.slack_before
    cat = item.category
    if cat in (Category.NUMERIC, Category.NUMERIC_EDITED, Category.FLOAT):
        row["signed"] = item.signed if cat != Category.FLOAT else True
        row["digits"] = item.digits
        row["scale"] = item.scale
    return row


def describe(plan: Plan) -> list[dict[str, Any]]:
    """One dict per item (records, then 77-level items), in record order. The Arrow type is
    the one of the item's column in the plan (None for an item that is not a column: a
    FILLER dropped with ``fillers=False``, a 77-level item)."""
    rows: list[dict[str, Any]] = []
    types = plan.item_types()

    def walk(item: Item, depth: int) -> None:
        rows.append(_row(item, depth, types.get(item.path)))
        for c in item.children:
            walk(c, depth + 1)

    for r in (*plan.layout.records, *plan.layout.standalone):
        walk(r, 0)
    return rows


def _short_type(t: str | None) -> str:
    if not t:
        return ""
    if t.startswith("struct<"):
        return "struct"
    if t.startswith("list<item: struct<"):
        return "list<struct>"
    return t


def render_text(plan: Plan) -> str:
    """An aligned, indented table for people: level/name, picture, usage, offset, length,
    occurs, redefines and Arrow type, with the record length (min/max when ODO)."""
    layout = plan.layout
    rows = describe(plan)
    head = ["LEVEL NAME", "PICTURE", "USAGE", "OFFSET", "LENGTH", "OCCURS", "REDEFINES", "ARROW"]
    table = [head]
    for r in rows:
        table.append(
            [
                "  " * r["depth"] + f"{r['level']:02d} {r['name']}",
                r["picture"] or "",
                r["usage"] or "",
                str(r["offset"]),
                str(r["length"]),
                r["occurs"] or "",
                r["redefines"] or "",
                _short_type(r["arrow_type"]),
            ]
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    numeric = {3, 4}
    lines = []
    for row in table:
        cells = [
            c.rjust(widths[i]) if i in numeric else c.ljust(widths[i]) for i, c in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    name = layout.source_name or "<copybook>"
    mx, mn = layout.record_length, layout.min_record_length
    summary = f"{name}: record length {mx}"
    if mn != mx:
        summary += f" (variable: min {mn}, max {mx})"
    if layout.renames:
        lines.append("")
        for rn in layout.renames:
            thru = f" THRU {rn.thru_name}" if rn.thru_name else ""
            lines.append(
                f"66 {rn.name} RENAMES {rn.from_name}{thru}: offset {rn.offset}, length {rn.size}"
            )
    return summary + "\n\n" + "\n".join(lines) + "\n"


def schema_fields(schema: pa.Schema) -> list[dict[str, Any]]:
    """The columns of an Arrow schema as JSON-ready dicts: name, type, nullable and the COBOL
    path of the field (from its metadata) where it has one."""
    out = []
    for f in schema:
        md = f.metadata or {}
        d: dict[str, Any] = {"name": f.name, "type": str(f.type), "nullable": f.nullable}
        if b"path" in md:
            d["path"] = md[b"path"].decode()
        out.append(d)
    return out


def render_json(plan: Plan) -> str:
    """The rows of ``describe``, the record lengths and the Arrow schema ``convert`` writes
    with the same options, as JSON."""
    layout = plan.layout
    doc = {
        "source": layout.source_name,
        "record_length": layout.record_length,
        "min_record_length": layout.min_record_length,
        "records": [r.name for r in layout.records],
        "synthetic_root": layout.synthetic_root,
        "fields": describe(plan),
        "arrow_schema": schema_fields(plan.output_schema()),
        "renames": [
            {
                "name": rn.name,
                "from": rn.from_name,
                "thru": rn.thru_name,
                "offset": rn.offset,
                "length": rn.size,
            }
            for rn in layout.renames
        ],
    }
    return json.dumps(doc, indent=2)
