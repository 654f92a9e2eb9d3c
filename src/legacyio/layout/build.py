"""Copybook AST -> resolved ``Layout``: hierarchy by level numbers, sizes (IBM rules), offsets,
REDEFINES areas, OCCURS / OCCURS DEPENDING ON, SYNC slack bytes, 66 and 88 levels.

SYNCHRONIZED (IBM Enterprise COBOL Language Reference, "SYNCHRONIZED clause" and "Slack bytes
within records"): alignment is relative to the start of the 01 record (the compiler puts
each 01 on a doubleword boundary). SYNC on a group applies to every elementary member. Only
these items are aligned, to a boundary ``m``:

* binary (COMP, COMP-4, BINARY, COMP-5) with 1-4 digits: m = 2 (halfword);
  with 5 or more digits: m = 4 (fullword, also for 8-byte items);
* COMP-1, INDEX and POINTER: m = 4; COMP-2: m = 8 (doubleword).

SYNC on DISPLAY, packed, national items has no effect. Slack bytes ``m - r`` (``r`` = offset
modulo ``m``, when not 0) go immediately before the aligned item and count in the size of its
group (``Item.slack_before``). A group with OCCURS that contains SYNC items gets slack bytes at
the end of each occurrence so that its size is a multiple of the largest ``m`` inside it; every
occurrence is then aligned like the first one (these trailing bytes are part of ``Item.size``).

Deliberate extension (Cobrix compatibility): binary items of more than 18 digits, which IBM
rejects, take the smallest number of bytes whose signed range holds all their digits (9 bytes
for 19-20 digits, 16 for 37), as Cobrix lays them out.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from legacyio.copybook.ast import Copybook, DataEntry
from legacyio.copybook.picture import MAX_REPEAT, analyze_picture
from legacyio.errors import CopybookError
from legacyio.layout import types
from legacyio.layout.model import (
    Category,
    Condition,
    Item,
    Layout,
    Occurs,
    Picture,
    Renames,
    SourcePos,
    Usage,
    qual_match,
)

MAX_RECORD_LENGTH = MAX_REPEAT
"""Longest record (every OCCURS at its maximum) legacyio lays out: 134,217,727 bytes, IBM
Enterprise COBOL 6's largest alphanumeric item. A copybook whose OCCURS tables multiply past it
is refused while it is laid out, before anything is allocated for its records."""

_BINARY = (Usage.BINARY, Usage.COMP5)
_NO_PIC = (Usage.FLOAT4, Usage.FLOAT8, Usage.POINTER, Usage.INDEX)


def _err(msg: str, pos: SourcePos | None) -> CopybookError:
    if pos is None:
        return CopybookError(msg)
    return CopybookError(msg, file=pos.file, line=pos.line, column=pos.column)


def cobrix_binary_size(digits: int) -> int:
    """Bytes of a binary item: IBM sizes up to 18 digits, Cobrix's beyond (see module doc)."""
    if digits <= 18:
        return types.binary_size(digits)
    b = 1
    while 2 ** (8 * b - 1) < 10**digits:
        b += 1
    return b


def sync_alignment(usage: Usage, picture: Picture | None) -> int:
    """The boundary ``m`` a SYNCHRONIZED item is aligned to (1: no alignment)."""
    if usage in _BINARY:
        return 2 if picture is not None and picture.digits <= 4 else 4
    if usage in (Usage.FLOAT4, Usage.POINTER, Usage.INDEX):
        return 4
    if usage == Usage.FLOAT8:
        return 8
    return 1


# ---- hierarchy -----------------------------------------------------------------------------
@attrs.define
class _Node:
    entry: DataEntry
    children: list[_Node] = attrs.Factory(list)
    conditions: list[Condition] = attrs.Factory(list)

    @property
    def level(self) -> int:
        return self.entry.level


def _tree(
    entries: Sequence[DataEntry],
) -> tuple[list[_Node], list[_Node], list[tuple[DataEntry, _Node]], bool, list[_Node]]:
    top: list[_Node] = []  # records and 77 items in source order
    records: list[_Node] = []
    standalone: list[_Node] = []
    renames: list[tuple[DataEntry, _Node]] = []
    stack: list[_Node] = []
    last: _Node | None = None
    synthetic = False
    after_77 = False
    for e in entries:
        if e.level == 88:
            if last is None:
                raise _err("a level-88 condition must follow the item it belongs to", e.pos)
            last.conditions.append(Condition(e.name or "", e.values, e.pos.line))
            continue
        if e.level == 66:
            if not records:
                raise _err("a level-66 RENAMES entry must follow a record", e.pos)
            renames.append((e, records[-1]))
            continue
        node = _Node(e)
        last = node
        if e.level == 77:
            standalone.append(node)
            top.append(node)
            stack = []
            after_77 = True
            continue
        if e.level == 1:
            records.append(node)
            top.append(node)
            stack = [node]
            after_77 = False
            continue
        if not stack:
            if records or after_77:
                raise _err(f"level {e.level:02d} item has no level-01 record to belong to", e.pos)
            root = _Node(DataEntry(level=1, name="RECORD", pos=e.pos))
            records.append(root)
            top.append(root)
            stack = [root]
            synthetic = True
        while stack and stack[-1].level >= e.level:
            stack.pop()
        parent = stack[-1]
        if parent.children and parent.children[0].level != e.level:
            sib = parent.children[0].entry
            raise _err(
                f"level {e.level:02d} does not match the level {sib.level:02d} of the other "
                f"items under {parent.entry.name or 'FILLER'} (line {sib.pos.line})",
                e.pos,
            )
        if parent.entry.picture is not None or parent.entry.usage in _NO_PIC:
            raise _err(
                f"{parent.entry.name or 'FILLER'} is elementary (it has a PICTURE or "
                "a usage without one) and cannot have subordinate items",
                e.pos,
            )
        parent.children.append(node)
        stack.append(node)
    return records, standalone, renames, synthetic, top


# ---- placement -----------------------------------------------------------------------------
@attrs.frozen
class _Inherit:
    usage: Usage | None = None
    sign: str | None = None
    sign_separate: bool = False
    sync: bool = False
    national: bool = False


class _Builder:
    def __init__(self, odo_mappings: Iterable[str]) -> None:
        self.done: list[Item] = []  # completed items in record order (for DEPENDING ON)
        self.odo_mappings = {n.upper() for n in odo_mappings}

    def place(
        self, node: _Node, offset: int, inh: _Inherit, parent_path: tuple[str, ...], in_occurs: bool
    ) -> tuple[Item, int]:
        """Lay out ``node`` starting at record offset ``offset``; returns the item and the
        largest SYNC alignment inside it."""
        e = node.entry
        name = e.name or "FILLER"
        path = (*parent_path, name)
        occurs = self.occurs(e, path) if e.occurs else None
        item, align = self._place(node, offset, inh, parent_path, in_occurs, name, path, occurs)
        if item.end > MAX_RECORD_LENGTH:
            reps = f" ({occurs.max:,} occurrences of {item.size:,} bytes)" if occurs else ""
            raise _err(
                f"{name} ends at byte {item.end:,}{reps}: legacyio lays out records of at "
                f"most {MAX_RECORD_LENGTH:,} bytes",
                e.pos,
            )
        return item, align

    def _place(
        self,
        node: _Node,
        offset: int,
        inh: _Inherit,
        parent_path: tuple[str, ...],
        in_occurs: bool,
        name: str,
        path: tuple[str, ...],
        occurs: Occurs | None,
    ) -> tuple[Item, int]:
        e = node.entry
        usage = e.usage or inh.usage
        sign = e.sign or inh.sign
        sign_sep = e.sign_separate if e.sign else inh.sign_separate
        sync = e.sync or inh.sync
        conditions = tuple(node.conditions)
        common: dict[str, Any] = {
            "level": e.level,
            "name": name,
            "path": path,
            "occurs": occurs,
            "redefines": e.redefines,
            "sync": e.sync,
            "justified": e.justified,
            "blank_when_zero": e.blank_when_zero,
            "value": e.value,
            "conditions": conditions,
            "is_filler": e.is_filler or e.name is None,
            "external": e.external,
            "global_": e.global_,
            "pos": e.pos,
        }
        if node.children:
            if e.picture is not None:
                raise _err(f"group item {name} cannot have a PICTURE", e.picture_pos or e.pos)
            child_inh = _Inherit(
                usage, sign, sign_sep, sync, inh.national or e.group_usage_national
            )
            children: list[Item] = []
            cursor = offset
            max_align = 1
            chain: list[Item] = []  # base and the items redefining it so far
            for c in node.children:
                ce = c.entry
                if ce.redefines:
                    # IBM: several entries may redefine one area, each naming the original
                    # item or an earlier redefinition of it
                    target = next(
                        (t for t in chain if t.name.upper() == ce.redefines.upper()), None
                    )
                    if target is None:
                        earlier = [x for x in children if x.name.upper() == ce.redefines.upper()]
                        why = (
                            "it is not the item just before this entry (or a redefinition "
                            "of that item)"
                            if earlier
                            else "no item of that name precedes it"
                        )
                        raise _err(
                            f"REDEFINES {ce.redefines}: {why} at level {ce.level:02d}",
                            ce.pos,
                        )
                    if target.occurs is not None and target.occurs.depending_on:
                        raise _err(
                            f"REDEFINES {ce.redefines}: cannot redefine a variable-size table",
                            ce.pos,
                        )
                    item, align = self.place(
                        c,
                        target.offset - target.slack_before,
                        child_inh,
                        path,
                        in_occurs or occurs is not None,
                    )
                    cursor = max(cursor, item.end)
                    chain.append(item)
                else:
                    item, align = self.place(
                        c, cursor, child_inh, path, in_occurs or occurs is not None
                    )
                    chain = [item]
                    cursor = item.end
                max_align = max(max_align, align)
                children.append(item)
            size = cursor - offset
            if occurs is not None and max_align > 1 and size % max_align:
                size += max_align - size % max_align  # slack at the end of each occurrence
            item = Item(
                usage=usage or Usage.DISPLAY,
                offset=offset,
                size=size,
                children=tuple(children),
                **common,
            )
            self.done.append(item)
            return item, max_align
        # ---- elementary
        picture = None
        if e.picture is not None:
            pp = e.picture_pos or e.pos
            is_numeric_sign = sign is not None
            try:
                picture = analyze_picture(
                    e.picture,
                    file=pp.file,
                    line=pp.line,
                    column=pp.column,
                    sign_clause=is_numeric_sign,
                    sign_separate=bool(sign and sign_sep),
                )
            except CopybookError as err:
                raise CopybookError(
                    f"{name}: {err.message}", file=err.file, line=err.line, column=err.column
                ) from None
            if usage is None:
                if picture.category in (Category.NATIONAL, Category.NATIONAL_EDITED):
                    usage = Usage.NATIONAL
                elif picture.category == Category.DBCS:
                    usage = Usage.DBCS
        usage = usage or (Usage.NATIONAL if inh.national else Usage.DISPLAY)
        upos = e.usage_pos or e.pos
        if usage in _NO_PIC:
            if picture is not None:
                raise _err(
                    f"{name}: USAGE {usage.value.upper()} items take no PICTURE",
                    e.picture_pos or e.pos,
                )
        elif picture is None:
            raise _err(
                f"elementary item {name} needs a PICTURE clause (or a group needs "
                "subordinate items)",
                e.pos,
            )
        elif usage in (*_BINARY, Usage.PACKED, Usage.PACKED_NOSIGN):
            if picture.category != Category.NUMERIC:
                raise _err(
                    f"{name}: USAGE {usage.value.upper()} needs a numeric PICTURE, "
                    f"not {picture.source!r}",
                    upos,
                )
            if usage == Usage.PACKED_NOSIGN and picture.signed:
                raise _err(f"{name}: an unsigned packed usage cannot have a signed PICTURE", upos)
        elif usage == Usage.NATIONAL and picture.category in (
            Category.ALPHANUMERIC,
            Category.ALPHABETIC,
            Category.ALPHANUMERIC_EDITED,
            Category.DBCS,
        ):
            raise _err(f"{name}: USAGE NATIONAL needs a PICTURE of N or 9 symbols", upos)
        if e.sign and (
            picture is None
            or picture.category != Category.NUMERIC
            or usage not in (Usage.DISPLAY, Usage.NATIONAL)
        ):
            raise _err(f"{name}: a SIGN clause needs a numeric DISPLAY item", e.pos)
        numeric_display = (
            picture is not None
            and picture.category == Category.NUMERIC
            and usage in (Usage.DISPLAY, Usage.NATIONAL)
        )
        has_sign = bool(sign) and numeric_display
        sep = has_sign and sign_sep
        if usage in _BINARY and picture is not None and picture.digits > 18:
            size = cobrix_binary_size(picture.digits)
        else:
            size = types.storage_size(usage, picture, sep)
            if usage == Usage.NATIONAL and sep:
                size += 1  # the separate sign of a national decimal is a national character
        align = sync_alignment(usage, picture) if sync else 1
        slack = (-offset) % align
        item = Item(
            usage=usage,
            offset=offset + slack,
            size=size,
            picture=picture,
            sign_leading=has_sign and sign == "leading",
            sign_separate=sep,
            slack_before=slack,
            **common,
        )
        if occurs is not None and align > 1 and size % align:
            item = attrs.evolve(item, size=size + (align - size % align))
        self.done.append(item)
        return item, align

    def occurs(self, e: DataEntry, path: tuple[str, ...]) -> Occurs:
        oc = e.occurs
        assert oc is not None
        if e.level in (1, 77):
            raise _err(f"OCCURS is not allowed on level {e.level:02d}", e.pos)
        if oc.max > MAX_RECORD_LENGTH:
            raise _err(
                f"{e.name or 'FILLER'}: OCCURS {oc.max:,} is more occurrences than a record of "
                f"at most {MAX_RECORD_LENGTH:,} bytes can hold",
                e.pos,
            )
        dep_path = None
        dep_name = None
        if oc.depending_on:
            dep_name = " OF ".join(oc.depending_on)
            target = self.resolve(oc.depending_on, e.pos, f"DEPENDING ON {dep_name}")
            table = e.name or "FILLER"
            if target.is_group:
                raise _err(
                    f"DEPENDING ON {dep_name}: the object of table {table} must be an "
                    "elementary numeric item, not a group",
                    e.pos,
                )
            integral = (
                target.picture is not None
                and target.picture.category == Category.NUMERIC
                and target.picture.scale == 0
            ) or target.usage in (Usage.INDEX,)
            if not integral and table.upper() not in self.odo_mappings:
                raise _err(
                    f"Field {target.name} is a DEPENDING ON field of an OCCURS "
                    f"({table}), should be integral numeric (or give an occurs "
                    "mapping for the table)",
                    e.pos,
                )
            dep_path = target.path
        return Occurs(oc.min, oc.max, dep_name, dep_path, oc.keys, oc.indexed_by)

    def resolve(self, qual: tuple[str, ...], pos: SourcePos, what: str) -> Item:
        found = [it for it in self.done if qual_match(it, qual)]
        if not found:
            raise _err(
                f"{what}: no such item before the table (it must be defined before "
                "it and not inside it)",
                pos,
            )
        if len(found) > 1:
            paths = ", ".join(".".join(f.path) for f in found)
            raise _err(f"{what} is ambiguous ({paths}); qualify it with OF", pos)
        return found[0]


def _renames(entry: DataEntry, record: Item) -> Renames:
    items = list(record.walk())

    def lookup(q: tuple[str, ...]) -> Item:
        found = [it for it in items if qual_match(it, q)]
        label = " OF ".join(q)
        if not found:
            raise _err(f"RENAMES {label}: no such item in record {record.name}", entry.pos)
        if len(found) > 1:
            raise _err(f"RENAMES {label} is ambiguous; qualify it with OF", entry.pos)
        it = found[0]
        if it.level in (1, 66, 77, 88):
            raise _err(f"RENAMES {label}: a level-{it.level:02d} item cannot be renamed", entry.pos)
        for anc in items:
            if anc.occurs is not None and it.path[: len(anc.path)] == anc.path:
                raise _err(
                    f"RENAMES {label}: items with OCCURS (or inside a table) cannot be renamed",
                    entry.pos,
                )
        return it

    assert entry.renames is not None
    first = lookup(entry.renames)
    last = lookup(entry.renames_thru) if entry.renames_thru else None
    end = first.end
    if last is not None and entry.renames_thru is not None:
        if last.offset < first.offset:
            raise _err(
                f"RENAMES {entry.renames[0]} THRU {entry.renames_thru[0]}: the THRU item "
                "must not precede the first item",
                entry.pos,
            )
        if last.path[: len(first.path)] == first.path and last is not first:
            raise _err("RENAMES ... THRU: the THRU item cannot be inside the first item", entry.pos)
        end = max(end, last.end)
    return Renames(
        name=entry.name or "",
        from_name=" OF ".join(entry.renames),
        thru_name=" OF ".join(entry.renames_thru) if entry.renames_thru else None,
        offset=first.offset,
        size=end - first.offset,
        pos=entry.pos,
    )


def _check_unicode(text: str, name: str | None) -> None:
    """Copybook text must be valid Unicode (it is stored as UTF-8 in every table's metadata):
    a lone surrogate, which is how Python keeps an undecodable byte, is refused by place."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        before = text[: e.start]
        line = before.count("\n") + 1
        column = e.start - (before.rfind("\n") + 1) + 1
        raise CopybookError(
            f"character U+{ord(text[e.start]):04X} is not valid Unicode (an undecodable byte? "
            "decode the copybook with its code page first)",
            file=name,
            line=line,
            column=column,
        ) from None


def build_layout(
    source: str | Copybook,
    *,
    name: str | None = None,
    search_path: Sequence[str | os.PathLike[str]] = (),
    format: str | None = None,
    record: str | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    source_name: str | None = None,
    odo_mappings: Iterable[str] = (),
) -> Layout:
    """Build the resolved Layout of a copybook (text or parsed ``Copybook``).

    ``record`` keeps only that 01-level record. ``odo_mappings`` names OCCURS DEPENDING ON
    tables whose count comes from a value mapping (Cobrix ``occurs_mappings``): their object
    may then be a non-integral (e.g. alphanumeric) item.
    """
    if isinstance(source, Copybook):
        cb = source
    else:
        _check_unicode(source, name)
        from legacyio.copybook.parser import parse

        cb = parse(
            source,
            name=name,
            search_path=search_path,
            format=format,  # type: ignore[arg-type]
            base_dir=base_dir,
        )
    nodes, standalone_nodes, renames_entries, synthetic, top = _tree(cb.entries)
    if not nodes and not standalone_nodes:
        raise CopybookError("the copybook has no data description entries", file=cb.file)
    b = _Builder(odo_mappings)
    records: list[Item] = []
    by_node: dict[int, Item] = {}
    for n in top:
        if n.entry.level == 77 and n.children:
            raise _err("a level-77 item cannot have subordinate items", n.entry.pos)
        item, _ = b.place(n, 0, _Inherit(), (), False)
        by_node[id(n)] = item
    records = [by_node[id(n)] for n in nodes]
    seen: dict[str, Item] = {}
    for r in records:
        if r.is_filler or (synthetic and r is records[0]):
            continue
        prev = seen.setdefault(r.name.upper(), r)
        if prev is not r:
            first = f" (first at line {prev.pos.line})" if prev.pos else ""
            raise _err(
                f"record {r.name} is defined twice{first}: 01 records need distinct names",
                r.pos,
            )
    standalone = tuple(by_node[id(n)] for n in standalone_nodes)
    renames = tuple(_renames(e, by_node[id(rec)]) for e, rec in renames_entries)
    if record is not None:
        keep = [r for r in records if r.name.upper() == record.upper()]
        if not keep:
            names = ", ".join(r.name for r in records)
            raise CopybookError(f"record {record!r} not found (records: {names})", file=cb.file)
        renames = tuple(
            rn for rn, (_, rec) in zip(renames, renames_entries) if by_node[id(rec)] is keep[0]
        )
        records = keep
    if source_name is None and cb.file:
        source_name = Path(cb.file).name
    return Layout(
        records=tuple(records),
        renames=renames,
        standalone=standalone,
        source_text=cb.text,
        source_name=source_name,
        synthetic_root=synthetic,
    )
