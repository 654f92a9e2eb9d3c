"""The one round-trip assertion of the test suites: every input the reader accepts comes back
byte for byte, through every way of reading and writing it.

``assert_round_trip(data, copybook, **options)`` reads ``data`` whole (``read_table`` +
``encode``), streaming with tiny batches (``open_reader`` -> ``write_table``), and checks
``verify`` (directly and through Parquet). ``variant`` (a fixture in ``tests/conftest.py``)
runs read behaviours through the same readers the way pyarrow's CSV tests run one behaviour
through serial, threaded and streaming readers."""

from __future__ import annotations

import io
from collections.abc import Callable
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
    **options: Any,
) -> pa.Table:
    """Decode and re-encode ``data`` every way; the bytes must come back exactly. Returns the
    table ``read_table`` gave."""
    table = legacyio.read_table(data, copybook, **options)
    out = legacyio.encode(table, **format_only(options))
    assert out == data, "read_table -> encode: " + first_difference(out, data)
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
