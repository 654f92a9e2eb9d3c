"""Layout + options -> the column operations, built once per file and applied to every batch.

Reading: a batch of records is a ``(n, width)`` byte matrix in the maximum layout (ODO tables at
their maximum size; variable-layout records are first expanded into it). Every elementary item
is one column slice handed to its codec; an OCCURS table is reshaped into ``(n, max, stride)``
and the existing occurrences selected with one boolean mask, so nothing loops per record.

Writing runs the same tree backwards: each codec encodes its column into a slice of a matrix
that starts as the canonical fill, tables are scattered back with the same mask, and variable
layouts are compacted again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.codecs import make_codec
from legacyio.codecs._arrow import columns_mask, put_rows
from legacyio.errors import EncodeError, OptionsError
from legacyio.layout.model import Item, Layout
from legacyio.options import FileFormat, ReadOptions, WriteOptions
from legacyio.report import DecodeReport

RESIDUE_COLUMN = "_legacyio_residue"
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
    kind: str  # "field" | "raw" | "group"
    codec: Any = None
    children: list[Node] = attrs.Factory(list)
    occurs_max: int = 0
    depending: tuple[str, ...] | None = None
    in_chain: bool = False  # base or alternative of a REDEFINES chain
    alternative: bool = False  # REDEFINES another item (written after the base)
    segment_ids: tuple[str, ...] | None = None
    is_odo_object: bool = False
    output: bool = True  # part of the output schema
    identity: bool = False  # decode is a bijection: bytes always re-encode exactly
    _child_fields: list[pa.Field] | None = None

    @property
    def path(self) -> str:
        return self.item.dotted

    @property
    def span(self) -> int:
        """Bytes the node takes in its parent (all occurrences)."""
        return self.width * (self.occurs_max or 1)

    def value_type(self) -> pa.DataType:
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
        t = self.value_type()
        if self.occurs_max:
            t = pa.list_(t)
        return pa.field(self.name, t, nullable=True, metadata=_field_metadata(self))


def _field_metadata(node: Node) -> dict[bytes, bytes]:
    it = node.item
    md = {
        "cobol_name": it.name,
        "path": it.dotted,
        "level": str(it.level),
        "usage": it.usage.value,
        "offset": str(it.offset),
        "length": str(it.size),
    }
    if it.picture is not None:
        md["picture"] = it.picture.source
    if it.occurs is not None and it.occurs.depending_path:
        md["depending_path"] = ".".join(it.occurs.depending_path)
    if it.occurs is not None:
        md["occurs"] = (
            f"{it.occurs.min} TO {it.occurs.max} DEPENDING ON {it.occurs.depending_on}"
            if it.occurs.depending_on
            else str(it.occurs.max)
        )
    if it.redefines:
        md["redefines"] = it.redefines
    if node.kind == "raw":
        md["filler"] = "true"
    return {k.encode(): v.encode() for k, v in md.items()}


@attrs.define(eq=False)
class _Table:
    """An ODO table whose size shifts the following fields (variable layout)."""

    offset: int
    stride: int
    max: int
    min: int
    object_offset: int
    object_codec: Any
    path: str


class Plan:
    """Column operations for one layout and one set of options, in both directions."""

    def __init__(
        self,
        layout: Layout,
        fmt: FileFormat,
        ropts: ReadOptions | None = None,
    ) -> None:
        self.layout = layout
        self.fmt = fmt
        self.ropts = ropts or ReadOptions()
        self._filler_seq = 0
        if fmt.record is not None:
            roots = [r for r in layout.records if r.name.upper() == fmt.record.upper()]
            if not roots:
                names = ", ".join(r.name for r in layout.records)
                raise OptionsError(f"record {fmt.record!r} is not in the copybook ({names})")
        else:
            roots = list(layout.records)
        self.roots = roots
        self.width = max(r.total_size for r in roots)
        if fmt.record_length is not None and fmt.record_format in ("F", "FB"):
            self.width = max(self.width, fmt.record_length)
        self.pad = 0x40 if fmt.ebcdic else 0x20
        self.fill = self.pad
        seg_map = fmt.segment_map()
        self._seg_groups: dict[str, list[str]] = {}
        for sid, grp in seg_map.items():
            self._seg_groups.setdefault(grp.upper(), []).append(sid)
        self.odo_paths: set[tuple[str, ...]] = set()
        for it in layout.items():
            if it.occurs is not None and it.occurs.depending_path:
                self.odo_paths.add(tuple(it.occurs.depending_path))
        if len(roots) == 1:
            root = roots[0]
            self.top = self._children(root, root.offset)
        else:
            self.top = []
            for i, r in enumerate(roots):
                n = self._node(r, 0)
                n.in_chain = True
                n.alternative = i > 0
                self.top.append(n)
        self._index: dict[str, Node] = {}
        for top in self.top:
            for n in _walk_nodes(top):
                self._index.setdefault(n.path, n)
        missing = [g for g in self._seg_groups if not self._find_group(g)]
        if missing:
            raise OptionsError(f"segment group(s) not in the copybook: {', '.join(missing)}")
        self.segment_codec = None
        self.segment_offset = 0
        if fmt.segment_field:
            seg_item = _find_option_item(layout, fmt.segment_field, "segment field")
            if seg_item.is_group or seg_item.occurs is not None:
                raise OptionsError(f"segment field {fmt.segment_field} must be an elementary item")
            self.segment_codec = make_codec(seg_item, fmt, trim="both")
            self.segment_offset = seg_item.offset
        elif seg_map:
            raise OptionsError("a segment map needs a segment field (segment_field)")
        self.variable = fmt.variable and bool(self.odo_paths)
        self.nested: _NestedWalker | None = None
        self.tables = self._variable_tables() if self.variable else []
        self.columns_filter = None
        if self.ropts.columns is not None:
            wanted = {c.upper().replace("_", "-") for c in self.ropts.columns}
            for n in self.top:
                n.output = (
                    n.name.upper().replace("_", "-") in wanted or n.item.name.upper() in wanted
                )
            unknown = (
                wanted
                - {n.name.upper().replace("_", "-") for n in self.top}
                - {n.item.name.upper() for n in self.top}
            )
            if unknown:
                raise OptionsError(f"unknown column(s): {', '.join(sorted(unknown))}")
            self.columns_filter = wanted
        self.keep_residue = bool(self.ropts.residue) and self.ropts.columns is None
        self._covered: bool | None = None
        self.orphan = b""
        """Bytes of a file with no record (set by the reader once the file is read)."""

    # ---- building ---------------------------------------------------------------------
    def _find_group(self, name: str) -> Node | None:
        for top in self.top:
            for n in _walk_nodes(top):
                if n.item.name.upper() == name:
                    return n
        return None

    def _name(self, item: Item) -> str:
        if item.is_filler:
            self._filler_seq += 1
            return f"FILLER_{self._filler_seq}"
        return column_name(item.name, self.ropts.names)

    def _children(self, parent: Item, base: int) -> list[Node]:
        out: list[Node] = []
        names: dict[str, int] = {}
        chain_bases = {c.redefines.upper() for c in parent.children if c.redefines}
        for child in parent.children:
            if child.is_filler and not child.is_group and not self.ropts.fillers:
                continue
            if child.is_filler and child.is_group and not self.ropts.fillers:
                continue
            node = self._node(child, child.offset - base)
            if child.redefines or child.name.upper() in chain_bases:
                node.in_chain = True
            node.alternative = bool(child.redefines)
            k = names.get(node.name, 0)
            names[node.name] = k + 1
            if k:
                node.name = f"{node.name}_{k + 1}"
            out.append(node)
        return out

    def _node(self, item: Item, rel: int) -> Node:
        name = self._name(item)
        occurs_max = item.occurs.max if item.occurs else 0
        depending = (
            tuple(item.occurs.depending_path)
            if (item.occurs and item.occurs.depending_path)
            else None
        )
        seg = self._seg_groups.get(item.name.upper())
        if item.is_group:
            node = Node(
                item,
                name,
                rel,
                item.size,
                "group",
                occurs_max=occurs_max,
                depending=depending,
                segment_ids=tuple(seg) if seg else None,
            )
            node.children = self._children(item, item.offset)
            return node
        if item.is_filler:
            return Node(
                item, name, rel, item.size, "raw", occurs_max=occurs_max, depending=depending
            )
        codec = make_codec(item, self.fmt, trim=self.ropts.trim)
        return Node(
            item,
            name,
            rel,
            item.size,
            "field",
            codec=codec,
            occurs_max=occurs_max,
            depending=depending,
            segment_ids=tuple(seg) if seg else None,
            is_odo_object=tuple(item.path) in self.odo_paths,
            identity=_is_identity(codec),
        )

    def _variable_tables(self) -> list[_Table]:
        """ODO tables that shift what follows them; each must sit outside any OCCURS."""
        tables: list[_Table] = []
        for root in self.roots:
            for it in root.walk():
                if it.occurs is None or not it.occurs.depending_path:
                    continue
                if _inside_occurs(root, it):
                    # an ODO table inside an OCCURS: records are walked one at a time
                    self.nested = _NestedWalker(self.roots, self.layout, self.fmt)
                    return []
                obj = self.layout.find(".".join(it.occurs.depending_path))
                tables.append(
                    _Table(
                        it.offset,
                        it.size,
                        it.occurs.max,
                        it.occurs.min,
                        obj.offset,
                        make_codec(obj, self.fmt),
                        it.dotted,
                    )
                )
        tables.sort(key=lambda t: t.offset)
        return tables

    # ---- schema -----------------------------------------------------------------------
    def schema(self) -> pa.Schema:
        fields = [n.field() for n in self.top if n.output]
        if self.keep_residue:
            fields.append(pa.field(RESIDUE_COLUMN, pa.binary(), nullable=True))
        if self.ropts.record_number:
            fields.append(pa.field("record_number", pa.int64()))
        if self.ropts.record_offset:
            fields.append(pa.field("record_offset", pa.int64()))
        if self.ropts.file_name:
            fields.append(pa.field("file_name", pa.string()))
        md = {
            META_FORMAT: json.dumps(attrs.asdict(self.fmt)).encode(),
            META_READ: json.dumps(
                {
                    "trim": self.ropts.trim,
                    "names": self.ropts.names,
                    "fillers": self.ropts.fillers,
                    "residue": self.keep_residue,
                }
            ).encode(),
        }
        if self.layout.source_text:
            md[META_COPYBOOK] = self.layout.source_text.encode()
        return pa.schema(fields, metadata=md)

    def output_schema(self) -> pa.Schema:
        """The schema of the tables the reader returns with these options (flattened when
        ``flatten`` is set): the one schema ``legacyio schema`` shows and ``convert`` writes."""
        schema = self.schema()
        if self.ropts.flatten:
            from legacyio.plan.flatten import flatten_table

            schema = flatten_table(schema.empty_table()).schema
        return schema

    def item_types(self) -> dict[tuple[str, ...], pa.DataType]:
        """Layout item path -> Arrow type of its column (a list type when it OCCURS)."""
        out: dict[tuple[str, ...], pa.DataType] = {}
        for top in self.top:
            for n in _walk_nodes(top):
                out.setdefault(tuple(n.item.path), n.field().type)
        if len(self.roots) == 1:
            root = self.roots[0]
            out.setdefault(tuple(root.path), pa.struct([n.field() for n in self.top if n.output]))
        return out

    # ---- variable layouts -------------------------------------------------------------
    def length_prefix(self) -> int:
        """Bytes before the first variable table: enough to compute a record's length."""
        if self.nested is not None:
            return self.width
        if not self.tables:
            return self.width
        return self.tables[0].offset

    def record_lengths(self, prefix: np.ndarray) -> np.ndarray:
        """Lengths of ODO-variable records from their fixed prefix (-1 where invalid)."""
        if self.nested is not None:
            return self.nested.lengths(prefix)
        n = prefix.shape[0]
        length = np.full(n, self.width, dtype=np.int64)
        bad = np.zeros(n, dtype=bool)
        for t in self.tables:
            if t.object_offset + t.object_codec.width > prefix.shape[1]:
                raise OptionsError(
                    f"{t.path}: its DEPENDING ON field is not in the fixed part "
                    "of the record; ODO framing cannot find record lengths"
                )
            c, b = self._counts(prefix, t)
            bad |= b
            length -= (t.max - c) * t.stride
        length[bad] = -1
        return length

    def _counts(self, mat: np.ndarray, t: _Table) -> tuple[np.ndarray, np.ndarray]:
        vals, invalid = t.object_codec.decode(
            mat[:, t.object_offset : t.object_offset + t.object_codec.width]
        )
        c = _to_int(vals)
        bad = (c < t.min) | (c > t.max)
        if invalid is not None:
            bad |= invalid
        return np.clip(c, 0, t.max), bad

    def expand(self, mat: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Variable-layout records -> maximum layout; returns the matrix and, per record, how
        many bytes of it are real (for truncation checks).

        Records are grouped by their count (few distinct values), so each move is a slice
        copy per group rather than a gather of the whole matrix.
        """
        if self.nested is not None:
            return self.nested.expand(mat, lengths, self.width, self.pad)
        n, w = mat.shape
        owned = False  # the caller's matrix is never written: copied before the first move
        if w < self.width:
            wide = np.full((n, self.width), self.pad, dtype=np.uint8)
            wide[:, :w] = mat
            mat, owned = wide, True
        elif w > self.width:
            mat = mat[:, : self.width]
        avail = lengths.astype(np.int64).copy()
        total_shift = np.zeros(n, dtype=np.int64)
        for t in self.tables:
            c, _ = self._counts(mat, t)
            end_max = t.offset + t.max * t.stride
            tail = self.width - end_max
            if tail > 0:
                for u in np.unique(c):
                    u = int(u)
                    if u == t.max:
                        continue
                    if not owned:
                        mat, owned = mat.copy(), True
                    idx = np.flatnonzero(c == u)
                    used = t.offset + u * t.stride
                    moved = mat[idx, used : used + tail]
                    block = mat[idx]
                    block[:, end_max:] = moved
                    block[:, used:end_max] = self.pad
                    mat[idx] = block
            shift = (t.max - c) * t.stride
            total_shift += shift
            reached = avail > t.offset
            avail = np.where(reached, avail + shift, avail)
        # a record exactly as long as its counts say is complete, even when it ends at an
        # empty table (which the loop above cannot tell from a record cut short there)
        avail[lengths == self.width - total_shift] = self.width
        return mat, avail

    def compact(self, mat: np.ndarray, counts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Maximum layout -> variable layout (the inverse of ``expand``)."""
        if self.nested is not None:
            return self.nested.compact(mat, self.width)
        n = mat.shape[0]
        lengths = np.full(n, self.width, dtype=np.int64)
        for t, c in reversed(list(zip(self.tables, counts))):
            c = np.asarray(c, dtype=np.int64)
            end_max = t.offset + t.max * t.stride
            tail = self.width - end_max
            if tail > 0:
                for u in np.unique(c):
                    u = int(u)
                    if u == t.max:
                        continue
                    idx = np.flatnonzero(c == u)
                    used = t.offset + u * t.stride
                    block = mat[idx]
                    block[:, used : used + tail] = block[:, end_max:].copy()
                    mat[idx] = block
            lengths -= (t.max - c) * t.stride
        return mat, lengths

    # ---- decoding -----------------------------------------------------------------------
    def decode_vouched(
        self,
        mat: np.ndarray,
        avail: np.ndarray | None,
        rec_offsets: np.ndarray,
        first_record: int,
        report: DecodeReport | None,
    ) -> tuple[list[pa.Array], bool]:
        """Decode a matrix of records (maximum layout) into the top-level columns, and tell
        whether every byte of every record is already the canonical encoding of the decoded
        values: established by the codecs while decoding (no encoding), so that clean files
        need no round-trip re-encode. False means "not established" (the caller then
        re-encodes and compares)."""
        n = mat.shape[0]
        ctx = _DecodeCtx(self, report, first_record, rec_offsets, self.ropts.strict)
        ctx.vouched = (
            self.keep_residue
            and mat.shape[1] == self.width
            and (avail is None or bool((avail == self.width).all()))
            and self.covered()
        )
        rows = np.arange(n, dtype=np.int64)
        base = np.zeros(n, dtype=np.int64)
        if avail is not None and (len(avail) == 0 or avail.min() >= self.width):
            avail = None
        seg_sel = None
        if self.segment_codec is not None:
            seg_vals, _ = self.segment_codec.decode(
                mat[:, self.segment_offset : self.segment_offset + self.segment_codec.width]
            )
            if not pa.types.is_string(seg_vals.type):
                seg_vals = pc.cast(seg_vals, pa.string())  # a numeric segment-id field
            # ids are compared without padding: spaces and low-values on either side
            seg_vals = pc.utf8_trim(seg_vals, characters=" \x00")
            seg_sel = {}
            matched = np.zeros(n, dtype=bool)
            for grp, ids in self._seg_groups.items():
                sel = pc.is_in(seg_vals, value_set=pa.array(ids)).to_numpy(zero_copy_only=False)
                sel = np.asarray(sel, dtype=bool)
                seg_sel[grp] = sel
                matched |= sel
            if report is not None and not matched.all():
                report.unmatched_segments += int((~matched).sum())
                first = int(np.flatnonzero(~matched)[0])
                report.add_framing(
                    "segment id matches no segment",
                    first_record + first,
                    int(rec_offsets[first]) + self.segment_offset,
                )
        ctx.seg_sel = seg_sel
        arrays = [
            arr
            for n_, arr in zip(
                self.top, ctx.decode_children(self.top, mat, rows, base, avail, {}, True)
            )
            if n_.output
        ]
        return arrays, ctx.vouched

    # ---- the cheap canonical check ------------------------------------------------------
    def covered(self) -> bool:
        """Whether elementary items (and kept FILLERs) cover every byte of the record in every
        record: no slack bytes, no ODO tables, no bytes beyond the copybook. Only then can the
        codecs' canonical checks vouch for whole records."""
        if self._covered is not None:
            return self._covered
        if (self.odo_paths and not self.variable) or self.nested is not None:
            # ODO tables at their maximum size keep slack bytes no field covers; nested ODO
            # tables are walked per record
            self._covered = False
            return False
        covered = np.zeros(self.width, dtype=bool)

        def mark(node: Node, base: int) -> None:
            start = base + node.rel
            reps = node.occurs_max or 1
            for j in range(reps):
                at = start + j * node.width
                if node.kind == "group":
                    for c in node.children:
                        mark(c, at)
                else:
                    covered[at : at + node.width] = True

        for n in self.top:
            mark(n, 0)
        self._covered = bool(covered.all())
        return self._covered

    # ---- encoding -----------------------------------------------------------------------
    def encode(
        self,
        batch: pa.RecordBatch | pa.Table,
        wopts: WriteOptions,
        first_record: int,
        skip: np.ndarray | None,
        collect: np.ndarray | None = None,
        src: np.ndarray | None = None,
        out: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Encode the top-level columns of a batch into record payloads (matrix, lengths).

        ``skip`` marks rows that will be replaced by their residue: their errors are ignored.
        With ``collect`` (a bool array), rows that cannot be encoded are marked there instead
        of raising: the reader uses it to find records that need a raw copy. ``out``, an
        ``(n, width)`` uint8 matrix (a view of a larger frame matrix, say), receives the
        records instead of a new matrix; the returned matrix is ``out`` unless the nested
        ODO walker had to compact the records into a new one.
        """
        n = batch.num_rows
        ctx = _EncodeCtx(self, wopts, first_record, skip)
        ctx.collect = collect
        if src is not None and src.shape != (n, self.width):
            src = None
        cols = {}
        names = set(batch.schema.names)
        for node in self.top:
            if node.name in names:
                cols[node.name] = _as_array(batch.column(node.name))
        if out is None:
            mat = np.full((n, self.width), self.fill, dtype=np.uint8)
        else:
            mat = out
            mat[...] = self.fill
        rows = np.arange(n, dtype=np.int64)
        ctx.encode_children(self.top, cols, mat, rows, top=True, src=None if self.variable else src)
        if self.variable:
            counts = [
                ctx.table_counts.get(t.path, np.full(n, t.max, dtype=np.int64)) for t in self.tables
            ]
            return self.compact(mat, counts)
        if len(self.roots) > 1 and self.fmt.record_format in ("V", "VB", "D"):
            return mat, self._root_lengths(cols, n)
        return mat, np.full(n, self.width, dtype=np.int64)

    def _root_lengths(self, cols: dict[str, pa.Array], n: int) -> np.ndarray:
        """Variable-length records of a copybook with several 01 records: each record is as
        long as the longest 01 record present in its row (the active segment's)."""
        lengths = np.zeros(n, dtype=np.int64)
        for node, root in zip(self.top, self.roots):
            arr = cols.get(node.name)
            if arr is None:
                continue
            size = np.where(_valid_mask(arr), root.total_size, 0)
            np.maximum(lengths, size, out=lengths)
        lengths[lengths == 0] = self.width
        return lengths


def _all_canonical(codec: Any, src: np.ndarray) -> bool:
    """Whether the codec vouches that every row of ``src`` (all decoded validly) is already in
    canonical form; codecs without a cheap check say nothing and get re-encoded."""
    check = getattr(codec, "canonical", None)
    if check is None:
        return False
    ok = check(src)
    return ok is not None and bool(ok.all())


def _is_identity(codec: Any) -> bool:
    """Text in a single-byte code page that maps all 256 bytes to distinct characters, trimmed
    on the right only and not JUSTIFIED: any bytes decode and re-encode to themselves."""
    from legacyio.codecs.text import TextCodec

    if not isinstance(codec, TextCodec) or codec.justified or codec.trim not in ("right", "none"):
        return False
    return codec.cp.bijective


def _find_option_item(layout: Layout, name: str, what: str) -> Item:
    """Look up a field named by an option; a clear OptionsError when absent or ambiguous."""
    try:
        return layout.find(name)
    except KeyError:
        raise OptionsError(f"{what} {name} is not in the copybook") from None
    except ValueError as e:
        raise OptionsError(f"{what} {name} is ambiguous: {e}") from None


class _NestedWalker:
    """Variable layouts with OCCURS DEPENDING ON tables inside other tables: each record is
    walked item by item (a loop per record: the layout differs from record to record), copying
    runs of bytes between the record as stored and the maximum layout. The common case of
    tables outside any OCCURS takes the vectorized path of ``Plan.expand`` instead."""

    def __init__(self, roots: list[Item], layout: Layout, fmt: FileFormat) -> None:
        self.roots = roots
        self.codecs: dict[tuple[str, ...], Any] = {}
        for root in roots:
            for it in root.walk():
                if it.occurs is not None and it.occurs.depending_path:
                    path = tuple(it.occurs.depending_path)
                    if path not in self.codecs:
                        obj = layout.find(".".join(path))
                        self.codecs[path] = make_codec(obj, fmt)

    def _count(self, path: tuple[str, ...], row: np.ndarray, at: int, big_m: int) -> int:
        codec = self.codecs[path]
        if at + codec.width > len(row):
            return 0
        vals, invalid = codec.decode(row[None, at : at + codec.width])
        if invalid is not None and invalid[0]:
            return 0
        return int(min(max(_to_int(vals)[0], 0), big_m))

    def walk(
        self, row: np.ndarray, from_stored: bool, emit: Callable[[int, int, int], None]
    ) -> int:
        """Emit (stored offset, maximum-layout offset, length) runs in record order; counts are
        read from ``row``, which is the stored record (``from_stored``) or the maximum layout.
        Returns the stored length."""
        seen: dict[tuple[str, ...], tuple[int, int]] = {}

        def item(it: Item, c: int, shift: int) -> int:
            if it.occurs is None:
                return one(it, c, shift)
            n = it.occurs.max
            if it.occurs.depending_path:
                path = tuple(it.occurs.depending_path)
                sc, sx = seen.get(path, (-1, -1))
                n = (
                    self._count(path, row, sc if from_stored else sx, it.occurs.max)
                    if sc >= 0
                    else 0
                )
            for j in range(n):
                c = one(it, c, shift + j * it.size)
            return c

        def one(it: Item, c: int, shift: int) -> int:
            if not it.is_group:
                x = it.offset + shift
                seen[tuple(it.path)] = (c, x)
                emit(c, x, it.size)
                return c + it.size
            starts: dict[str, int] = {}
            ends: dict[str, int] = {}
            for ch in it.children:
                if ch.redefines:
                    base = ch.redefines.upper()
                    start = starts.get(base, c)
                    end = item(ch, start, shift)
                    ends[base] = max(ends.get(base, end), end)
                    c = max(c, ends[base])
                    continue
                starts[ch.name.upper()] = c
                c = item(ch, c, shift)
                ends[ch.name.upper()] = c
            return c

        end = 0
        for root in self.roots:
            end = max(end, item(root, 0, -root.offset))
        return end

    def expand(
        self, mat: np.ndarray, lengths: np.ndarray, width: int, pad: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Stored records -> maximum layout, and how many bytes of it each record really has."""
        n = mat.shape[0]
        out = np.full((n, width), pad, dtype=np.uint8)
        avail = np.full(n, width, dtype=np.int64)
        for i in range(n):
            row, dst, size = mat[i], out[i], int(lengths[i])

            def emit(c: int, x: int, ln: int, row=row, dst=dst, size=size, i=i) -> None:
                take = max(0, min(ln, size - c))
                dst[x : x + take] = row[c : c + take]
                if take < ln and avail[i] == width:
                    avail[i] = x + take

            self.walk(row, True, emit)
        return out, avail

    def compact(self, mat: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
        """Maximum layout -> stored records (the inverse of ``expand``) and their lengths."""
        n = mat.shape[0]
        out = np.zeros((n, width), dtype=np.uint8)
        lengths = np.zeros(n, dtype=np.int64)
        for i in range(n):
            row, dst = mat[i], out[i]

            def emit(c: int, x: int, ln: int, row=row, dst=dst) -> None:
                dst[c : c + ln] = row[x : x + ln]

            lengths[i] = self.walk(row, False, emit)
        return out, lengths

    def lengths(self, prefix: np.ndarray) -> np.ndarray:
        """Stored lengths of candidate records (ODO framing without a header)."""
        out = np.zeros(prefix.shape[0], dtype=np.int64)
        for i in range(prefix.shape[0]):
            out[i] = self.walk(prefix[i], True, lambda c, x, ln: None)
        return out


def _inside_occurs(root: Item, target: Item) -> bool:
    def rec(item: Item, inside: bool) -> bool | None:
        if item is target:
            return inside
        for c in item.children:
            r = rec(c, inside or (item.occurs is not None))
            if r is not None:
                return r
        return None

    return bool(rec(root, False))


def _to_int(arr: pa.Array) -> np.ndarray:
    """Integer values of a decoded count array (nulls -> 0)."""
    if pa.types.is_decimal(arr.type):
        arr = pc.cast(arr, pa.int64(), safe=False)
    return np.asarray(arr.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)


def _as_array(col: Any) -> pa.Array:
    if isinstance(col, pa.ChunkedArray):
        return col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    return col


class _DecodeCtx:
    """State of one batch decode: where records are, what to report."""

    def __init__(
        self,
        plan: Plan,
        report: DecodeReport | None,
        first_record: int,
        rec_offsets: np.ndarray,
        strict: bool,
    ) -> None:
        self.plan = plan
        self.report = report
        self.first_record = first_record
        self.rec_offsets = rec_offsets
        self.strict = strict
        self.seg_sel: dict[str, np.ndarray] | None = None
        self.vouched = False
        """Still true when every field decoded so far is canonical (see Plan.decode_vouched)."""
        self.record_objects: dict[tuple, np.ndarray] = {}
        """Values of DEPENDING ON fields outside any OCCURS, one per record of the batch."""

    def bad(
        self, node: Node, mask: np.ndarray, rows: np.ndarray, base: np.ndarray, reason: str
    ) -> None:
        """Report (or, in strict mode, raise on) bad values of ``node``."""
        idx = np.flatnonzero(mask)
        if len(idx) == 0:
            return
        i = int(idx[0])
        r = int(rows[i])
        record = self.first_record + r
        offset = int(self.rec_offsets[r]) + int(base[i])
        if self.strict:
            from legacyio.errors import DecodeError

            raise DecodeError(reason, record=record, offset=offset, field=node.path)
        if self.report is not None:
            self.report.add_field(node.path, len(idx), record, offset, reason)

    def decode_children(
        self,
        nodes: list[Node],
        mat: np.ndarray,
        rows: np.ndarray,
        base: np.ndarray,
        avail: np.ndarray | None,
        odo: dict[tuple, Any],
        at_record_level: bool,
    ) -> list[pa.Array]:
        out = []
        for node in nodes:
            if not node.output:
                if node.is_odo_object or _has_odo_object(node):
                    self.decode_node(node, mat, rows, base, avail, odo, at_record_level)
                out.append(None)
                continue
            out.append(self.decode_node(node, mat, rows, base, avail, odo, at_record_level))
        return out

    def decode_node(
        self,
        node: Node,
        mat: np.ndarray,
        rows: np.ndarray,
        base: np.ndarray,
        avail: np.ndarray | None,
        odo: dict[tuple, Any],
        at_record_level: bool,
    ) -> pa.Array:
        sel = None
        if node.segment_ids is not None and self.seg_sel is not None and at_record_level:
            sel = self.seg_sel.get(node.item.name.upper())
        if sel is not None and not sel.all():
            self.vouched = False  # rows of other segments are null here
            idx = np.flatnonzero(sel)
            sub = self._decode_node(
                node,
                mat[idx],
                rows[idx],
                base[idx],
                None if avail is None else avail[idx],
                {},
                at_record_level,
            )
            pos = np.cumsum(sel) - 1
            take = pa.array(pos, type=pa.int64(), mask=~sel)
            return sub.take(take)
        return self._decode_node(node, mat, rows, base, avail, odo, at_record_level)

    def _decode_node(
        self,
        node: Node,
        mat: np.ndarray,
        rows: np.ndarray,
        base: np.ndarray,
        avail: np.ndarray | None,
        odo: dict[tuple, Any],
        at_record_level: bool,
    ) -> pa.Array:
        m = mat.shape[0]
        if not node.occurs_max:
            return self._decode_one(
                node,
                mat[:, node.rel : node.rel + node.width],
                rows,
                base + node.rel,
                None if avail is None else avail - node.rel,
                odo,
                at_record_level,
            )
        big_m, s = node.occurs_max, node.width
        block = mat[:, node.rel : node.rel + big_m * s].reshape(m, big_m, s)
        if node.depending is not None:
            counts = self._count(node, odo, rows, base, m)
        else:
            counts = np.full(m, big_m, dtype=np.int64)
        if node.depending is None or bool((counts == big_m).all()):
            # every occurrence present: a reshape, not a boolean gather (several times faster)
            elems = block.reshape(m * big_m, s)
            j = np.tile(np.arange(big_m, dtype=np.int64), m)
        else:
            # only the occurrences present: rows of ``s`` bytes gathered at their offsets
            owner = np.repeat(np.arange(m, dtype=np.int64), counts)
            first = np.zeros(m, dtype=np.int64)
            np.cumsum(counts[:-1], out=first[1:])
            j = np.arange(len(owner), dtype=np.int64) - first[owner]
            elems = _gather_rows(mat, owner, node.rel + j * s, s)
        e_rows = np.repeat(rows, counts)
        e_base = np.repeat(base + node.rel, counts) + j * s
        e_avail = None
        if avail is not None:
            e_avail = np.repeat(avail - node.rel, counts) - j * s
        values = self._decode_one(
            node,
            elems,
            e_rows,
            e_base,
            e_avail,
            {"__parent__": (odo, np.repeat(np.arange(m), counts))},
            False,
        )
        offsets = np.zeros(m + 1, dtype=np.int32)
        np.cumsum(counts, out=offsets[1:])
        return pa.ListArray.from_arrays(pa.array(offsets), values)

    def _count(
        self, node: Node, odo: dict, rows: np.ndarray, base: np.ndarray, m: int
    ) -> np.ndarray:
        key = node.depending
        d, mapping = odo, None
        while key not in d:
            parent = d.get("__parent__")
            if parent is None:
                break
            d, pm = parent
            mapping = pm if mapping is None else pm[mapping]
        if key in d:
            vals = d[key]
            c = vals if mapping is None else vals[mapping]
        else:
            rec_vals = self.record_level_object(key, rows)
            c = rec_vals
        c = np.asarray(c, dtype=np.int64)
        over = (c > node.occurs_max) | (c < node.item.occurs.min)
        if over.any():
            self.vouched = False  # the list is clipped: it no longer matches its count
            self.bad(node, over, rows, base + node.rel, "DEPENDING ON count out of range")
        return np.clip(c, 0, node.occurs_max)

    def record_level_object(self, key: tuple, rows: np.ndarray) -> np.ndarray:
        if key not in self.record_objects:
            raise OptionsError(
                f"DEPENDING ON object {'.'.join(key)} was not decoded before its table"
            )
        return self.record_objects[key][rows]

    def _decode_one(
        self,
        node: Node,
        mat: np.ndarray,
        rows: np.ndarray,
        base: np.ndarray,
        avail: np.ndarray | None,
        odo: dict,
        at_record_level: bool,
    ) -> pa.Array:
        m = mat.shape[0]
        if node.kind == "group":
            arrays = self.decode_children(
                node.children, mat, rows, base, avail, odo, at_record_level
            )
            fields = node.child_fields()
            arrays = [a for c, a in zip(node.children, arrays) if c.output]
            if not fields:
                return pa.array([{}] * m, type=pa.struct([]))
            return pa.StructArray.from_arrays(arrays, fields=fields)
        truncated = None
        if avail is not None:
            truncated = avail < node.width
            if not truncated.any():
                truncated = None
        if node.kind == "raw":
            data = np.ascontiguousarray(mat)
            arr = pa.FixedSizeBinaryArray.from_buffers(
                pa.binary(node.width), m, [None, pa.py_buffer(data)]
            )
            if truncated is not None:
                arr = pc.if_else(pa.array(truncated), pa.scalar(None, arr.type), arr)
            return arr
        if not self.vouched or node.identity:
            values, invalid = node.codec.decode(mat)
        elif hasattr(node.codec, "decode_vouched"):
            values, invalid, self.vouched = node.codec.decode_vouched(mat)
        else:  # no cheap canonical check for this usage: the reader re-encodes
            values, invalid = node.codec.decode(mat)
            self.vouched = False
        if node.is_odo_object:
            ints = _to_int(values)
            if at_record_level:
                self.record_objects[tuple(node.item.path)] = ints
            odo[tuple(node.item.path)] = ints
        if truncated is not None:
            self.vouched = False
            self.bad(node, truncated, rows, base, "record too short for the field")
            values = pc.if_else(pa.array(truncated), pa.scalar(None, values.type), values)
            if invalid is not None:
                invalid = invalid & ~truncated
        if invalid is not None and invalid.any():
            self.bad(node, invalid, rows, base, f"invalid {node.item.usage.value} value")
        return values


def _gather_rows(mat: np.ndarray, rows: np.ndarray, cols: np.ndarray, s: int) -> np.ndarray:
    """``(k, s)`` matrix of the ``s`` bytes at ``mat[rows[i], cols[i]:cols[i] + s]``: a fancy
    index into a window view of the matrix's memory (faster than a boolean gather)."""
    n, w = mat.shape
    if len(rows) == 0 or s == 0:
        return np.empty((len(rows), s), dtype=np.uint8)
    rs, cs = mat.strides
    if cs != 1 or rs < w:
        return mat[rows[:, None], cols[:, None] + np.arange(s)[None, :]]
    # the bytes from the first row's start to the last row's end, as one strided run
    flat = np.lib.stride_tricks.as_strided(
        mat, shape=((n - 1) * rs + w,), strides=(1,), writeable=False
    )
    return np.lib.stride_tricks.sliding_window_view(flat, s)[rows * rs + cols]


def _has_odo_object(node: Node) -> bool:
    return any(n.is_odo_object for n in _walk_nodes(node))


def _walk_nodes(node: Node):
    yield node
    for c in node.children:
        yield from _walk_nodes(c)


class _EncodeCtx:
    """State of one batch encode: null policy, errors with record numbers."""

    def __init__(
        self, plan: Plan, wopts: WriteOptions, first_record: int, skip: np.ndarray | None
    ) -> None:
        self.plan = plan
        self.wopts = wopts
        self.first_record = first_record
        self.skip = skip
        self.collect: np.ndarray | None = None
        self.table_counts: dict[str, np.ndarray] = {}
        self.object_values: dict[tuple, np.ndarray] = {}
        """Encoded values of DEPENDING ON fields, to check their tables' list lengths."""

    def fail(self, node: Node, mask: np.ndarray, rows: np.ndarray, why: str) -> None:
        """Raise EncodeError for the first failing row, or collect failures (residue check)."""
        if self.collect is not None:
            self.collect[rows[mask]] = True
            return
        if self.skip is not None:
            mask = mask & ~self.skip[rows]
        idx = np.flatnonzero(mask)
        if len(idx):
            raise EncodeError(why, record=self.first_record + int(rows[idx[0]]), field=node.path)

    def encode_children(
        self,
        nodes: list[Node],
        cols: dict[str, pa.Array],
        mat: np.ndarray,
        rows: np.ndarray,
        top: bool = False,
        src: np.ndarray | None = None,
    ) -> None:
        # base items first, REDEFINES alternatives after them so that a non-null alternative
        # writes the bytes it stands for
        order = [n for n in nodes if not n.alternative] + [n for n in nodes if n.alternative]
        for node in order:
            arr = cols.get(node.name)
            if arr is None:
                if node.kind == "raw" or node.in_chain or not node.output:
                    continue
                raise EncodeError(f"column {node.name} is missing from the table", field=node.path)
            self.encode_node(node, arr, mat, rows, src)

    def encode_node(
        self,
        node: Node,
        arr: pa.Array,
        mat: np.ndarray,
        rows: np.ndarray,
        src: np.ndarray | None = None,
    ) -> None:
        """Encode one node's column into ``mat``; ``src`` (residue check only) holds the
        original bytes at the same places, copied for fields that always re-encode exactly."""
        m = mat.shape[0]
        write = _valid_mask(arr) if node.in_chain else None
        if not node.occurs_max:
            out = mat[:, node.rel : node.rel + node.width]
            self._encode_one(
                node,
                arr,
                out,
                rows,
                write,
                None if src is None else src[:, node.rel : node.rel + node.width],
            )
            return
        big_m, s = node.occurs_max, node.width
        if (
            not pa.types.is_list(arr.type)
            and not pa.types.is_large_list(arr.type)
            and not pa.types.is_fixed_size_list(arr.type)
        ):
            raise EncodeError(f"column is {arr.type}, expected a list", field=node.path)
        lengths = np.asarray(
            pc.fill_null(pc.list_value_length(arr), 0).to_numpy(zero_copy_only=False),
            dtype=np.int64,
        )
        over = lengths > big_m
        if over.any():
            self.fail(node, over, rows, f"more than {big_m} occurrences")
            lengths = np.minimum(lengths, big_m)
        if node.depending is not None:
            self.table_counts[node.path] = np.asarray(lengths)
        flat = arr.flatten()
        if write is not None and write.all():
            write = None
        full = write is None and int(lengths.min(initial=big_m)) == big_m
        if full:  # every row has all its occurrences: no selection mask
            sel = None
            k = m * big_m
        else:
            sel = columns_mask(lengths, big_m)
            if write is not None:
                sel &= write[:, None]
                k = int(sel.sum())
            else:
                k = int(lengths.sum())
        if len(flat) != int(lengths.sum()):
            flat = _list_values_trimmed(arr, lengths)
        if write is not None:
            keep = np.repeat(write, lengths)
            flat = flat.filter(pa.array(keep))
        # a field writes every row of its elements; groups and FILLER start from the fill
        if node.kind == "field":
            elems = np.empty((k, s), dtype=np.uint8)
        else:
            elems = np.full((k, s), self.plan.fill, dtype=np.uint8)
        e_rows = np.repeat(rows, lengths if write is None else np.where(write, lengths, 0))
        block = mat[:, node.rel : node.rel + big_m * s].reshape(m, big_m, s)
        e_src = None
        if src is not None:
            e_block = src[:, node.rel : node.rel + big_m * s].reshape(m, big_m, s)
            e_src = e_block.reshape(k, s) if sel is None else e_block[sel]
        self._encode_one(node, flat, elems, e_rows, None, e_src)
        if sel is None:
            put_rows(block, elems.reshape(m, big_m, s))
        else:
            put_rows(block, elems, sel)
        if node.depending is not None:
            self._check_count(node, lengths, rows)
        else:
            # a fixed OCCURS has all its occurrences: missing ones follow the null policy
            short = lengths < big_m
            if write is not None:
                short &= write
            if short.any():
                if self.wopts.null_as == "error":
                    self.fail(
                        node,
                        short,
                        rows,
                        f"fewer than {big_m} occurrences in a fixed "
                        "OCCURS (use null_as=spaces|low-values|zero)",
                    )
                else:
                    missing = (np.arange(big_m)[None, :] >= lengths[:, None]) & short[:, None]
                    if node.kind == "field":
                        fill = np.frombuffer(node.codec.fill(self.wopts.null_as), np.uint8)
                    else:
                        byte = 0 if self.wopts.null_as == "low-values" else self.plan.fill
                        fill = np.full(s, byte, np.uint8)
                    block[missing] = fill

    def _note_object(self, node: Node, arr: pa.Array) -> None:
        """Remember a DEPENDING ON field's values to check its tables' list lengths."""
        self.object_values[tuple(node.item.path)] = _to_int(arr)

    def _check_count(self, node: Node, lengths: np.ndarray, rows: np.ndarray) -> None:
        """The DEPENDING ON object must say how many occurrences the list has."""
        obj = self.plan._index.get(".".join(node.depending))
        if obj is None or obj.kind != "field":
            return
        vals = self.object_values.get(node.depending)
        if vals is None or len(vals) != len(lengths):
            return
        bad = vals != lengths
        if bad.any():
            self.fail(
                node, bad, rows, f"list length differs from its DEPENDING ON field {obj.item.name}"
            )

    def _encode_one(
        self,
        node: Node,
        arr: pa.Array,
        out: np.ndarray,
        rows: np.ndarray,
        write: np.ndarray | None,
        src: np.ndarray | None = None,
    ) -> None:
        if node.kind == "group":
            if not pa.types.is_struct(arr.type):
                raise EncodeError(f"column is {arr.type}, expected a struct", field=node.path)
            # flatten() merges the group's nulls into its members: a null group outside a
            # REDEFINES chain has null leaves, and the null policy applies to them
            children = arr.flatten()
            cols = {arr.type.field(i).name: children[i] for i in range(arr.type.num_fields)}
            if write is not None and not write.all():
                idx = np.flatnonzero(write)
                sub = np.ascontiguousarray(out[idx])
                sub_cols = {k: v.take(pa.array(idx)) for k, v in cols.items()}
                self.encode_children(
                    node.children, sub_cols, sub, rows[idx], src=None if src is None else src[idx]
                )
                out[idx] = sub
            else:
                self.encode_children(node.children, cols, out, rows, src=src)
            return
        if write is not None and write.all():
            write = None
        if node.kind == "raw":
            data = _fixed_bytes(arr, node.width)
            ok = _valid_mask(arr)
            if write is not None:
                ok &= write
            if ok.all():
                put_rows(out, data)
            else:
                put_rows(out, data[ok], ok)
            return
        if (
            src is not None
            and arr.null_count == 0
            and (node.identity or _all_canonical(node.codec, src))
        ):
            # the original bytes are what encoding these values gives: copy, don't encode
            if write is not None:
                put_rows(out, src[write], write)
            else:
                put_rows(out, src)
            if node.is_odo_object:
                self._note_object(node, arr)
            return
        truncate = self.wopts.on_overflow == "truncate"
        if write is None and getattr(node.codec, "encodes_into", False):
            enc, failed = node.codec.encode(arr, truncate=truncate, out=out)
        else:
            enc, failed = node.codec.encode(arr, truncate=truncate)
        nulls = ~_valid_mask(arr) if arr.null_count else None
        if failed is not None and failed.any():
            f = failed if nulls is None else failed & ~nulls
            if write is not None:
                f &= write
            self.fail(node, f, rows, node.codec.failure_reason)
        if nulls is not None:
            if write is not None:
                pass  # nulls in a REDEFINES chain are simply not written
            elif self.wopts.null_as == "error":
                self.fail(
                    node,
                    nulls,
                    rows,
                    "null value and no null representation (use null_as=spaces|low-values|zero)",
                )
            else:
                fill = np.frombuffer(node.codec.fill(self.wopts.null_as), dtype=np.uint8)
                enc = enc.copy() if not enc.flags.writeable else enc
                enc[nulls] = fill
        if node.is_odo_object:
            self._note_object(node, arr)
        if enc is out:
            return
        if write is not None:
            put_rows(out, enc[write], write)
        else:
            put_rows(out, enc)


def _valid_mask(arr: pa.Array) -> np.ndarray:
    if arr.null_count == 0:
        return np.ones(len(arr), dtype=bool)
    return np.asarray(pc.is_valid(arr).to_numpy(zero_copy_only=False), dtype=bool)


def _list_values_trimmed(arr: pa.Array, lengths: np.ndarray) -> pa.Array:
    parts = []
    offsets = arr.offsets.to_numpy()
    values = arr.values
    for i, ln in enumerate(lengths):
        if ln:
            parts.append(values.slice(int(offsets[i]), int(ln)))
    if not parts:
        return values.slice(0, 0)
    return pa.concat_arrays(parts)


def _fixed_bytes(arr: pa.Array, width: int) -> np.ndarray:
    """(n, width) matrix of a binary column (nulls and short values padded with zeros)."""
    n = len(arr)
    if pa.types.is_fixed_size_binary(arr.type) and arr.type.byte_width == width:
        buf = arr.buffers()[1]
        data = np.frombuffer(buf, dtype=np.uint8)[arr.offset * width : (arr.offset + n) * width]
        return data.reshape(n, width)
    if pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type):
        try:  # every value exactly `width` bytes: one vectorized cast
            return _fixed_bytes(arr.cast(pa.binary(width)), width)
        except pa.ArrowInvalid:
            pass
    out = np.zeros((n, width), dtype=np.uint8)
    for i, v in enumerate(arr.to_pylist()):  # rare: values of other lengths
        if v is not None:
            b = bytes(v)[:width]
            out[i, : len(b)] = np.frombuffer(b, dtype=np.uint8)
    return out
