"""Storage sizes of elementary items (IBM rules). Arrow-free: the Arrow type of an item is
decided by its codec (``legacyio.codecs.types``)."""

from __future__ import annotations

from legacyio.copybook.types import Category, Picture, Usage

TEXT_CATEGORIES = (
    Category.ALPHANUMERIC,
    Category.ALPHABETIC,
    Category.ALPHANUMERIC_EDITED,
    Category.NATIONAL,
    Category.NATIONAL_EDITED,
    Category.DBCS,
)


def binary_size(digits: int) -> int:
    """Bytes of a COMP/BINARY/COMP-5 item: 2 for 1-4 digits, 4 for 5-9, 8 for 10-18."""
    if digits <= 4:
        return 2
    if digits <= 9:
        return 4
    if digits <= 18:
        return 8
    raise ValueError(f"binary items hold at most 18 digits, not {digits}")


def storage_size(usage: Usage, picture: Picture | None, sign_separate: bool = False) -> int:
    """Bytes one occurrence of an elementary item takes, by IBM rules."""
    if usage == Usage.FLOAT4:
        return 4
    if usage == Usage.FLOAT8:
        return 8
    if usage in (Usage.POINTER, Usage.INDEX):
        return 4
    if picture is None:
        raise ValueError(f"usage {usage.value} needs a PICTURE")
    if usage in (Usage.BINARY, Usage.COMP5):
        return binary_size(picture.digits)
    if usage == Usage.PACKED:
        return picture.digits // 2 + 1
    if usage == Usage.PACKED_NOSIGN:
        return (picture.digits + 1) // 2
    if (
        usage == Usage.NATIONAL
        or picture.category
        in (
            Category.NATIONAL,
            Category.NATIONAL_EDITED,
            Category.DBCS,
        )
        or usage == Usage.DBCS
    ):
        return 2 * picture.length
    # DISPLAY: one byte a character position, plus a separate sign byte
    extra = 1 if (sign_separate and picture.category == Category.NUMERIC) else 0
    return picture.length + extra
