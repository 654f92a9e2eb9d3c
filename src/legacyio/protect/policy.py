"""Need-to-know policies: a TOML file saying, field by field, what an extract may release.

``load_policy(path, copybook)`` reads the policy and checks it against the record layout
before any data is read: unknown names, options an action does not take, FPE and token
domains that are too small, and — protection follows bytes, not names — every item whose
bytes overlap a protected field (a REDEFINES alias, a field of another 01 record or segment
alternative, a FILLER, a 66-level RENAMES) must withhold those bytes too. An overlapping
item that only the policy's default would keep is withheld automatically (and the report
says why); one that a rule explicitly releases makes the policy refused, with the reason.

A rule on a group applies to every elementary item under it that no more specific rule
names; the Arrow struct of a group holds its members' protected values, never raw bytes.

Example::

    version = 1
    name = "taxpayer-research"
    purpose = "statistics on balances"
    default = "drop"

    [key]
    file = "research.key"
    id = "research-2026"

    [tags]
    names = ["TP-LAST-NAME", "TP-FIRST-NAME", "TP-DEPENDENT.TP-DEP-NAME"]

    [[rule]]
    field = "TP-TIN"
    action = "fpe"
    domain = "tin"

    [[rule]]
    tag = "names"
    action = "mask"
    keep_first = 1

    [rows]
    field = "TP-TIN"
    allow_file = "accounts.txt"
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa

from legacyio.layout.model import Category, Item, Layout
from legacyio.protect.checker import Checker, value_type_of
from legacyio.protect.rules import (
    ACTIONS,
    WITHHOLD,
    AllowList,
    FieldAction,
    Policy,
    PolicyError,
    Rule,
)

__all__ = [
    "ACTIONS",
    "WITHHOLD",
    "AllowList",
    "FieldAction",
    "Policy",
    "PolicyError",
    "Rule",
    "check_table",
    "format_check_table",
    "load_policy",
]


# ---- loading --------------------------------------------------------------------------------
def load_policy(
    path: str | os.PathLike[str],
    copybook: str | os.PathLike[str] | Layout,
    *,
    search_path: Iterable[str | os.PathLike[str]] = (),
) -> Policy:
    """Read a policy file and check it against a copybook (path, text or ``Layout``)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise PolicyError(f"cannot read the policy: {e.strerror}", file=str(p)) from None
    return parse_policy(raw, copybook, file=str(p), search_path=search_path)


def parse_policy(
    raw: bytes | str,
    copybook: str | os.PathLike[str] | Layout,
    *,
    file: str | None = None,
    search_path: Iterable[str | os.PathLike[str]] = (),
) -> Policy:
    """``load_policy`` on the text of a policy (``file`` names it in messages and anchors
    relative paths)."""
    from legacyio import load_copybook

    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    text = data.decode("utf-8", errors="replace")
    fname = file or "<policy>"
    base = Path(file).parent if file else Path.cwd()
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise PolicyError(
            f"not valid TOML: {e}", file=fname, line=int(m.group(1)) if m else None
        ) from None
    layout = load_copybook(copybook, search_path=tuple(search_path))
    return Checker(doc, text, fname, base, layout, hashlib.sha256(data).hexdigest()).run()


# ---- report ---------------------------------------------------------------------------------
def check_table(policy: Policy) -> list[dict[str, Any]]:
    """One row a layout item (record order): path, level, offset, length, picture, Arrow type,
    action, options and why — the ``legacyio policy check`` table. No data is read."""
    rows: list[dict[str, Any]] = []
    items: list[Item] = []
    for r in policy.layout.records:
        items.extend(r.walk())
    for it in items:
        fa = policy.actions.get(it.dotted)
        if it.children:
            action = policy.groups.get(it.dotted, "")
            opts, why = "", "group: its members' actions"
        elif fa is not None:
            action = fa.action
            opts = ", ".join(f"{k}={v}" for k, v in fa.options)
            why = fa.source
        else:
            continue
        rows.append(
            {
                "path": it.dotted,
                "level": it.level,
                "offset": it.offset,
                "length": it.total_size,
                "picture": it.picture.source if it.picture else "",
                "usage": str(it.usage),
                "category": str(it.category) if it.category != Category.GROUP else "group",
                "arrow": _short_type(it),
                "action": action,
                "options": opts,
                "why": why,
            }
        )
    for rn in policy.layout.renames:
        rows.append(
            {
                "path": rn.name,
                "level": 66,
                "offset": rn.offset,
                "length": rn.size,
                "picture": "",
                "usage": "",
                "category": "renames",
                "arrow": "",
                "action": "not output",
                "options": "",
                "why": "66-level alias: its bytes follow the fields it spans",
            }
        )
    return rows


def _short_type(it: Item) -> str:
    t = value_type_of(it)
    if t is not None and it.occurs:
        t = pa.list_(t)
    if t is None and not it.children:
        return ""
    if it.children:
        return "list<struct>" if it.occurs else "struct"
    return str(t)


def format_check_table(policy: Policy) -> str:
    """The check table as aligned text, with the policy's notes after it."""
    rows = check_table(policy)
    cols = ["path", "offset", "length", "picture", "arrow", "action", "options", "why"]
    head = {c: c.upper() for c in cols}
    width = {c: max(len(str(r[c])) for r in [head, *rows]) for c in cols}
    lines = ["  ".join(str(r[c]).ljust(width[c]) for c in cols).rstrip() for r in [head, *rows]]
    lines.insert(1, "  ".join("-" * width[c] for c in cols))
    if policy.allow is not None:
        lines.append(
            f"rows: only records whose {policy.allow.item.dotted} is in the allow-list "
            f"({policy.allow.count} values, sha256 {policy.allow.sha256[:16]}...)"
        )
    lines.extend(f"note: {n}" for n in policy.notes)
    return "\n".join(lines)
