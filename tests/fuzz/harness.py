"""The fuzz contract, shared by the hypothesis targets and the atheris harness.

* Only legacyio's own errors escape (``LegacyioError``); never IndexError, ValueError,
  OverflowError, MemoryError, RecursionError, UnicodeError, ArrowInvalid, ...
* No message, warning or DecodeReport entry holds field content: data carry a marker string
  (``MARKER``) and every text legacyio produces is searched for it.
* Memory is bounded: a copybook that loads never declares a record longer than
  ``MAX_RECORD_LENGTH``; data is only read for layouts of a modest width.
* Every input the reader accepts round-trips byte for byte, through ``read_table`` ->
  ``encode`` and through ``open_reader`` -> ``write_table`` (streaming).
"""

from __future__ import annotations

import io
import json
import os
import warnings
from collections.abc import Callable
from typing import Any

import legacyio
from legacyio.errors import LegacyioError
from legacyio.layout.build import MAX_RECORD_LENGTH

MARKER = "QZJXMARK"
"""Planted in data (as text, EBCDIC and ASCII) and in table values: must never be printed."""
MARKER_FORMS = (
    MARKER,
    MARKER.lower(),
    MARKER.encode("cp037").hex(),
    MARKER.encode("ascii").hex(),
    repr(MARKER.encode("cp037"))[2:-1],
)
MAX_READ_WIDTH = 1 << 16


def examples(ci: int) -> int:
    """Examples for one target: ``ci`` in the default run; 25x with ``HYPOTHESIS_PROFILE=
    fuzz-long`` (or ``LEGACYIO_FUZZ_SCALE=<factor>``)."""
    scale = float(os.environ.get("LEGACYIO_FUZZ_SCALE", "0") or 0)
    if not scale:
        scale = 25.0 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz-long" else 1.0
    return max(1, int(ci * scale))


def check_text(text: str, where: str) -> None:
    for form in MARKER_FORMS:
        assert form not in text, f"{where} holds field content: {text[:300]!r}"


def contained(fn: Callable[[], Any]) -> tuple[Any, LegacyioError | None]:
    """Run ``fn``; a LegacyioError is returned (its message checked), any other exception
    propagates and fails the test. Warnings are recorded and checked for content."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result, err = fn(), None
        except LegacyioError as e:
            result, err = None, e
            check_text(str(e), "error message")
    for w in caught:
        check_text(str(w.message), "warning")
    return result, err


def check_report(report: legacyio.DecodeReport) -> None:
    check_text("\n".join(report.summary_lines()), "report summary")
    check_text(json.dumps(report.to_dict(), default=str), "report")


def load(text: str) -> Any:
    layout, _err = contained(lambda: legacyio.load_copybook(text))
    if layout is not None:
        assert layout.record_length <= MAX_RECORD_LENGTH
    return layout


def read_and_roundtrip(data: bytes, layout: Any, **kw: Any) -> None:
    """Read ``data`` leniently and strictly; if read, it must come back byte for byte."""
    if layout is None or layout.record_length > MAX_READ_WIDTH:
        return
    report = legacyio.DecodeReport()
    table, err = contained(lambda: legacyio.read_table(data, layout, report=report, **kw))
    check_report(report)
    strict_report = legacyio.DecodeReport()
    contained(lambda: legacyio.read_table(data, layout, report=strict_report, strict=True, **kw))
    check_report(strict_report)
    if table is None:
        return
    back, err = contained(lambda: legacyio.encode(table))
    assert err is None, f"a table the reader returned does not encode: {err}"
    assert back == data, "read_table -> encode changed the bytes"

    def streamed() -> bytes:
        reader = legacyio.open_reader(data, layout, **kw)
        out = io.BytesIO()
        legacyio.write_table(reader, out, layout, **kw)
        return out.getvalue()

    got, err = contained(streamed)
    assert err is None, f"open_reader -> write_table failed: {err}"
    assert got == data, "open_reader -> write_table changed the bytes"
