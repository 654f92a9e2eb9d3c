"""``Protector``: a checked policy and a key, applied to decoded Arrow batches.

Works on the tables ``legacyio.read_table`` returns, nested (struct / list columns) or
``flatten=True``: columns are matched to layout items by the ``path`` metadata every
decoded field carries, so column naming styles do not matter. The raw-bytes columns
(``_legacyio_residue``, FILLERs) never leave; rows are filtered by the allow-list on their
original values before anything else happens; every other field gets its action.

``keep_layout=True`` gives a table for writing back to the mainframe layout (a de-identified
test copy): withheld fields are blanked (typed default) instead of removed, REDEFINES
alternatives and FILLERs are removed (the writer fills their bytes), and DEPENDING ON
objects keep their values (the table lengths the output shows anyway).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.layout.model import Item
from legacyio.protect.actions import ActionContext, apply_action, blank_array, reverse_fpe
from legacyio.protect.keys import ProtectionKey, load_key
from legacyio.protect.policy import FieldAction, Policy

__all__ = ["PROTECTION_METADATA", "ProtectStats", "Protector"]

PROTECTION_METADATA = b"legacyio.protection"
RESIDUE = "_legacyio_residue"
GENERATED = ("record_number", "record_offset", "file_name")
_DROP_METADATA = (b"legacyio.orphan",)  # raw bytes of a file without records


@attrs.define
class ProtectStats:
    """Counts for the manifest (never values)."""

    rows_read: int = 0
    rows_released: int = 0
    rows_filtered: int = 0
    batches: int = 0
    released: dict[str, str] = attrs.Factory(dict)
    """Output column -> action."""
    withheld: dict[str, str] = attrs.Factory(dict)
    """Input column (or struct member path) -> why."""
    invalid: dict[str, int] = attrs.Factory(dict)
    residue_dropped: int = 0

    def as_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


class Protector:
    """Apply a policy with a key. ``key`` is 32 bytes or a ``ProtectionKey``; when None the
    key comes from ``key_file``, ``LEGACYIO_PROTECT_KEY_FILE`` or the policy's ``[key]``."""

    def __init__(
        self,
        policy: Policy,
        key: bytes | ProtectionKey | None = None,
        *,
        key_file: str | None = None,
    ) -> None:
        self.policy = policy
        if isinstance(key, ProtectionKey):
            self.key = key
        elif key is not None:
            self.key = ProtectionKey(bytes(key), policy.key_id, source="argument")
        else:
            self.key = load_key(
                key_file=key_file,
                policy_file=policy.key_file,
                policy_env=policy.key_env,
                key_id=policy.key_id,
            )
        self.stats = ProtectStats()
        self._assume = False
        self._matched: np.ndarray | None = (
            np.zeros(policy.allow.count, dtype=bool) if policy.allow is not None else None
        )
        self._by_path: dict[str, Item] = {}
        for r in policy.layout.records:
            for it in r.walk():
                self._by_path.setdefault(it.dotted, it)
        self._odo = {
            ".".join(it.occurs.depending_path)
            for it in self._by_path.values()
            if it.occurs is not None and it.occurs.depending_path
        }

    def __repr__(self) -> str:
        return f"Protector(policy={self.policy.name!r}, key={self.key!r})"

    def needed_columns(self, names: str = "python") -> list[str] | None:
        """Top-level columns a protected read has to decode (those holding a released field,
        the allow-list field or a date_shift context), for ``read_table(columns=...)``: the
        rest would be withheld anyway. None when the layout has several 01 records."""
        layout = self.policy.layout
        if len(layout.records) != 1:
            return None
        need = {p for p, fa in self.policy.actions.items() if fa.released}
        if self.policy.allow is not None:
            need.add(self.policy.allow.item.dotted)
        for fa in self.policy.actions.values():
            if fa.action == "date_shift":
                need.add(layout.find(fa.opts["context"]).dotted)
        out = []
        for top in layout.records[0].children:
            if any(it.dotted in need for it in top.walk()):
                out.append(top.name if names == "cobol" else top.name.replace("-", "_"))
        return out

    # ---- counts --------------------------------------------------------------------------
    @property
    def allow_unmatched(self) -> int | None:
        """Allow-list values that matched no record so far (None without an allow-list)."""
        if self._matched is None:
            return None
        return int((~self._matched).sum())

    # ---- tables ----------------------------------------------------------------------------
    def protect_table(self, table: pa.Table, *, keep_layout: bool = False) -> pa.Table:
        batches = [self.protect_batch(b, keep_layout=keep_layout) for b in table.to_batches()]
        schema = self.protect_schema(table.schema, keep_layout=keep_layout)
        if batches:
            schema = batches[0].schema
        return pa.Table.from_batches(batches, schema=schema)

    def protect_batches(
        self, batches: Iterator[pa.RecordBatch], *, keep_layout: bool = False
    ) -> Iterator[pa.RecordBatch]:
        for b in batches:
            yield self.protect_batch(b, keep_layout=keep_layout)

    def protect_schema(self, schema: pa.Schema, *, keep_layout: bool = False) -> pa.Schema:
        """The schema a protected batch of ``schema`` has (applies to an empty batch)."""
        empty = pa.RecordBatch.from_pylist([], schema=schema)
        saved = self.stats
        self.stats = ProtectStats()
        try:
            return self.protect_batch(empty, keep_layout=keep_layout).schema
        finally:
            self.stats = saved

    def unprotect_table(self, table: pa.Table, *, assume_protected: bool = False) -> pa.Table:
        batches = [
            self.unprotect_batch(b, assume_protected=assume_protected) for b in table.to_batches()
        ]
        if not batches:
            return table
        return pa.Table.from_batches(batches, schema=batches[0].schema)

    # ---- one batch -------------------------------------------------------------------------
    def protect_batch(self, batch: pa.RecordBatch, *, keep_layout: bool = False) -> pa.RecordBatch:
        """Filter rows by the allow-list, withhold and transform fields; a new batch with
        ``legacyio.protection`` schema metadata."""
        st = self.stats
        st.batches += 1
        st.rows_read += batch.num_rows
        trim = _read_meta(batch.schema).get("trim", "right")
        if RESIDUE in batch.schema.names:
            st.residue_dropped += batch.num_rows - batch.column(RESIDUE).null_count
        batch = self._filter_rows(batch)
        st.rows_released += batch.num_rows
        ctx = ActionContext(key=self.key, trim=trim)
        for fa in self.policy.actions.values():
            if fa.action == "date_shift":
                name = fa.opts["context"]
                target = self.policy.layout.find(name)
                col = _find_path(batch, target.dotted)
                if col is not None:
                    ctx.context[name] = col
        fields, arrays = [], []
        for f, col in zip(batch.schema, batch.columns):
            out = self._column(f, col, ctx, keep_layout, top=True)
            if out is not None:
                fields.append(out[0])
                arrays.append(out[1])
        for k, v in ctx.invalid.items():
            st.invalid[k] = st.invalid.get(k, 0) + v
        meta = self._metadata(batch.schema, fields)
        return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields, metadata=meta))

    def unprotect_batch(
        self, batch: pa.RecordBatch, *, assume_protected: bool = False
    ) -> pa.RecordBatch:
        """Reverse the ``fpe`` fields of a protected batch (only those: every other action
        is one-way); the other columns are returned as they are. A field is reversed when
        its metadata says ``protection: fpe``, or, with ``assume_protected`` (a protected
        mainframe copy decoded again: its manifest vouches for it), when the policy gives
        it ``fpe``."""
        trim = _read_meta(batch.schema).get("trim", "right")
        ctx = ActionContext(key=self.key, trim=trim)
        self._assume = assume_protected
        fields, arrays = [], []
        for f, col in zip(batch.schema, batch.columns):
            nf, arr = self._reverse(f, col, ctx)
            fields.append(nf)
            arrays.append(arr)
        meta = dict(batch.schema.metadata or {})
        if PROTECTION_METADATA in meta:
            info = json.loads(meta[PROTECTION_METADATA])
            info["unprotected"] = sorted(
                p for p, a in info.get("actions", {}).items() if a == "fpe"
            )
            meta[PROTECTION_METADATA] = json.dumps(info, sort_keys=True).encode()
        return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields, metadata=meta))

    # ---- internals -------------------------------------------------------------------------
    def _filter_rows(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        allow = self.policy.allow
        if allow is None:
            return batch
        col = _find_path(batch, allow.item.dotted)
        if col is None:
            from legacyio.protect.policy import PolicyError

            raise PolicyError(
                f"[rows]: the allow-list field {allow.item.dotted} is not in the table"
            )
        col = col.cast(allow.values.type) if col.type != allow.values.type else col
        keep = pc.fill_null(pc.is_in(col, value_set=allow.values), False)
        hit = np.asarray(
            pc.is_in(allow.values, value_set=col).to_numpy(zero_copy_only=False), dtype=bool
        )
        assert self._matched is not None
        self._matched |= hit
        out = batch.filter(keep)
        self.stats.rows_filtered += batch.num_rows - out.num_rows
        return out

    def _withhold(self, name: str, why: str) -> None:
        self.stats.withheld.setdefault(name, why)

    def _column(
        self,
        f: pa.Field,
        arr: pa.Array,
        ctx: ActionContext,
        keep_layout: bool,
        top: bool = False,
        rows: np.ndarray | None = None,
    ) -> tuple[pa.Field, pa.Array] | None:
        meta = f.metadata or {}
        path = meta.get(b"path", b"").decode()
        label = path or f.name
        if top and f.name == RESIDUE:
            self._withhold(f.name, "raw record bytes (would carry original values)")
            return None
        if meta.get(b"filler") == b"true" or (
            path in self._by_path and self._by_path[path].is_filler
        ):
            self._withhold(label, "FILLER bytes")
            return None
        if not path:
            if top and f.name in GENERATED:
                self.stats.released[f.name] = "keep (generated)"
                return f, arr
            self._withhold(label, "not a field of the layout")
            return None
        item = self._by_path.get(path)
        if item is None:
            self._withhold(label, "not a field of the policy's layout")
            return None
        alternative = keep_layout and self._is_alternative(item)
        fa = self.policy.actions.get(path)
        if fa is not None and not item.children:  # elementary (maybe OCCURS: a list)
            action = fa.action
            if keep_layout and action in ("drop",) and path in self._odo:
                action = "keep"
            if action == "drop" and (alternative or not keep_layout):
                self._withhold(label, fa.source)
                return None
            if action == "drop":
                action = "blank"
            eff = attrs.evolve(fa, action=action) if action != fa.action else fa
            new = self._leaf(eff, arr, ctx, rows)
            self.stats.released[f"{label}"] = eff.action
            return self._with_meta(f, new.type, eff.action), new
        # a group: struct, or list of struct (OCCURS)
        if alternative and self.policy.groups.get(path) == "drop":
            self._withhold(label, "REDEFINES alternative: every member withheld")
            return None
        return self._group(f, arr, ctx, keep_layout, rows)

    def _is_alternative(self, item: Item) -> bool:
        parts = item.path
        for k in range(1, len(parts) + 1):
            anc = self._by_path.get(".".join(parts[:k]))
            if anc is not None and anc.redefines:
                return True
        return False

    def _group(
        self,
        f: pa.Field,
        arr: pa.Array,
        ctx: ActionContext,
        keep_layout: bool,
        rows: np.ndarray | None,
    ) -> tuple[pa.Field, pa.Array] | None:
        t = f.type
        if pa.types.is_struct(t):
            sarr = arr if arr.offset == 0 else pa.concat_arrays([arr])
            kids_f, kids_a = [], []
            for i in range(t.num_fields):
                cf = t.field(i)
                ca = sarr.field(i)
                out = self._column(cf, ca, ctx, keep_layout, rows=rows)
                if out is not None:
                    kids_f.append(out[0])
                    kids_a.append(out[1])
            if not kids_f:
                return None
            mask = pc.invert(sarr.is_valid()) if sarr.null_count else None
            new = pa.StructArray.from_arrays(kids_a, fields=kids_f, mask=mask)
            return f.with_type(new.type), new
        if pa.types.is_list(t) or pa.types.is_large_list(t):
            larr = arr if arr.offset == 0 else pa.concat_arrays([arr])
            values = larr.values
            parents = np.asarray(pc.list_parent_indices(larr).to_numpy(), dtype=np.int64)
            offs = np.asarray(larr.offsets.to_numpy(), dtype=np.int64)
            values = values.slice(int(offs[0]), int(offs[-1] - offs[0]))
            sub_rows = parents if rows is None else rows[parents]
            # the list's values are occurrences of the same group item
            vf0 = t.value_field.with_metadata(f.metadata)
            out = self._group(vf0, values, ctx, keep_layout, sub_rows)
            if out is None:
                return None
            vf, va = out
            new = _rebuild_list(larr, offs - offs[0], va, vf.with_metadata(t.value_field.metadata))
            return f.with_type(new.type), new
        self._withhold(f.name, "unsupported column type")
        return None

    def _leaf(
        self, fa: FieldAction, arr: pa.Array, ctx: ActionContext, rows: np.ndarray | None
    ) -> pa.Array:
        t = arr.type
        if pa.types.is_list(t) or pa.types.is_large_list(t):  # elementary OCCURS
            larr = arr if arr.offset == 0 else pa.concat_arrays([arr])
            parents = np.asarray(pc.list_parent_indices(larr).to_numpy(), dtype=np.int64)
            offs = np.asarray(larr.offsets.to_numpy(), dtype=np.int64)
            values = larr.values.slice(int(offs[0]), int(offs[-1] - offs[0]))
            new_v = self._leaf(fa, values, ctx, parents if rows is None else rows[parents])
            return _rebuild_list(larr, offs - offs[0], new_v, t.value_field)
        ctx.rows = rows
        if fa.action == "blank":
            return blank_array(arr)
        out = apply_action(fa, arr, ctx)
        assert out is not None
        return out

    @staticmethod
    def _with_meta(f: pa.Field, t: pa.DataType, action: str) -> pa.Field:
        meta = dict(f.metadata or {})
        meta[b"protection"] = action.encode()
        return pa.field(f.name, t, nullable=True, metadata=meta)

    def _reverse(self, f: pa.Field, arr: pa.Array, ctx: ActionContext) -> tuple[pa.Field, pa.Array]:
        meta = f.metadata or {}
        path = meta.get(b"path", b"").decode()
        fa = self.policy.actions.get(path) if path else None
        t = f.type
        marked = meta.get(b"protection") == b"fpe" or self._assume
        if fa is not None and fa.action == "fpe" and marked:
            if pa.types.is_list(t):
                offs = np.asarray(arr.offsets.to_numpy(), dtype=np.int64)
                vals = arr.values.slice(int(offs[0]), int(offs[-1] - offs[0]))
                nv = reverse_fpe(fa, vals, ctx)
                return f, _rebuild_list(arr, offs - offs[0], nv, t.value_field)
            return f, reverse_fpe(fa, arr, ctx)
        if pa.types.is_struct(t):
            sarr = arr if arr.offset == 0 else pa.concat_arrays([arr])
            kids = [self._reverse(t.field(i), sarr.field(i), ctx) for i in range(t.num_fields)]
            mask = pc.invert(sarr.is_valid()) if sarr.null_count else None
            new = pa.StructArray.from_arrays(
                [k[1] for k in kids], fields=[k[0] for k in kids], mask=mask
            )
            return f.with_type(new.type), new
        if pa.types.is_list(t) and pa.types.is_struct(t.value_type):
            larr = arr if arr.offset == 0 else pa.concat_arrays([arr])
            offs = np.asarray(larr.offsets.to_numpy(), dtype=np.int64)
            vals = larr.values.slice(int(offs[0]), int(offs[-1] - offs[0]))
            vf, va = self._reverse(t.value_field, vals, ctx)
            new = _rebuild_list(larr, offs - offs[0], va, vf)
            return f.with_type(new.type), new
        return f, arr

    def _metadata(self, schema: pa.Schema, fields: list[pa.Field]) -> dict[bytes, bytes]:
        meta = dict(schema.metadata or {})
        for k in _DROP_METADATA:
            meta.pop(k, None)
        read = _read_meta(schema)
        if read:
            read["residue"] = False
            read["fillers"] = False
            meta[b"legacyio.read"] = json.dumps(read).encode()
        actions = {p: fa.action for p, fa in self.policy.actions.items() if not fa.item.is_filler}
        info = {
            "policy": self.policy.name,
            "policy_sha256": self.policy.sha256,
            "purpose": self.policy.purpose,
            "key_id": self.key.key_id,
            "key_fingerprint": self.key.fingerprint,
            "default": self.policy.default,
            "actions": actions,
            "columns": [f.name for f in fields],
            "allow_list_sha256": self.policy.allow.sha256 if self.policy.allow else None,
        }
        meta[PROTECTION_METADATA] = json.dumps(info, sort_keys=True).encode()
        return meta


def _read_meta(schema: pa.Schema) -> dict[str, Any]:
    raw = (schema.metadata or {}).get(b"legacyio.read")
    if not raw:
        return {}
    try:
        out = json.loads(raw)
    except ValueError:
        return {}
    return out if isinstance(out, dict) else {}


def _rebuild_list(
    larr: pa.Array, offsets: np.ndarray, values: pa.Array, value_field: pa.Field
) -> pa.Array:
    mask = pc.invert(larr.is_valid()) if larr.null_count else None
    off = pa.array(offsets.astype(np.int32))
    vf = pa.field(value_field.name, values.type, metadata=value_field.metadata)
    out = pa.ListArray.from_arrays(off, values, type=pa.list_(vf), mask=mask)
    return out


def _find_path(batch: pa.RecordBatch, dotted: str) -> pa.Array | None:
    """The values of the (non-repeating) field with ``path`` metadata ``dotted``."""

    def search(f: pa.Field, arr: pa.Array) -> pa.Array | None:
        if (f.metadata or {}).get(b"path", b"").decode() == dotted and not pa.types.is_nested(
            f.type
        ):
            return arr
        if pa.types.is_struct(f.type):
            sarr = arr if arr.offset == 0 else pa.concat_arrays([arr])
            for i in range(f.type.num_fields):
                got = search(f.type.field(i), sarr.field(i))
                if got is not None:
                    if sarr.null_count:
                        got = pc.if_else(sarr.is_valid(), got, pa.nulls(len(got), got.type))
                    return got
        return None

    for f, col in zip(batch.schema, batch.columns):
        got = search(f, col)
        if got is not None:
            return got
    return None
