"""Records whose OCCURS DEPENDING ON tables sit inside other tables: every record of a batch is
walked through the layout at once (in lockstep, occurrence by occurrence), finding each field's
place with array arithmetic; the scalar one-record walk stays as the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from legacyio.codecs import make_codec
from legacyio.layout.model import Item, Layout
from legacyio.options import FileFormat
from legacyio.plan.decode import to_int

if TYPE_CHECKING:
    pass


class NestedWalker:
    """Variable layouts with OCCURS DEPENDING ON tables inside other tables: each record is
    walked item by item (a loop per record: the layout differs from record to record), copying
    runs of bytes between the record as stored and the maximum layout. The common case of
    tables outside any OCCURS takes the vectorized path of ``Plan.expand`` instead."""

    def __init__(self, roots: list[Item], layout: Layout, fmt: FileFormat) -> None:
        self.roots = roots
        self._fixed: dict[int, bool] = {}
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
        return int(min(max(to_int(vals)[0], 0), big_m))

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

    # ---- vectorized walk: every record of a batch at once ------------------------------
    def _fixed_run(self, it: Item) -> bool:
        """Whether ``it`` (all its occurrences) is one run of bytes laid out alike in the stored
        record and in the maximum layout: no ODO table and no DEPENDING ON object inside it,
        no SYNC slack (which the walk does not store)."""
        key = id(it)
        known = self._fixed.get(key)
        if known is None:
            known = (
                all(
                    (d.occurs is None or not d.occurs.depending_path)
                    and tuple(d.path) not in self.codecs
                    and d.slack_before == 0
                    for d in it.walk()
                )
                and _static_length(it) == it.total_size
            )
            self._fixed[key] = known
        return known

    def _counts(
        self,
        path: tuple[str, ...],
        src: np.ndarray,
        act: np.ndarray,
        at: np.ndarray,
        big_m: int,
    ) -> np.ndarray:
        """Counts of the DEPENDING ON object ``path`` for rows ``act``, read at byte ``at`` of
        each row (-1: not seen), as the scalar ``_count`` reads them."""
        codec = self.codecs[path]
        w = codec.width
        out = np.zeros(len(act), dtype=np.int64)
        ok = (at >= 0) & (at + w <= src.shape[1])
        if not ok.any():
            return out
        rows, cols = act[ok], at[ok]
        vals, invalid = codec.decode(src[rows[:, None], cols[:, None] + np.arange(w)[None, :]])
        c = np.clip(to_int(vals), 0, big_m)
        if invalid is not None:
            c = np.where(invalid, 0, c)
        out[ok] = c
        return out

    def walk_all(
        self,
        src: np.ndarray,
        from_stored: bool,
        emit: Callable[[np.ndarray, np.ndarray, int, int], None] | None,
    ) -> np.ndarray:
        """``walk`` for every row of ``src`` at once: the rows of a batch go through the layout
        in lockstep (occurrence ``j`` of a table for all rows that have it), so the Python
        work is per item occurrence of the layout, not per record. ``emit(rows, stored
        offsets, maximum-layout offset, length)`` receives each run. Returns stored lengths."""
        n = src.shape[0]
        seen_c: dict[tuple[str, ...], np.ndarray] = {}
        seen_x: dict[tuple[str, ...], np.ndarray] = {}

        def note(it: Item, act: np.ndarray, c: np.ndarray, x: int) -> None:
            path = tuple(it.path)
            if path in self.codecs:
                if path not in seen_c:
                    seen_c[path] = np.full(n, -1, dtype=np.int64)
                    seen_x[path] = np.full(n, -1, dtype=np.int64)
                seen_c[path][act] = c
                seen_x[path][act] = x

        def item(it: Item, act: np.ndarray, c: np.ndarray, shift: int) -> np.ndarray:
            if it.occurs is None:
                return one(it, act, c, shift)
            if self._fixed_run(it) and not it.occurs.depending_path:
                if emit is not None and len(act):
                    emit(act, c, it.offset + shift, it.total_size)
                return c + it.total_size
            big_m = it.occurs.max
            if it.occurs.depending_path:
                path = tuple(it.occurs.depending_path)
                if path in seen_c:
                    at = (seen_c if from_stored else seen_x)[path][act]
                    counts = self._counts(path, src, act, at, big_m)
                else:
                    counts = np.zeros(len(act), dtype=np.int64)
            else:
                counts = np.full(len(act), big_m, dtype=np.int64)
            c = c.copy()
            top = int(counts.max(initial=0))
            for j in range(top):
                sel = np.flatnonzero(counts > j)
                c[sel] = one(it, act[sel], c[sel], shift + j * it.size)
            return c

        def one(it: Item, act: np.ndarray, c: np.ndarray, shift: int) -> np.ndarray:
            if not it.is_group or (self._fixed_run(it) and it.occurs is None):
                x = it.offset + shift
                if not it.is_group:
                    note(it, act, c, x)
                if emit is not None and len(act):
                    emit(act, c, x, it.size)
                return c + it.size
            starts: dict[str, np.ndarray] = {}
            ends: dict[str, np.ndarray] = {}
            for ch in it.children:
                if ch.redefines:
                    base = ch.redefines.upper()
                    start = starts.get(base, c)
                    end = item(ch, act, start, shift)
                    ends[base] = np.maximum(ends.get(base, end), end)
                    c = np.maximum(c, ends[base])
                    continue
                starts[ch.name.upper()] = c
                c = item(ch, act, c, shift)
                ends[ch.name.upper()] = c
            return c

        end = np.zeros(n, dtype=np.int64)
        every = np.arange(n, dtype=np.int64)
        for root in self.roots:
            end = np.maximum(end, item(root, every, np.zeros(n, dtype=np.int64), -root.offset))
        return end

    def expand(
        self, mat: np.ndarray, lengths: np.ndarray, width: int, pad: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Stored records -> maximum layout, and how many bytes of it each record really has."""
        n, w = mat.shape
        out = np.full((n, width), pad, dtype=np.uint8)
        avail = np.full(n, width, dtype=np.int64)
        size = np.minimum(np.asarray(lengths, dtype=np.int64), w)

        def emit(act: np.ndarray, c: np.ndarray, x: int, ln: int) -> None:
            take = np.clip(size[act] - c, 0, ln)
            cut = (take < ln) & (avail[act] == width)
            if cut.any():
                avail[act[cut]] = x + take[cut]
            full = take == ln
            if full.all():
                _copy_runs(out, act, x, mat, act, c, ln)
            else:
                if full.any():
                    _copy_runs(out, act[full], x, mat, act[full], c[full], ln)
                for k in np.flatnonzero(~full & (take > 0)):
                    r, t, cc = int(act[k]), int(take[k]), int(c[k])
                    out[r, x : x + t] = mat[r, cc : cc + t]

        self.walk_all(mat, True, emit)
        return out, avail

    def compact(self, mat: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
        """Maximum layout -> stored records (the inverse of ``expand``) and their lengths."""
        n = mat.shape[0]
        out = np.zeros((n, width), dtype=np.uint8)

        def emit(act: np.ndarray, c: np.ndarray, x: int, ln: int) -> None:
            idx = c[:, None] + np.arange(ln)[None, :]
            out[act[:, None], idx] = mat[act, x : x + ln]

        lengths = self.walk_all(mat, False, emit)
        return out, lengths

    def lengths(self, prefix: np.ndarray) -> np.ndarray:
        """Stored lengths of candidate records (ODO framing without a header)."""
        return self.walk_all(prefix, True, None)

    # ---- the scalar walk, one record at a time (the reference the tests compare with) -----
    def expand_scalar(
        self, mat: np.ndarray, lengths: np.ndarray, width: int, pad: int
    ) -> tuple[np.ndarray, np.ndarray]:
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

    def lengths_scalar(self, prefix: np.ndarray) -> np.ndarray:
        out = np.zeros(prefix.shape[0], dtype=np.int64)
        for i in range(prefix.shape[0]):
            out[i] = self.walk(prefix[i], True, lambda c, x, ln: None)
        return out


def _copy_runs(
    dst: np.ndarray,
    drows: np.ndarray,
    x: int,
    src: np.ndarray,
    srows: np.ndarray,
    c: np.ndarray,
    ln: int,
) -> None:
    """``dst[drows[k], x:x+ln] = src[srows[k], c[k]:c[k]+ln]`` for every k (all in range)."""
    if len(drows) == 0 or ln == 0:
        return
    if bool((c == c[0]).all()):
        c0 = int(c[0])
        dst[drows, x : x + ln] = src[srows, c0 : c0 + ln]
        return
    dst[drows, x : x + ln] = src[srows[:, None], c[:, None] + np.arange(ln)[None, :]]


def _static_length(it: Item) -> int:
    """Bytes the walk stores for ``it`` (all occurrences) when nothing inside it varies."""

    def one(x: Item) -> int:
        if not x.is_group:
            return x.size
        c = 0
        starts: dict[str, int] = {}
        ends: dict[str, int] = {}
        for ch in x.children:
            if ch.redefines:
                base = ch.redefines.upper()
                end = starts.get(base, c) + _static_length(ch)
                ends[base] = max(ends.get(base, end), end)
                c = max(c, ends[base])
                continue
            starts[ch.name.upper()] = c
            c += _static_length(ch)
            ends[ch.name.upper()] = c
        return c

    return one(it) * (it.occurs.max if it.occurs else 1)
