"""The type vocabulary of a copybook: usages, PICTURE categories, analysed pictures,
condition values and source positions. Plain Python: no pyarrow, no NumPy."""

from __future__ import annotations

import enum
from decimal import Decimal

import attrs


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


@attrs.frozen(cache_hash=True)
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
class SourcePos:
    """Where an item was written: copybook file, 1-based line and column."""

    file: str | None
    line: int
    column: int
