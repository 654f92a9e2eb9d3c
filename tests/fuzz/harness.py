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
from tests.support.roundtrip import format_only

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
    """Examples for one target: ``ci`` in CI's fuzz step (``LEGACYIO_FUZZ_SCALE=1``, .ci/run),
    a third of it in the default test run (kept under its time budget), 25x with
    ``HYPOTHESIS_PROFILE=fuzz-long`` (or any ``LEGACYIO_FUZZ_SCALE=<factor>``)."""
    scale = float(os.environ.get("LEGACYIO_FUZZ_SCALE", "0") or 0)
    if not scale:
        scale = 25.0 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz-long" else 1 / 3
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


def read_and_roundtrip(data: bytes, layout: Any, *, flat: bool = True, **kw: Any) -> None:
    """Read ``data`` leniently and strictly; if read, it must come back byte for byte, from
    nested and (``flat``) flattened tables, whole and streamed."""
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
        legacyio.write_table(reader, out, layout, **format_only(kw))
        return out.getvalue()

    got, err = contained(streamed)
    assert err is None, f"open_reader -> write_table failed: {err}"
    assert got == data, "open_reader -> write_table changed the bytes"
    if flat:
        roundtrip_flattened(data, layout, **kw)


def roundtrip_flattened(data: bytes, layout: Any, **kw: Any) -> None:
    """Flattened tables (CSV/SQL users' shape), whole and streamed in small batches, encode
    back to the same bytes."""
    flat_kw = {**kw, "flatten": True}
    table, err = contained(lambda: legacyio.read_table(data, layout, **flat_kw))
    assert err is None, f"read_table(flatten=True) refused what read_table accepted: {err}"
    back, err = contained(lambda: legacyio.encode(table))
    assert err is None, f"a flattened table the reader returned does not encode: {err}"
    assert back == data, "read_table(flatten=True) -> encode changed the bytes"

    def streamed() -> bytes:
        reader = legacyio.open_reader(data, layout, **{**flat_kw, "batch_size": 2})
        out = io.BytesIO()
        legacyio.write_table(reader, out, layout, **format_only(kw))
        return out.getvalue()

    got, err = contained(streamed)
    assert err is None, f"open_reader(flatten=True) -> write_table failed: {err}"
    assert got == data, "open_reader(flatten=True) -> write_table changed the bytes"


def cli_roundtrip(data: bytes, copybook_text: str, formats: tuple[str, ...], **kw: Any) -> None:
    """``legacyio convert`` to each format then ``encode`` (in-process): the bytes come back,
    or ``convert`` refuses with a one-line legacyio error and leaves nothing (a format that
    cannot carry a file without records); never a traceback, never content in the output."""
    import tempfile
    from pathlib import Path

    from click.testing import CliRunner

    from legacyio.cli.main import cli
    from tests.support.roundtrip import job_options

    with tempfile.TemporaryDirectory(prefix="legacyio-fuzz-") as tmp:
        folder = Path(tmp)
        (folder / "r.cpy").write_text(copybook_text)
        (folder / "in.dat").write_bytes(data)
        job = {"copybook": str(folder / "r.cpy"), **job_options(kw)}
        (folder / "job.json").write_text(json.dumps(job))
        runner = CliRunner()
        for ext in formats:
            mid, out = folder / f"t.{ext}", folder / f"o.{ext}.dat"
            args = ["--job", str(folder / "job.json"), "-q"]
            r = runner.invoke(cli, ["convert", str(folder / "in.dat"), str(mid), *args])
            check_text(r.output, f"convert .{ext} output")
            assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
            if r.exit_code != 0:
                assert r.output.startswith("legacyio: error:"), r.output
                assert not mid.exists(), f"a failed convert to .{ext} left its output"
                continue
            r = runner.invoke(cli, ["encode", str(mid), str(out), *args])
            check_text(r.output, f"encode .{ext} output")
            assert r.exit_code == 0, f"convert .{ext} -> encode failed: {r.output}"
            assert out.read_bytes() == data, f"convert .{ext} -> encode changed the bytes"
