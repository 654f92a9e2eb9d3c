"""The encoder's vectorized shortcuts give the same bytes as the plain paths they replace."""

from __future__ import annotations

import numpy as np
import pytest

from legacyio.writer import cut_rows


@pytest.mark.parametrize("width,lengths", [
    (16, [16, 8, 0, 16]),      # 8-byte units
    (12, [12, 4, 8]),          # 4-byte units
    (10, [6, 10, 2]),          # 2-byte units
    (7, [3, 7, 0, 5]),         # single bytes
    (6, [6, 6]),               # whole rows
    (6, [0, 0]),               # nothing
])
def test_cut_rows_matches_a_byte_mask(width: int, lengths: list[int]) -> None:
    rng = np.random.default_rng(width)
    mat = rng.integers(0, 256, (len(lengths), width), dtype=np.uint8)
    ln = np.array(lengths, dtype=np.int64)
    expected = b"".join(mat[i, :ln[i]].tobytes() for i in range(len(ln)))
    got = cut_rows(mat, ln)
    assert got.dtype == np.uint8 and got.tobytes() == expected


def test_cut_rows_of_no_rows_and_of_a_strided_view() -> None:
    assert cut_rows(np.zeros((0, 5), np.uint8), np.zeros(0, np.int64)).size == 0
    frames = np.arange(40, dtype=np.uint8).reshape(4, 10)
    view = frames[:, 2:]
    got = cut_rows(view, np.array([8, 4, 0, 8]))
    assert got.tobytes() == (frames[0, 2:].tobytes() + frames[1, 2:6].tobytes()
                             + frames[3, 2:].tobytes())
