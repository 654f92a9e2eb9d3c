"""Codecs: one module per COBOL usage family, each owning decode and encode."""

from __future__ import annotations

from legacyio.codecs.base import Codec
from legacyio.layout.model import Category, Item, Usage
from legacyio.options import FileFormat

__all__ = ["Codec", "make_codec"]

_TEXT = (Category.ALPHANUMERIC, Category.ALPHABETIC, Category.ALPHANUMERIC_EDITED)


def _pointed_zoned(item: Item) -> bool:
    """``S9(n).9(m)``: a signed zoned number with a stored point (a Cobrix extension)."""
    sym = item.picture.symbols if item.picture is not None else ""
    return (
        sym.startswith("S")
        and "." in sym
        and set(sym[1:]) <= {"9", "."}
        and sym.count(".") == 1
        and not item.sign_separate
    )


def is_text_item(item: Item) -> bool:
    """Whether an elementary item is DISPLAY text (PIC X / A / alphanumeric-edited)."""
    return not item.is_group and item.usage == Usage.DISPLAY and item.category in _TEXT


def make_codec(item: Item, fmt: FileFormat, *, trim: str = "right") -> Codec:
    """The codec for one elementary item of a file, chosen by its usage and category.

    Built once per file and applied to every batch; raises ValueError for a group item or a
    usage/category pair no codec handles.
    """
    usage = item.usage
    if item.is_group:
        raise ValueError(f"{item.dotted}: a group item has no codec")
    category = item.category
    if usage in (Usage.FLOAT4, Usage.FLOAT8):
        from legacyio.codecs.floating import FloatCodec

        return FloatCodec(item, fmt, trim=trim)
    if usage in (Usage.BINARY, Usage.COMP5, Usage.POINTER, Usage.INDEX):
        from legacyio.codecs.binary import BinaryCodec, WideBinaryCodec

        if item.size not in (2, 4, 8):
            return WideBinaryCodec(item, fmt, trim=trim)

        return BinaryCodec(item, fmt, trim=trim)
    if usage in (Usage.PACKED, Usage.PACKED_NOSIGN):
        from legacyio.codecs.packed import PackedCodec

        return PackedCodec(item, fmt, trim=trim)
    if usage == Usage.DBCS or category == Category.DBCS:
        from legacyio.codecs.national import DbcsCodec

        return DbcsCodec(item, fmt, trim=trim)
    if usage == Usage.NATIONAL or category in (Category.NATIONAL, Category.NATIONAL_EDITED):
        from legacyio.codecs.national import NationalCodec

        return NationalCodec(item, fmt, trim=trim)
    if usage == Usage.DISPLAY:
        if category == Category.NUMERIC_EDITED and _pointed_zoned(item):
            from legacyio.codecs.zoned import PointedZonedCodec

            return PointedZonedCodec(item, fmt, trim=trim)
        # BLANK WHEN ZERO makes a numeric DISPLAY item numeric-edited (IBM rule): zero is
        # written as spaces, so it needs the editing codec
        if category == Category.NUMERIC_EDITED or (
            category == Category.NUMERIC and item.blank_when_zero and not item.sign_separate
        ):
            from legacyio.codecs.edited import EditedCodec

            return EditedCodec(item, fmt, trim=trim)
        if category == Category.NUMERIC:
            from legacyio.codecs.zoned import ZonedCodec

            return ZonedCodec(item, fmt, trim=trim)
        if category in _TEXT:
            from legacyio.codecs.text import TextCodec

            page = fmt.code_page_map().get(item.name.upper()) if fmt.field_code_page else None
            if page is not None and page != fmt.encoding:
                import attrs

                fmt = attrs.evolve(fmt, encoding=page)  # Cobrix field_code_page
            return TextCodec(item, fmt, trim=trim)
    raise ValueError(f"{item.dotted}: no codec for usage {usage.value} with {category.value} data")
