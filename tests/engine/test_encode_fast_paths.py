"""The encoder's vectorized shortcuts give the same bytes as the plain paths they replace."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "codecs"))
from _items_text import text_item  # noqa: E402

from legacyio.codecs.codepages import get_codepage  # noqa: E402
from legacyio.codecs.text import TextCodec  # noqa: E402
from legacyio.options import FileFormat  # noqa: E402
from legacyio.writer import cut_rows  # noqa: E402


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


# --------------------------------------------------------------------------- text
def _text_codec(width: int, enc: str = "cp037", justified: bool = False) -> TextCodec:
    return TextCodec(text_item(width, justified=justified), FileFormat(encoding=enc))


def _expected_text(values: list, width: int, enc: str, justified: bool,
                   truncate: bool = False) -> tuple[bytes, list[bool]]:
    """Reference: each value through the page's own table, one at a time."""
    cp = get_codepage(enc)
    out, failed = b"", []
    for v in values:
        if v is None:
            out += bytes([cp.space]) * width
            failed.append(False)
            continue
        chars = v[-width:] if justified else v[:width]
        bad = len(v) > width and not truncate
        enc_b = b""
        for ch in chars:
            try:
                enc_b += bytes([cp.byte_of(ch)])
            except KeyError:
                enc_b += bytes([cp.space])
                bad = True
        pad = bytes([cp.space]) * (width - len(enc_b))
        out += pad + enc_b if justified else enc_b + pad
        failed.append(bad)
    return out, failed


@pytest.mark.parametrize("justified", [False, True])
@pytest.mark.parametrize("width", [1, 2, 7, 300])
def test_text_fast_path_mixes_ascii_accented_long_and_null_rows(width: int,
                                                                justified: bool) -> None:
    values = ["AB", "Zoë", None, "", "x" * width, "é" * width, "y" * (width + 1),
              "MÜLLER"[:width], "ñ" * (width + 2), "q"]
    c = _text_codec(width, justified=justified)
    for truncate in (False, True):
        got, failed = c.encode(pa.array(values, pa.string()), truncate=truncate)
        exp, exp_failed = _expected_text(values, width, "cp037", justified, truncate)
        assert got.tobytes() == exp
        assert (failed.tolist() if failed is not None else [False] * len(values)) == exp_failed


def test_text_fast_path_all_full_all_null_and_no_rows() -> None:
    c = _text_codec(3)
    got, failed = c.encode(pa.array(["abc", "XYZ", "1 2"]))
    assert got.tobytes() == "abcXYZ1 2".encode("cp037") and failed is None
    got, failed = c.encode(pa.array([None, None], pa.string()))
    assert got.tobytes() == b"\x40" * 6 and failed is None
    got, failed = c.encode(pa.array([], pa.string()))
    assert got.shape == (0, 3) and failed is None


def test_text_null_rows_that_carry_bytes_are_written_as_spaces() -> None:
    # a null whose offsets still span bytes (legal Arrow): they must not reach the output
    offsets = np.array([0, 2, 5, 6], dtype=np.int32)
    arr = pa.Array.from_buffers(pa.string(), 3, [pa.py_buffer(np.packbits(
        [True, False, True], bitorder="little")), pa.py_buffer(offsets),
        pa.py_buffer(b"abXYZc")], null_count=1)
    got, failed = _text_codec(4).encode(arr)
    assert got.tobytes() == e_("ab  ") + e_("    ") + e_("c   ") and failed is None
    arr = pa.Array.from_buffers(pa.string(), 2, [pa.py_buffer(np.packbits(
        [False, True], bitorder="little")), pa.py_buffer(np.array([0, 6, 7], np.int32)),
        pa.py_buffer(b"abcdefg")], null_count=1)
    got, failed = _text_codec(4).encode(arr)  # the null's bytes are longer than the field
    assert got.tobytes() == e_("    ") + e_("g   ") and failed is None


def test_text_ascii_character_missing_from_the_page_fails_its_row() -> None:
    cp = get_codepage("cp420")
    missing = next(chr(i) for i in range(32, 128) if cp.from_ascii[i] < 0)
    values = ["AB", f"A{missing}", "CD"]
    got, failed = _text_codec(3, enc="cp420").encode(pa.array(values))
    exp, exp_failed = _expected_text(values, 3, "cp420", False)
    assert got.tobytes() == exp and failed.tolist() == exp_failed == [False, True, False]


def e_(s: str) -> bytes:
    return s.encode("cp037")
