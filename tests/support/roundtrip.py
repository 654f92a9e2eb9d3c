"""The one round-trip assertion of the test suites: every input the reader accepts comes back
byte for byte, through every way of reading and writing it.

``assert_round_trip(data, copybook, **options)`` reads ``data`` whole (``read_table`` +
``encode``), streaming with tiny batches (``open_reader`` -> ``write_table``), and checks
``verify`` (directly and through Parquet). ``variant`` (a fixture in ``tests/conftest.py``)
runs read behaviours through the same readers the way pyarrow's CSV tests run one behaviour
through serial, threaded and streaming readers."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.parquet as pq

import legacyio
from legacyio.plan.nodes import RESIDUE_COLUMN

READ_ONLY_OPTIONS = frozenset(a.name for a in attrs.fields(legacyio.ReadOptions)) - frozenset(
    a.name for a in attrs.fields(legacyio.FileFormat)
)
"""ReadOptions fields: the writer takes the FileFormat fields only."""


def format_only(kw: dict[str, Any]) -> dict[str, Any]:
    """The FileFormat (and WriteOptions) part of a set of reading keywords."""
    return {k: v for k, v in kw.items() if k not in READ_ONLY_OPTIONS}


def first_difference(out: bytes, data: bytes) -> str:
    """Where two byte strings first differ (offsets and lengths only, never the bytes)."""
    n = min(len(out), len(data))
    for i in range(n):
        if out[i] != data[i]:
            return f"first difference at byte {i} (lengths {len(out)} vs {len(data)})"
    return f"lengths differ: {len(out)} vs {len(data)}"


def assert_round_trip(
    data: bytes,
    copybook: Any,
    *,
    parquet: bool = True,
    stream: bool = True,
    verify: bool = True,
    flat: bool = False,
    **options: Any,
) -> pa.Table:
    """Decode and re-encode ``data`` every way; the bytes must come back exactly. Returns the
    table ``read_table`` gave. ``flat``: also through flattened tables (``flatten=True``,
    what CSV and SQL users get), whole, streamed and in ``verify``."""
    table = legacyio.read_table(data, copybook, **options)
    out = legacyio.encode(table, **format_only(options))
    assert out == data, "read_table -> encode: " + first_difference(out, data)
    if flat:
        flat_opts = {**options, "flatten": True}
        ft = legacyio.read_table(data, copybook, **flat_opts)
        out = legacyio.encode(ft, **format_only(options))
        assert out == data, "read_table(flatten) -> encode: " + first_difference(out, data)
        reader = legacyio.open_reader(data, copybook, **{**flat_opts, "batch_size": 2})
        sink = io.BytesIO()
        legacyio.write_table(reader, sink, copybook, **format_only(options))
        got = sink.getvalue()
        assert got == data, "open_reader(flatten) -> write_table: " + first_difference(got, data)
        if verify:
            res = legacyio.verify(data, copybook, **flat_opts)
            assert res.ok, res.mismatch
    if stream:
        reader = legacyio.open_reader(data, copybook, **{**options, "batch_size": 2})
        sink = io.BytesIO()
        legacyio.write_table(reader, sink, copybook, **format_only(options))
        got = sink.getvalue()
        assert got == data, "open_reader -> write_table: " + first_difference(got, data)
    if verify:
        res = legacyio.verify(data, copybook, **options)
        assert res.ok, res.mismatch
        assert res.bytes == len(data)
        assert res.records == table.num_rows
        if parquet:
            res = legacyio.verify(data, copybook, via="parquet", **options)
            assert res.ok, res.mismatch
    return table


def _via_parquet(table: pa.Table) -> pa.Table:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    buf.seek(0)
    return pq.read_table(buf, schema=table.schema)


Reader = Callable[..., pa.Table]

VARIANTS = ("read_table", "open_reader", "threads", "parquet")


def variant_reader(name: str) -> Reader:
    """A ``read_table``-like function reading through one of ``VARIANTS``: whole, streamed in
    batches of two records, with two decoding threads and small batches, or stored in Parquet
    and read back (and then also ``verify(via="parquet")`` must hold)."""

    def read(source: Any, copybook: Any, **kw: Any) -> pa.Table:
        if name == "read_table":
            return legacyio.read_table(source, copybook, **kw)
        if name == "open_reader":
            reader = legacyio.open_reader(source, copybook, **{**kw, "batch_size": 2})
            return reader.read_all()
        if name == "threads":
            return legacyio.read_table(source, copybook, **{**kw, "threads": 2, "batch_size": 3})
        table = legacyio.read_table(source, copybook, **kw)
        back = _via_parquet(table)
        if RESIDUE_COLUMN in table.column_names and isinstance(source, bytes):
            res = legacyio.verify(source, copybook, via="parquet", **kw)
            assert res.ok, res.mismatch
        return back

    return read


CLI_FORMATS = ("parquet", "arrow", "csv", "jsonl")


def job_options(options: dict[str, Any]) -> dict[str, Any]:
    """Reading keywords as a JSON job file's ``format`` and ``read`` sections."""
    fmt_names = {a.name for a in attrs.fields(legacyio.FileFormat)}
    fmt, read = {}, {}
    for k, v in options.items():
        if isinstance(v, tuple):
            v = dict(v) if k in ("segments",) else list(v)
        (fmt if k in fmt_names else read)[k] = v
    return {"format": fmt, "read": read}


def assert_cli_round_trip(
    data: bytes,
    copybook: str | Path,
    folder: Path,
    *,
    formats: tuple[str, ...] = CLI_FORMATS,
    refuse: tuple[str, ...] = (),
    verify: bool = True,
    **options: Any,
) -> None:
    """``legacyio convert`` to each output format then ``legacyio encode`` back (in-process,
    with a job file holding the copybook and ``options``) give ``data`` byte for byte; for
    the formats in ``refuse``, ``convert`` must refuse with a one-line legacyio error (exit 1
    or 2) and leave no output. ``verify`` and ``verify --flatten`` say identical."""
    from click.testing import CliRunner

    from legacyio.cli.main import cli

    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(copybook, str):  # copybook text
        (folder / "r.cpy").write_text(copybook)
        copybook = folder / "r.cpy"
    (folder / "in.dat").write_bytes(data)
    job = {"copybook": str(copybook), **job_options(options)}
    (folder / "job.json").write_text(json.dumps(job))
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(cli, [*args, "--job", str(folder / "job.json"), "-q"])

    for ext in formats:
        mid, out = folder / f"t.{ext}", folder / f"out.{ext}.dat"
        for p in (mid, out):
            if p.exists():
                p.unlink()
        r = run("convert", str(folder / "in.dat"), str(mid))
        if ext in refuse:
            # a format that cannot carry the input: a one-line legacyio error, no output
            assert r.exit_code in (1, 2), f"convert to .{ext} should refuse: {r.output}"
            assert r.output.startswith("legacyio: error:") and r.output.count("\n") == 1, r.output
            assert not mid.exists() and not [p for p in folder.iterdir() if p.suffix == ".tmp"]
            continue
        assert r.exit_code == 0, f"convert to .{ext}: {r.output}"
        r = run("encode", str(mid), str(out))
        assert not isinstance(r.exception, Exception) or isinstance(r.exception, SystemExit), (
            f"encode from .{ext} raised {r.exception!r}"
        )
        if r.exit_code != 0:
            # a format that cannot carry the input refuses clearly, and writes nothing
            assert r.exit_code in (1, 2) and "legacyio: error:" in r.output, r.output
            assert not out.exists(), f"encode from .{ext} failed but left its output"
            raise AssertionError(f"encode from .{ext} refused: {r.output.strip()}")
        got = out.read_bytes()
        assert got == data, f"convert .{ext} -> encode: " + first_difference(got, data)
    if verify:
        for extra in ((), ("--flatten",)):
            r = run("verify", str(folder / "in.dat"), *extra)
            assert r.exit_code == 0, f"verify {' '.join(extra)}: {r.output}"
