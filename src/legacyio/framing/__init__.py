"""Record framing: byte streams <-> record boundaries (fixed, RDW/BDW, text lines, lengths
from a callback), in both directions. ``framer_for`` builds the framer a FileFormat asks for."""

from __future__ import annotations

from typing import Any

import attrs

from legacyio.errors import OptionsError
from legacyio.framing.base import Framer, RecordBlock, Report
from legacyio.framing.fixed import FixedFramer
from legacyio.framing.rdw import RdwFramer
from legacyio.framing.text import TextFramer
from legacyio.framing.variable import CallbackFramer, LengthFn
from legacyio.options import FileFormat

__all__ = [
    "CallbackFramer",
    "FixedFramer",
    "Framer",
    "RdwFramer",
    "RecordBlock",
    "TextFramer",
    "framer_for",
]


def framer_for(
    fmt: FileFormat,
    *,
    record_length: int,
    length_fn: LengthFn | None = None,
    prefix_length: int = 0,
    lenient: bool = False,
    report: Report | None = None,
    chunk_size: int | None = None,
    **extra: Any,
) -> Any:
    """The framer for ``fmt``: F/FB fixed (``fmt.record_length`` or ``record_length``),
    V/VB RDW(+BDW), VBS spanned segments, D text lines, ODO or ``fmt.length_field`` lengths from ``length_fn``.

    ``chunk_size`` sets how many bytes the variable framers read at a time; ``extra`` passes
    framer-specific settings (``little_style`` for V/VB, ``newline`` for D).
    """
    common: dict[str, Any] = {
        "header_bytes": fmt.header_bytes,
        "header_records": fmt.header_records,
        "trailer_bytes": fmt.trailer_bytes,
        "lenient": lenient,
        "report": report,
        "chunk_size": chunk_size,
    }
    rf = fmt.record_format
    if fmt.minimum_record_length is not None or fmt.maximum_record_length is not None:
        from legacyio.framing.custom import LengthFilterFramer

        inner = framer_for(
            attrs.evolve(fmt, minimum_record_length=None, maximum_record_length=None),
            record_length=record_length,
            length_fn=length_fn,
            prefix_length=prefix_length,
            lenient=lenient,
            report=report,
            chunk_size=chunk_size,
            **extra,
        )
        return LengthFilterFramer(
            inner, fmt.minimum_record_length, fmt.maximum_record_length, report
        )
    if fmt.record_header_parser is not None:
        from legacyio.framing.custom import HeaderParserFramer

        if fmt.record_start_offset or fmt.record_end_offset or fmt.length_field:
            raise OptionsError(
                "record_header_parser frames records itself: record offsets and length_field "
                "do not apply"
            )
        return HeaderParserFramer(fmt.record_header_parser, **common)
    start, end = fmt.record_start_offset, fmt.record_end_offset
    if start or end:
        if rf not in ("F", "FB", "V", "VB") or fmt.length_field:
            raise OptionsError(
                "record_start_offset/record_end_offset need record_format F, FB, V or VB "
                "(without length_field)"
            )
        from legacyio.framing.offsets import RecordOffsetFramer

        inner_fmt = attrs.evolve(fmt, record_start_offset=0, record_end_offset=0)
        if rf in ("F", "FB") and not fmt.record_length:
            record_length += start + end
        inner = framer_for(
            inner_fmt,
            record_length=record_length,
            length_fn=length_fn,
            prefix_length=prefix_length,
            lenient=lenient,
            report=report,
            chunk_size=chunk_size,
            **extra,
        )
        return RecordOffsetFramer(inner, start, end, 0x40 if fmt.ebcdic else 0x20)
    if rf == "ODO" or fmt.length_field:
        if rf not in ("F", "FB", "ODO"):
            raise OptionsError(f"length_field cannot be combined with record_format {rf!r}")
        if length_fn is None or prefix_length < 1:
            raise OptionsError("variable-length framing needs length_fn and prefix_length")
        return CallbackFramer(length_fn, prefix_length, **common, **extra)
    if rf in ("F", "FB"):
        width = fmt.record_length or record_length
        if not width or width < 1:
            raise OptionsError("fixed-length framing needs a record length of at least 1")
        return FixedFramer(width, **common, **extra)
    if rf in ("V", "VB"):
        return RdwFramer(
            blocked=rf == "VB",
            byteorder=fmt.rdw_byteorder,
            adjustment=fmt.rdw_adjustment,
            bdw_adjustment=fmt.bdw_adjustment,
            block_size=fmt.block_size,
            **common,
            **extra,
        )
    if rf == "VBS":
        if fmt.rdw_byteorder != "big" or fmt.rdw_adjustment:
            raise OptionsError(
                "VBS segment descriptor words are IBM's: big-endian, counting "
                "themselves (no rdw_byteorder/rdw_adjustment)"
            )
        from legacyio.framing.spanned import SpannedFramer

        return SpannedFramer(
            bdw_adjustment=fmt.bdw_adjustment, block_size=fmt.block_size, **common, **extra
        )
    if rf == "D":
        newline = "\r\n" if fmt.line_terminator == "crlf" else "\n"
        return TextFramer(**{"newline": newline, **common, **extra})
    raise OptionsError(f"unknown record_format {rf!r}")
