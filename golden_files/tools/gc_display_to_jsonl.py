"""Turn the DISPLAY output of a GnuCOBOL golden program into expected JSON Lines.

Standalone on purpose (does not import legacyio): the expected values must come from what
the COBOL program printed, never from the library under test.

Input lines (Latin-1, what the programs DISPLAY):

``REC|<n>``                       start of record n
``FLD|<path>|<type>|<value>``     one field; path like ``A.B(2).C`` (COBOL names, 1-based)
``LST|<path>|<count>``            the list at path has exactly count occurrences (ODO)
``END|<n>``                       end of record n

Types: X text (right-trimmed of spaces), I integer, D decimal (string with the picture's
scale), E single-precision float, F double-precision float. A trailing sign (``12.50-``, as
GnuCOBOL displays SIGN TRAILING SEPARATE items) is moved to the front.
"""

from __future__ import annotations

import json
import re
import struct
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

_STEP = re.compile(r"^([A-Z0-9-]+)(?:\((\d+)\))?$")


def column_name(cobol: str) -> str:
    """legacyio's default column name of a COBOL name ('-' becomes '_')."""
    return cobol.replace("-", "_")


def _number_text(raw: str) -> str:
    text = raw.strip()
    if text and text[-1] in "+-":
        text = text[-1] + text[:-1]
    return text


def convert_value(kind: str, raw: str) -> Any:
    """The JSON value of one displayed field."""
    if kind == "X":
        return raw.rstrip(" ")
    text = _number_text(raw)
    if kind == "I":
        return int(text)
    if kind == "D":
        value = Decimal(text)
        if value == 0:
            value = abs(value)  # no negative zero in the expected values
        return str(value)
    if kind == "F":
        return float(text)
    if kind == "E":
        return struct.unpack("<f", struct.pack("<f", float(text)))[0]
    raise ValueError(f"unknown value type {kind!r}")


def _container(record: dict[str, Any], steps: list[tuple[str, int | None]]) -> dict[str, Any]:
    node: Any = record
    for name, index in steps:
        if index is None:
            node = node.setdefault(name, {})
        else:
            items = node.setdefault(name, [])
            while len(items) < index:
                items.append({})
            node = items[index - 1]
    return node


def _parse_path(path: str) -> list[tuple[str, int | None]]:
    steps = []
    for part in path.split("."):
        match = _STEP.match(part)
        if not match:
            raise ValueError(f"bad field path {path!r}")
        steps.append((column_name(match.group(1)), int(match.group(2)) if match.group(2) else None))
    return steps


def set_field(record: dict[str, Any], path: str, value: Any) -> None:
    """Store value at a dotted path, creating nested objects and 1-based list slots."""
    steps = _parse_path(path)
    *parents, (name, index) = steps
    node = _container(record, parents)
    if index is None:
        node[name] = value
        return
    items = node.setdefault(name, [])
    while len(items) < index:
        items.append(None)
    items[index - 1] = value


def declare_list(record: dict[str, Any], path: str, count: int) -> None:
    """Make sure the list at path exists (possibly empty) and has count occurrences."""
    steps = _parse_path(path)
    *parents, (name, _index) = steps
    node = _container(record, parents)
    items = node.setdefault(name, [])
    if len(items) > count:
        raise ValueError(f"{path}: {len(items)} occurrences displayed, count is {count}")


def convert(lines: list[str]) -> list[dict[str, Any]]:
    """All records of one program run, in order."""
    records: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        tag, _, rest = line.partition("|")
        if tag == "REC":
            if current is not None:
                raise ValueError(f"line {number}: REC inside a record")
            current = {}
        elif tag == "END":
            if current is None:
                raise ValueError(f"line {number}: END outside a record")
            records.append(current)
            current = None
        elif tag == "FLD" and current is not None:
            path, kind, raw = rest.split("|", 2)
            set_field(current, path, convert_value(kind, raw))
        elif tag == "LST" and current is not None:
            path, count = rest.split("|")
            declare_list(current, path, int(count))
        else:
            raise ValueError(f"line {number}: unexpected line tag {tag!r}")
    if current is not None:
        raise ValueError("output ends inside a record")
    return records


def main(argv: list[str]) -> int:
    """gc_display_to_jsonl.py DISPLAY.txt OUT.expected.jsonl"""
    if len(argv) != 3:
        print("usage: gc_display_to_jsonl.py DISPLAY_OUTPUT OUT.jsonl", file=sys.stderr)
        return 2
    text = Path(argv[1]).read_bytes().decode("latin-1")
    records = convert(text.splitlines())
    with open(argv[2], "w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
