"""Helpers for codec tests: build elementary Items directly, without a copybook."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pytest
from tests.support.items import as_matrix, column_slice, numeric_item, plain_item


def check_decode_contract(codec, mat: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """Decode ``mat`` and check the decode contract; return (values, valid mask)."""
    arr, inv = codec.decode(mat)
    assert isinstance(arr, pa.Array)
    assert len(arr) == mat.shape[0]
    assert arr.type == codec.arrow_type
    nulls = np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    if inv is None:
        assert not nulls.any()
    else:
        assert inv.dtype == bool and inv.shape == (mat.shape[0],)
        assert (inv == nulls).all()
    return arr, ~nulls


def check_reencode(codec, mat: np.ndarray) -> None:
    """Property (2): decoding never raises, valid values re-encode without failing to bytes
    that decode to the same values."""
    arr, valid = check_decode_contract(codec, mat)
    out, failed = codec.encode(arr)
    assert out.shape == mat.shape and out.dtype == np.uint8 and out.flags.c_contiguous
    assert failed is None or not failed.any()
    again, _ = codec.decode(out)
    assert again.filter(pa.array(valid)).equals(arr.filter(pa.array(valid)))


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """The helpers above, for tests (hypothesis accepts session-scoped fixtures)."""
    return SimpleNamespace(
        numeric_item=numeric_item,
        plain_item=plain_item,
        as_matrix=as_matrix,
        column_slice=column_slice,
        check_decode_contract=check_decode_contract,
        check_reencode=check_reencode,
    )


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator for randomized (still reproducible) tests."""
    return np.random.default_rng(20260523)


# ---- both engines ------------------------------------------------------------------------
# Every codec test runs once per engine: the NumPy reference and, when legacyio._native is
# built, the Rust kernels (legacyio.codecs.native), selected with engine_scope for the test.
from legacyio.codecs import native as _native_engine  # noqa: E402

ENGINES = ["numpy", "native"] if _native_engine.available() else ["numpy"]


@pytest.fixture(autouse=True, params=ENGINES)
def engine(request: pytest.FixtureRequest):
    """The codec engine of this test run (numpy, native)."""
    with _native_engine.engine_scope(request.param):
        yield request.param
