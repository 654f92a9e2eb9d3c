"""The resolved record layout: an immutable tree of items with byte offsets and sizes.

Built from a parsed copybook by ``legacyio.layout.build``; read by the decoder, the encoder,
the reference model and ``legacyio schema``. Nothing here knows about bytes of data.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs
import pyarrow as pa


class Usage(enum.StrEnum):
    """How an elementary item is stored (every spelling of the USAGE clause maps to one)."""

    DISPLAY = "display"  # zoned decimal / text, one byte a character
    BINARY = "binary"  # COMP, COMP-4, COMPUTATIONAL, BINARY: two's complement
    COMP5 = "comp-5"  # native binary: full range of its bytes
    PACKED = "packed"  # COMP-3, PACKED-DECIMAL: two digits a byte + sign nibble
    PACKED_NOSIGN = "packed-nosign"  # COMP-6 / COMP-3U: packed without sign nibble
    FLOAT4 = "comp-1"  # single precision float (IBM hex or IEEE)
    FLOAT8 = "comp-2"  # double precision float
    NATIONAL = "national"  # UTF-16BE, two bytes a character
    DBCS = "display-1"  # DBCS graphic characters (PIC G / N with DISPLAY-1)
    POINTER = "pointer"  # 4-byte address (kept as binary)
    INDEX = "index"  # 4-byte index (binary)


class Category(enum.StrEnum):
    """The category of a PICTURE (or GROUP for a group item)."""

    GROUP = "group"
    ALPHANUMERIC = "alphanumeric"
    ALPHABETIC = "alphabetic"
    NUMERIC = "numeric"
    NUMERIC_EDITED = "numeric-edited"
    ALPHANUMERIC_EDITED = "alphanumeric-edited"
    NATIONAL = "national"
    NATIONAL_EDITED = "national-edited"
    DBCS = "dbcs"
    FLOAT = "float"  # COMP-1 / COMP-2, no PICTURE
    POINTER = "pointer"
    INDEX = "index"


@attrs.frozen
class Picture:
    """An analysed PICTURE string.

    ``value = stored_integer * 10 ** -scale``. ``digits`` counts stored digit positions (9),
    ``p_count`` the P scaling positions. ``9(3)PP`` has digits 3, scale -2; ``VPP99`` has
    digits 2, scale 4. ``length`` is the number of character positions the picture
    describes (excluding a separate sign, which the SIGN clause adds), for edited pictures
    every symbol. ``symbols`` is the expanded picture (repeat counts written out, upper case).
    """

    source: str
    category: Category
    length: int
    digits: int = 0
    scale: int = 0
    signed: bool = False
    p_count: int = 0
    symbols: str = ""
    explicit_point: bool = False  # numeric-edited / 9(8).9(2): a '.' (or ',') is stored

    @property
    def precision(self) -> int:
        """Decimal precision of the value (stored digits plus P positions)."""
        return self.digits + self.p_count


@attrs.frozen
class ConditionValue:
    """One value (or THRU range) of an 88-level condition. Figurative constants are kept
    by name in upper case (``SPACES``, ``ZEROS``, ``HIGH-VALUES``, ...)."""

    value: str | Decimal | int
    thru: str | Decimal | int | None = None
    figurative: bool = False


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


@attrs.frozen
class SourcePos:
    """Where an item was written: copybook file, 1-based line and column."""

    file: str | None
    line: int
    column: int


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
    value_type: pa.DataType | None = None
    """Arrow type of one occurrence (struct for a group)."""

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
    def arrow_type(self) -> pa.DataType | None:
        """Arrow type of the column: a list of ``value_type`` when the item OCCURS."""
        if self.value_type is None:
            return None
        return pa.list_(self.value_type) if self.occurs else self.value_type

    @property
    def dotted(self) -> str:
        """``A.B.C`` path used in messages and reports."""
        return ".".join(self.path)

    def walk(self) -> Iterator[Item]:
        """This item and all its descendants, in record order."""
        yield self
        for c in self.children:
            yield from c.walk()


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
        from legacyio.layout.build import min_length

        return max((min_length(r) for r in self.records), default=0)

    def items(self) -> Iterator[Item]:
        for r in self.records:
            yield from r.walk()

    def find(self, name: str) -> Item:
        """Find an item by name, dotted path (``REC.GRP.FLD``) or ``FLD OF GRP``; raises
        KeyError if absent, ValueError if ambiguous."""
        from legacyio.layout.build import find_item

        return find_item(self, name)
