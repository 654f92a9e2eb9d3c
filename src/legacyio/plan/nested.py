"""Records whose OCCURS DEPENDING ON tables sit inside other tables: every record of a batch is
walked through the layout at once (in lockstep, occurrence by occurrence), finding each field's
place with array arithmetic; the scalar one-record walk stays as the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from legacyio.codecs import make_codec, native
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
        self._chain: Any = False  # compiled on first use (compile_chain)
        self.ordered = len(roots) == 1 and not any(it.redefines for it in roots[0].walk())
        """No REDEFINES: the stored bytes of a record are its present fields in layout order
        (expand and compact move them with one boolean mask instead of run by run)."""
        self._readers: dict[tuple[str, ...], CountReader] = {}
        self._native: Any = False  # (ops, luts, objects) on first use (native_program)
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

    def _fixed_one(self, it: Item) -> bool:
        """Whether one occurrence of the group ``it`` is one run of bytes laid out alike in
        the stored record and in the maximum layout (``_fixed_run`` of its children)."""
        key = -id(it)
        known = self._fixed.get(key)
        if known is None:
            known = (
                it.is_group
                and all(
                    self._fixed_run(ch) and ch.slack_before == 0 and not ch.redefines
                    for ch in it.children
                )
                and sum(_static_length(ch) for ch in it.children) == it.size
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
            if not it.is_group or self._fixed_one(it):  # one occurrence: one run
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
        prog = self.native_program() if native.active() else None
        if prog is not None:
            res = native.odo_expand(prog, mat, lengths, width, pad)
            if res is not None:
                return res
        n, w = mat.shape
        out = np.full((n, width), pad, dtype=np.uint8)
        avail = np.full(n, width, dtype=np.int64)
        size = np.minimum(np.asarray(lengths, dtype=np.int64), w)
        # in order: the runs only mark where the stored bytes go, moved in one pass below
        # (built column-major: marking a run of columns for some rows is then contiguous)
        mask = np.zeros((width, n), dtype=bool).T if self.ordered else None

        def emit(act: np.ndarray, c: np.ndarray, x: int, ln: int) -> None:
            take = np.clip(size[act] - c, 0, ln)
            cut = (take < ln) & (avail[act] == width)
            if cut.any():
                avail[act[cut]] = x + take[cut]
            full = take == ln
            if full.all():
                if mask is not None:
                    _mark(mask, act, x, ln)
                else:
                    _copy_runs(out, act, x, mat, act, c, ln)
            else:
                if full.any():
                    if mask is not None:
                        _mark(mask, act[full], x, ln)
                    else:
                        _copy_runs(out, act[full], x, mat, act[full], c[full], ln)
                for k in np.flatnonzero(~full & (take > 0)):
                    r, t, cc = int(act[k]), int(take[k]), int(c[k])
                    if mask is not None:
                        mask[r, x : x + t] = True
                    else:
                        out[r, x : x + t] = mat[r, cc : cc + t]

        ends = self.walk_all(mat, True, emit)
        if mask is not None:
            # the k-th stored byte of a record goes to the k-th marked byte of its layout
            mask = np.ascontiguousarray(mask)
            taken = np.count_nonzero(mask, axis=1)
            out[mask] = mat[np.arange(w)[None, :] < taken[:, None]]
        # bytes beyond what the counts say: marked past the layout (see Plan.expand)
        avail[(np.asarray(lengths, dtype=np.int64) > ends) & (avail == width)] = width + 1
        return out, avail

    def compact(self, mat: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
        """Maximum layout -> stored records (the inverse of ``expand``) and their lengths."""
        n = mat.shape[0]
        out = np.zeros((n, width), dtype=np.uint8)
        if self.ordered:
            mask = np.zeros(mat.shape[::-1], dtype=bool).T

            def mark(act: np.ndarray, c: np.ndarray, x: int, ln: int) -> None:
                _mark(mask, act, x, ln)

            ends = self.walk_all(mat, False, mark)
            out[np.arange(width)[None, :] < ends[:, None]] = mat[np.ascontiguousarray(mask)]
            return out, ends
        flat = out.reshape(-1)

        def emit(act: np.ndarray, c: np.ndarray, x: int, ln: int) -> None:
            if len(act) == 0 or ln == 0:
                return
            if bool((c == c[0]).all()):
                c0 = int(c[0])
                out[act, c0 : c0 + ln] = mat[act, x : x + ln]
                return
            # one ln-byte item per row, written through a window view of the output
            windows = np.lib.stride_tricks.as_strided(
                flat, shape=(len(flat) - ln + 1, ln), strides=(1, 1)
            )
            windows[act * width + c] = mat[act, x : x + ln]

        lengths = self.walk_all(mat, False, emit)
        return out, lengths

    def lengths(self, prefix: np.ndarray) -> np.ndarray:
        """Stored lengths of candidate records (ODO framing without a header)."""
        return self.walk_all(prefix, True, None)

    def chain(self, window: np.ndarray, limit: int, pl: int) -> np.ndarray | None:
        """Lengths of the records back to back from ``window[0]``, as ``lengths`` gives them for
        the ``pl``-byte prefix at each record's start: at most ``limit``, up to the first
        length below 1 or the last record whose prefix fits in ``window``. The counts are
        decoded at every byte position once (a table lookup), then the compiled walk jumps
        from record to record. None when the layout cannot be compiled."""
        last = len(window) - pl
        prog = self.native_program() if native.active() else None
        if prog is not None and last >= 0:
            res = native.odo_chain(prog, window, pl, last, limit)
            if res is not None:
                return res
        if self._chain is False:
            self._chain = compile_chain(self.roots, self.readers(), pl)
        fn = self._chain
        if fn is None:
            return None
        if last < 0:
            return np.zeros(0, dtype=np.int64)
        cols: list[Any] = []
        for r in self._readers.values():
            if r.table is not None:
                cols.append(r.table)
                continue
            vals, bad = r.at_every(window, len(window) - r.width + 1)
            vals = np.where(bad, 0, vals) if bad.any() else vals
            cols.append(np.ascontiguousarray(vals, dtype=np.int64).data)
        return np.asarray(fn(window.tobytes(), *cols, 0, last, limit), dtype=np.int64)

    def readers(self) -> dict[tuple[str, ...], CountReader]:
        """A ``CountReader`` of every DEPENDING ON object (built once)."""
        if not self._readers:
            self._readers = {path: CountReader(c) for path, c in self.codecs.items()}
        return self._readers

    def native_program(self) -> tuple[np.ndarray, np.ndarray, int] | None:
        """The walk as a program for the native kernels (``native/src/odo.rs``): (operations,
        count tables, number of DEPENDING ON objects), built once; None when the kernels do not
        cover the layout (REDEFINES, several records, counts wider than two bytes)."""
        if self._native is False:
            self._native = _native_program(self.roots, self.readers()) if self.ordered else None
        return self._native  # type: ignore[no-any-return]

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

            end = self.walk(row, True, emit)
            if size > end and avail[i] == width:
                avail[i] = width + 1  # bytes beyond what the counts say
        return out, avail

    def lengths_scalar(self, prefix: np.ndarray) -> np.ndarray:
        out = np.zeros(prefix.shape[0], dtype=np.int64)
        for i in range(prefix.shape[0]):
            out[i] = self.walk(prefix[i], True, lambda c, x, ln: None)
        return out


def _mark(mask: np.ndarray, rows: np.ndarray, x: int, ln: int) -> None:
    """``mask[rows, x:x+ln] = True``, through a row selector (a fancy row index is slow)."""
    if len(rows) == mask.shape[0]:
        mask[:, x : x + ln] = True
        return
    sel = np.zeros(mask.shape[0], dtype=bool)
    sel[rows] = True
    mask[:, x : x + ln] |= sel[:, None]


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
    w = src.shape[1]
    if src.strides != (w, 1):
        dst[drows, x : x + ln] = src[srows[:, None], c[:, None] + np.arange(ln)[None, :]]
        return
    # one ln-byte item per row, taken from a window view of the matrix's memory
    windows = np.lib.stride_tricks.sliding_window_view(src.reshape(-1), ln)
    dst[drows, x : x + ln] = windows[srows * w + c]


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


# ---- counts at every byte position, and the compiled record-to-record walk -----------------
_LUT_MAX_WIDTH = 2
"""Count fields up to this many bytes are decoded through a table of every byte value."""


class CountReader:
    """Decodes one DEPENDING ON object's codec at every byte position of a buffer: through a
    lookup table of all 256 (or 65,536) byte values for 1- and 2-byte fields, otherwise one
    codec call over a window view. Values are the integers ``to_int`` gives, invalid -> 0."""

    def __init__(self, codec: Any) -> None:
        self.codec = codec
        self.width = int(codec.width)
        self.lut: np.ndarray | None = None
        self.lut_bad: np.ndarray | None = None
        if 1 <= self.width <= _LUT_MAX_WIDTH:
            combos = np.arange(1 << (8 * self.width), dtype=np.int64)
            mat = np.empty((len(combos), self.width), dtype=np.uint8)
            for k in range(self.width):
                mat[:, k] = (combos >> (8 * (self.width - 1 - k))) & 0xFF
            t = getattr(codec, "arrow_type", None)
            if t is not None and (pa.types.is_integer(t) or pa.types.is_decimal(t)):
                vals, invalid = codec.decode(mat)
                self.lut = to_int(vals)
                self.lut_bad = (
                    np.zeros(len(combos), dtype=bool) if invalid is None else np.asarray(invalid)
                )
        self.table: list[int] | None = (
            None
            if self.lut is None or self.lut_bad is None
            else np.where(self.lut_bad, 0, self.lut).tolist()
        )
        """Python list: the value (0 when invalid) of the field by its bytes' big-endian
        number, for the compiled walk; None for fields wider than two bytes."""

    def at_every(self, buf: np.ndarray, npos: int) -> tuple[np.ndarray, np.ndarray]:
        """(values, invalid) of the field starting at each of ``buf[0:npos]`` (every field
        must fit in ``buf``)."""
        w = self.width
        if npos <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
        if self.lut is not None and self.lut_bad is not None:
            if w == 1:
                idx: np.ndarray = buf[:npos]
            else:
                idx = (buf[:npos].astype(np.intp) << 8) | buf[1 : npos + 1]
            return self.lut[idx], self.lut_bad[idx]
        windows = np.lib.stride_tricks.sliding_window_view(buf[: npos + w - 1], w)
        vals, invalid = self.codec.decode(windows)
        return to_int(vals), (
            np.zeros(npos, dtype=bool) if invalid is None else np.asarray(invalid, dtype=bool)
        )


class _Gen:
    """Python source of one layout's record walk, lengths only (see ``compile_chain``)."""

    def __init__(
        self, paths: dict[tuple[str, ...], int], widths: list[int], lut: list[bool], pl: int
    ) -> None:
        self.paths = paths
        self.widths = widths
        self.lut = lut
        self.pl = pl
        self.lines: list[str] = []
        self.k = 0
        self._static: dict[int, int | None] = {}
        self.in_reach: set[int] = set()
        """Count objects whose read can never pass the prefix (no bound check needed)."""
        self.assigned: set[int] = set()
        """Count objects certainly seen already in this record, at this point of the code."""
        self.clamps: dict[tuple[int, int], str] = {}
        """(object, table maximum) -> name of a lookup table of the count already clamped."""

    def var(self, prefix: str) -> str:
        self.k += 1
        return f"{prefix}{self.k}"

    def emit(self, depth: int, line: str) -> None:
        line = "    " * depth + line
        head, _, num = line.rpartition(" += ")
        if num.isdigit() and self.lines:  # c += 3; c += 2 -> c += 5
            prev_head, _, prev = self.lines[-1].rpartition(" += ")
            if prev_head == head and prev.isdigit():
                self.lines[-1] = f"{head} += {int(prev) + int(num)}"
                return
        self.lines.append(line)

    def static(self, it: Item) -> int | None:
        """Bytes one occurrence of ``it`` takes in the walk when nothing inside it varies or is
        a DEPENDING ON object (None otherwise)."""
        key = id(it)
        if key in self._static:
            return self._static[key]
        out: int | None
        if not it.is_group:
            out = None if tuple(it.path) in self.paths else it.size
        else:
            c = 0
            starts: dict[str, int] = {}
            ends: dict[str, int] = {}
            out = 0
            for ch in it.children:
                one = self.static(ch)
                if one is None or (ch.occurs is not None and ch.occurs.depending_path):
                    out = None
                    break
                size = one * (ch.occurs.max if ch.occurs else 1)
                if ch.redefines:
                    base = ch.redefines.upper()
                    end = starts.get(base, c) + size
                    ends[base] = max(ends.get(base, end), end)
                    c = max(c, ends[base])
                    continue
                starts[ch.name.upper()] = c
                c += size
                ends[ch.name.upper()] = c
            if out is not None:
                out = c
        self._static[key] = out
        return out

    def item(self, it: Item, cur: str, d: int) -> None:
        if it.occurs is None:
            self.one(it, cur, d)
            return
        big_m = it.occurs.max
        one = self.static(it)
        if it.occurs.depending_path:
            k = self.paths[tuple(it.occurs.depending_path)]
            n = self.var("n")
            limit = self.pl - self.widths[k]
            table = None
            if self.lut[k]:
                table = self.clamps.setdefault((k, big_m), f"C{len(self.clamps)}")
            read = _read_expr(k, f"s{k}", self.widths[k], self.lut[k], table)
            checks = ([] if k in self.assigned else [f"0 <= s{k}"]) + (
                [] if k in self.in_reach else [f"s{k} - p <= {limit}"]
            )
            self.emit(
                d, f"{n} = {read} if {' and '.join(checks)} else 0" if checks else f"{n} = {read}"
            )
            if table is None:
                self.emit(d, f"{n} = 0 if {n} < 0 else ({big_m} if {n} > {big_m} else {n})")
        else:
            n = str(big_m)
        if one is not None:
            if one:
                self.emit(d, f"{cur} += {n} * {one}")
            return
        self.emit(d, f"for _ in range({n}):")
        before = len(self.lines)
        assigned = set(self.assigned)  # the body may run no time: what it sees stays inside
        self.one(it, cur, d + 1)
        self.assigned = assigned
        if len(self.lines) == before:
            self.emit(d + 1, "pass")

    def one(self, it: Item, cur: str, d: int) -> None:
        size = self.static(it)
        if size is not None:
            if size:
                self.emit(d, f"{cur} += {size}")
            return
        if not it.is_group:  # a DEPENDING ON object: remember where it is
            self.emit(d, f"s{self.paths[tuple(it.path)]} = {cur}")
            self.assigned.add(self.paths[tuple(it.path)])
            if it.size:
                self.emit(d, f"{cur} += {it.size}")
            return
        bases = {ch.redefines.upper() for ch in it.children if ch.redefines}
        starts: dict[str, str] = {}
        ends: dict[str, str] = {}
        for ch in it.children:
            if ch.redefines:
                base = ch.redefines.upper()
                t = self.var("t")
                self.emit(d, f"{t} = {starts.get(base, cur)}")
                self.item(ch, t, d)
                e = ends.get(base)
                if e is None:
                    e = ends[base] = self.var("e")
                    self.emit(d, f"{e} = {t}")
                else:
                    self.emit(d, f"if {t} > {e}: {e} = {t}")
                self.emit(d, f"if {e} > {cur}: {cur} = {e}")
                continue
            name = ch.name.upper()
            if name in bases:
                s = starts[name] = self.var("b")
                self.emit(d, f"{s} = {cur}")
            else:
                starts.pop(name, None)
            self.item(ch, cur, d)
            if name in bases:
                e = ends[name] = self.var("e")
                self.emit(d, f"{e} = {cur}")
            else:
                ends.pop(name, None)


def _read_expr(k: int, at: str, width: int, lut: bool, table: str | None = None) -> str:
    """Python expression for the k-th count read at byte ``at``: a lookup of the byte (or the
    two bytes) in the table ``Vk`` (or ``table``), or ``Vk[at]`` when Vk holds the values at
    every byte."""
    name = table or f"V{k}"
    if not lut:
        return f"V{k}[{at}]"
    if width == 1:
        return f"{name}[B[{at}]]"
    return f"{name}[(B[{at}] << 8) | B[{at} + 1]]"


def compile_chain(
    roots: list[Item], readers: dict[tuple[str, ...], CountReader], pl: int
) -> Callable[..., list[int]] | None:
    """A function ``chain(B, V0, V1, ..., p, last, limit)`` that walks records back to back
    from byte ``p`` of the bytes ``B`` (each as ``NestedWalker.walk`` with ``from_stored``
    measures it, reading counts only within the first ``pl`` bytes of the record) and returns
    their lengths: it stops after ``limit`` records, after a length below 1, or when the next
    record starts past ``last``. ``Vk`` is the k-th DEPENDING ON object's ``CountReader.table``
    (indexed by the field's bytes) or, for wider fields, its values at every byte position (0
    where invalid). The layout is compiled to straight Python once (fixed parts are constants,
    tables of fixed elements one multiplication); None when it cannot be (nesting too deep)."""
    paths = {path: k for k, path in enumerate(readers)}
    widths = [r.width for r in readers.values()]
    g = _Gen(paths, widths, [r.lut is not None for r in readers.values()], pl)
    if len(roots) == 1 and not any(it.redefines or it.slack_before for it in roots[0].walk()):
        # stored records are their present fields in layout order: a field is never stored
        # further into the record than where its last occurrence sits in the maximum layout
        root = roots[0]

        def reach(it: Item, extra: int) -> None:
            if it.occurs is not None:
                extra += (it.occurs.max - 1) * it.size if it.occurs.max else 0
            k = paths.get(tuple(it.path))
            if k is not None and it.offset - root.offset + extra + widths[k] <= pl:
                g.in_reach.add(k)
            for ch in it.children:
                reach(ch, extra)

        reach(root, 0)
    body = 2
    for k in range(len(paths)):
        g.emit(body, f"s{k} = -1")
    g.emit(body, "end = p")
    for root in roots:
        cur = g.var("c")
        g.emit(body, f"{cur} = p")
        g.item(root, cur, body)
        g.emit(body, f"if {cur} > end: end = {cur}")
    args = "".join(f"V{k}, " for k in range(len(paths)))
    clamped = "".join(f", {name}={name}" for name in g.clamps.values())
    src = "\n".join(
        [
            f"def chain(B, {args}p, last, limit{clamped}):",
            "    out = []",
            "    app = out.append",
            "    while len(out) < limit and p <= last:",
            *g.lines,
            "        length = end - p",
            "        app(length)",
            "        if length < 1:",
            "            break",
            "        p = end",
            "    return out",
        ]
    )
    scope: dict[str, Any] = {}
    tables = list(readers.values())
    for (k, big_m), name in g.clamps.items():
        lut = tables[k].table
        assert lut is not None
        scope[name] = [0 if v < 0 else (big_m if v > big_m else v) for v in lut]
    try:
        exec(compile(src, "<legacyio nested ODO walk>", "exec"), scope)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None
    return scope["chain"]  # type: ignore[no-any-return]


# ---- the walk as a program for the native kernels ----------------------------------------
_RUN, _OBJ, _TAB = 0, 1, 2


def _native_program(
    roots: list[Item], readers: dict[tuple[str, ...], CountReader]
) -> tuple[np.ndarray, np.ndarray, int] | None:
    """``NestedWalker.walk`` (from the stored record) compiled for ``odo_chain`` /
    ``odo_expand``: ``RUN x ln`` stores the next ``ln`` bytes at maximum-layout byte ``x``
    (plus the element shift), ``OBJ k`` notes where object ``k`` starts, ``TAB k max lut lw es
    bl <body>`` repeats ``body`` for ``max`` elements (``k`` < 0) or for the count of object
    ``k`` looked up in ``luts[lut:]`` by its ``lw`` bytes (clamped to 0..max, 0 when invalid),
    element ``j`` shifted by ``j * es``. Adjacent runs that are contiguous in both the stored
    record and the layout are merged (a table of fixed elements is one run)."""
    if len(roots) != 1:
        return None
    paths = {path: k for k, path in enumerate(readers)}
    tables = list(readers.values())
    if any(r.table is None or r.width not in (1, 2) for r in tables):
        return None
    luts: list[np.ndarray] = []
    lut_at: dict[tuple[int, int], int] = {}
    size = 0
    base = roots[0].offset  # the walk starts every record with shift -root.offset

    def lut(k: int, big_m: int) -> int:
        nonlocal size
        at = lut_at.get((k, big_m))
        if at is None:
            t = tables[k].table
            assert t is not None
            luts.append(np.clip(np.asarray(t, dtype=np.int64), 0, big_m))
            at = lut_at[(k, big_m)] = size
            size += len(luts[-1])
        return at

    def run(ops: list[list[Any]], x: int, ln: int) -> None:
        if ln <= 0:
            return
        if ops and ops[-1][0] == _RUN and ops[-1][1] + ops[-1][2] == x:
            ops[-1][2] += ln  # contiguous in the record and in the layout: one run
            return
        ops.append([_RUN, x, ln])

    def item(it: Item, ops: list[list[Any]]) -> None:
        if it.occurs is None:
            one(it, ops)
            return
        big_m = it.occurs.max
        body: list[list[Any]] = []
        one(it, body)
        if it.occurs.depending_path:
            k = paths[tuple(it.occurs.depending_path)]
            ops.append([_TAB, k, big_m, lut(k, big_m), tables[k].width, it.size, body])
        elif len(body) == 1 and body[0][0] == _RUN and body[0][2] == it.size:
            run(ops, body[0][1], big_m * it.size)  # fixed elements back to back: one run
        elif big_m:
            ops.append([_TAB, -1, big_m, 0, 0, it.size, body])

    def one(it: Item, ops: list[list[Any]]) -> None:
        if not it.is_group:
            k = paths.get(tuple(it.path))
            if k is not None:
                ops.append([_OBJ, k])
            run(ops, it.offset - base, it.size)
            return
        for ch in it.children:
            item(ch, ops)

    def flat(ops: list[list[Any]]) -> list[int]:
        out: list[int] = []
        for op in ops:
            if op[0] == _TAB:
                body = flat(op[6])
                out.extend((*op[:6], len(body)))
                out.extend(body)
            else:
                out.extend(op)
        return out

    top: list[list[Any]] = []
    try:
        item(roots[0], top)
        program = flat(top)
    except RecursionError:
        return None
    all_luts = np.concatenate(luts) if luts else np.zeros(1, dtype=np.int64)
    return np.asarray(program, dtype=np.int64), all_luts, len(tables)
