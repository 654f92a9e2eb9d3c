"""Decoding a batch: the record matrix -> one Arrow array per node, nulls for bad fields
(counted in the DecodeReport, or a DecodeError in strict mode), vouching for canonical bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.codecs import native
from legacyio.errors import OptionsError
from legacyio.plan.nodes import Node, has_odo_object
from legacyio.report import DecodeReport

if TYPE_CHECKING:
    from legacyio.plan.core import Plan


def to_int(arr: pa.Array) -> np.ndarray:
    """Integer values of a decoded count array (nulls -> 0)."""
    if pa.types.is_decimal(arr.type):
        arr = pc.cast(arr, pa.int64(), safe=False)
    return np.asarray(arr.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)


def object_values(arr: pa.Array) -> np.ndarray:
    """Values of a DEPENDING ON object: int64 counts for a numeric field (nulls -> 0), the
    text without surrounding spaces (an object array) for a PIC X object under
    ``occurs_mappings``."""
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        txt = pc.utf8_trim(arr, characters=" \x00").fill_null("")
        return np.asarray(txt.to_numpy(zero_copy_only=False), dtype=object)
    return to_int(arr)


def mapped_counts(
    vals: np.ndarray, mapping: dict[str, int] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Element counts of an ODO table from its object's values through ``occurs_mappings``
    (``mapping`` None: the values are the counts); also the mask of values the map lacks."""
    if mapping is None:
        return np.asarray(vals, dtype=np.int64), np.zeros(len(vals), dtype=bool)
    keys = [str(v) for v in vals.tolist()]
    missing = np.fromiter((k not in mapping for k in keys), dtype=bool, count=len(keys))
    counts = np.fromiter((mapping.get(k, 0) for k in keys), dtype=np.int64, count=len(keys))
    return counts, missing


def as_column(col: Any) -> pa.Array:
    if isinstance(col, pa.ChunkedArray):
        return col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    return col


def invalid_reason(node: Node) -> str:
    """Why a field's value is bad, in words and without the value."""
    form = getattr(node.codec, "date_format", None)
    if isinstance(form, str):
        return f"not a valid {form} date"
    return f"invalid {node.item.usage.value} value"


class DecodeCtx:
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
        self.corrupt: list[tuple[np.ndarray, str]] | None = None
        """(record rows, field path) of bad values, for the ``corrupt_fields`` column."""
        self.bad_rows: np.ndarray | None = None
        """Records of the batch with at least one bad field (None: none so far)."""
        self.record_objects: dict[tuple, np.ndarray] = {}
        """Values of DEPENDING ON fields outside any OCCURS, one per record of the batch."""
        self.pre: dict[int, tuple] = {}
        """Fields already decoded by the native batch kernel (``prefetch``), by ``id(node)``:
        what ``decode_vouched`` returns for the field's matrix."""
        self.pre_full: dict[int, list[int]] = {}
        """Fixed OCCURS nodes whose every decoded leaf is in ``pre``: their leaf ids."""

    def prefetch(self, mat: np.ndarray, stackable: bool = False) -> None:
        """Decode every field the native batch kernel covers (record-level fields and fields
        of fixed OCCURS) in one call; ``_decode_one`` then takes the results."""
        specs, full = batch_specs(self.plan)
        if stackable and mat.shape[0] < _KERNEL_MIN_ROWS:
            # few records: the record-level fields that ``_decode_stacked`` decodes with one
            # codec call per codec cost less there than one kernel output each
            stacked = {
                id(node) for group in _stack_groups(self.plan, self.plan.top) for node in group
            }
            if stacked:
                specs = [s for s in specs if id(s[0]) not in stacked]
        if not specs:
            return
        res = native.decode_batch(mat, [s[1:] for s in specs])
        self.pre = {id(s[0]): r for s, r in zip(specs, res)}
        self.pre_full = full

    def bad(
        self, node: Node, mask: np.ndarray, rows: np.ndarray, base: np.ndarray, reason: str
    ) -> None:
        """Report (or, in strict mode, raise on) bad values of ``node``."""
        idx = np.flatnonzero(mask)
        if len(idx) == 0:
            return
        if self.corrupt is not None:
            self.corrupt.append((np.asarray(rows)[idx], node.path))
        if self.bad_rows is None:
            self.bad_rows = np.zeros(len(self.rec_offsets), dtype=bool)
        self.bad_rows[rows[idx]] = True
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
        out: list[pa.Array] = []
        stacked = (
            self._decode_stacked(nodes, mat, rows, base)
            if avail is None and at_record_level and len(nodes) >= _MIN_STACK
            else {}
        )
        pre = self.pre if at_record_level and self.seg_sel is None else None
        # bytes every record of the batch has: fields inside them cannot be truncated
        room = -1 if avail is None else (int(avail.min()) if len(avail) else 0)
        for node in nodes:
            if stacked and id(node) in stacked:
                values, bad = stacked[id(node)]
                if bad is not None:  # reported in record order, as unstacked fields are
                    self.bad(node, bad, rows, base + node.rel, invalid_reason(node))
                out.append(values)
                continue
            r = pre.get(id(node)) if pre else None
            if (
                r is not None
                and node.output
                and not node.occurs_max
                and not node.is_odo_object
                and (avail is None or node.rel + node.width <= room)
            ):
                # decoded by the batch kernel (``_decode_one`` of a plain field, inlined: a
                # wide copybook has tens of thousands of them)
                values, invalid, v = r
                if self.vouched and not node.identity:
                    self.vouched = v
                if invalid is not None and invalid.any():
                    self.bad(
                        node,
                        invalid,
                        rows,
                        base + node.rel,
                        f"invalid {node.item.usage.value} value",
                    )
                out.append(values)
                continue
            if not node.output:
                if node.is_odo_object or has_odo_object(node):
                    self.decode_node(node, mat, rows, base, avail, odo, at_record_level)
                out.append(None)
                continue
            out.append(self.decode_node(node, mat, rows, base, avail, odo, at_record_level))
        return out

    def _decode_stacked(
        self, nodes: list[Node], mat: np.ndarray, rows: np.ndarray, base: np.ndarray
    ) -> dict[int, tuple[pa.Array, np.ndarray | None]]:
        """Decode the plain fields among ``nodes`` that share a codec with one codec call each:
        their columns are stacked into one ``(k * n, width)`` matrix, so a copybook of 30,000
        fields costs a few dozen codec calls per batch rather than 30,000."""
        groups = _stack_groups(self.plan, nodes)
        out: dict[int, tuple[pa.Array, np.ndarray | None]] = {}
        n = mat.shape[0]
        for group in groups:
            if self.pre and all(id(g) in self.pre for g in group):
                continue  # already decoded by the native batch kernel
            codec = group[0].codec
            w = group[0].width
            cols = self.plan.stack_cols.get(id(group))
            if cols is None:
                cols = np.array([g.rel for g in group], dtype=np.int64)[:, None] + np.arange(w)
                self.plan.stack_cols[id(group)] = cols
            stack = np.ascontiguousarray(mat[:, cols].transpose(1, 0, 2)).reshape(-1, w)
            if not self.vouched or group[0].identity:
                values, invalid = codec.decode(stack)
            elif hasattr(codec, "decode_vouched"):
                values, invalid, self.vouched = codec.decode_vouched(stack)
            else:
                values, invalid = codec.decode(stack)
                self.vouched = False
            if invalid is None or not invalid.any():
                for j, node in enumerate(group):
                    out[id(node)] = (values.slice(j * n, n), None)
                continue
            for j, node in enumerate(group):
                bad = invalid[j * n : (j + 1) * n]
                out[id(node)] = (values.slice(j * n, n), bad if bad.any() else None)
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
        leaves = self.pre_full.get(id(node)) if node.depending is None else None
        if leaves is not None:
            # every field of the elements already decoded by the batch kernel: no element
            # matrix (a zero-stride stand-in), element rows and offsets only if needed
            k = m * big_m
            elems = np.broadcast_to(np.zeros((1, s), dtype=np.uint8), (k, s))
            if avail is None and all(self.pre[i][1] is None for i in leaves):
                e_rows = e_base = np.broadcast_to(np.zeros(1, dtype=np.int64), (k,))
            else:
                j = np.tile(np.arange(big_m, dtype=np.int64), m)
                e_rows = np.repeat(rows, big_m)
                e_base = np.repeat(base + node.rel, big_m) + j * s
            e_avail = None
            if avail is not None:
                j = np.tile(np.arange(big_m, dtype=np.int64), m)
                e_avail = np.repeat(avail - node.rel, big_m) - j * s
            values = self._decode_one(
                node,
                elems,
                e_rows,
                e_base,
                e_avail,
                {"__parent__": (odo, np.repeat(np.arange(m), big_m))},
                False,
            )
            offsets = np.arange(0, k + 1, big_m, dtype=np.int32)
            return pa.ListArray.from_arrays(pa.array(offsets), values)
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
        assert key is not None and node.item.occurs is not None
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
        c, missing = mapped_counts(np.asarray(c), node.count_map)
        if missing.any():
            self.vouched = False
            self.bad(
                node, missing, rows, base + node.rel, "DEPENDING ON value not in occurs_mappings"
            )
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
        if node.kind == "debug":
            return _debug_column(mat, node.codec, avail)
        if node.kind == "nt":
            return node.codec.decode(mat)[0]
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
        pre = self.pre.get(id(node)) if self.pre else None
        if pre is not None:
            values, invalid, v = pre
            if self.vouched and not node.identity:
                self.vouched = v
        elif not self.vouched or node.identity:
            values, invalid = node.codec.decode(mat)
        elif hasattr(node.codec, "decode_vouched"):
            values, invalid, self.vouched = node.codec.decode_vouched(mat)
        else:  # no cheap canonical check for this usage: the reader re-encodes
            values, invalid = node.codec.decode(mat)
            self.vouched = False
        if node.is_odo_object:
            ints = object_values(values)
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
            self.bad(node, invalid, rows, base, invalid_reason(node))
        return values


_HEX = np.frombuffer(b"".join(f"{b:02X}".encode() for b in range(256)), dtype="S2")


def _debug_column(mat: np.ndarray, how: str, avail: np.ndarray | None) -> pa.Array:
    """A field's raw bytes (those inside the record): upper-case hex text or binary."""
    m, w = mat.shape
    data = np.ascontiguousarray(mat)
    if how == "binary":
        arr = pa.FixedSizeBinaryArray.from_buffers(pa.binary(w), m, [None, pa.py_buffer(data)])
        arr = arr.cast(pa.binary())
    else:
        txt = _HEX[data].view(f"S{2 * w}").reshape(m) if w else np.full(m, b"", dtype="S1")
        arr = pa.array(txt.astype(object), type=pa.binary()).cast(pa.string())
    if avail is not None and bool((avail < w).any()):
        keep = np.clip(avail, 0, w) * (1 if how == "binary" else 2)
        vals = arr.to_pylist()
        arr = pa.array([v[: int(k)] for v, k in zip(vals, keep)], type=arr.type)
    return arr


def batch_specs(plan: Plan) -> tuple[list[tuple], dict[int, list[int]]]:
    """The fields of a plan the native batch kernel decodes, built once per plan: (node,
    codec, family, params, offset, count, stride) for every decoded leaf outside any OCCURS
    or in one fixed OCCURS (ODO tables and nested OCCURS stay with the per-node path), and
    the fixed OCCURS nodes all of whose decoded leaves are covered."""
    cached = plan.__dict__.get("_batch_specs")
    if cached is not None:
        return cached
    specs: list[tuple] = []
    full: dict[int, list[int]] = {}

    by_codec: dict[int, tuple[int, tuple] | None] = {}  # codecs are shared by alike fields

    def leaf(node: Node, at: int, occ: tuple[int, int]) -> bool:
        if node.kind != "field":
            return False
        key = id(node.codec)
        if key in by_codec:
            f = by_codec[key]
        else:
            f = by_codec[key] = native.batch_field(node.codec)
        if f is None:
            return False
        specs.append((node, node.codec, f[0], f[1], at, occ[0], occ[1]))
        return True

    def walk(nodes: list[Node], base: int, occ: tuple[int, int] | None) -> tuple[bool, list]:
        ok, ids = True, []
        for node in nodes:
            if not node.output and not (node.is_odo_object or has_odo_object(node)):
                continue
            at = base + node.rel
            if node.occurs_max:
                if occ is not None or node.depending is not None:
                    ok = False
                    continue
                inner = (node.occurs_max, node.width)
                if node.kind == "group":
                    sub_ok, sub_ids = walk(node.children, at, inner)
                else:
                    sub_ok, sub_ids = leaf(node, at, inner), [id(node)]
                if sub_ok:
                    full[id(node)] = sub_ids
                ok &= sub_ok
                ids += sub_ids
            elif node.kind == "group":
                sub_ok, sub_ids = walk(node.children, at, occ)
                ok &= sub_ok
                ids += sub_ids
            else:
                ok &= leaf(node, at, occ or (1, 0))
                ids.append(id(node))
        return ok, ids

    if plan.segment_codec is None and native.available():
        walk(plan.top, 0, None)
    plan.__dict__["_batch_specs"] = (specs, full)
    return specs, full


_MIN_STACK = 8
"""Fields sharing a codec are stacked when there are at least this many of them."""

_KERNEL_MIN_ROWS = 1024
"""Batches of fewer records decode stackable record-level fields stacked, not through the
batch kernel: each kernel output costs about 10 us of wrapping, a stacked field a slice
(a 30,000-field copybook's 3-record first batch: 1.25 s -> 0.9 s of CPU); with more records
the kernel's single pass over the matrix wins over the stacking copy."""


def _stack_groups(plan: Plan, nodes: list[Node]) -> list[list[Node]]:
    """Runs of plain fields among ``nodes`` that share a codec (at least ``_MIN_STACK``),
    decoded stacked; built once per node list."""
    groups = plan.stacks.get(id(nodes))
    if groups is None:
        by_codec: dict[int, list[Node]] = {}
        for node in nodes:
            if (
                node.kind == "field"
                and node.output
                and not node.occurs_max
                and not node.is_odo_object
                and node.segment_ids is None
            ):
                by_codec.setdefault(id(node.codec), []).append(node)
        groups = [g for g in by_codec.values() if len(g) >= _MIN_STACK]
        plan.stacks[id(nodes)] = groups
    return groups


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
