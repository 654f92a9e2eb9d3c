"""Encoding a batch: Arrow columns -> the record matrix, node by node, with the null
representations and overflow rules of WriteOptions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.codecs.buffers import columns_mask, put_rows
from legacyio.errors import EncodeError
from legacyio.options import WriteOptions
from legacyio.plan.decode import mapped_counts, object_values
from legacyio.plan.nodes import DERIVED_KINDS, Node, all_canonical

if TYPE_CHECKING:
    from legacyio.plan.core import Plan

NULL_HINT = ("null_as", "spaces|low-values|zero")
"""The option that writes nulls into fields without a null form (EncodeError.hint)."""


class EncodeCtx:
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
        self.rows: int | None = None
        """Records in the batch (set by ``Plan.encode_max``)."""
        self.object_values: dict[tuple, np.ndarray] = {}
        """Encoded values of DEPENDING ON fields, to check their tables' list lengths."""
        self.quiet: dict[str, np.ndarray] | None = None
        """Per node path, the records whose failures on that node are ignored (fields a
        residue merge keeps from the original bytes)."""

    def fail(
        self,
        node: Node,
        mask: np.ndarray,
        rows: np.ndarray,
        why: str,
        hint: tuple[str, str] | None = None,
    ) -> None:
        """Raise EncodeError for the first failing row, or collect failures (residue check)."""
        if self.collect is not None:
            self.collect[rows[mask]] = True
            return
        if self.skip is not None:
            mask = mask & ~self.skip[rows]
        if self.quiet is not None:
            q = self.quiet.get(node.path)
            if q is not None:
                mask = mask & ~q[rows]
        idx = np.flatnonzero(mask)
        if len(idx):
            raise EncodeError(
                why, record=self.first_record + int(rows[idx[0]]), field=node.path, hint=hint
            )

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
            if node.kind in DERIVED_KINDS:
                continue  # read-only views of other nodes' bytes
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
        write = valid_mask(arr) if node.in_chain else None
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
            if self.rows is not None and not np.array_equal(rows, np.arange(self.rows)):
                # only some records write this table (a REDEFINES chain or 01 record null in
                # the others): counts per record of the batch, the maximum where not written
                per_rec = self.table_counts.get(node.path)
                if per_rec is None or len(per_rec) != self.rows:
                    per_rec = np.full(self.rows, big_m, dtype=np.int64)
                if len(rows) == len(np.unique(rows)):
                    per_rec[rows] = lengths
                    self.table_counts[node.path] = per_rec
                else:  # occurrences of an enclosing OCCURS (the nested walker's case)
                    self.table_counts[node.path] = np.asarray(lengths)
            else:
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
                        f"fewer than {big_m} occurrences in a fixed OCCURS",
                        hint=NULL_HINT,
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
        self.object_values[tuple(node.item.path)] = object_values(arr)

    def _check_count(self, node: Node, lengths: np.ndarray, rows: np.ndarray) -> None:
        """The DEPENDING ON object must say how many occurrences the list has."""
        assert node.depending is not None
        obj = self.plan._index.get(".".join(node.depending))
        if obj is None or obj.kind != "field":
            return
        vals = self.object_values.get(node.depending)
        if vals is None or len(vals) != len(lengths):
            return
        counts, missing = mapped_counts(vals, node.count_map)
        bad = (counts != lengths) | missing
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
            ok = valid_mask(arr)
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
            and (node.identity or all_canonical(node.codec, src))
        ):
            # the original bytes are what encoding these values gives: copy, don't encode
            if write is not None:
                put_rows(out, src[write], write)
            else:
                put_rows(out, src)
            if node.is_odo_object:
                self._note_object(node, arr)
            return
        if node.kind == "field" and not _numeric_input(arr.type):
            self._check_lossy(node, arr, rows, write)
        truncate = self.wopts.on_overflow == "truncate"
        if write is None and getattr(node.codec, "encodes_into", False):
            enc, failed = node.codec.encode(arr, truncate=truncate, out=out)
        else:
            enc, failed = node.codec.encode(arr, truncate=truncate)
        nulls = ~valid_mask(arr) if arr.null_count else None
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
                    "null value and no null representation",
                    hint=NULL_HINT,
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

    def _check_lossy(
        self, node: Node, arr: pa.Array, rows: np.ndarray, write: np.ndarray | None
    ) -> None:
        """Floats and text into a decimal or integer field: no silent rounding, no guessing.
        Floats pass only with ``allow_float`` and when every value is exact at the field's
        scale; text never does (a text format is read with the copybook's types)."""
        t = node.codec.arrow_type
        if not (pa.types.is_decimal(t) or pa.types.is_integer(t)):
            return
        valid = valid_mask(arr)
        if write is not None:
            valid &= write
        if pa.types.is_floating(arr.type):
            if not self.wopts.allow_float:
                self.fail(
                    node,
                    valid,
                    rows,
                    f"column is {arr.type}: a float is never encoded into a {t} field "
                    "(cast it to an exact DECIMAL, or allow floats that are exact: "
                    "allow_float=True / --allow-float)",
                )
                return
            from legacyio.codecs.numbers import to_unscaled

            scale = getattr(node.codec, "scale", getattr(t, "scale", 0))
            u = to_unscaled(arr, scale, truncate=False)
            self.fail(
                node,
                u.bad & valid,
                rows,
                f"a float value is not exact at the field's scale ({max(scale, 0)} decimal places)",
            )
        elif not pa.types.is_null(arr.type):
            self.fail(
                node,
                valid,
                rows,
                f"column is {arr.type}: values of this type are not converted into a {t} "
                "field (give the column a numeric type)",
            )


def _numeric_input(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_decimal(t) or pa.types.is_null(t)


def valid_mask(arr: pa.Array) -> np.ndarray:
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
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # (not before pyarrow 15)
            pass
    out = np.zeros((n, width), dtype=np.uint8)
    for i, v in enumerate(arr.to_pylist()):  # rare: values of other lengths
        if v is not None:
            b = bytes(v)[:width]
            out[i, : len(b)] = np.frombuffer(b, dtype=np.uint8)
    return out
