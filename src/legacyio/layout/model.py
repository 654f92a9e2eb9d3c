"""The resolved record layout: an immutable tree of items with byte offsets and sizes.

Built from a parsed copybook by ``legacyio.layout.build``; read by the decoder, the encoder,
the reference model and ``legacyio schema``. Nothing here knows about bytes of data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import attrs

from legacyio.copybook.types import Category, ConditionValue, Picture, SourcePos, Usage


@attrs.frozen
class Condition:
    """An 88-level condition name attached to its item."""

    name: str
    values: tuple[ConditionValue, ...]
    line: int | None = None


@attrs.frozen
class Occurs:
    """OCCURS n TIMES or OCCURS m TO n TIMES DEPENDING ON name."""

    min: int
    max: int
    depending_on: str | None = None
    """Name of the DEPENDING ON object as written (may be qualified: ``A OF B``)."""
    depending_path: tuple[str, ...] | None = None
    """Full path (record name first) of the resolved DEPENDING ON object."""
    keys: tuple[tuple[str, str], ...] = ()
    """(ASCENDING|DESCENDING, key name) pairs."""
    indexed_by: tuple[str, ...] = ()


@attrs.frozen(eq=False)
class Item:
    """A data item (group or elementary) with its resolved place in the record.

    ``offset`` is the byte offset of the item's first occurrence from the start of the record,
    in the maximum layout (ODO tables at their maximum size). ``size`` is the byte length of
    one occurrence (for a group the sum of its members plus SYNC slack); ``total_size`` is
    ``size * occurs.max``.
    """

    level: int
    name: str
    path: tuple[str, ...]
    usage: Usage
    offset: int
    size: int
    picture: Picture | None = None
    occurs: Occurs | None = None
    redefines: str | None = None
    children: tuple[Item, ...] = ()
    sign_leading: bool = False
    sign_separate: bool = False
    sync: bool = False
    justified: bool = False
    blank_when_zero: bool = False
    value: Any = None
    conditions: tuple[Condition, ...] = ()
    slack_before: int = 0
    """SYNC slack bytes inserted before this item (already included in ``offset``)."""
    is_filler: bool = False
    external: bool = False
    global_: bool = False
    pos: SourcePos | None = None

    # ---- derived facts -------------------------------------------------------------
    @property
    def is_group(self) -> bool:
        return bool(self.children) or (self.picture is None and self.usage not in _NO_PIC_USAGES)

    @property
    def category(self) -> Category:
        if self.is_group:
            return Category.GROUP
        if self.picture is not None:
            return self.picture.category
        return {
            Usage.FLOAT4: Category.FLOAT,
            Usage.FLOAT8: Category.FLOAT,
            Usage.POINTER: Category.POINTER,
            Usage.INDEX: Category.INDEX,
        }[self.usage]

    @property
    def digits(self) -> int:
        return self.picture.digits if self.picture else 0

    @property
    def scale(self) -> int:
        return self.picture.scale if self.picture else 0

    @property
    def signed(self) -> bool:
        return bool(self.picture and self.picture.signed)

    @property
    def total_size(self) -> int:
        return self.size * (self.occurs.max if self.occurs else 1)

    @property
    def end(self) -> int:
        return self.offset + self.total_size

    @property
    def dotted(self) -> str:
        """``A.B.C`` path used in messages and reports."""
        return ".".join(self.path)

    def walk(self) -> Iterator[Item]:
        """This item and all its descendants, in record order."""
        # an explicit stack, not nested generators: a 30,000-field copybook walks its items
        # several times while a plan is built
        stack = [self]
        while stack:
            it = stack.pop()
            yield it
            if it.children:
                stack.extend(reversed(it.children))


_NO_PIC_USAGES = (Usage.FLOAT4, Usage.FLOAT8, Usage.POINTER, Usage.INDEX)


@attrs.frozen
class Renames:
    """A 66-level RENAMES item: an alternative name for a span of the record."""

    name: str
    from_name: str
    thru_name: str | None
    offset: int
    size: int
    pos: SourcePos | None = None


@attrs.frozen(eq=False)
class Layout:
    """A parsed copybook: its 01-level records (alternatives sharing one record area), their
    66-level RENAMES and 77-level items, and the copybook text it came from."""

    records: tuple[Item, ...]
    renames: tuple[Renames, ...] = ()
    standalone: tuple[Item, ...] = ()
    source_text: str | None = None
    source_name: str | None = None
    synthetic_root: bool = False
    """True when the copybook had no 01 level and a root named RECORD was made for it."""

    @property
    def record_length(self) -> int:
        """Maximum record length (ODO tables at maximum size)."""
        return max((r.total_size for r in self.records), default=0)

    @property
    def min_record_length(self) -> int:
        """Record length with every ODO table at its minimum count (variable layout)."""
        return max((min_length(r) for r in self.records), default=0)

    def items(self) -> Iterator[Item]:
        for r in self.records:
            yield from r.walk()

    def find(self, name: str) -> Item:
        """Find an item by name, dotted path (``REC.GRP.FLD``) or ``FLD OF GRP``; raises
        KeyError if absent, ValueError if ambiguous."""
        return find_item(self, name)


# ---- queries: find an item, minimum lengths -------------------------------------------------------------------------------
_QUAL = re.compile(r"\s+(?:OF|IN)\s+", re.I)


def find_item(layout: Layout, name: str) -> Item:
    """Find an item by dotted path (any unique suffix), plain name, or ``FLD OF GRP`` /
    ``FLD IN GRP``. Case-insensitive; ``_`` and ``-`` are interchangeable as a fallback.
    KeyError if absent, ValueError if ambiguous."""
    q = name.strip()
    items = list(layout.items())
    for s in layout.standalone:
        items.extend(s.walk())
    if _QUAL.search(q):
        parts = tuple(p.strip() for p in _QUAL.split(q))

        def match(it: Item, norm) -> bool:
            return qual_match(it, parts, norm)
    else:
        parts = tuple(p.strip() for p in q.split(".")) if "." in q else (q,)

        def match(it: Item, norm) -> bool:
            if len(parts) > len(it.path):
                return False
            return all(norm(a) == norm(b) for a, b in zip(it.path[-len(parts) :], parts))

    for norm in (_norm, _norm2):
        found = [it for it in items if match(it, norm)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            exact = [it for it in found if len(it.path) == len(parts)]
            if len(exact) == 1:
                return exact[0]
            paths = ", ".join(it.dotted for it in found)
            raise ValueError(f"{name!r} is ambiguous: {paths}")
    raise KeyError(name)


def _variable(item: Item) -> bool:
    return any(it.occurs is not None and it.occurs.depending_on for it in item.walk())


def min_length(item: Item) -> int:
    """Bytes ``item`` takes (all occurrences) with every ODO table at its minimum count and the
    following fields shifted up (variable layout). Equals ``total_size`` without ODO."""
    if not _variable(item):
        return item.total_size
    per = _min_occurrence(item)
    if item.occurs is None:
        return per
    return per * (item.occurs.min if item.occurs.depending_on else item.occurs.max)


def _min_occurrence(item: Item) -> int:
    if not item.children:
        return item.size
    cursor = 0
    area = 0
    for c in item.children:
        ext = c.slack_before + min_length(c)
        if c.redefines:
            cursor = max(cursor, area + ext)
        else:
            area = cursor
            cursor += ext
    return cursor


def _norm(s: str) -> str:
    return s.upper()


def _norm2(s: str) -> str:
    return s.upper().replace("_", "-")


def qual_match(item: Item, qual: Sequence[str], norm=_norm) -> bool:
    if norm(item.name) != norm(qual[0]):
        return False
    ancestors = [norm(p) for p in item.path[:-1]]
    k = len(ancestors)
    for q in qual[1:]:
        qn = norm(q)
        k -= 1
        while k >= 0 and ancestors[k] != qn:
            k -= 1
        if k < 0:
            return False
    return True
