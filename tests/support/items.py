"""Item builders shared by the codec tests and the codec benchmarks: elementary layout Items
made by hand (numeric, text, edited, national), without a copybook, and record matrices."""

from __future__ import annotations

import re

import numpy as np

from legacyio.layout.model import Category, Item, Picture, Usage
from legacyio.layout.types import storage_size


def _expand(pic: str) -> str:
    """Write out repeat counts: ``Z(3)9V99`` -> ``ZZZ9V99`` (upper case)."""
    return re.sub(r"(.)\((\d+)\)", lambda m: m.group(1) * int(m.group(2)), pic.upper())


def make_item(
    usage: Usage, picture: Picture, *, justified: bool = False, blank_when_zero: bool = False
) -> Item:
    """An elementary item at offset 0 with the exact size and Arrow type of its picture."""
    return Item(
        level=5,
        name="F",
        path=("R", "F"),
        usage=usage,
        offset=0,
        size=storage_size(usage, picture),
        picture=picture,
        justified=justified,
        blank_when_zero=blank_when_zero,
    )


def text_item(length: int, *, justified: bool = False, alphabetic: bool = False) -> Item:
    """PIC X(length) (or A(length)) DISPLAY."""
    cat = Category.ALPHABETIC if alphabetic else Category.ALPHANUMERIC
    sym = ("A" if alphabetic else "X") * length
    pic = Picture(source=f"{sym[0]}({length})", category=cat, length=length, symbols=sym)
    return make_item(Usage.DISPLAY, pic, justified=justified)


def national_item(chars: int, *, justified: bool = False, dbcs: bool = False) -> Item:
    """PIC N(chars) USAGE NATIONAL, or PIC G(chars) DISPLAY-1."""
    if dbcs:
        pic = Picture(
            source=f"G({chars})", category=Category.DBCS, length=chars, symbols="G" * chars
        )
        return make_item(Usage.DBCS, pic, justified=justified)
    pic = Picture(
        source=f"N({chars})", category=Category.NATIONAL, length=chars, symbols="N" * chars
    )
    return make_item(Usage.NATIONAL, pic, justified=justified)


def edited_item(source: str, *, blank_when_zero: bool = False) -> Item:
    """A NUMERIC_EDITED item with digits/scale/signed derived from the picture by hand."""
    sym = _expand(source)
    tail = sym[-2:] if sym.endswith(("CR", "DB")) else ""
    body = sym[: len(sym) - len(tail)]
    floater = next((c for c in "$+-" if body.count(c) >= 2), "")
    first_float = body.find(floater) if floater else -1
    digits = 0
    frac = 0
    after_point = False
    for i, c in enumerate(body):
        if c in ".V":
            after_point = True
            continue
        if c in "9Z*" or (floater and c == floater and i != first_float):
            digits += 1
            frac += after_point
    p_count = body.count("P")
    scale = frac
    if p_count:
        scale = frac + p_count if ("VP" in body or body.startswith("P")) else -p_count
    signed = bool(tail) or "+" in body or "-" in body
    length = sum(1 for c in sym if c not in "VPS")
    pic = Picture(
        source=source,
        category=Category.NUMERIC_EDITED,
        length=length,
        digits=digits,
        scale=scale,
        signed=signed,
        p_count=p_count,
        symbols=sym,
        explicit_point="." in sym,
    )
    return make_item(Usage.DISPLAY, pic, blank_when_zero=blank_when_zero)


def numeric_item(
    digits: int,
    scale: int = 0,
    *,
    signed: bool = True,
    usage: Usage = Usage.DISPLAY,
    p_count: int = 0,
    sign_leading: bool = False,
    sign_separate: bool = False,
) -> Item:
    """A numeric elementary item ``F`` of record ``R`` (PIC S9(digits)V.. / P scaling)."""
    pic = Picture(
        source="test",
        category=Category.NUMERIC,
        length=digits,
        digits=digits,
        scale=scale,
        signed=signed,
        p_count=p_count,
    )
    return Item(
        level=5,
        name="F",
        path=("R", "F"),
        usage=usage,
        offset=0,
        size=storage_size(usage, pic, sign_separate),
        picture=pic,
        sign_leading=sign_leading,
        sign_separate=sign_separate,
    )


def plain_item(usage: Usage, category: Category | None = None, length: int = 4) -> Item:
    """An item without numeric picture: COMP-1/COMP-2/POINTER/INDEX, or a text picture."""
    pic = None
    if category is not None:
        pic = Picture(source="test", category=category, length=length)
    return Item(
        level=5,
        name="F",
        path=("R", "F"),
        usage=usage,
        offset=0,
        size=storage_size(usage, pic),
        picture=pic,
    )


def as_matrix(data: bytes | list[bytes], width: int) -> np.ndarray:
    """An ``(n, width)`` uint8 matrix of concatenated records."""
    if isinstance(data, list):
        data = b"".join(data)
    return np.frombuffer(data, dtype=np.uint8).reshape(-1, width)


def column_slice(mat: np.ndarray, left: int = 3, right: int = 2) -> np.ndarray:
    """The same bytes as a non-contiguous column slice of a wider record matrix."""
    n, w = mat.shape
    big = np.full((n, left + w + right), 0x5A, dtype=np.uint8)
    big[:, left : left + w] = mat
    return big[:, left : left + w]
