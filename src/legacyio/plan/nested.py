"""Records whose OCCURS DEPENDING ON tables sit inside other tables: walked one record at a
time to find each field's place (correct for any nesting, not vectorized).
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
