"""Helpers for codec tests: build elementary Items directly, without a copybook."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pytest

from legacyio.layout.model import Category, Item, Picture, Usage
from legacyio.layout.types import storage_size, value_type


def numeric_item(
    digits: int,
    scale: int = 0,
    *,
    signed: bool = True,
    usage: Usage = Usage.DISPLAY,
    p_count: int = 0,
    sign_leading: bool = False,
    sign_separate: bool = False,
) -> Item:
    """A numeric elementary item ``F`` of record ``R`` (PIC S9(digits)V.. / P scaling)."""
    pic = Picture(
        source="test",
        category=Category.NUMERIC,
        length=digits,
        digits=digits,
        scale=scale,
        signed=signed,
        p_count=p_count,
    )
    return Item(
        level=5,
        name="F",
        path=("R", "F"),
        usage=usage,
        offset=0,
        size=storage_size(usage, pic, sign_separate),
        picture=pic,
        value_type=value_type(usage, pic),
        sign_leading=sign_leading,
        sign_separate=sign_separate,
    )


def plain_item(usage: Usage, category: Category | None = None, length: int = 4) -> Item:
    """An item without numeric picture: COMP-1/COMP-2/POINTER/INDEX, or a text picture."""
    pic = None
    if category is not None:
        pic = Picture(source="test", category=category, length=length)
    return Item(
        level=5,
        name="F",
        path=("R", "F"),
        usage=usage,
        offset=0,
        size=storage_size(usage, pic),
        picture=pic,
        value_type=value_type(usage, pic),
    )


def as_matrix(data: bytes | list[bytes], width: int) -> np.ndarray:
    """An ``(n, width)`` uint8 matrix of concatenated records."""
    if isinstance(data, list):
        data = b"".join(data)
    return np.frombuffer(data, dtype=np.uint8).reshape(-1, width)


def column_slice(mat: np.ndarray, left: int = 3, right: int = 2) -> np.ndarray:
    """The same bytes as a non-contiguous column slice of a wider record matrix."""
    n, w = mat.shape
    big = np.full((n, left + w + right), 0x5A, dtype=np.uint8)
    big[:, left : left + w] = mat
    return big[:, left : left + w]


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
# built, the Rust kernels (legacyio.native), selected with engine_scope for the test.
from legacyio import native as _native_engine  # noqa: E402

ENGINES = ["numpy", "native"] if _native_engine.available() else ["numpy"]


@pytest.fixture(autouse=True, params=ENGINES)
def engine(request: pytest.FixtureRequest):
    """The codec engine of this test run (numpy, native)."""
    with _native_engine.engine_scope(request.param):
        yield request.param
