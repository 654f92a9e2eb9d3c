"""Segment id columns (Cobrix's ``segment_id_level0..N`` / ``segment_id_prefix``): keys that
link every record of a hierarchical file to its root and its parents, for joins.

A record at level ``k`` (its segment id is in ``segment_id_levels[k]``) gets ``Seg_Id0`` =
``<prefix>_<row index of its root>`` and, for each level ``1 <= j <= k`` whose current record
is still open, ``Seg_Idj`` = ``<Seg_Id0>_L<j>_<n>``, ``n`` counting the level-``j`` records
since the root. A record at a level closes the deeper levels; a new root resets the counts.
Records before the first root get nulls; a record whose id is at no level gets the ids of the
open levels without opening one.

The ids depend on every earlier record, so batches are processed in file order, each from
the state the previous one left (``SegmentIds.apply``); within a batch everything is a
forward fill over NumPy arrays, no loop over records.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.errors import OptionsError


def column_names(levels: int) -> list[str]:
    return [f"Seg_Id{k}" for k in range(levels)]


def _ffill(mask: np.ndarray, values: np.ndarray, seed: int) -> np.ndarray:
    """For each position, the value at the last position where ``mask`` holds (``seed``
    before the first one)."""
    idx = np.where(mask, np.arange(len(mask)), -1)
    last = np.maximum.accumulate(idx) if len(idx) else idx
    out = np.where(last >= 0, values[np.maximum(last, 0)], seed)
    return out


class SegmentIds:
    """The running state of segment id generation over one file."""

    def __init__(self, levels: tuple[tuple[str, ...], ...], prefix: str) -> None:
        if not levels:
            raise OptionsError("segment ids need segment_id_levels")
        self.levels = levels
        self.prefix = prefix
        self.any_level = next((k for k, ids in enumerate(levels) if "_" in ids or "*" in ids), None)
        self.root = -1  # row index of the current root (-1: none yet)
        self.count = [0] * len(levels)  # level-j records since the root
        self.cur = [0] * len(levels)  # counter of the open level-j record (0: none open)
        self.rows = 0

    def level_of(self, seg_values: pa.Array) -> np.ndarray:
        """Level of each record from its (trimmed) segment id; -1 when at no level."""
        vals = seg_values
        lvl = np.full(len(vals), -1, dtype=np.int64)
        for k, ids in enumerate(self.levels):
            named = [i for i in ids if i not in ("_", "*")]
            if named:
                hit = np.asarray(
                    pc.fill_null(pc.is_in(vals, value_set=pa.array(named)), False).to_numpy(
                        zero_copy_only=False
                    ),
                    dtype=bool,
                )
                lvl[(lvl < 0) & hit] = k
        valid = np.asarray(vals.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        if self.any_level is not None:
            lvl[(lvl < 0) & valid] = self.any_level
        lvl[(lvl < 0) & ~valid] = -2  # no segment id at all: no ids
        return lvl

    def apply(self, lvl: np.ndarray) -> list[pa.Array]:
        """The ``Seg_Id0..N`` columns of the next batch of records, whose levels are ``lvl``."""
        n = len(lvl)
        self._valid = lvl == -1
        g = self.rows + np.arange(n, dtype=np.int64)
        self.rows += n
        is_root = lvl == 0
        root = _ffill(is_root, g, self.root)
        seen_root = np.cumsum(is_root) > 0
        # a record whose id is at no level belongs to the open hierarchy without opening a
        # level of its own (Cobrix: with only a root level, its children get Seg_Id0)
        known = (root >= 0) & ((lvl >= 0) | self._valid)
        root_txt = pc.cast(pa.array(root), pa.string())
        if self.prefix:
            root_txt = pc.binary_join_element_wise(self.prefix, root_txt, "_")
        cols = [pc.if_else(pa.array(known), root_txt, pa.scalar(None, pa.string()))]
        lt = is_root.copy()  # records at a level below j (closing level j)
        for j in range(1, len(self.levels)):
            is_j = lvl == j
            c = np.cumsum(is_j)
            c_root = _ffill(is_root, c, 0)
            counter = np.where(seen_root, c - c_root, self.count[j] + c)
            # the open level-j record: opened after the last record of a lower level
            pos = np.arange(n)
            last_j = np.maximum.accumulate(np.where(is_j, pos, -1)) if n else pos
            last_lt = np.maximum.accumulate(np.where(lt, pos, -1)) if n else pos
            carried = (last_j < 0) & (last_lt < 0) & (self.cur[j] > 0)
            open_ = (last_j > last_lt) | carried
            value = np.where(last_j >= 0, counter[np.maximum(last_j, 0)], self.cur[j])
            show = known & ((lvl >= j) | (lvl < 0)) & open_
            txt = pc.binary_join_element_wise(
                cols[0],
                pa.array([f"L{j}"] * n, pa.string()),
                pc.cast(pa.array(value), pa.string()),
                "_",
            )
            cols.append(pc.if_else(pa.array(show), txt, pa.scalar(None, pa.string())))
            if n:
                self.count[j] = int(counter[-1])
                self.cur[j] = int(value[-1]) if bool(open_[-1]) else 0
            lt |= is_j
        if n:
            self.root = int(root[-1])
        return cols
