"""Rows and renderings of a Layout for ``legacyio schema``: one row per item with its level,
path, picture, usage, offset, length, OCCURS, REDEFINES and Arrow type."""

from __future__ import annotations

import json
from typing import Any

from legacyio.layout.model import Category, Item, Layout


def _occurs(item: Item) -> str | None:
    oc = item.occurs
    if oc is None:
        return None
    if oc.depending_on:
        return f"{oc.min} TO {oc.max} DEPENDING ON {oc.depending_on}"
    return str(oc.max)


def _row(item: Item, depth: int) -> dict[str, Any]:
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
        "arrow_type": str(item.arrow_type) if item.arrow_type is not None else None,
    }
    if item.slack_before:
        row["slack_before"] = item.slack_before
    cat = item.category
    if cat in (Category.NUMERIC, Category.NUMERIC_EDITED, Category.FLOAT):
        row["signed"] = item.signed if cat != Category.FLOAT else True
        row["digits"] = item.digits
        row["scale"] = item.scale
    return row


def describe(layout: Layout) -> list[dict[str, Any]]:
    """One dict per item (records, then 77-level items), in record order."""
    rows: list[dict[str, Any]] = []

    def walk(item: Item, depth: int) -> None:
        rows.append(_row(item, depth))
        for c in item.children:
            walk(c, depth + 1)

    for r in (*layout.records, *layout.standalone):
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


def render_text(layout: Layout) -> str:
    """An aligned, indented table for people: level/name, picture, usage, offset, length,
    occurs, redefines and Arrow type, with the record length (min/max when ODO)."""
    rows = describe(layout)
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


def render_json(layout: Layout) -> str:
    """The rows of ``describe`` plus record lengths, as JSON."""
    doc = {
        "source": layout.source_name,
        "record_length": layout.record_length,
        "min_record_length": layout.min_record_length,
        "records": [r.name for r in layout.records],
        "synthetic_root": layout.synthetic_root,
        "fields": describe(layout),
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
