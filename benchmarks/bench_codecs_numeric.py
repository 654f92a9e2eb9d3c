"""Micro-benchmarks of the numeric codecs on 64k rows, next to a ``bytes`` copy baseline.

Run with ``pytest benchmarks/bench_codecs_numeric.py --benchmark-enable``; every benchmark
stores its throughput in ``extra_info['MB/s']`` (bytes of the field per second).
"""

from __future__ import annotations

import contextlib

import numpy as np
import pyarrow as pa
import pytest

from legacyio.codecs import make_codec
from legacyio.codecs.numbers import digits_to_arrow
from legacyio.layout.model import Category, Item, Picture, Usage
from legacyio.layout.types import storage_size
from legacyio.options import FileFormat

ROWS = 65536
RECORD = 187  # the master-file record length of the design notes


def _item(usage: Usage, digits: int = 0, scale: int = 0, signed: bool = True) -> Item:
    pic = None
    if digits:
        pic = Picture(
            source="bench",
            category=Category.NUMERIC,
            length=digits,
            digits=digits,
            scale=scale,
            signed=signed,
        )
    return Item(
        level=5,
        name="F",
        path=("R", "F"),
        usage=usage,
        offset=0,
        size=storage_size(usage, pic),
        picture=pic,
    )


CASES = {
    "zoned S9(7)V99": (_item(Usage.DISPLAY, 9, 2), FileFormat()),
    "zoned 9(9) ascii": (_item(Usage.DISPLAY, 9, 0, False), FileFormat(encoding="latin-1")),
    "zoned S9(18)": (_item(Usage.DISPLAY, 18), FileFormat()),
    "zoned S9(25)V9(4)": (_item(Usage.DISPLAY, 29, 4), FileFormat()),
    "packed S9(7)V99": (_item(Usage.PACKED, 9, 2), FileFormat()),
    "packed S9(17)": (_item(Usage.PACKED, 17), FileFormat()),
    "packed S9(29)V99": (_item(Usage.PACKED, 31, 2), FileFormat()),
    "binary S9(4)": (_item(Usage.BINARY, 4), FileFormat()),
    "binary S9(9)": (_item(Usage.BINARY, 9), FileFormat()),
    "binary S9(18)": (_item(Usage.BINARY, 18), FileFormat()),
    "comp-5 9(9) le": (_item(Usage.COMP5, 9, 0, False), FileFormat(comp5_byteorder="little")),
    "comp-1 ibm": (_item(Usage.FLOAT4), FileFormat()),
    "comp-2 ibm": (_item(Usage.FLOAT8), FileFormat()),
    "comp-2 ieee": (_item(Usage.FLOAT8), FileFormat(float_format="ieee")),
}


def _values(codec, rng: np.random.Generator) -> pa.Array:
    """Random valid values of the codec's type (random digits, random signs)."""
    t = codec.arrow_type
    if pa.types.is_floating(t):
        return pa.array(rng.normal(0, 1e4, ROWS).astype(t.to_pandas_dtype()))
    pic = codec.item.picture
    digits = rng.integers(0, 10, (ROWS, pic.digits), dtype=np.uint8)
    neg = rng.random(ROWS) < 0.5 if pic.signed else None
    return digits_to_arrow(digits, neg, None, t, pic.scale)


@pytest.fixture(scope="module")
def prepared():
    rng = np.random.default_rng(7)
    out = {}
    for name, (item, fmt) in CASES.items():
        codec = make_codec(item, fmt)
        values = _values(codec, rng)
        mat, failed = codec.encode(values)
        assert failed is None
        values = codec.decode(mat)[0]  # COMP-1 IBM: the nearest IBM values
        record = np.zeros((ROWS, RECORD), dtype=np.uint8)
        record[:, 40 : 40 + codec.width] = mat
        out[name] = (codec, values, record[:, 40 : 40 + codec.width])
    return out


_RESULTS: dict[str, float] = {}


@pytest.fixture(scope="module", autouse=True)
def _mbps_table(request):
    """After the module, print MB/s of every benchmark that ran (when benchmarks are on)."""
    yield
    if not _RESULTS:
        return
    tr = request.config.pluginmanager.get_plugin("terminalreporter")
    if tr is None:
        return
    capman = request.config.pluginmanager.get_plugin("capturemanager")
    with capman.global_and_fixture_disabled() if capman else contextlib.nullcontext():
        tr.write_line("")
        tr.write_line("numeric codecs, 64k rows, MB/s of field bytes (slices of 187-byte records)")
        for name, mbps in sorted(_RESULTS.items()):
            tr.write_line(f"  {name:40s} {mbps:9.1f}")


def _report(benchmark, nbytes: int, name: str) -> None:
    stats = getattr(benchmark, "stats", None)
    mean = stats.stats.mean if stats else None
    if mean:
        mbps = round(nbytes / mean / 1e6, 1)
        benchmark.extra_info["MB/s"] = mbps
        _RESULTS[name] = mbps


def test_baseline_bytes_copy(benchmark, prepared):
    """``bytes(...)`` of the same column slice: the floor every codec is compared with."""
    _, _, col = prepared["zoned S9(7)V99"]
    benchmark(lambda: bytes(np.ascontiguousarray(col)))
    _report(benchmark, col.size, "baseline bytes(...) copy")


@pytest.mark.parametrize("name", list(CASES))
def test_decode(benchmark, prepared, name):
    codec, values, col = prepared[name]
    arr, inv = benchmark(codec.decode, col)
    assert inv is None and arr.equals(values)
    _report(benchmark, col.size, f"decode {name}")


@pytest.mark.parametrize("name", list(CASES))
def test_encode(benchmark, prepared, name):
    codec, values, col = prepared[name]
    out, failed = benchmark(codec.encode, values)
    assert failed is None and np.array_equal(out, col)
    _report(benchmark, col.size, f"encode {name}")
