"""Hypothesis strategies for record contents of a Layout: valid values and raw bytes.

* ``record_values(layout, fmt)``: a dict of top-level column values that every field can
  represent (ODO counts consistent with their tables, one alternative set per REDEFINES chain,
  the others None), in the shape ``reference.model.decode_record`` returns.
* ``record_bytes(layout, fmt)``: bytes of one record: arbitrary, built from bytes that matter
  to the codecs (signs, zones, spaces, low/high values), or a valid record with a few bytes
  replaced.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pyarrow as pa
from hypothesis import strategies as st

from legacyio.codecs.types import value_type
from legacyio.layout.model import Category, Item, Layout, Usage
from legacyio.options import FileFormat
from tests.support.reference.model import IbmFloat, column_name, encode_record

INTERESTING = [
    0,
    255,
    64,
    32,
    78,
    96,
    43,
    45,
    123,
    125,
    12,
    13,
    15,
    28,
    159,
    *list(range(240, 250)),
    *list(range(192, 202)),
    *list(range(208, 218)),
    *list(range(48, 58)),
    *list(range(112, 122)),
    165,
    179,
    231,
    250,
    216,
    220,
]
"""Byte values that select different paths in the decoders."""

any_byte = st.one_of(st.integers(0, 255), st.sampled_from(INTERESTING))


def _code_page_chars(encoding: str) -> str:
    return bytes(range(256)).decode(encoding)


def unscaled_range(item: Item) -> tuple[int, int]:
    """Smallest and largest stored integer a numeric item can represent."""
    pic = item.picture
    assert pic is not None
    if item.usage == Usage.COMP5:
        bits = 8 * item.size
        return (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if pic.signed else (0, 2**bits - 1)
    limit = 10**pic.digits - 1
    signed = pic.signed and item.usage != Usage.PACKED_NOSIGN
    if item.usage == Usage.DISPLAY and item.sign_separate:
        signed = True
    return (-limit if signed else 0), limit


def _scaled(item: Item, u: int) -> int | Decimal:
    scale = item.picture.scale if item.picture else 0
    if pa.types.is_decimal(value_type(item.usage, item.picture)):
        return Decimal(u).scaleb(-scale)
    return u * 10 ** (-scale)


@st.composite
def _ibm_single(draw: st.DrawFn) -> float:
    """A normalized IBM single within float32's normal range (so the value is exact)."""
    if draw(st.integers(0, 9)) == 0:
        return 0.0
    sign = draw(st.integers(0, 1))
    exp = draw(st.integers(64 - 31, 64 + 31))
    frac = draw(st.integers(1 << 20, (1 << 24) - 1))
    raw = ((sign << 31) | (exp << 24) | frac).to_bytes(4, "big")
    value = IbmFloat(False).parse(raw)
    assert value is not None
    return value


def value_strategy(item: Item, fmt: FileFormat) -> st.SearchStrategy[Any]:
    """Values one occurrence of an elementary item can represent exactly."""
    usage, pic = item.usage, item.picture
    if usage == Usage.FLOAT4:
        if fmt.float_format == "ibm":
            return _ibm_single()
        return st.floats(width=32, allow_nan=False)
    if usage == Usage.FLOAT8:
        if fmt.float_format == "ibm":
            return st.one_of(
                st.just(0.0),
                st.floats(min_value=1e-77, max_value=7e75),
                st.floats(min_value=-7e75, max_value=-1e-77),
            )
        return st.floats(allow_nan=False)
    assert pic is not None
    if usage == Usage.NATIONAL or pic.category in (Category.NATIONAL, Category.NATIONAL_EDITED):
        units = item.size // 2
        return (
            st.text(st.characters(blacklist_categories=("Cs",)), max_size=units)
            .filter(lambda s: len(s.encode("utf-16-be")) <= item.size)
            .map(lambda s: s.rstrip(" "))
        )
    if pic.category == Category.NUMERIC:
        lo, hi = unscaled_range(item)
        edges = sorted({lo, hi, 0, min(hi, 1), max(lo, -1)})
        ints = st.one_of(st.integers(lo, hi), st.sampled_from(edges))
        return ints.map(lambda u: _scaled(item, u))
    chars = _code_page_chars(fmt.encoding)
    return st.text(st.sampled_from(chars), max_size=item.size).map(lambda s: s.rstrip(" "))


def _chains(items: tuple[Item, ...]) -> list[list[Item]]:
    """REDEFINES chains among siblings: the base first, then its alternatives."""
    chains: dict[str, list[Item]] = {}
    for it in items:
        if it.redefines:
            chains.setdefault(it.redefines.upper(), [])
    for it in items:
        key = it.redefines.upper() if it.redefines else it.name.upper()
        if key in chains:
            chains[key].append(it)
    return list(chains.values())


@st.composite
def _item_values(draw: st.DrawFn, item: Item, fmt: FileFormat, counts: dict) -> Any:
    if item.occurs is None:
        return draw(_one_value(item, fmt, counts))
    n = item.occurs.max
    if item.occurs.depending_path:
        n = draw(st.integers(item.occurs.min, item.occurs.max))
        counts[tuple(item.occurs.depending_path)] = n
    return [draw(_one_value(item, fmt, counts)) for _ in range(n)]


@st.composite
def _one_value(draw: st.DrawFn, item: Item, fmt: FileFormat, counts: dict) -> Any:
    if item.is_group:
        return draw(_children_values(item.children, fmt, counts))
    return draw(value_strategy(item, fmt))


@st.composite
def _children_values(
    draw: st.DrawFn, items: tuple[Item, ...], fmt: FileFormat, counts: dict
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for it in items:
        if not it.is_filler:
            out[column_name(it)] = draw(_item_values(it, fmt, counts))
    for chain in _chains(items):
        keep = draw(st.integers(0, len(chain) - 1))
        for i, it in enumerate(chain):
            if i != keep and not it.is_filler:
                out[column_name(it)] = None
    return out


def _set_path(values: dict[str, Any], path: tuple[str, ...], value: int) -> None:
    """Set the value of the item at ``path`` (record name first, no OCCURS on the way)."""
    d = values
    for name in path[1:-1]:
        d = d[name.replace("-", "_")]
    d[path[-1].replace("-", "_")] = value


def top_items(layout: Layout) -> tuple[Item, ...]:
    """The items that become top-level columns (the 01 level collapsed)."""
    return layout.records[0].children if len(layout.records) == 1 else layout.records


@st.composite
def record_values(draw: st.DrawFn, layout: Layout, fmt: FileFormat) -> dict[str, Any]:
    """Valid top-level column values of one record."""
    counts: dict[tuple[str, ...], int] = {}
    values = draw(_children_values(top_items(layout), fmt, counts))
    for path, n in counts.items():
        _set_path(values, path, n)  # generated DEPENDING ON objects are integers
    return values


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few bytes replaced by bytes that matter to the decoders."""
    if not data:
        return data
    b = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        b[draw(st.integers(0, len(b) - 1))] = draw(any_byte)
    return bytes(b)


def field_spans(layout: Layout) -> list[tuple[int, int]]:
    """(offset, size) of every occurrence of every elementary item (maximum layout)."""
    spans: list[tuple[int, int]] = []

    def walk(item: Item, shift: int) -> None:
        for k in range(item.occurs.max if item.occurs else 1):
            s = shift + k * item.size
            if item.is_group:
                for c in item.children:
                    walk(c, s)
            else:
                spans.append((item.offset + s, item.size))

    for root in layout.records:
        walk(root, 0)
    return spans


@st.composite
def field_mutated(draw: st.DrawFn, data: bytes, spans: list[tuple[int, int]]) -> bytes:
    """``data`` with a nibble or byte changed in 1-3 fields, mostly at a field's first or
    last byte (where signs, pad nibbles and leading spaces live)."""
    if not spans:
        return data
    b = bytearray(data)
    for _ in range(draw(st.integers(1, 3))):
        off, size = draw(st.sampled_from(spans))
        pos = off + draw(st.sampled_from([0, size - 1, size - 1, draw(st.integers(0, size - 1))]))
        how = draw(st.sampled_from(["high", "low", "byte"]))
        if how == "byte":
            b[pos] = draw(any_byte)
        elif how == "high":
            b[pos] = (draw(st.integers(0, 15)) << 4) | (b[pos] & 0x0F)
        else:
            b[pos] = (b[pos] & 0xF0) | draw(st.integers(0, 15))
    return bytes(b)


@st.composite
def field_noise(draw: st.DrawFn, data: bytes, spans: list[tuple[int, int]]) -> bytes:
    """``data`` with about half of its fields changed by one nibble at their first or last
    byte (or anywhere): sign nibbles, zones, pad nibbles, leading spaces."""
    b = bytearray(data)
    for off, size in spans:
        if not draw(st.booleans()):
            continue
        pos = off + draw(st.sampled_from([0, size - 1, size - 1, draw(st.integers(0, size - 1))]))
        if draw(st.booleans()):
            b[pos] = (draw(st.integers(0, 15)) << 4) | (b[pos] & 0x0F)
        elif draw(st.booleans()):
            b[pos] = (b[pos] & 0xF0) | draw(st.integers(0, 15))
        else:
            b[pos] = draw(any_byte)
    return bytes(b)


def record_bytes(layout: Layout, fmt: FileFormat) -> st.SearchStrategy[bytes]:
    """Bytes of one record: arbitrary, decoder-relevant bytes, or a valid record with a few
    bytes or nibbles changed (anywhere, or field-aware)."""
    n = layout.record_length
    spans = field_spans(layout)
    valid = record_values(layout, fmt).map(lambda v: encode_record(layout, fmt, v))
    return st.one_of(
        st.binary(min_size=n, max_size=n),
        st.lists(any_byte, min_size=n, max_size=n).map(bytes),
        valid,
        valid.flatmap(mutated),
        valid.flatmap(lambda d: field_mutated(d, spans)),
        valid.flatmap(lambda d: field_noise(d, spans)),
        valid.flatmap(lambda d: field_noise(d, spans)),
    )
