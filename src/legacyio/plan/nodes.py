"""The plan's node tree: one node per column (an elementary field, raw FILLER bytes or a
group) with its codec, place and Arrow field, and the table metadata keys.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pyarrow as pa

from legacyio.errors import OptionsError
from legacyio.layout.model import Item, Layout

RESIDUE_COLUMN = "_legacyio_residue"

DERIVED_KINDS = ("debug", "nt")
"""Read-only columns derived from the bytes of another node (``debug``, ``non_terminals``):
never encoded, and covering no byte of their own."""

CORRUPT_COLUMN = "_corrupt_fields"


"""Raw bytes of records whose bytes are not the canonical encoding of their values (plus any
bytes between records, headers and trailers); null for canonical records."""


META_COPYBOOK = b"legacyio.copybook"


META_FORMAT = b"legacyio.format"


META_READ = b"legacyio.read"


META_ORPHAN = b"legacyio.orphan"


"""Hex of the bytes of a file that has no record at all (header, trailer), for the round
trip; set on tables from ``read_table``."""


def column_name(name: str, style: str) -> str:
    """COBOL name -> column name: '-' becomes '_' (python style) or kept (cobol style)."""
    return name if style == "cobol" else name.replace("-", "_")


@attrs.define(eq=False)
class Node:
    """One item of the plan: an elementary field, raw FILLER bytes, or a group."""

    item: Item
    name: str
    rel: int
    width: int
    kind: str  # "field" | "raw" | "group" | "debug" | "nt" (DERIVED_KINDS)
    codec: Any = None
    children: list[Node] = attrs.Factory(list)
    occurs_max: int = 0
    depending: tuple[str, ...] | None = None
    in_chain: bool = False  # base or alternative of a REDEFINES chain
    alternative: bool = False  # REDEFINES another item (written after the base)
    segment_ids: tuple[str, ...] | None = None
    is_odo_object: bool = False
    count_map: dict[str, int] | None = None  # occurs_mappings of an ODO table
    output: bool = True  # part of the output schema
    identity: bool = False  # decode is a bijection: bytes always re-encode exactly
    _child_fields: list[pa.Field] | None = None
    _field: pa.Field | None = None

    @property
    def path(self) -> str:
        return self.item.dotted

    @property
    def span(self) -> int:
        """Bytes the node takes in its parent (all occurrences)."""
        return self.width * (self.occurs_max or 1)

    def value_type(self) -> pa.DataType:
        if self.kind == "debug":
            return pa.binary() if self.codec == "binary" else pa.string()
        if self.kind == "nt":
            return pa.string()
        if self.kind == "raw":
            return pa.binary(self.width)
        if self.kind == "field":
            return self.codec.arrow_type
        return pa.struct([c.field() for c in self.children if c.output])

    def child_fields(self) -> list[pa.Field]:
        """Arrow fields of a group's output children, built once (decoding needs them for
        every batch; a wide copybook has thousands)."""
        if self._child_fields is None:
            self._child_fields = [c.field() for c in self.children if c.output]
        return self._child_fields

    def field(self) -> pa.Field:
        """The node's Arrow field with its metadata, built once (the node's name and options
        never change after the plan is built; a wide copybook has tens of thousands)."""
        if self._field is None:
            t = self.value_type()
            if self.occurs_max:
                t = pa.list_(t)
            self._field = pa.field(self.name, t, nullable=True, metadata=_field_metadata(self))
        return self._field


_USAGE_BYTES: dict[Any, bytes] = {}
"""Usage member -> its value as bytes (an Enum's ``.value`` is a slow property lookup)."""


def _field_metadata(node: Node) -> dict[bytes, bytes]:
    it = node.item
    usage = _USAGE_BYTES.get(it.usage)
    if usage is None:
        usage = _USAGE_BYTES[it.usage] = it.usage.value.encode()
    md = {
        b"cobol_name": it.name.encode(),
        b"path": ".".join(it.path).encode(),
        b"level": b"%d" % it.level,
        b"usage": usage,
        b"offset": b"%d" % it.offset,
        b"length": b"%d" % it.size,
    }
    if it.picture is not None:
        md[b"picture"] = it.picture.source.encode()
    form = getattr(node.codec, "date_format", None)  # a typed date (FileFormat.date_formats)
    if isinstance(form, str):
        md[b"date_format"] = form.encode()
    occurs = it.occurs
    if occurs is not None:
        if occurs.depending_path:
            md[b"depending_path"] = ".".join(occurs.depending_path).encode()
        md[b"occurs"] = (
            f"{occurs.min} TO {occurs.max} DEPENDING ON {occurs.depending_on}"
            if occurs.depending_on
            else str(occurs.max)
        ).encode()
    if it.redefines:
        md[b"redefines"] = it.redefines.encode()
    if node.kind == "raw":
        md[b"filler"] = b"true"
    if node.kind in DERIVED_KINDS:
        md[b"derived"] = node.kind.encode()
    return md


@attrs.define(eq=False)
class VariableTable:
    """An ODO table whose size shifts the following fields (variable layout)."""

    offset: int
    stride: int
    max: int
    min: int
    object_offset: int
    object_codec: Any
    path: str
    count_map: dict[str, int] | None = None


def all_canonical(codec: Any, src: np.ndarray) -> bool:
    """Whether the codec vouches that every row of ``src`` (all decoded validly) is already in
    canonical form; codecs without a cheap check say nothing and get re-encoded."""
    check = getattr(codec, "canonical", None)
    if check is None:
        return False
    ok = check(src)
    return ok is not None and bool(ok.all())


def is_identity(codec: Any) -> bool:
    """Text in a single-byte code page that maps all 256 bytes to distinct characters, trimmed
    on the right only and not JUSTIFIED: any bytes decode and re-encode to themselves."""
    from legacyio.codecs.text import TextCodec

    if not isinstance(codec, TextCodec) or codec.justified or codec.trim not in ("right", "none"):
        return False
    return codec.cp.bijective


def find_option_item(layout: Layout, name: str, what: str) -> Item:
    """Look up a field named by an option; a clear OptionsError when absent or ambiguous."""
    try:
        return layout.find(name)
    except KeyError:
        raise OptionsError(f"{what} {name} is not in the copybook") from None
    except ValueError as e:
        raise OptionsError(f"{what} {name} is ambiguous: {e}") from None


def inside_occurs(root: Item, target: Item) -> bool:
    def rec(item: Item, inside: bool) -> bool | None:
        if item is target:
            return inside
        for c in item.children:
            r = rec(c, inside or (item.occurs is not None))
            if r is not None:
                return r
        return None

    return bool(rec(root, False))


def has_odo_object(node: Node) -> bool:
    return any(n.is_odo_object for n in walk_nodes(node))


def walk_nodes(node: Node):
    yield node
    for c in node.children:
        yield from walk_nodes(c)
