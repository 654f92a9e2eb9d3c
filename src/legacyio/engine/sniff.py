"""When most records are bad: guess why from the first bytes of the file.

A wrong code page, record length, record format or RDW convention does not stop a lenient
read: every record decodes to nulls or goes to the residue, and the run "succeeds". The
checks here look at byte classes and lengths only (never at what a field holds) and name the
likely cause and the option that fixes it. Thresholds (``max_bad_fields``,
``max_bad_fraction``) turn such a read into a ``DecodeError``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from legacyio.errors import DataWarning, DecodeError
from legacyio.options import FileFormat, ReadOptions
from legacyio.report import DecodeReport

HEAD_BYTES = 1 << 16
"""How many bytes at the start of the file are kept for sniffing."""

_ASCII_COMMON = np.zeros(256, dtype=bool)
_ASCII_COMMON[[0x20, *range(0x30, 0x3A)]] = True  # space, digits 0-9
_EBCDIC_COMMON = np.zeros(256, dtype=bool)
_EBCDIC_COMMON[[0x40, *range(0xF0, 0xFA)]] = True  # space, digits F0-F9


def likely_cause(head: bytes, size: int | None, width: int, fmt: FileFormat) -> str | None:
    """The most likely reason a layout does not fit a file, from its first bytes and its size,
    or None when nothing stands out."""
    for check in (_code_page, _text_lines, _fixed_length, _rdw):
        cause = check(head, size, width, fmt)
        if cause:
            return cause
    return None


def _code_page(head: bytes, size: int | None, width: int, fmt: FileFormat) -> str | None:
    if not head:
        return None
    b = np.frombuffer(head, dtype=np.uint8)
    ascii_n = int(_ASCII_COMMON[b].sum())
    ebcdic_n = int(_EBCDIC_COMMON[b].sum())
    share = 0.2 * len(b)
    if fmt.ebcdic and ascii_n > share and ascii_n > 3 * ebcdic_n:
        return (
            "the bytes look like ASCII (digits X'30'-X'39', spaces X'20') where the EBCDIC "
            f"code page {fmt.encoding} expects zones X'F0'-X'F9' and spaces X'40': wrong "
            "code page? (--encoding ascii, latin-1 or cp1252)"
        )
    if not fmt.ebcdic and ebcdic_n > share and ebcdic_n > 3 * ascii_n:
        return (
            "the bytes look like EBCDIC (digits X'F0'-X'F9', spaces X'40') where the code "
            f"page {fmt.encoding} expects ASCII: wrong code page? (--encoding cp037 or cp1047)"
        )
    return None


def _text_lines(head: bytes, size: int | None, width: int, fmt: FileFormat) -> str | None:
    if fmt.record_format == "D" or not head:
        return None
    b = np.frombuffer(head, dtype=np.uint8)
    printable = ((b >= 0x20) & (b < 0x7F)) | (b == 0x0A) | (b == 0x0D) | (b == 0x09)
    if printable.mean() < 0.95:
        return None  # binary or EBCDIC data: a X'0A' there is no line end
    lines = head.split(b"\n")[:-1]
    if len(lines) < 3:
        return None
    lengths = {len(x.rstrip(b"\r")) for x in lines}
    if max(lengths) > 0 and max(lengths) != width:
        return (
            "the file holds text lines (up to "
            f"{max(lengths)} characters, ending in a line feed): text records? "
            "(--record-format D)"
        )
    return None


def _looks_like_rdw(head: bytes, at: int, byteorder: str, adjustment: int) -> int | None:
    """The record length (with its 4-byte RDW) if ``head[at:at+4]`` looks like an RDW."""
    if at + 4 > len(head):
        return None
    four = head[at : at + 4]
    if byteorder == "big":
        n, reserved = int.from_bytes(four[:2], "big"), four[2:]
    else:
        n, reserved = int.from_bytes(four[2:], "little"), four[:2]
    if reserved != b"\0\0":
        return None
    n += adjustment
    return n if 5 <= n <= 32760 else None


def _chain(head: bytes, byteorder: str, adjustment: int) -> int:
    """How many RDWs follow each other from the start of ``head`` (at most 20)."""
    at, hops = 0, 0
    while hops < 20:
        n = _looks_like_rdw(head, at, byteorder, adjustment)
        if n is None:
            break
        hops += 1
        at += n
        if at >= len(head):
            break
    return hops


def _fixed_length(head: bytes, size: int | None, width: int, fmt: FileFormat) -> str | None:
    if fmt.record_format not in ("F", "FB") or width <= 0:
        return None
    length = fmt.record_length or width
    if _chain(head, "big", 0) >= 3 or _chain(head, "little", 0) >= 3:
        return (
            "the file starts with what look like record descriptor words (RDWs): "
            "variable-length records? (--record-format V, or VB with block descriptors)"
        )
    body = None if size is None else size - fmt.header_bytes - fmt.trailer_bytes
    if body is not None and body % length:
        return (
            f"the file size ({body:,} bytes) is not a multiple of the record length "
            f"({length:,}): wrong --record-length, or another record format"
        )
    return None


def _rdw(head: bytes, size: int | None, width: int, fmt: FileFormat) -> str | None:
    if fmt.record_format != "V" or len(head) < 8:
        return None
    current = _chain(head, fmt.rdw_byteorder, fmt.rdw_adjustment)
    best = (current, fmt.rdw_byteorder, fmt.rdw_adjustment)
    for order in ("big", "little"):
        for adj in (0, 4, -4):
            hops = _chain(head, order, adj)
            if hops > best[0]:
                best = (hops, order, adj)
    hops, order, adj = best
    if hops <= current or hops < 2:
        return None
    fixes = []
    if order != fmt.rdw_byteorder:
        fixes.append(f"--rdw {order}")
    if adj != fmt.rdw_adjustment:
        fixes.append(f"--rdw-adjustment {adj}")
    return (
        f"the record descriptor words chain through the file with {' '.join(fixes)} "
        "but not as declared: another RDW convention?"
    )


def describe_first_bad(report: DecodeReport) -> str:
    first = report.first_bad()
    if first is None:
        return ""
    path, issue = first
    return (
        f"first bad field {path} at record {issue.first_record}, byte offset "
        f"{issue.first_offset} ({issue.reason})"
    )


WARN_MIN_RECORDS = 8
"""Below this many records a file says too little for a warning about its layout (a
one-record dirty file is data, not evidence of a wrong copybook)."""


class BadDataCheck:
    """Applies ``max_bad_fields`` / ``max_bad_fraction`` while a file is read, and warns at
    the end when more than half of the records are bad or kept raw."""

    def __init__(self, ropts: ReadOptions, fmt: FileFormat, width: int, name: str) -> None:
        self.ropts = ropts
        self.fmt = fmt
        self.width = width
        self.name = name
        self.head = b""
        self.size: int | None = None

    def first_block(self, block: Any, size: int | None) -> None:
        """Keep the first bytes of the file (the first block's buffer) for sniffing."""
        self.size = size
        if int(getattr(block, "buffer_offset", 0)) == 0:
            self.head = bytes(np.asarray(block.buffer[:HEAD_BYTES], dtype=np.uint8))

    def cause(self) -> str | None:
        return likely_cause(self.head, self.size, self.width, self.fmt)

    def _fail(self, what: str, report: DecodeReport) -> DecodeError:
        cause = self.cause()
        message = what + (f"; likely cause: {cause}" if cause else "")
        first = report.first_bad()
        if first is None:
            return DecodeError(message, source=self.name or None)
        path, issue = first
        return DecodeError(
            f"{message} (first bad field shown; {issue.reason})",
            record=issue.first_record,
            offset=issue.first_offset,
            field=path,
            source=self.name or None,
        )

    def after_batch(self, report: DecodeReport) -> None:
        limit = self.ropts.max_bad_fields
        if limit is not None and report.bad_fields > limit:
            raise self._fail(
                f"more than {limit:,} bad field values (max_bad_fields / --max-bad-fields "
                f"{limit}): {report.bad_fields:,} in the first {report.records:,} records",
                report,
            )

    def at_end(self, report: DecodeReport) -> None:
        frac = self.ropts.max_bad_fraction
        n = report.records
        if frac is not None and n and report.bad_records / n > frac:
            raise self._fail(
                f"{report.bad_records:,} of {n:,} records have a bad field, more than the "
                f"max_bad_fraction / --max-bad-fraction {frac:g}",
                report,
            )
        if self.ropts.max_bad_fields is not None or frac is not None:
            return  # the caller chose its limits
        # VBS records in several segments are kept raw for their framing alone
        suspect = max(report.bad_records, report.residue_records - report.spanned_records)
        if n >= WARN_MIN_RECORDS and suspect * 2 > n:
            cause = self.cause()
            kind = "bad" if report.bad_records * 2 > n else "bad or kept raw (residue)"
            where = f"{self.name}: " if self.name else ""
            msg = (
                f"{where}{suspect:,} of {n:,} records are {kind}: the copybook or the file "
                "format probably does not match the file; "
                + (f"likely cause: {cause}" if cause else describe_first_bad(report) or "")
            )
            warnings.warn(msg.rstrip("; "), DataWarning, stacklevel=2)
