"""Parent/child segment hierarchies (Cobrix's ``segment-children``): the records of a
multi-segment file nested under their parents as lists of structs, one row per root.

Reading decodes the file flat (one row a record, the segment map choosing each record's
REDEFINES group), then ``nest`` attaches every child record to the last record of its parent
segment, provided nothing outside that parent's subtree came in between (a new root closes
everything, a new department closes its employees). It works column-wise: a forward fill gives
each record's parent, a ``bincount`` the list offsets, and each segment's struct is built once
with ``take``, deepest segments first.

Writing (``unnest``) flattens a root row back to its records in pre-order: the root, then per
child segment (in ``segment_children`` order) each child followed by its own subtree. Child
records take the root's values for the fields outside the segment groups and the first id the
segment map gives their group. When that does not give back the file's bytes (children of
different segments interleaved, a key that differs, dirty data), or when records belong to no
root (a child without an open parent, records before the first root, an unknown segment id),
the root row's ``_legacyio_residue`` holds the raw bytes of its whole group, so the round trip
stays exact; such records are counted in ``DecodeReport.skipped_records``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.errors import OptionsError
from legacyio.plan.nodes import RESIDUE_COLUMN

GROUP_KEY = "__legacyio_group__"


class Hierarchy:
    """The segment tree of a plan: groups (top-level column names), parents and children."""

    def __init__(self, plan: Any, schema: pa.Schema) -> None:
        fmt = plan.fmt
        if not fmt.segment_field or not fmt.segments:
            raise OptionsError("segment_children needs segment_field and a segment map")
        by_cobol: dict[str, str] = {}
        for f in schema:
            md = f.metadata or {}
            cobol = md.get(b"cobol_name", b"").decode().upper()
            if cobol and pa.types.is_struct(f.type):
                by_cobol.setdefault(cobol, f.name)
        seg_groups = {g.upper() for _, g in fmt.segments}
        missing = sorted(g for g in seg_groups if g not in by_cobol)
        if missing:
            raise OptionsError(
                "segment groups must be top-level REDEFINES groups for segment_children: "
                + ", ".join(missing)
            )
        self.children: dict[str, list[str]] = {by_cobol[g]: [] for g in seg_groups}
        self.parent: dict[str, str] = {}
        for parent, kids in fmt.segment_children:
            p = by_cobol.get(parent.upper().replace("_", "-"))
            if p is None or parent.upper().replace("_", "-") not in seg_groups:
                raise OptionsError(f"segment_children: {parent} is not a segment group")
            for kid in kids:
                k = by_cobol.get(kid.upper().replace("_", "-"))
                if k is None or kid.upper().replace("_", "-") not in seg_groups:
                    raise OptionsError(f"segment_children: {kid} is not a segment group")
                if k in self.parent:
                    raise OptionsError(f"segment_children: {kid} has two parents")
                self.parent[k] = p
                self.children[p].append(k)
        for g in self.parent:  # no cycles
            seen, x = set(), g
            while x in self.parent:
                if x in seen:
                    raise OptionsError("segment_children: the segments form a cycle")
                seen.add(x)
                x = self.parent[x]
        self.groups = list(self.children)
        self.roots = [g for g in self.groups if g not in self.parent]
        self.flat_schema = schema
        self.seg_col = plan._index[find_path(plan, fmt.segment_field)].name
        first_id: dict[str, str] = {}
        for sid, g in fmt.segments:
            first_id.setdefault(by_cobol[g.upper()], sid)
        self.first_id = first_id

    # ---- types ------------------------------------------------------------------------
    def nested_type(self, g: str) -> pa.StructType:
        base = self.flat_schema.field(g).type
        fields = [base.field(i) for i in range(base.num_fields)]
        fields += [pa.field(c, pa.list_(self.nested_type(c))) for c in self.children[g]]
        return pa.struct(fields)

    def schema(self) -> pa.Schema:
        out = []
        for f in self.flat_schema:
            if f.name in self.parent:
                continue
            if f.name in self.roots:
                f = pa.field(f.name, self.nested_type(f.name), metadata=f.metadata)
            out.append(f)
        return pa.schema(out, metadata=self.flat_schema.metadata)

    def descendants(self, g: str) -> set[str]:
        out = {g}
        for c in self.children[g]:
            out |= self.descendants(c)
        return out

    # ---- reading ----------------------------------------------------------------------
    def group_of_rows(self, flat: pa.Table) -> np.ndarray:
        """Index into ``groups`` of each row's segment group (-1: none)."""
        gid = np.full(flat.num_rows, -1, dtype=np.int64)
        for k, g in enumerate(self.groups):
            valid = np.asarray(pc.is_valid(flat.column(g)).to_numpy(zero_copy_only=False))
            gid[(gid < 0) & valid] = k
        return gid

    def attach(self, gid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row: the row of its parent record (-1 for roots and orphans) and whether it
        is part of a tree (roots and attached children)."""
        n = len(gid)
        pos = np.arange(n)
        parent_row = np.full(n, -1, dtype=np.int64)
        placed = np.zeros(n, dtype=bool)
        for k, g in enumerate(self.groups):
            if g in self.roots:
                placed |= gid == k
        # deepest-last order: a child is placed once its parent's placement is known
        order = self._top_down()
        for c in order:
            if c not in self.parent:
                continue
            p = self.parent[c]
            kc, kp = self.groups.index(c), self.groups.index(p)
            sub = {self.groups.index(x) for x in self.descendants(p)}
            is_p = (gid == kp) & placed
            last_p = np.maximum.accumulate(np.where(is_p, pos, -1)) if n else pos
            outside = ~np.isin(gid, list(sub)) & (gid >= 0)
            last_out = np.maximum.accumulate(np.where(outside, pos, -1)) if n else pos
            rows = gid == kc
            ok = rows & (last_p >= 0) & (last_p > last_out)
            parent_row[ok] = last_p[ok]
            placed |= ok
        return parent_row, placed

    def _top_down(self) -> list[str]:
        out: list[str] = []
        todo = list(self.roots)
        while todo:
            g = todo.pop(0)
            out.append(g)
            todo.extend(self.children[g])
        return out

    def nest(self, flat: pa.Table) -> tuple[pa.Table, np.ndarray, np.ndarray, np.ndarray]:
        """The nested table, plus per flat row: its root row index in the nested table (-1
        before the first root), whether it was placed in a tree, and its group index."""
        gid = self.group_of_rows(flat)
        parent_row, placed = self.attach(gid)
        n = flat.num_rows
        pos = np.arange(n)
        built: dict[str, pa.Array] = {}
        rows_of = {g: np.flatnonzero((gid == k) & placed) for k, g in enumerate(self.groups)}
        for g in reversed(self._top_down()):
            rows = rows_of[g]
            base = flat.column(g).take(pa.array(rows)).combine_chunks() if len(rows) else None
            t = self.nested_type(g)
            if base is None:
                built[g] = pa.array([], type=t)
                continue
            arrays = [base.field(i) for i in range(base.type.num_fields)]
            for c in self.children[g]:
                crow = rows_of[c]
                where = np.searchsorted(rows, parent_row[crow])
                counts = np.bincount(where, minlength=len(rows))
                offsets = np.zeros(len(rows) + 1, dtype=np.int32)
                np.cumsum(counts, out=offsets[1:])
                arrays.append(pa.ListArray.from_arrays(pa.array(offsets), built[c]))
            built[g] = pa.StructArray.from_arrays(arrays, fields=list(t))
        is_root = np.zeros(n, dtype=bool)
        for g in self.roots:
            is_root[rows_of[g]] = True
        root_rows = np.flatnonzero(is_root)
        cols, fields = [], []
        take = pa.array(root_rows)
        schema = self.schema()
        for f in schema:
            if f.name in self.roots:
                rows = rows_of[f.name]
                at = np.searchsorted(root_rows, rows)
                idx = np.full(len(root_rows), -1, dtype=np.int64)
                idx[at] = np.arange(len(rows))
                col = built[f.name].take(pa.array(idx, mask=idx < 0))
            else:
                col = flat.column(f.name).take(take).combine_chunks()
            cols.append(col)
            fields.append(f)
        table = pa.Table.from_arrays(cols, schema=pa.schema(fields, metadata=schema.metadata))
        root_of = np.maximum.accumulate(np.where(is_root, np.cumsum(is_root) - 1, -1)) if n else pos
        return table, root_of, placed, gid

    # ---- writing ----------------------------------------------------------------------
    def unnest(self, nested: pa.Table | pa.RecordBatch) -> tuple[pa.Table, np.ndarray]:
        """Flat rows in pre-order (root, then each child and its subtree) and, per flat row,
        the index of its root row. A root row's residue goes to its first flat row; the other
        rows of that root are then left out (the residue holds all their bytes)."""
        nested = pa.Table.from_batches([nested]) if isinstance(nested, pa.RecordBatch) else nested
        flat_names = [
            f.name
            for f in self.flat_schema
            if f.name in nested.column_names or f.name in self.groups
        ]
        parts: list[dict[str, Any]] = []  # per group: rows (struct array), root index, key

        def walk(g: str, arr: pa.Array, root_idx: np.ndarray, key: list[np.ndarray]) -> None:
            base_t = self.flat_schema.field(g).type
            own = (
                pa.StructArray.from_arrays(
                    [arr.field(i) for i in range(base_t.num_fields)], fields=list(base_t)
                )
                if len(arr)
                else pa.array([], type=base_t)
            )
            parts.append({"group": g, "rows": own, "root": root_idx, "key": key})
            for ci, c in enumerate(self.children[g]):
                lst = (
                    arr.field(base_t.num_fields + ci)
                    if len(arr)
                    else pa.array([], pa.list_(self.nested_type(c)))
                )
                lens = np.asarray(
                    pc.fill_null(pc.list_value_length(lst), 0).to_numpy(zero_copy_only=False),
                    dtype=np.int64,
                )
                parent_of = np.repeat(np.arange(len(arr)), lens)
                starts = np.repeat(np.cumsum(lens) - lens, lens)
                within = np.arange(int(lens.sum())) - starts
                vals = pc.list_flatten(lst) if len(arr) else pa.array([], self.nested_type(c))
                k2 = [x[parent_of] for x in key] + [np.full(len(parent_of), ci), within]
                walk(c, vals, root_idx[parent_of], k2)

        for g in self.roots:
            col = nested.column(g).combine_chunks()
            present = np.flatnonzero(np.asarray(pc.is_valid(col).to_numpy(zero_copy_only=False)))
            arr = col.take(pa.array(present))
            walk(g, arr, present, [])
        depth = max((len(p["key"]) for p in parts), default=0)
        tables = []
        for p in parts:
            k = len(p["root"])
            cols: dict[str, Any] = {}
            take = pa.array(p["root"], type=pa.int64())
            for name in flat_names:
                if name in self.groups:
                    cols[name] = (
                        p["rows"]
                        if name == p["group"]
                        else pa.nulls(k, self.flat_schema.field(name).type)
                    )
                elif name == self.seg_col and p["group"] in self.parent:
                    t = self.flat_schema.field(name).type
                    cols[name] = pa.array([self.first_id[p["group"]]] * k).cast(t)
                elif name == RESIDUE_COLUMN and p["group"] in self.parent:
                    cols[name] = pa.nulls(k, pa.binary())
                else:
                    cols[name] = nested.column(name).take(take).combine_chunks()
            keys = p["key"] + [np.full(k, -1)] * (depth - len(p["key"]))
            cols["__root"] = pa.array(p["root"], type=pa.int64())
            for i, x in enumerate(keys):
                cols[f"__k{i}"] = pa.array(np.asarray(x, dtype=np.int64))
            tables.append(pa.table(cols))
        if not tables:
            return pa.Table.from_batches([], schema=self.flat_schema.select(flat_names)), np.zeros(
                0, np.int64
            )
        allt = pa.concat_tables(tables)
        sort = [("__root", "ascending")] + [(f"__k{i}", "ascending") for i in range(depth)]
        allt = allt.take(pc.sort_indices(allt, sort_keys=sort))
        roots = np.asarray(allt.column("__root").to_numpy(), dtype=np.int64)
        flat = allt.select(flat_names)
        if RESIDUE_COLUMN in flat.column_names:
            res = nested.column(RESIDUE_COLUMN).combine_chunks()
            has = np.asarray(pc.is_valid(res).to_numpy(zero_copy_only=False), dtype=bool)
            first = np.ones(len(roots), dtype=bool)
            first[1:] = roots[1:] != roots[:-1]
            keep = ~has[roots] | first
            flat = flat.filter(pa.array(keep))
            roots = roots[keep]
        return flat, roots


def find_path(plan: Any, name: str) -> str:
    from legacyio.plan.nodes import find_option_item

    return find_option_item(plan.layout, name, "segment field").dotted


def _encode_rows(plan: Any, framer: Any, flat: pa.Table) -> tuple[list[bytes], np.ndarray]:
    """Canonical frame bytes of each flat row, and the rows that cannot be encoded."""
    from legacyio.framing.base import pack_rows
    from legacyio.options import WriteOptions

    n = flat.num_rows
    out: list[bytes] = []
    failed = np.zeros(n, dtype=bool)
    for start in range(0, n, 65536):
        part = flat.slice(start, 65536).combine_chunks()
        batch = part.to_batches()[0] if part.num_rows else None
        if batch is None:
            continue
        k = batch.num_rows
        collect = np.zeros(k, dtype=bool)
        payload, lengths = plan.encode(batch, WriteOptions(), start + 1, None, collect)
        lengths = framer.canonical_lengths(payload, lengths, plan.pad)
        frames, flen, unfit = framer.canonical_frames(payload, lengths, check=False)
        if unfit is not None:
            collect |= unfit
        data = pack_rows(frames, np.asarray(flen, dtype=np.int64)).tobytes()
        ends = np.cumsum(flen).tolist()
        prev = 0
        for e in ends:
            out.append(data[prev:e])
            prev = e
        failed[start : start + k] = collect
    return out, failed


def read_nested(flat: pa.Table, hier: Hierarchy, plan: Any, framer: Any, report: Any) -> pa.Table:
    """The nested table of a flat decoded file, with whole-group residues where the canonical
    flattening does not give back the file's bytes (see the module docstring)."""
    table, root_of, placed, _ = hier.nest(flat)
    n = flat.num_rows
    orphans = np.flatnonzero(~placed)
    if len(orphans) and report is not None:
        rec = (
            flat.column("record_number")[int(orphans[0])].as_py()
            if "record_number" in flat.column_names
            else int(orphans[0]) + 1
        )
        report.add_framing(
            "record outside the segment hierarchy (no open parent, before the first root, "
            "or an unknown segment); its bytes are kept in the residue",
            rec,
            None,
        )
        report.skipped_records += len(orphans)
    if not plan.keep_residue:
        return table
    if table.num_rows == 0:
        if n:
            raise OptionsError("segment_children: the file holds no root segment record")
        return table
    res = flat.column(RESIDUE_COLUMN).combine_chunks()
    # a record that cannot be encoded was not canonical: the flat read kept its raw bytes
    enc, _ = _encode_rows(plan, framer, flat.drop([RESIDUE_COLUMN]))
    raw = res.to_pylist()
    owner = np.where(root_of < 0, 0, root_of)
    m = table.num_rows
    orig: list[list[bytes]] = [[] for _ in range(m)]
    for i in range(n):
        piece = raw[i] if raw[i] is not None else enc[i]
        orig[int(owner[i])].append(piece)
    canon_flat, roots = hier.unnest(table.drop([RESIDUE_COLUMN]))
    c_enc, c_failed = _encode_rows(plan, framer, canon_flat)
    canon: list[list[bytes]] = [[] for _ in range(m)]
    bad = np.zeros(m, dtype=bool)
    for i, r in enumerate(roots.tolist()):
        canon[r].append(c_enc[i])
        if c_failed[i]:
            bad[r] = True
    out: list[bytes | None] = []
    for r in range(m):
        o = b"".join(orig[r])
        out.append(o if bad[r] or o != b"".join(canon[r]) else None)
    if report is not None:
        report.residue_records = sum(x is not None for x in out)
    i = table.schema.get_field_index(RESIDUE_COLUMN)
    return table.set_column(i, table.schema.field(i), pa.array(out, type=pa.binary()))
