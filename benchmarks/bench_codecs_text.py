"""Micro-benchmarks of the text-side codecs on 64k rows, next to a bytes copy baseline.

Run: ``python -m pytest benchmarks/bench_codecs_text.py --benchmark-only -q``; the end-of-run
summary of ``benchmarks/conftest.py`` prints MB/s (field bytes per second) and records/s.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from tests.support.items import edited_item, national_item, text_item

from legacyio.codecs.edited import EditedCodec
from legacyio.codecs.national import NationalCodec
from legacyio.codecs.text import TextCodec
from legacyio.options import FileFormat

N = 65536
RNG = np.random.default_rng(1)


def _text_matrix(width: int, non_ascii: bool) -> np.ndarray:
    letters = np.frombuffer("ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789".encode("cp037"), np.uint8)
    mat = np.take(letters, RNG.integers(0, len(letters), (N, width)))
    mat[:, width * 2 // 3 :] = 0x40  # trailing spaces, as in real names/addresses
    if non_ascii:
        mat[::50, 1] = "Ä".encode("cp037")[0]
    return mat


def _record_slice(mat: np.ndarray) -> np.ndarray:
    """The field as a column slice of a wider record matrix (the engine's real input)."""
    rec = np.zeros((mat.shape[0], mat.shape[1] + 40), np.uint8)
    rec[:, 20 : 20 + mat.shape[1]] = mat
    return rec[:, 20 : 20 + mat.shape[1]]


def _report(benchmark: Any, fn: Callable[[], object], nbytes: int) -> None:
    benchmark.extra_info.update(bytes=int(nbytes), records=N)
    benchmark(fn)
    if benchmark.stats:  # None when benchmarks are disabled (plain pytest run)
        benchmark.extra_info["MB/s"] = round(nbytes / benchmark.stats.stats.mean / 1e6, 1)


def test_baseline_bytes_copy(benchmark) -> None:
    mat = _record_slice(_text_matrix(30, False))
    _report(benchmark, lambda: bytes(mat), mat.size)


@pytest.mark.parametrize("non_ascii", [False, True], ids=["ascii", "non-ascii"])
def test_text_decode(benchmark, non_ascii: bool) -> None:
    c = TextCodec(text_item(30), FileFormat())
    mat = _record_slice(_text_matrix(30, non_ascii))
    _report(benchmark, lambda: c.decode(mat), mat.size)


@pytest.mark.parametrize("non_ascii", [False, True], ids=["ascii", "non-ascii"])
def test_text_encode(benchmark, non_ascii: bool) -> None:
    c = TextCodec(text_item(30), FileFormat())
    values, _ = c.decode(_text_matrix(30, non_ascii))
    _report(benchmark, lambda: c.encode(values), N * 30)


def test_national_decode_encode(benchmark) -> None:
    c = NationalCodec(national_item(15), FileFormat())
    values = pa.array([f"NAME {i % 997} é" for i in range(N)])
    mat, _ = c.encode(values)
    _report(benchmark, lambda: c.encode(c.decode(mat)[0]), 2 * mat.size)


def test_edited_decode(benchmark) -> None:
    c = EditedCodec(edited_item("$$,$$$,$$9.99CR"), FileFormat())
    vals = pa.array(
        [Decimal(int(x)).scaleb(-2) for x in RNG.integers(-(10**9), 10**9, N)], c.arrow_type
    )
    mat, _ = c.encode(vals)
    _report(benchmark, lambda: c.decode(mat), mat.size)


def test_edited_encode(benchmark) -> None:
    c = EditedCodec(edited_item("$$,$$$,$$9.99CR"), FileFormat())
    vals = pa.array(
        [Decimal(int(x)).scaleb(-2) for x in RNG.integers(-(10**9), 10**9, N)], c.arrow_type
    )
    _report(benchmark, lambda: c.encode(vals), N * c.width)
