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
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.codecs import make_codec, native
from legacyio.copybook.types import Category, Usage
from legacyio.errors import CopybookError, EncodeError, OptionsError
from legacyio.layout.model import Item, Layout
from legacyio.options import FileFormat, ReadOptions, WriteOptions
from legacyio.plan.decode import DecodeCtx, as_column, mapped_counts, object_values
from legacyio.plan.encode import EncodeCtx, valid_mask
from legacyio.plan.nested import CountReader, NestedWalker
from legacyio.plan.nodes import (
    CORRUPT_COLUMN,
    DERIVED_KINDS,
    META_COPYBOOK,
    META_FORMAT,
    META_READ,
    RESIDUE_COLUMN,
    Node,
    VariableTable,
    column_name,
    find_option_item,
    inside_occurs,
    is_identity,
    walk_nodes,
)
from legacyio.plan.rules import RuleSet, check_groups
from legacyio.report import DecodeReport


def _corrupt_column(found: list[tuple[np.ndarray, str]], n: int) -> pa.Array:
    """Per row the sorted, distinct paths of the fields reported bad in it."""
    per_row: list[set[str]] = [set() for _ in range(n)]
    for rows, path in found:
        for r in np.unique(rows).tolist():
            per_row[r].add(path)
    return pa.array([sorted(s) for s in per_row], type=pa.list_(pa.string()))


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
        self._codecs: dict[tuple, Any] = {}
        self._numbers_as_text = {n.upper().replace("_", "-") for n in fmt.numbers_as_text}
        self._numbers_as_text_seen: set[str] = set()
        self._date_formats = fmt.date_map()
        self._date_formats_seen: set[str] = set()
        self._identities: dict[int, bool] = {}
        self.stacks: dict[int, list[list[Node]]] = {}
        """Per node list (by id): runs of plain fields that share a codec, decoded stacked."""
        self.stack_cols: dict[int, np.ndarray] = {}
        """Per stacked group (by id): the byte columns of its fields in the record."""
        if fmt.record is not None:
            roots = [r for r in layout.records if r.name.upper() == fmt.record.upper()]
            if not roots:
                names = ", ".join(r.name for r in layout.records)
                raise OptionsError(f"record {fmt.record!r} is not in the copybook ({names})")
        else:
            roots = list(layout.records)
        if not roots:
            pos = layout.standalone[0].pos if layout.standalone else None
            raise CopybookError(
                "the copybook has no record to read (no 01 level item)",
                file=pos.file if pos else None,
                line=pos.line if pos else None,
                column=pos.column if pos else None,
            )
        self.roots = roots
        self.width = max(r.total_size for r in roots)
        if fmt.record_length is not None and fmt.record_format in ("F", "FB"):
            self.width = max(self.width, fmt.record_length)
        self.pad = 0x40 if fmt.ebcdic else 0x20
        self.fill = self.pad
        seg_map = fmt.segment_map()
        self.rules: RuleSet | None = None
        self._rule_groups: dict[str, int] = {}
        if fmt.record_types:
            if fmt.segment_field or seg_map:
                raise OptionsError(
                    "give record_types or segment_field with segments, not both (a rule "
                    "can test the segment field: SEG-ID = 'A')"
                )
            self.rules = RuleSet(layout, fmt)
            self._rule_groups = {
                n.upper().replace("_", "-"): i for i, n in enumerate(self.rules.names)
            }
        self._check_code_pages(layout, fmt)
        self._seg_groups: dict[str, list[str]] = {}
        for sid, grp in seg_map.items():
            self._seg_groups.setdefault(grp.upper(), []).append(sid)
        self.odo_paths: set[tuple[str, ...]] = set()
        self.occurs_map = fmt.occurs_map()
        odo_tables: set[str] = set()
        for it in layout.items():
            if it.occurs is not None and it.occurs.depending_path:
                self.odo_paths.add(tuple(it.occurs.depending_path))
                odo_tables.add(it.name.upper())
        unknown_maps = set(self.occurs_map) - odo_tables
        if unknown_maps:
            raise OptionsError(
                "occurs_mappings names no OCCURS DEPENDING ON table: "
                + ", ".join(sorted(unknown_maps))
            )
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
        unknown_text = self._numbers_as_text - self._numbers_as_text_seen
        if unknown_text:
            raise OptionsError(
                "numbers_as_text names no field of the copybook: " + ", ".join(sorted(unknown_text))
            )
        unknown_dates = set(self._date_formats) - self._date_formats_seen
        if unknown_dates:
            raise OptionsError(
                "date_formats names no field of the copybook: " + ", ".join(sorted(unknown_dates))
            )
        self._index: dict[str, Node] = {}
        for top in self.top:
            for n in walk_nodes(top):
                self._index.setdefault(n.path, n)
        missing = [g for g in self._seg_groups if not self._find_group(g)]
        if self.rules is not None:
            check_groups(
                self.rules,
                {g for g in self._rule_groups if self._find_group(g) is not None},
            )
            for g in self._rule_groups:
                gnode = self._find_group(g)
                assert gnode is not None
                if gnode.item.occurs is not None or any(
                    inside_occurs(r, gnode.item) for r in self.roots
                ):
                    raise OptionsError(
                        f"record_types: {gnode.item.dotted} is inside an OCCURS table (a rule "
                        "chooses the alternative of a whole record)"
                    )
        if missing:
            raise OptionsError(f"segment group(s) not in the copybook: {', '.join(missing)}")
        self.segment_codec = None
        self.segment_offset = 0
        if fmt.segment_field:
            seg_item = find_option_item(layout, fmt.segment_field, "segment field")
            if seg_item.is_group or seg_item.occurs is not None:
                raise OptionsError(f"segment field {fmt.segment_field} must be an elementary item")
            self.segment_codec = make_codec(seg_item, fmt, trim="both")
            self.segment_offset = seg_item.offset
        elif seg_map:
            raise OptionsError("a segment map needs a segment field (segment_field)")
        if self.ropts.segment_id_levels and self.segment_codec is None:
            raise OptionsError("segment id columns (segment_id_levels) need a segment_field")
        self.variable = fmt.variable and bool(self.odo_paths)
        self.nested: NestedWalker | None = None
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
        self._count_readers: dict[int, CountReader] = {}
        self._flat_chain: Any = False  # compiled on first use (_compile_flat_chain)
        self.orphan = b""
        """Bytes of a file with no record (set by the reader once the file is read)."""

    # ---- building ---------------------------------------------------------------------
    @staticmethod
    def _check_code_pages(layout: Layout, fmt: FileFormat) -> None:
        """``field_code_page``: every field named is a text field of the copybook and every
        code page is known (OptionsError naming them otherwise)."""
        pages = fmt.code_page_map()
        if not pages:
            return
        from legacyio.codecs import is_text_item
        from legacyio.codecs.codepages import get_codepage

        seen: set[str] = set()
        for it in layout.items():
            cp = pages.get(it.name.upper())
            if cp is None:
                continue
            seen.add(it.name.upper())
            if it.is_group or not is_text_item(it):
                raise OptionsError(
                    f"field_code_page: {it.dotted} is not a text field (PIC X or A, DISPLAY)"
                )
        unknown = sorted(set(pages) - seen)
        if unknown:
            raise OptionsError(
                "field_code_page names no field of the copybook: " + ", ".join(unknown)
            )
        for name, cp in sorted(pages.items()):
            try:
                get_codepage(cp)
            except OptionsError as e:
                raise OptionsError(f"field_code_page: {name}: {e}") from None

    def _find_group(self, name: str) -> Node | None:
        for top in self.top:
            for n in walk_nodes(top):
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
            out.extend(self._derived(node))
        return out

    def _derived(self, node: Node) -> list[Node]:
        """Read-only columns that follow a node: its raw bytes (``debug``) or, for a group
        named in ``non_terminals``, its bytes as one text column."""
        ro, item = self.ropts, node.item
        if not (ro.debug and node.kind == "field") and not (
            node.kind == "group" and ro.non_terminals
        ):
            return []  # the common case, checked before building anything
        out = []
        common: dict[str, Any] = {
            "occurs_max": node.occurs_max,
            "depending": node.depending,
            "count_map": node.count_map,
            "segment_ids": node.segment_ids,
            "in_chain": node.in_chain,
            "alternative": node.alternative,
        }
        if ro.debug and node.kind == "field":
            out.append(
                Node(item, f"{node.name}_debug", node.rel, node.width, "debug", ro.debug, **common)
            )
        if node.kind == "group" and ro.non_terminals:
            wanted = {n.upper().replace("_", "-") for n in ro.non_terminals}
            if item.name.upper() in wanted:
                from legacyio.codecs.text import TextCodec

                codec = TextCodec(item, self.fmt, trim=ro.trim)
                out.append(
                    Node(item, f"{node.name}_NT", node.rel, node.width, "nt", codec, **common)
                )
        return out

    def _node(self, item: Item, rel: int) -> Node:
        name = self._name(item)
        occurs = item.occurs
        occurs_max = occurs.max if occurs else 0
        depending = tuple(occurs.depending_path) if (occurs and occurs.depending_path) else None
        seg = self._seg_groups.get(item.name.upper()) if self._seg_groups else None
        if seg is None and self._rule_groups and item.name.upper() in self._rule_groups:
            seg = [item.name.upper()]
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
                count_map=self.occurs_map.get(item.name.upper()) if depending else None,
            )
            node.children = self._children(item, item.offset)
            return node
        if item.is_filler:
            return Node(
                item, name, rel, item.size, "raw", occurs_max=occurs_max, depending=depending
            )
        codec = self._as_text(item) or self._as_date(item) or self._codec(item)
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
            is_odo_object=bool(self.odo_paths) and tuple(item.path) in self.odo_paths,
            identity=self._identity(codec),
            count_map=self.occurs_map.get(item.name.upper()) if depending else None,
        )

    def _as_text(self, item: Item) -> Any:
        """A digits-only text codec for an item named in ``numbers_as_text`` (else None)."""
        if not self._numbers_as_text or item.name.upper() not in self._numbers_as_text:
            return None
        self._numbers_as_text_seen.add(item.name.upper())
        pic = item.picture
        if (
            pic is None
            or item.usage != Usage.DISPLAY
            or pic.category != Category.NUMERIC
            or pic.signed
            or pic.p_count
        ):
            raise OptionsError(
                f"numbers_as_text: {item.dotted} is not an unsigned DISPLAY numeric field "
                "(PIC 9(n) or 9(n)V9(m))"
            )
        from legacyio.codecs.text import DigitsTextCodec

        return DigitsTextCodec(item, self.fmt)

    def _as_date(self, item: Item) -> Any:
        """A ``date32`` codec for an item named in ``date_formats`` (else None)."""
        form = self._date_formats.get(item.name.upper()) if self._date_formats else None
        if form is None:
            return None
        self._date_formats_seen.add(item.name.upper())
        from legacyio.codecs.dates import DIGITS, DateCodec

        pic = item.picture
        need = DIGITS[form]
        if (
            pic is not None
            and pic.category in (Category.ALPHANUMERIC, Category.ALPHABETIC)
            and item.usage == Usage.DISPLAY
        ):
            if item.size != need:
                raise OptionsError(
                    f"date_formats: {item.dotted} is {item.size} bytes; a {form} date in a "
                    f"PIC X field takes exactly {need}"
                )
            return DateCodec(item, self.fmt, form)
        numeric_usages = (Usage.DISPLAY, Usage.PACKED, Usage.BINARY, Usage.COMP5)
        if (
            pic is None
            or pic.category != Category.NUMERIC
            or item.usage not in numeric_usages
            or pic.scale != 0
            or pic.digits < need
            or pic.digits > 18
        ):
            raise OptionsError(
                f"date_formats: {item.dotted} cannot hold a {form} date: it must be a PIC X "
                f"field of {need} bytes or an integer DISPLAY, packed or binary field of "
                f"{need} to 18 digits"
            )
        return DateCodec(item, self.fmt, form, self._codec(item))

    def _identity(self, codec: Any) -> bool:
        known = self._identities.get(id(codec))
        if known is None:
            known = self._identities[id(codec)] = is_identity(codec)
        return known

    def _codec(self, item: Item) -> Any:
        """The codec of an elementary item, shared by items that store values alike (a wide
        copybook repeats a few kinds of fields thousands of times: building each codec once
        keeps plan building linear and cheap, and lets the decoder stack alike columns)."""
        key = (
            self.fmt.code_page_map().get(item.name.upper()) if self.fmt.field_code_page else None,
            item.usage,
            item.picture,
            item.size,
            item.sign_leading,
            item.sign_separate,
            item.justified,
            item.blank_when_zero,
        )
        codec = self._codecs.get(key)
        if codec is None:
            try:
                codec = make_codec(item, self.fmt, trim=self.ropts.trim)
            except ValueError as e:
                pos = item.pos
                raise CopybookError(
                    f"{item.dotted}: {e}",
                    file=pos.file if pos else None,
                    line=pos.line if pos else None,
                    column=pos.column if pos else None,
                ) from None
            self._codecs[key] = codec
        return codec

    def _variable_tables(self) -> list[VariableTable]:
        """ODO tables that shift what follows them; each must sit outside any OCCURS."""
        tables: list[VariableTable] = []
        for root in self.roots:
            for it in root.walk():
                if it.occurs is None or not it.occurs.depending_path:
                    continue
                if inside_occurs(root, it):
                    if self.occurs_map:
                        raise OptionsError(
                            "occurs_mappings with OCCURS DEPENDING ON tables inside other "
                            "tables in a variable layout are not supported"
                        )
                    # an ODO table inside an OCCURS: records are walked one at a time
                    self.nested = NestedWalker(self.roots, self.layout, self.fmt)
                    return []
                obj = self.layout.find(".".join(it.occurs.depending_path))
                tables.append(
                    VariableTable(
                        it.offset,
                        it.size,
                        it.occurs.max,
                        it.occurs.min,
                        obj.offset,
                        make_codec(obj, self.fmt),
                        it.dotted,
                        self.occurs_map.get(it.name.upper()),
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
        for k in range(len(self.ropts.segment_id_levels)):
            fields.append(pa.field(f"Seg_Id{k}", pa.string()))
        if self.ropts.corrupt_fields:
            fields.append(pa.field(CORRUPT_COLUMN, pa.list_(pa.string())))
        md = {
            META_FORMAT: json.dumps(self.fmt.to_dict()).encode(),
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
            for n in walk_nodes(top):
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

    def record_chain(self, window: np.ndarray, limit: int) -> np.ndarray | None:
        """Lengths of the records back to back from ``window[0]`` (ODO framing), the same
        ``record_lengths`` gives for each record's prefix: at most ``limit``, up to the first
        invalid length (-1, included) or the last record whose prefix fits in ``window``.

        Nothing is computed per candidate prefix: each count field is decoded at every byte
        position of the window at once (a table lookup for 1- and 2-byte counts), and the
        records are then followed from one to the next. None: not available (use
        ``record_lengths``)."""
        pl = self.length_prefix()
        if self.nested is not None:
            return self.nested.chain(window, limit, pl)
        if any(t.count_map is not None or not _numeric(t.object_codec) for t in self.tables):
            return None  # counts through occurs_mappings: record_lengths at every position
        npos = len(window) - pl + 1
        if npos <= 0:
            return np.zeros(0, dtype=np.int64)
        if self._flat_chain is False:
            self._flat_chain = self._compile_flat_chain(pl)
        if self._flat_chain is not None:
            fn, tabs = self._flat_chain
            return np.asarray(fn(window.tobytes(), *tabs, 0, npos - 1, limit), dtype=np.int64)
        length = np.full(npos, self.width, dtype=np.int64)
        bad = np.zeros(npos, dtype=bool)
        for i, t in enumerate(self.tables):
            if t.object_offset + t.object_codec.width > pl:
                return None  # record_lengths raises the error
            reader = self._count_readers.get(i)
            if reader is None:
                reader = self._count_readers[i] = CountReader(t.object_codec)
            c, b = reader.at_every(window[t.object_offset :], npos)
            bad |= b | (c < t.min) | (c > t.max)
            length -= (t.max - np.clip(c, 0, t.max)) * t.stride
        length[bad] = -1
        return _follow(length, limit)

    def _compile_flat_chain(self, pl: int) -> tuple[Any, list[list[int]]] | None:
        """For ODO tables whose counts are 1- or 2-byte fields: a compiled walk from record to
        record, ``chain(B, T0, T1, ..., p, last, limit)``, where ``Tk`` maps the count field's
        bytes to how many bytes the table is short of its maximum (a huge number when the
        count is invalid or out of range: the length then comes out -1)."""
        big = 1 << 40
        terms, tabs = [], []
        for k, t in enumerate(self.tables):
            if t.object_offset + t.object_codec.width > pl:
                return None
            reader = CountReader(t.object_codec)
            if reader.lut is None or reader.lut_bad is None:
                return None
            c = reader.lut
            bad = reader.lut_bad | (c < t.min) | (c > t.max)
            tabs.append(np.where(bad, big, (t.max - np.clip(c, 0, t.max)) * t.stride).tolist())
            at = f"p + {t.object_offset}"
            key = f"B[{at}]" if reader.width == 1 else f"(B[{at}] << 8) | B[{at} + 1]"
            terms.append(f" - T{k}[{key}]")
        args = "".join(f"T{k}, " for k in range(len(tabs)))
        src = "\n".join(
            [
                f"def chain(B, {args}p, last, limit):",
                "    out = []",
                "    app = out.append",
                "    while len(out) < limit and p <= last:",
                f"        length = {self.width}{''.join(terms)}",
                "        if length < 1:",
                "            app(-1 if length < 0 else 0)",
                "            break",
                "        app(length)",
                "        p += length",
                "    return out",
            ]
        )
        scope: dict[str, Any] = {}
        exec(compile(src, "<legacyio ODO record walk>", "exec"), scope)
        return scope["chain"], tabs

    def _counts(self, mat: np.ndarray, t: VariableTable) -> tuple[np.ndarray, np.ndarray]:
        vals, invalid = t.object_codec.decode(
            mat[:, t.object_offset : t.object_offset + t.object_codec.width]
        )
        c, missing = mapped_counts(object_values(vals), t.count_map)
        bad = (c < t.min) | (c > t.max) | missing
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

    def expand_frames(
        self, buf: np.ndarray, starts: np.ndarray, lengths: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """``expand`` of ``block.matrix(width, pad)`` for the records at ``starts`` of
        ``buf``, straight from the buffer (the native nested walk); None: not available."""
        if self.nested is None or not native.active():
            return None
        prog = self.nested.native_program()
        if prog is None:
            return None
        return native.odo_expand_frames(prog, buf, starts, lengths, self.width, self.pad)

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
        extras: dict[str, pa.Array] | None = None,
    ) -> tuple[list[pa.Array], bool]:
        """Decode a matrix of records (maximum layout) into the top-level columns, and tell
        whether every byte of every record is already the canonical encoding of the decoded
        values: established by the codecs while decoding (no encoding), so that clean files
        need no round-trip re-encode. False means "not established" (the caller then
        re-encodes and compares)."""
        n = mat.shape[0]
        ctx = DecodeCtx(self, report, first_record, rec_offsets, self.ropts.strict)
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
            seg_vals = self.segment_values(mat)
            seg_sel = {}
            matched = np.zeros(n, dtype=bool)
            for grp, ids in self._seg_groups.items():
                sel = pc.is_in(seg_vals, value_set=pa.array(ids)).to_numpy(zero_copy_only=False)
                sel = np.asarray(sel, dtype=bool)
                seg_sel[grp] = sel
                matched |= sel
            if report is not None and self._seg_groups and not matched.all():
                report.unmatched_segments += int((~matched).sum())
                first = int(np.flatnonzero(~matched)[0])
                report.add_framing(
                    "segment id matches no segment",
                    first_record + first,
                    int(rec_offsets[first]) + self.segment_offset,
                )
        if self.rules is not None:
            seg_sel = self.rule_selection(mat, first_record, rec_offsets, report)
        ctx.seg_sel = seg_sel
        if self.ropts.corrupt_fields:
            ctx.corrupt = []
        if seg_sel is None and mat.shape[1] == self.width and n and native.active():
            ctx.prefetch(mat, stackable=avail is None)
        arrays = [
            arr
            for n_, arr in zip(
                self.top, ctx.decode_children(self.top, mat, rows, base, avail, {}, True)
            )
            if n_.output
        ]
        if extras is not None and ctx.corrupt is not None:
            extras[CORRUPT_COLUMN] = _corrupt_column(ctx.corrupt, n)
        if report is not None and ctx.bad_rows is not None:
            report.add_bad_records(int(ctx.bad_rows.sum()))
        return arrays, ctx.vouched

    def rule_selection(
        self,
        mat: np.ndarray,
        first_record: int,
        rec_offsets: np.ndarray,
        report: DecodeReport | None,
    ) -> dict[str, np.ndarray]:
        """Per record-type group, which records of the batch the rules give it (the first
        rule a record matches); records matching none are counted and reported."""
        assert self.rules is not None
        choice = self.rules.choose(mat)
        sel = {g: choice == i for g, i in self._rule_groups.items()}
        unmatched = choice < 0
        if report is not None and unmatched.any():
            report.unmatched_segments += int(unmatched.sum())
            first = int(np.flatnonzero(unmatched)[0])
            report.add_framing(
                "record matches no record type rule (kept as it is)",
                first_record + first,
                int(rec_offsets[first]),
            )
        return sel

    def selector_spans(self) -> list[tuple[int, int]]:
        """Byte ranges of the fields that choose a record's alternative (segment field or
        the fields of the record-type rules)."""
        if self.rules is not None:
            return list(self.rules.spans)
        if self.segment_codec is not None:
            return [(self.segment_offset, self.segment_offset + self.segment_codec.width)]
        return []

    def segment_values(self, mat: np.ndarray) -> pa.Array:
        """The segment field of each record as text, without spaces or low-values on either
        side (ids are compared without padding)."""
        assert self.segment_codec is not None
        seg_vals, _ = self.segment_codec.decode(
            mat[:, self.segment_offset : self.segment_offset + self.segment_codec.width]
        )
        if not pa.types.is_string(seg_vals.type):
            seg_vals = pc.cast(seg_vals, pa.string())  # a numeric segment-id field
        return pc.utf8_trim(seg_vals, characters=" \x00")

    # ---- the cheap canonical check ------------------------------------------------------
    def covered(self) -> bool:
        """Whether elementary items (and kept FILLERs) cover every byte of the record in every
        record: no slack bytes, no ODO tables, no bytes beyond the copybook. Only then can the
        codecs' canonical checks vouch for whole records."""
        if self._covered is not None:
            return self._covered
        if self.nested is not None:
            self._covered = self._nested_covered()
            return self._covered
        if self.odo_paths and not self.variable:
            # ODO tables at their maximum size keep slack bytes no field covers
            self._covered = False
            return False
        starts: list[int] = []
        widths: list[int] = []

        def mark(node: Node, base: int) -> None:
            if node.kind in DERIVED_KINDS:
                return
            start = base + node.rel
            reps = node.occurs_max or 1
            if node.kind != "group":
                for j in range(reps):
                    starts.append(start + j * node.width)
                    widths.append(node.width)
                return
            for j in range(reps):
                for c in node.children:
                    mark(c, start + j * node.width)

        for n in self.top:
            mark(n, 0)
        # every byte in some field: +1 at each field's start, -1 at its end, running sum > 0
        edges = np.zeros(self.width + 1, dtype=np.int64)
        s = np.minimum(np.asarray(starts, dtype=np.int64), self.width)
        np.add.at(edges, s, 1)
        np.add.at(edges, np.minimum(s + np.asarray(widths, dtype=np.int64), self.width), -1)
        self._covered = bool((np.cumsum(edges[:-1]) > 0).all())
        return self._covered

    def _nested_covered(self) -> bool:
        """Nested ODO records are stored as the concatenation of their present fields, so the
        codecs can vouch for whole records when every elementary item is a decoded column and
        the walk and the decoder agree on every count: one 01 record, no REDEFINES, no SYNC
        slack, no segments, and each DEPENDING ON object an elementary item before its table
        in the same or an enclosing group (read in the same occurrence by both)."""
        if (
            len(self.roots) != 1
            or self._seg_groups
            or self.segment_codec is not None
            or self.rules is not None
        ):
            return False
        root = self.roots[0]
        elementary = 0
        for it in root.walk():
            if it.redefines or it.slack_before:
                return False
            if not it.is_group:
                elementary += 1
            if it.occurs is not None and it.occurs.depending_path:
                path = tuple(it.occurs.depending_path)
                try:
                    obj = self.layout.find(".".join(path))
                except (KeyError, ValueError):
                    return False
                if (
                    obj.is_group
                    or tuple(obj.path) != path
                    or tuple(it.path[: len(path) - 1]) != path[:-1]
                    or obj.offset >= it.offset
                ):
                    return False
        leaves = sum(1 for top in self.top for n in walk_nodes(top) if n.kind in ("field", "raw"))
        return leaves == elementary

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
        mat, counts, cols = self.encode_max(
            batch, wopts, first_record, skip, collect=collect, src=src, out=out
        )
        n = batch.num_rows
        if counts is not None:
            return self.compact(mat, counts)
        if len(self.roots) > 1 and self.fmt.record_format in ("V", "VB", "VBS", "D"):
            return mat, self._root_lengths(cols, n)
        return mat, np.full(n, self.width, dtype=np.int64)

    def encode_max(
        self,
        batch: pa.RecordBatch | pa.Table,
        wopts: WriteOptions,
        first_record: int,
        skip: np.ndarray | None,
        *,
        collect: np.ndarray | None = None,
        src: np.ndarray | None = None,
        out: np.ndarray | None = None,
        quiet: dict[str, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, list[np.ndarray] | None, dict[str, pa.Array]]:
        """``encode`` before variable layouts are compacted: the records in the maximum
        layout, the ODO counts to compact them with (None for fixed layouts) and the
        top-level columns. ``quiet`` (node path -> per-record mask) silences failures of
        fields whose encoding will not be used."""
        n = batch.num_rows
        ctx = EncodeCtx(self, wopts, first_record, skip)
        ctx.rows = n
        ctx.collect = collect
        ctx.quiet = quiet
        if src is not None and src.shape != (n, self.width):
            src = None
        cols = {}
        names = set(batch.schema.names)
        for node in self.top:
            if node.name in names:
                cols[node.name] = as_column(batch.column(node.name))
        if out is None:
            mat = np.full((n, self.width), self.fill, dtype=np.uint8)
        else:
            mat = out
            mat[...] = self.fill
        rows = np.arange(n, dtype=np.int64)
        ctx.encode_children(self.top, cols, mat, rows, top=True, src=None if self.variable else src)
        if self.rules is not None and n and collect is None:
            # (the reader's residue check, ``collect``, needs no check: re-encoded bytes equal
            # to the input's give the alternative they were read as; others get a raw copy)
            self._check_rules(mat, cols, first_record, skip)
        if self.variable:
            counts = [
                ctx.table_counts.get(t.path, np.full(n, t.max, dtype=np.int64)) for t in self.tables
            ]
            return mat, counts, cols
        return mat, None, cols

    def _rule_group_valid(self, cols: dict[str, pa.Array], n: int) -> dict[int, np.ndarray]:
        """Per record-type rule, which rows of the table fill its group (non-null)."""
        out: dict[int, np.ndarray] = {}

        def walk(node: Node, arr: pa.Array | None, valid: np.ndarray) -> None:
            if arr is None:
                return
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks()
            here = valid & valid_mask(arr)
            i = self._rule_groups.get(node.item.name.upper())
            if i is not None and node.segment_ids is not None:
                out[i] = here
            if node.kind != "group" or node.occurs_max or not pa.types.is_struct(arr.type):
                return
            names = {arr.type.field(k).name for k in range(arr.type.num_fields)}
            for c in node.children:
                if c.name in names:
                    walk(c, pc.struct_field(arr, c.name), here)

        for node in self.top:
            walk(node, cols.get(node.name), np.ones(n, dtype=bool))
        return out

    def _check_rules(
        self,
        mat: np.ndarray,
        cols: dict[str, pa.Array],
        first_record: int,
        skip: np.ndarray | None,
    ) -> None:
        """A row that fills one record-type group must get bytes the rules read back as that
        group: else the edit would be lost on the next read (EncodeError naming the record)."""
        assert self.rules is not None
        n = mat.shape[0]
        filled = self._rule_group_valid(cols, n)
        if not filled:
            return
        count = np.zeros(n, dtype=np.int64)
        expected = np.full(n, -1, dtype=np.int64)
        for i, valid in filled.items():
            count += valid
            expected[valid] = i
        check = count == 1
        if skip is not None:
            check &= ~np.asarray(skip, dtype=bool)
        if not check.any():
            return
        choice = self.rules.choose(mat)
        bad = check & (choice != expected)
        if not bad.any():
            return
        r = int(np.flatnonzero(bad)[0])
        want = self.rules.names[int(expected[r])]
        got = self.rules.names[int(choice[r])] if choice[r] >= 0 else None
        raise EncodeError(
            f"the {want} alternative is filled but the record-type rules read the record back "
            + (f"as {got}" if got else "as no record type")
            + f": set its key fields so that the rule of {want} matches",
            record=first_record + r,
        )

    def _root_lengths(self, cols: dict[str, pa.Array], n: int) -> np.ndarray:
        """Variable-length records of a copybook with several 01 records: each record is as
        long as the longest 01 record present in its row (the active segment's)."""
        lengths = np.zeros(n, dtype=np.int64)
        for node, root in zip(self.top, self.roots):
            arr = cols.get(node.name)
            if arr is None:
                continue
            size = np.where(valid_mask(arr), root.total_size, 0)
            np.maximum(lengths, size, out=lengths)
        lengths[lengths == 0] = self.width
        return lengths


def _numeric(codec: Any) -> bool:
    """Whether a DEPENDING ON object's codec decodes to numbers (counts as they are)."""
    t = getattr(codec, "arrow_type", None)
    return t is not None and (pa.types.is_integer(t) or pa.types.is_decimal(t))


def _follow(table: np.ndarray, limit: int) -> np.ndarray:
    """The chain of records through a table of lengths at every position from 0: lengths of
    the records at 0, 0 + table[0], ... (at most ``limit``; stops after a length below 1 or
    when the next start is past the table)."""
    out: list[int] = []
    app = out.append
    tv = np.ascontiguousarray(table, dtype=np.int64).data
    p, n = 0, len(tv)
    while p < n and len(out) < limit:
        length = tv[p]
        app(length)
        if length < 1:
            break
        p += length
    return np.asarray(out, dtype=np.int64)
