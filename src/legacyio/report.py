"""The decode report: what could not be decoded, counted per field, with the first place.

It names fields, record numbers and byte offsets, never field contents, so it is safe to print
and to log next to taxpayer data.
"""

from __future__ import annotations

import threading
from typing import Any

import attrs


@attrs.define
class FieldIssue:
    """Bad values of one field: how many, and where the first one is."""

    count: int
    first_record: int
    first_offset: int
    reason: str


@attrs.frozen
class FramingIssue:
    """A problem with record boundaries (trailing bytes, a bad RDW, an unknown segment id)."""

    message: str
    record: int | None
    offset: int | None


@attrs.define
class DecodeReport:
    """Collects decode problems while a file is read; pass ``report=DecodeReport()``."""

    records: int = 0
    bytes: int = 0
    residue_records: int = 0
    bad_records: int = 0
    """Records with at least one bad field."""
    fields: dict[str, FieldIssue] = attrs.Factory(dict)
    framing: list[FramingIssue] = attrs.Factory(list)
    unmatched_segments: int = 0
    skipped_records: int = 0
    """Records left out of the rows on request (``minimum_record_length`` /
    ``maximum_record_length``, a header parser's invalid records); their bytes are kept in
    the residue."""
    spanned_records: int = 0
    """VBS records held in more than one segment: kept raw in the residue so that their
    segmenting comes back, which says nothing about the copybook or the data."""
    _lock: threading.Lock = attrs.field(factory=threading.Lock, repr=False, eq=False)

    @property
    def bad_fields(self) -> int:
        """Total number of bad field values."""
        return sum(f.count for f in self.fields.values())

    @property
    def clean(self) -> bool:
        return not self.fields and not self.framing and not self.unmatched_segments

    def add_field(
        self, path: str, count: int, first_record: int, first_offset: int, reason: str
    ) -> None:
        """Record ``count`` bad values of ``path``; keeps the earliest first place."""
        if count <= 0:
            return
        with self._lock:
            cur = self.fields.get(path)
            if cur is None:
                self.fields[path] = FieldIssue(count, first_record, first_offset, reason)
            else:
                cur.count += count
                if first_record < cur.first_record:
                    cur.first_record = first_record
                    cur.first_offset = first_offset
                    cur.reason = reason

    def add_bad_records(self, count: int) -> None:
        with self._lock:
            self.bad_records += count

    def first_bad(self) -> tuple[str, FieldIssue] | None:
        """The bad field that occurs first in the file (path and issue), or None."""
        if not self.fields:
            return None
        return min(self.fields.items(), key=lambda kv: (kv[1].first_record, kv[1].first_offset))

    def add_framing(
        self, message: str, record: int | None = None, offset: int | None = None
    ) -> None:
        with self._lock:
            self.framing.append(FramingIssue(message, record, offset))

    def summary_lines(self) -> list[str]:
        """Human-readable lines: counts and places only, never values."""
        lines = []
        for path, f in sorted(self.fields.items(), key=lambda kv: kv[1].first_record):
            lines.append(
                f"{path}: {f.count} bad value(s) ({f.reason}); first at record "
                f"{f.first_record}, byte offset {f.first_offset}"
            )
        for fr in self.framing:
            where = []
            if fr.record is not None:
                where.append(f"record {fr.record}")
            if fr.offset is not None:
                where.append(f"byte offset {fr.offset}")
            lines.append(f"{fr.message}" + (f" ({', '.join(where)})" if where else ""))
        if self.unmatched_segments:
            lines.append(
                f"{self.unmatched_segments} record(s) of no known segment (segment id or "
                "record-type rule); kept as they are"
            )
        if self.skipped_records:
            lines.append(
                f"{self.skipped_records} record(s) left out (record length limits or header "
                "parser); their bytes are kept in the residue"
            )
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "bytes": self.bytes,
            "residue_records": self.residue_records,
            "bad_fields": self.bad_fields,
            "bad_records": self.bad_records,
            "fields": {k: attrs.asdict(v) for k, v in self.fields.items()},
            "framing": [attrs.asdict(f) for f in self.framing],
            "unmatched_segments": self.unmatched_segments,
            "skipped_records": self.skipped_records,
            "spanned_records": self.spanned_records,
        }


@attrs.define
class WriteReport:
    """What a write did with the records that carry a residue (raw bytes kept by the
    reader); pass ``report=WriteReport()`` to ``write_table`` / ``encode``."""

    records: int = 0
    bytes: int = 0
    unchanged: int = 0
    """Records written from their residue verbatim: no value differs from it."""
    merged: int = 0
    """Records whose edited fields were encoded into their original bytes."""
    reencoded: int = 0
    """Records encoded canonically because an edit changed their shape (ODO count, segment)."""

    def summary(self) -> str:
        """One line: counts only."""
        return (
            f"residue records: {self.unchanged:,} unchanged, {self.merged:,} merged, "
            f"{self.reencoded:,} re-encoded"
        )

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)
