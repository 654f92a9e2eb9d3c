"""Arrow buffers and row layouts shared by the codecs: validity bitmaps, NumPy views of Arrow
data, whole-row copies into the record matrix and per-row column masks.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa


# ---------------------------------------------------------------------------------------------
# masks and Arrow buffers
# ---------------------------------------------------------------------------------------------
def validity_buffer(valid: np.ndarray | None) -> tuple[pa.Buffer | None, int]:
    """Arrow validity bitmap and null count for a bool mask (None means all valid)."""
    if valid is None:
        return None, 0
    nulls = int(valid.size - np.count_nonzero(valid))
    if nulls == 0:
        return None, 0
    return pa.py_buffer(np.packbits(valid, bitorder="little")), nulls


def valid_mask(arr: pa.Array) -> np.ndarray | None:
    """Bool mask of non-null rows of ``arr`` (None when it has no nulls)."""
    if arr.null_count == 0:
        return None
    buf = arr.buffers()[0]
    n = len(arr)
    if buf is None:  # a null-typed array or similar: every row null
        return np.zeros(n, dtype=bool)
    bits = np.unpackbits(np.frombuffer(buf, dtype=np.uint8), bitorder="little")
    return bits[arr.offset : arr.offset + n].astype(bool)


def data_view(arr: pa.Array, dtype: npt.DTypeLike, per_value: int = 1) -> np.ndarray:
    """Zero-copy NumPy view of the data buffer of a fixed-width array (honours the offset)."""
    dt = np.dtype(dtype)
    n = len(arr)
    buf = arr.buffers()[1]
    if buf is None or n == 0:
        return np.zeros(n * per_value, dtype=dt)
    return np.frombuffer(
        buf, dtype=dt, count=n * per_value, offset=arr.offset * per_value * dt.itemsize
    )


def as_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A plain (non-chunked) Arrow array."""
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values


_ITEM_DTYPES: dict[int, np.dtype] = {
    1: np.dtype(np.uint8),
    2: np.dtype(np.uint16),
    4: np.dtype(np.uint32),
    8: np.dtype(np.uint64),
}


def row_items(a: np.ndarray) -> np.ndarray:
    """A ``(..., w)`` byte array with contiguous rows seen as ``(...)`` items of w bytes (a
    view; ValueError when the rows are not contiguous)."""
    w = a.shape[-1]
    dt: np.dtype = _ITEM_DTYPES.get(w) or np.dtype(f"V{w}")
    return a.view(dt)[..., 0]


def put_rows(dst: np.ndarray, src: np.ndarray, where: np.ndarray | None = None) -> None:
    """``dst[...] = src`` (or ``dst[where] = src``) for byte matrices of w-byte rows, copied
    as whole items: several times faster than copying w single bytes per row when ``dst`` is
    a column slice of the record matrix."""
    if dst.shape[-1] == 0:
        return
    try:
        d, s = row_items(dst), row_items(src)
    except ValueError:  # rows not contiguous: plain byte copy
        d, s = dst, src
    if where is None:
        d[...] = s
    else:
        d[where] = s


_MASKS: dict[tuple[int, bool], np.ndarray] = {}


def columns_mask(lengths: np.ndarray, w: int, from_end: bool = False) -> np.ndarray:
    """(n, w) bool: the columns a value of ``lengths[i]`` units fills in row i (the first
    ones, or the last ones ``from_end``): text under its field, occurrences of an OCCURS
    table. Rows of a table of the w + 1 possible rows are gathered, which is several times
    faster than comparing against a column range."""
    if w > 256:
        cols = np.arange(w)[None, :]
        lens = lengths[:, None]
        return cols >= w - lens if from_end else cols < lens
    table = _MASKS.get((w, from_end))
    if table is None:
        cols, lens = np.arange(w)[None, :], np.arange(w + 1)[:, None]
        table = _MASKS[(w, from_end)] = cols >= w - lens if from_end else cols < lens
    return np.take(table, lengths, axis=0)


_NUMPY_DTYPES: dict[pa.DataType, np.dtype] = {
    pa.int8(): np.dtype(np.int8),
    pa.int16(): np.dtype(np.int16),
    pa.int32(): np.dtype(np.int32),
    pa.int64(): np.dtype(np.int64),
    pa.uint8(): np.dtype(np.uint8),
    pa.uint16(): np.dtype(np.uint16),
    pa.uint32(): np.dtype(np.uint32),
    pa.uint64(): np.dtype(np.uint64),
    pa.float16(): np.dtype(np.float16),
    pa.float32(): np.dtype(np.float32),
    pa.float64(): np.dtype(np.float64),
}


def numpy_dtype(t: pa.DataType) -> np.dtype:
    """The NumPy dtype of a fixed-width Arrow integer or float type (what
    ``DataType.to_pandas_dtype()`` gives, without importing pandas as it does before
    pyarrow 26)."""
    try:
        return _NUMPY_DTYPES[t]
    except KeyError:
        raise TypeError(f"no NumPy dtype for Arrow type {t}") from None


def as_string_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Accept string/large_string (or chunked) input and return one pa.string array."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    return values
