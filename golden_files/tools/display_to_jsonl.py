#!/usr/bin/env python3
"""Turn the DISPLAY output of a golden COBOL program into expected JSON Lines.

Standalone on purpose (it must not import legacyio): the expected values come from what the
COBOL program printed, only re-shaped here. Input, Latin-1 bytes (the programs' native
character set), one line a field:

``REC|<n>``                      start of record n (records numbered 1, 2, ... in order)
``FLD|<path>|<type>|<value>``    one field; the value runs to the end of the line
``LST|<path>|<count>``           the OCCURS table at path has exactly count occurrences
                                 (given before its elements; count 0 gives ``[]``)
``END|<n>``                      end of record n

PATH is COBOL names joined by ``.`` for groups (the 01 level left out), ``NAME(i)`` for
occurrence i (1-based, in order). Types: ``X`` text (right-trimmed of spaces), ``I`` an
integer, ``D`` a number with a decimal point (a JSON string keeping exactly the digits shown
after the point), ``E`` COMP-1 (rounded to single precision), ``F`` COMP-2. Numbers are read
as GnuCOBOL DISPLAYs them: a sign first or last (SIGN TRAILING SEPARATE), digits, a point for
a V. No expected value is a negative zero. Names become legacyio column names (``-`` -> ``_``).
"""

from __future__ import annotations

import json
import re
import struct
import sys
from pathlib import Path
from typing import Any

_NUM = re.compile(r"^([+-]?)(\d*)(?:\.(\d*))?([+-]?)$")
_STEP = re.compile(r"^([A-Z0-9][A-Z0-9-]*)(?:\((\d+)\))?$")


def column(name: str) -> str:
    """legacyio's column name for a COBOL name (``TP-TIN`` -> ``TP_TIN``)."""
    return name.replace("-", "_")


def parse_number(text: str) -> int | str:
    """A COBOL DISPLAY of a number -> int, or a decimal string keeping the shown scale."""
    m = _NUM.match(text.strip())
    if not m or (m.group(1) and m.group(4)) or not (m.group(2) or m.group(3)):
        raise ValueError(f"not a DISPLAYed number: {text!r}")
    sign = "-" if "-" in (m.group(1), m.group(4)) else ""
    whole = m.group(2).lstrip("0") or "0"
    frac = m.group(3)
    if frac is None:
        return int(sign + whole)
    if not (whole.strip("0") or frac.strip("0")):
        sign = ""  # no negative zero in the expected values
    return f"{sign}{whole}.{frac}"


def convert_value(kind: str, raw: str) -> Any:
    """The JSON value of one displayed field of type ``kind``."""
    if kind == "X":
        return raw.rstrip(" ")
    if kind in ("I", "D"):
        value = parse_number(raw)
        if isinstance(value, int) != (kind == "I"):
            want = "no decimal point" if kind == "I" else "a decimal point"
            raise ValueError(f"type {kind} needs {want}: {raw!r}")
        return value
    if kind == "F":
        return float(raw.strip())
    if kind == "E":
        return struct.unpack("<f", struct.pack("<f", float(raw.strip())))[0]
    raise ValueError(f"unknown type {kind!r}")


def _steps(path: str) -> list[tuple[str, int | None]]:
    steps: list[tuple[str, int | None]] = []
    for part in path.split("."):
        m = _STEP.match(part)
        if not m:
            raise ValueError(f"malformed path {path!r}")
        steps.append((column(m.group(1)), int(m.group(2)) if m.group(2) else None))
    return steps


def _occurrence(node: dict[str, Any], key: str, index: int, path: str) -> list[Any]:
    """The list ``node[key]`` (created at occurrence 1); checks occurrences come in order."""
    items = node.setdefault(key, []) if index == 1 else node.get(key)
    if not isinstance(items, list):
        raise ValueError(f"{path}: {key} is not an OCCURS table here")
    if index not in (len(items), len(items) + 1):
        raise ValueError(f"{path}: occurrence {index} out of order")
    return items


class Record:
    """One record being assembled from its FLD and LST lines."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.value: dict[str, Any] = {}
        self.declared: list[tuple[list[Any], int, str]] = []

    def _parent(self, path: str) -> tuple[dict[str, Any], str, int | None]:
        *parents, (key, index) = _steps(path)
        node: Any = self.value
        for name, i in parents:
            if i is None:
                node = node.setdefault(name, {})
                if not isinstance(node, dict):
                    raise ValueError(f"{path}: {name} is not a group here")
                continue
            items = _occurrence(node, name, i, path)
            if i == len(items) + 1:
                items.append({})
            node = items[i - 1]
        return node, key, index

    def set_field(self, path: str, value: Any) -> None:
        """Store one elementary value; a field shown twice is an error."""
        node, key, index = self._parent(path)
        if index is None:
            if key in node:
                raise ValueError(f"{path} given twice")
            node[key] = value
            return
        items = _occurrence(node, key, index, path)
        if index != len(items) + 1:
            raise ValueError(f"{path} given twice")
        items.append(value)

    def declare_list(self, path: str, count: int) -> None:
        """An OCCURS table with exactly ``count`` occurrences (checked at END)."""
        node, key, index = self._parent(path)
        if index is not None or key in node:
            raise ValueError(f"{path}: LST must name a table before its elements")
        node[key] = []
        self.declared.append((node[key], count, path))

    def finish(self) -> dict[str, Any]:
        for items, count, path in self.declared:
            if len(items) != count:
                raise ValueError(f"{path}: declared {count} occurrences, shown {len(items)}")
        if not self.value:
            raise ValueError("no fields shown")
        return self.value


def _record_number(text: str) -> int:
    value = parse_number(text)
    if not isinstance(value, int):
        raise ValueError(f"bad record number {text!r}")
    return value


def convert_records(display: bytes) -> list[dict[str, Any]]:
    """The whole DISPLAY output (bytes) -> the records, in order."""
    lines = display.decode("latin-1").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    records: list[dict[str, Any]] = []
    current: Record | None = None
    for number, line in enumerate(lines, start=1):
        tag, _, rest = line.partition("|")
        try:
            if tag == "REC" and current is None:
                current = Record(_record_number(rest))
                if current.number != len(records) + 1:
                    raise ValueError(f"expected record {len(records) + 1}")
            elif tag == "END" and current is not None:
                if _record_number(rest) != current.number:
                    raise ValueError(f"END of record {rest}, inside record {current.number}")
                records.append(current.finish())
                current = None
            elif tag == "FLD" and current is not None:
                path, kind, raw = rest.split("|", 2)
                current.set_field(path, convert_value(kind, raw))
            elif tag == "LST" and current is not None:
                path, count = rest.split("|")
                current.declare_list(path, _record_number(count))
            else:
                where = "outside" if current is None else "inside"
                raise ValueError(f"unexpected {tag!r} line {where} a record")
        except ValueError as e:
            raise ValueError(f"line {number}: {e}: {line!r}") from None
    if current is not None:
        raise ValueError(f"the output ends inside record {current.number}")
    if not records:
        raise ValueError("no records displayed")
    return records


def convert(display: bytes) -> str:
    """The whole DISPLAY output (bytes) -> JSON Lines text, one object a record."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in convert_records(display))


def main(argv: list[str]) -> int:
    """display_to_jsonl.py DISPLAY_OUTPUT EXPECTED_JSONL"""
    if len(argv) != 3:
        print(f"usage: {main.__doc__}", file=sys.stderr)
        return 2
    text = convert(Path(argv[1]).read_bytes())
    Path(argv[2]).write_bytes(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
