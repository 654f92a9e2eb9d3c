#!/usr/bin/env python3
"""Turn the DISPLAY output of a golden COBOL program into expected JSON Lines.

Standalone on purpose (it must not import legacyio): the expected values come from what the
COBOL program printed, only re-shaped here. Input, one line a record, Latin-1 bytes:

    REC 3|TP-TIN:N=123456789|TP-NAME.TP-LAST-NAME:X=MÜLLER   |TP-DEP:L=2|TP-DEP(1).TP-DEP-SSN:N=...

``PATH:TAG=VALUE`` fields are separated by ``|``. PATH is COBOL names joined by ``.`` (groups),
``NAME(i)`` is occurrence i of an OCCURS. Tags: ``X`` text (right-trimmed of spaces), ``N`` a
number as COBOL DISPLAYs it (sign leading or trailing, digits, optional decimal point: a point
gives a JSON string with exactly the digits after the point shown, else a JSON integer), ``F``
a COMP-1/COMP-2 value (JSON number), ``L`` the number of occurrences of the OCCURS table PATH
(declared before its elements; 0 gives an empty list). A line may end with ``|``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

_NUM = re.compile(r"^([+-]?)(\d*)(?:\.(\d*))?([+-]?)$")
_SEG = re.compile(r"^([A-Z0-9][A-Z0-9-]*)(?:\((\d+)\))?$")


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


def _value(tag: str, raw: str) -> Any:
    if tag == "X":
        return raw.rstrip(" ")
    if tag == "N":
        return parse_number(raw)
    if tag == "F":
        return float(raw.strip())
    raise ValueError(f"unknown tag {tag!r}")


def parse_record(line: str, expect_no: int) -> dict[str, Any]:
    """One ``REC n|...`` line -> the nested record object."""
    head, *fields = line.split("|")
    if fields and fields[-1] == "":
        fields.pop()  # a line may end with "|"
    if head != f"REC {expect_no}":
        raise ValueError(f"expected 'REC {expect_no}', got {head!r}")
    rec: dict[str, Any] = {}
    declared: list[tuple[list[Any], int, str]] = []
    for field in fields:
        path_tag, sep, raw = field.partition("=")
        path, _, tag = path_tag.rpartition(":")
        if not sep or not path:
            raise ValueError(f"record {expect_no}: malformed field {field!r}")
        segs = [_SEG.match(s) for s in path.split(".")]
        if not all(segs):
            raise ValueError(f"record {expect_no}: malformed path {path!r}")
        node: Any = rec
        for depth, m in enumerate(segs):
            assert m is not None
            key, index = column(m.group(1)), m.group(2)
            last = depth == len(segs) - 1
            if tag == "L" and last:
                if index is not None or key in node:
                    raise ValueError(f"record {expect_no}: bad list declaration {path!r}")
                node[key] = []
                declared.append((node[key], int(raw), path))
                break
            if index is None:
                if last:
                    if key in node:
                        raise ValueError(f"record {expect_no}: {path} given twice")
                    node[key] = _value(tag, raw)
                else:
                    node = node.setdefault(key, {})
                continue
            lst = node.get(key)
            i = int(index)
            if not isinstance(lst, list):
                raise ValueError(f"record {expect_no}: {path}: OCCURS not declared with :L")
            if last:
                if i != len(lst) + 1:
                    raise ValueError(f"record {expect_no}: {path}: occurrence out of order")
                lst.append(_value(tag, raw))
            else:
                if i == len(lst) + 1:
                    lst.append({})
                elif i != len(lst):
                    raise ValueError(f"record {expect_no}: {path}: occurrence out of order")
                node = lst[i - 1]
    for lst, count, path in declared:
        if len(lst) != count:
            raise ValueError(f"record {expect_no}: {path} declared {count}, shown {len(lst)}")
    return rec


def convert(display: bytes) -> str:
    """The whole DISPLAY output (bytes) -> JSON Lines text; lines not starting REC are errors."""
    out = []
    for n, line in enumerate(display.decode("latin-1").splitlines(), start=1):
        out.append(json.dumps(parse_record(line, n), ensure_ascii=False))
    if not out:
        raise ValueError("no records displayed")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    """display_to_jsonl.py DISPLAY_OUTPUT EXPECTED_JSONL"""
    if len(argv) != 3:
        print(main.__doc__, file=sys.stderr)
        return 2
    text = convert(Path(argv[1]).read_bytes())
    Path(argv[2]).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
