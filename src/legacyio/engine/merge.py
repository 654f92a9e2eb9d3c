"""Writing a record that carries a residue: edits land, untouched bytes stay.

A residue is the raw bytes of a record the reader could not reproduce canonically (plus any
bytes that preceded it: file header, block descriptors, gaps; and after the last record, the
trailer). When such a row is written back, its values are compared field by field with the
values decoded from its residue (the same plan, one batch for all such rows of a batch):

- no field changed: the residue is written verbatim (``unchanged``);
- some fields changed: those fields are encoded canonically into the original bytes, every
  other byte (dirty signs, spaces in numerics, FILLER contents, slack, record header) stays
  (``merged``);
- an ODO count, the segment id (or the 01 record present) changed, or the record's length no
  longer matches: the record is encoded canonically, and the header/gap/trailer bytes around
  it are still written (``reencoded``).
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from legacyio.errors import EncodeError
from legacyio.options import FileFormat, WriteOptions
from legacyio.plan.core import Plan
from legacyio.plan.decode import as_column
from legacyio.plan.nodes import Node, walk_nodes
from legacyio.report import DecodeReport, WriteReport
from legacyio.sources import open_source


@attrs.frozen
class Split:
    """Where the record frame lies in a residue: ``[0, frame)`` gap bytes, ``[frame,
    payload)`` record header, ``[payload, payload_end)`` the record, ``[payload_end, end)``
    terminator, ``[end, len)`` trailer."""

    frame: int
    payload: int
    payload_end: int
    end: int


class ResidueMerger:
    """Turns the residue rows of a batch into the bytes to write for them."""

    def __init__(self, plan: Plan, fmt: FileFormat, framer: Any, wopts: WriteOptions) -> None:
        self.plan = plan
        self.fmt = fmt
        self.framer = framer
        self.wopts = wopts
        self.hlen = framer.header_length
        self._parser: Any = None

    # ---- finding the record in a residue ---------------------------------------------------
    def _parse(self, data: bytes) -> Split | None:
        """Frame the bytes with the file's framing (lenient, no header/trailer skipping):
        the first record found."""
        from legacyio.engine.framer import framer_for_plan

        if self._parser is None:
            fmt = attrs.evolve(self.fmt, header_bytes=0, header_records=0, trailer_bytes=0)
            self._parser = framer_for_plan(self.plan, fmt, lenient=True, report=DecodeReport())
        with open_source(data) as stream:
            for block in self._parser.blocks(stream, 1):
                if len(block.lengths) == 0:
                    continue
                base = int(block.buffer_offset)
                fs = base + int(block.frame_starts[0])
                ps = base + int(block.starts[0])
                return Split(fs, ps, ps + int(block.lengths[0]), fs + int(block.frame_lengths[0]))
        return None

    def split(self, data: bytes) -> Split | None:
        """The most likely record frame inside a residue (None when there is none)."""
        n = len(data)
        rf = self.fmt.record_format
        if not self.fmt.length_field:
            if rf in ("F", "FB") and n == self.plan.width:
                return Split(0, 0, n, n)  # the usual case: the record alone
            hdr = getattr(self.framer, "_hdr", None)
            if (
                rf in ("V", "VB", "VBS")
                and hdr is not None
                and n >= 4
                and hdr(memoryview(data), 0) == n
                and (rf == "V" or n < 8 or not 4 <= hdr(memoryview(data), 4) <= n - 4)
            ):
                return self._rdw_split(0, n)
        c = self.candidates(data)
        return c[0] if c else None

    def candidates(self, data: bytes) -> list[Split]:
        """Where the record frame may lie in a residue, most likely first: gap bytes may
        precede it (file header, BDWs, records left out by a filter) and bytes may follow it
        (trailer, records left out after the last one)."""
        n = len(data)
        rf = self.fmt.record_format
        out: list[Split] = []
        if rf in ("F", "FB") and not self.fmt.length_field and n == self.plan.width:
            out.append(Split(0, 0, n, n))
        if rf in ("V", "VB", "VBS") and not self.fmt.length_field and hasattr(self.framer, "_hdr"):
            return out + self._rdw_candidates(data)
        head = self.fmt.header_bytes
        fixed = rf in ("F", "FB") and not self.fmt.length_field
        exact: list[Split] = []
        rest: list[Split] = []
        for s in [0] + ([head] if 0 < head < n else []):
            sp = self._parse(data[s:])
            if sp is None or (s and fixed and sp.end - sp.frame != self.plan.width):
                continue  # after a file header, a fixed record is whole
            sp = Split(sp.frame + s, sp.payload + s, sp.payload_end + s, sp.end + s)
            (exact if sp.end == n else rest).append(sp)
        return out + [c for c in exact + rest if c not in out]

    def _rdw_split(self, start: int, end: int) -> Split:
        """An RDW frame ``[start, end)``: the payload after the RDW and the record start
        offset, before the record end offset."""
        lo = start + 4 + self.fmt.record_start_offset
        hi = max(lo, end - self.fmt.record_end_offset)
        return Split(start, lo, hi, end)

    def _rdw_candidates(self, data: bytes) -> list[Split]:
        """RDW frames in a residue: those ending exactly at its end first."""
        n = len(data)
        mv = memoryview(data)
        hdr = self.framer._hdr
        blocked = self.fmt.record_format in ("VB", "VBS")
        exact: list[Split] = []
        rest: list[Split] = []
        for s in range(n - 3):
            f = hdr(mv, s)
            if f < 4 or s + f > n:
                continue
            if blocked and s + 8 <= n and 4 <= hdr(mv, s + 4) <= f - 4:
                continue  # a BDW: the block's first RDW follows it
            (exact if s + f == n else rest).append(self._rdw_split(s, s + f))
        return exact + rest

    # ---- the merge ---------------------------------------------------------------------------
    def pieces(
        self,
        batch: pa.RecordBatch,
        rows: np.ndarray,
        residues: list[bytes],
        first_record: int,
        report: WriteReport | None,
    ) -> list[bytes]:
        """The bytes to write for each residue row ``rows`` of ``batch``."""
        flatten = getattr(self.framer, "flatten_residue", None)
        if flatten is None:
            return self._pieces(batch, rows, residues, first_record, report)
        # VBS: a spanned record is merged as one complete segment, then its original
        # segments and BDWs are put back around the (possibly edited) payload
        flats = [flatten(r) for r in residues]
        work = [r if f is None else f.data for r, f in zip(residues, flats)]
        out = self._pieces(batch, rows, work, first_record, report)
        done: list[bytes] = []
        for i, (o, f) in enumerate(zip(out, flats)):
            back = o if f is None else f.restore(o)
            if back is None:
                raise EncodeError(
                    "an edit changed the length of a record spanned over VBS segments: its "
                    "segments and blocks cannot hold it (write the table without the "
                    "_legacyio_residue column to block the file anew)",
                    record=first_record + int(rows[i]),
                )
            done.append(back)
        return done

    def _pieces(
        self,
        batch: pa.RecordBatch,
        rows: np.ndarray,
        residues: list[bytes],
        first_record: int,
        report: WriteReport | None,
    ) -> list[bytes]:
        plan = self.plan
        k = len(rows)
        out: list[bytes] = list(residues)
        first = [self.split(r) for r in residues]
        ok = np.array([c is not None for c in first], dtype=bool)
        # bytes in which no record can be found: an edit there cannot be placed
        bad = int(np.flatnonzero(~ok)[0]) if not ok.all() else -1
        splits: list[Split] = [c or Split(0, 0, 0, 0) for c in first]
        sub = batch.take(pa.array(rows))
        src, lengths, diff = self._analyze(sub, residues, splits)
        touched = diff.bytes.any(axis=1) | diff.shape
        # an ambiguous residue (gap before or bytes after the record?): the frame whose
        # values differ least from the row's is the record's
        options = {i: self.candidates(residues[i]) for i in np.flatnonzero(touched & ok).tolist()}
        retry = [i for i, c in options.items() if len([x for x in c if x != splits[i]])]
        for i in retry:
            one = sub.slice(i, 1)
            score = int(diff.bytes[i].sum()) + (plan.width + 1) * int(diff.shape[i])
            for cand in options[i]:
                if cand == splits[i]:
                    continue
                _, _, d = self._analyze(one, [residues[i]], [cand])
                other = int(d.bytes[0].sum()) + (plan.width + 1) * int(d.shape[0])
                if other < score:
                    score, splits[i] = other, cand
        if retry:
            src, lengths, diff = self._analyze(sub, residues, splits)
            touched = diff.bytes.any(axis=1) | diff.shape
        if bad >= 0 and touched[bad]:
            raise EncodeError(
                "the row was edited but its residue holds no whole record to merge the edit "
                "into (set its _legacyio_residue to null to encode it canonically)",
                record=first_record + int(rows[bad]),
            )
        todo = np.flatnonzero(touched)
        if report is not None:
            report.unchanged += k - len(todo)
        if not len(todo):
            return out
        # canonical encodings of the touched rows; failures of fields that keep their
        # original bytes do not count
        reenc = diff.shape[todo]
        quiet = {p: (~m[todo]) & ~reenc for p, m in diff.changed.items()}
        for node in plan.top:
            for n in walk_nodes(node):
                quiet.setdefault(n.path, ~reenc)
        part = self._chain_winners(sub.take(pa.array(todo)), diff, todo)
        try:
            canon, counts, cols = plan.encode_max(part, self.wopts, 1, None, quiet=quiet)
        except EncodeError as e:
            rec = None if e.record is None else first_record + int(rows[todo[e.record - 1]])
            raise EncodeError(e.message, record=rec, field=e.field, hint=e.hint) from None
        merged = np.where(diff.bytes[todo], canon, src[todo])
        if counts is not None:
            # variable layouts: the same counts (else the row is re-encoded), compacted again
            c_pay, c_len = plan.compact(canon.copy(), counts)
            m_pay, m_len = plan.compact(merged, counts)
        else:
            c_pay = canon
            if len(plan.roots) > 1 and self.fmt.record_format in ("V", "VB", "VBS", "D"):
                c_len = plan._root_lengths(cols, len(todo))
            else:
                c_len = np.full(len(todo), plan.width, dtype=np.int64)
            m_pay = merged
            beyond = diff.bytes[todo] & (np.arange(plan.width)[None, :] >= lengths[todo, None])
            m_len = np.where(beyond.any(axis=1), c_len, lengths[todo])
        c_len = self.framer.canonical_lengths(c_pay, c_len, plan.pad)
        keep_frame = ~reenc & (m_len == lengths[todo])
        c_frames, c_flen, unfit = self.framer.canonical_frames(c_pay, c_len, check=False)
        m_frames = m_flen = None
        if (~keep_frame & ~reenc).any():
            m_frames, m_flen, unfit_m = self.framer.canonical_frames(m_pay, m_len, check=False)
            if unfit_m is not None:
                unfit = unfit_m if unfit is None else unfit | unfit_m
        for j, i in enumerate(todo.tolist()):
            r, s = residues[i], splits[i]
            if keep_frame[j]:
                body = (
                    r[s.frame : s.payload]
                    + m_pay[j, : m_len[j]].tobytes()
                    + r[s.payload_end : s.end]
                )
            else:
                if unfit is not None and unfit[j]:
                    raise EncodeError(
                        self.framer.unfit_message(int(c_flen[j])),
                        record=first_record + int(rows[i]),
                    )
                if reenc[j]:
                    body = c_frames[j, : c_flen[j]].tobytes()
                else:
                    assert m_frames is not None and m_flen is not None
                    body = m_frames[j, : m_flen[j]].tobytes()
            out[i] = r[: s.frame] + body + r[s.end :]
        if report is not None:
            report.reencoded += int(reenc.sum())
            report.merged += int((~reenc).sum())
        return out

    def _analyze(
        self, sub: pa.RecordBatch, residues: list[bytes], splits: list[Split]
    ) -> tuple[np.ndarray, np.ndarray, _Diff]:
        """Decode the records at ``splits`` and compare them with the rows of ``sub``: the
        original records (maximum layout), their payload lengths, and what differs."""
        plan = self.plan
        k = len(residues)
        lengths = np.array([s.payload_end - s.payload for s in splits], dtype=np.int64)
        src = np.full((k, plan.width), plan.pad, dtype=np.uint8)
        for i, (r, s) in enumerate(zip(residues, splits)):
            payload = np.frombuffer(
                r, dtype=np.uint8, count=min(int(lengths[i]), plan.width), offset=s.payload
            )
            src[i, : len(payload)] = payload
        avail: np.ndarray | None = lengths
        if self.fmt.record_format == "D":
            avail = None
        elif plan.variable:
            src, avail = plan.expand(src, lengths)
        old_cols, _ = plan.decode_vouched(
            src, avail, np.zeros(k, dtype=np.int64), 1, DecodeReport()
        )
        new_cols = {n: as_column(sub.column(n)) for n in sub.schema.names}
        diff = _Diff(plan, k)
        for node, old in zip([n for n in plan.top if n.output], old_cols):
            new = new_cols.get(node.name)
            if new is None:
                continue  # a column the table does not have: its bytes stay
            if node.in_chain and _validity_differs(new, old) and len(plan.roots) > 1:
                # another 01 record present: the shape changes; but a null record over one
                # holding only nulls is no edit (a flattened table cannot tell them apart)
                differ = _validity_mask(new) != _validity_mask(old)
                diff.shape |= differ & ~(_deep_null(new) & _deep_null(old))
            diff.node(node, new, old, np.arange(k), np.zeros(k, dtype=np.int64))
        for node in plan.top:
            for n in walk_nodes(node):
                if n.is_odo_object and n.path in diff.changed:
                    diff.shape |= diff.changed[n.path]  # an ODO count: the shape changes
        for start, end in plan.selector_spans():  # a new segment id or record-type key
            diff.shape |= diff.bytes[:, start:end].any(axis=1)
        return src, lengths, diff

    def _chain_winners(self, part: pa.RecordBatch, diff: _Diff, todo: np.ndarray) -> pa.RecordBatch:
        """In a top-level REDEFINES chain, an edited member writes its bytes: the members
        left unchanged in that row are not encoded over it (they would be, being later
        alternatives or the base)."""
        chains: dict[str, list[Node]] = {}
        for node in self.plan.top:
            if node.in_chain and node.output and node.name in part.schema.names:
                base = (node.item.redefines or node.item.name).upper()
                chains.setdefault(base, []).append(node)
        cols = {}
        for members in chains.values():
            if len(members) < 2:
                continue
            edited = {m.name: diff.under(m.path)[todo] for m in members}
            anyone = np.logical_or.reduce(list(edited.values()))
            for m in members:
                drop = anyone & ~edited[m.name]
                if drop.any():
                    col = part.column(m.name)
                    cols[m.name] = pc.if_else(pa.array(drop), pa.nulls(len(col), col.type), col)
        if not cols:
            return part
        arrays = [cols.get(n, part.column(n)) for n in part.schema.names]
        return pa.RecordBatch.from_arrays(arrays, schema=part.schema)


class _Diff:
    """Which bytes of which records hold a changed value, and which records change shape."""

    def __init__(self, plan: Plan, k: int) -> None:
        self.plan = plan
        self.bytes = np.zeros((k, plan.width), dtype=bool)
        self.shape = np.zeros(k, dtype=bool)
        self.changed: dict[str, np.ndarray] = {}
        self.k = k

    def under(self, path: str) -> np.ndarray:
        """Records in which a value at ``path`` or below it changed."""
        out = np.zeros(self.k, dtype=bool)
        for p, m in self.changed.items():
            if p == path or p.startswith(path + "."):
                out |= m
        return out

    def _mark(self, node: Node, rows: np.ndarray, starts: np.ndarray, width: int) -> None:
        if not len(rows):
            return
        cols = starts[:, None] + np.arange(width)[None, :]
        self.bytes[rows[:, None], np.minimum(cols, self.plan.width - 1)] = True
        for n in walk_nodes(node):
            m = self.changed.setdefault(n.path, np.zeros(self.k, dtype=bool))
            m[rows] = True

    def node(
        self, node: Node, new: pa.Array, old: pa.Array, rows: np.ndarray, base: np.ndarray
    ) -> None:
        """Compare one node's column (``rows``: record of each value, ``base``: byte offset
        of the enclosing group in the record)."""
        if not node.occurs_max:
            self.single(node, new, old, rows, base)
            return
        if not _is_list(new.type) or not _is_list(old.type):
            self._mark(node, rows, base + node.rel, node.width * node.occurs_max)
            return
        ln_new = _list_lengths(new)
        ln_old = _list_lengths(old)
        same = ln_new == ln_old
        if node.depending is None and (new.null_count or old.null_count):
            # a fixed OCCURS: a null list means every occurrence missing, as a list of null
            # occurrences does (a flattened table cannot tell them apart)
            blank = _deep_null(new) & _deep_null(old) & (ln_new != ln_old)
            if blank.any():
                same &= ~blank
                keep = ~blank
                rows, base, ln_new = rows[keep], base[keep], ln_new[keep]
                new, old, same = new.filter(pa.array(keep)), old.filter(pa.array(keep)), same[keep]
                ln_old = ln_old[keep]
        if not same.all():
            self._mark(node, rows[~same], base[~same] + node.rel, node.width * node.occurs_max)
            if node.depending is not None:
                self.shape[rows[~same]] = True
        idx = np.flatnonzero(same & (ln_new > 0))
        if not len(idx):
            return
        take = pa.array(idx)
        a = new.take(take)
        b = old.take(take)
        counts = ln_new[idx]
        e_rec = np.repeat(idx, counts)
        first = np.repeat(np.cumsum(counts) - counts, counts)
        j = np.arange(int(counts.sum())) - first
        a_vals = _list_values(a)
        b_vals = _list_values(b)
        self.single(node, a_vals, b_vals, rows[e_rec], base[e_rec] + j * node.width)

    def single(
        self, node: Node, new: pa.Array, old: pa.Array, rows: np.ndarray, base: np.ndarray
    ) -> None:
        start = base + node.rel
        if node.kind == "group":
            if not pa.types.is_struct(new.type) or not pa.types.is_struct(old.type):
                self._mark(node, rows, start, node.width)
                return
            new_kids = {new.type.field(i).name: c for i, c in enumerate(new.flatten())}
            old_kids = {old.type.field(i).name: c for i, c in enumerate(old.flatten())}
            for child in node.children:
                if child.name in new_kids and child.name in old_kids:
                    self.node(child, new_kids[child.name], old_kids[child.name], rows, start)
            return
        changed = _differs(new, old)
        if changed.any():
            self._mark(node, rows[changed], start[changed], node.width)


def _deep_null(arr: pa.Array) -> np.ndarray:
    """Per value: null, or a group / list holding nothing but such values."""
    out = ~_validity_mask(arr)
    t = arr.type
    if pa.types.is_struct(t):
        inner = np.ones(len(arr), dtype=bool)
        for child in arr.flatten():
            inner &= _deep_null(child)
        return out | inner
    if _is_list(t):
        lengths = _list_lengths(arr)
        values = _list_values(arr)
        owner = np.repeat(np.arange(len(arr)), lengths)
        live = np.bincount(owner, weights=~_deep_null(values), minlength=len(arr))
        return out | (live == 0)
    return out


def _is_list(t: pa.DataType) -> bool:
    return pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)


def _list_lengths(arr: pa.Array) -> np.ndarray:
    return np.asarray(
        pc.fill_null(pc.list_value_length(arr), 0).to_numpy(zero_copy_only=False), dtype=np.int64
    )


def _list_values(arr: pa.Array) -> pa.Array:
    """The values of a list array's valid rows, in order (slices and nulls respected)."""
    return pc.list_flatten(arr)


def _validity_mask(arr: pa.Array) -> np.ndarray:
    if arr.null_count == 0:
        return np.ones(len(arr), dtype=bool)
    return np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def _validity_differs(a: pa.Array, b: pa.Array) -> bool:
    return bool((_validity_mask(a) != _validity_mask(b)).any())


def _differs(new: pa.Array, old: pa.Array) -> np.ndarray:
    """Per value: is ``new`` not the same value as ``old`` (null equals null)?"""
    n = len(new)
    if not new.type.equals(old.type):
        try:
            new = pc.cast(new, old.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            try:
                old = pc.cast(old, new.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                return np.ones(n, dtype=bool)
    try:
        eq = pc.equal(new, old)
    except (pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return np.array([x != y for x, y in zip(new.to_pylist(), old.to_pylist())], dtype=bool)
    same = np.asarray(pc.fill_null(eq, False).to_numpy(zero_copy_only=False), dtype=bool)
    if pa.types.is_floating(new.type):  # a NaN read back as NaN is not an edit
        nan = pc.and_(pc.is_nan(new), pc.is_nan(old))
        same |= np.asarray(pc.fill_null(nan, False).to_numpy(zero_copy_only=False), dtype=bool)
    if new.null_count or old.null_count:
        both = _validity_mask(new) | _validity_mask(old)
        same |= ~both
    return ~same
