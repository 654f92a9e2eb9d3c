"""The encoder's vectorized shortcuts give the same bytes as the plain paths they replace."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import legacyio
from legacyio.codecs.codepages import get_codepage
from legacyio.codecs.text import TextCodec
from legacyio.engine.write import cut_rows
from legacyio.options import FileFormat
from tests.support.builders import cobol, e, zoned
from tests.support.items import text_item


@pytest.mark.parametrize(
    "width,lengths",
    [
        (16, [16, 8, 0, 16]),  # 8-byte units
        (12, [12, 4, 8]),  # 4-byte units
        (10, [6, 10, 2]),  # 2-byte units
        (7, [3, 7, 0, 5]),  # single bytes
        (6, [6, 6]),  # whole rows
        (6, [0, 0]),  # nothing
    ],
)
def test_cut_rows_matches_a_byte_mask(width: int, lengths: list[int]) -> None:
    rng = np.random.default_rng(width)
    mat = rng.integers(0, 256, (len(lengths), width), dtype=np.uint8)
    ln = np.array(lengths, dtype=np.int64)
    expected = b"".join(mat[i, : ln[i]].tobytes() for i in range(len(ln)))
    got = cut_rows(mat, ln)
    assert got.dtype == np.uint8 and got.tobytes() == expected


def test_cut_rows_with_many_distinct_lengths_takes_the_mask_gather() -> None:
    rng = np.random.default_rng(7)
    ln = rng.permutation(np.arange(300, dtype=np.int64))  # 300 lengths > _CUT_GROUPS
    mat = rng.integers(0, 256, (300, 299), dtype=np.uint8)
    ln = np.minimum(ln, 299)
    expected = b"".join(mat[i, : ln[i]].tobytes() for i in range(len(ln)))
    assert cut_rows(mat, ln).tobytes() == expected


def test_cut_rows_of_no_rows_and_of_a_strided_view() -> None:
    assert cut_rows(np.zeros((0, 5), np.uint8), np.zeros(0, np.int64)).size == 0
    frames = np.arange(40, dtype=np.uint8).reshape(4, 10)
    view = frames[:, 2:]
    got = cut_rows(view, np.array([8, 4, 0, 8]))
    assert got.tobytes() == (
        frames[0, 2:].tobytes() + frames[1, 2:6].tobytes() + frames[3, 2:].tobytes()
    )


# --------------------------------------------------------------------------- text
def _text_codec(width: int, enc: str = "cp037", justified: bool = False) -> TextCodec:
    return TextCodec(text_item(width, justified=justified), FileFormat(encoding=enc))


def _expected_text(
    values: list, width: int, enc: str, justified: bool, truncate: bool = False
) -> tuple[bytes, list[bool]]:
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
@pytest.mark.parametrize("width", [1, 2, 3, 4, 7, 8, 9, 25, 300])
def test_text_fast_path_mixes_ascii_accented_long_and_null_rows(
    width: int, justified: bool
) -> None:
    values = [
        "AB",
        "Zoë",
        None,
        "",
        "x" * width,
        "é" * width,
        "y" * (width + 1),
        "MÜLLER"[:width],
        "ñ" * (width + 2),
        "q",
    ]
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
    arr = pa.Array.from_buffers(
        pa.string(),
        3,
        [
            pa.py_buffer(np.packbits([True, False, True], bitorder="little")),
            pa.py_buffer(offsets),
            pa.py_buffer(b"abXYZc"),
        ],
        null_count=1,
    )
    got, failed = _text_codec(4).encode(arr)
    assert got.tobytes() == e("ab  ") + e("    ") + e("c   ") and failed is None
    arr = pa.Array.from_buffers(
        pa.string(),
        2,
        [
            pa.py_buffer(np.packbits([False, True], bitorder="little")),
            pa.py_buffer(np.array([0, 6, 7], np.int32)),
            pa.py_buffer(b"abcdefg"),
        ],
        null_count=1,
    )
    got, failed = _text_codec(4).encode(arr)  # the null's bytes are longer than the field
    assert got.tobytes() == e("    ") + e("g   ") and failed is None


def test_text_ascii_character_missing_from_the_page_fails_its_row() -> None:
    cp = get_codepage("cp420")
    missing = next(chr(i) for i in range(32, 128) if cp.from_ascii[i] < 0)
    values = ["AB", f"A{missing}", "CD"]
    got, failed = _text_codec(3, enc="cp420").encode(pa.array(values))
    exp, exp_failed = _expected_text(values, 3, "cp420", False)
    assert got.tobytes() == exp and failed.tolist() == exp_failed == [False, True, False]


# --------------------------------------------------------------------------- plan
def test_occurs_in_a_redefines_chain_writes_only_the_non_null_alternative() -> None:
    cb = cobol("""
    01 REC.
       05 A.
          10 AV  PIC 9(2) OCCURS 3.
       05 B REDEFINES A.
          10 BV  PIC X(6).
       05 T      PIC S9(3) COMP-3 OCCURS 2.
    """)
    a_t = pa.struct([pa.field("AV", pa.list_(pa.int32()))])
    b_t = pa.struct([pa.field("BV", pa.string())])
    t = pa.table(
        {
            "A": pa.array([{"AV": [1, 2, 3]}, None, {"AV": [4, 5, 6]}], a_t),
            "B": pa.array([None, {"BV": "xyz"}, None], b_t),
            "T": pa.array([[1, -2], [3, 4], [5, 6]], pa.list_(pa.int32())),
        }
    )
    out = legacyio.encode(t, cb)
    z = [zoned(v, 2, signed=False) for v in range(7)]
    expected = [z[1] + z[2] + z[3], e("xyz", 6), z[4] + z[5] + z[6]]
    pk = {
        1: b"\x00\x1c",
        -2: b"\x00\x2d",
        3: b"\x00\x3c",
        4: b"\x00\x4c",
        5: b"\x00\x5c",
        6: b"\x00\x6c",
    }
    tails = [pk[1] + pk[-2], pk[3] + pk[4], pk[5] + pk[6]]
    assert out == b"".join(x + y for x, y in zip(expected, tails))


def test_fixed_occurs_of_groups_full_and_short_rows() -> None:
    cb = cobol("""
    01 REC.
       05 G OCCURS 2.
          10 C   PIC X(2).
          10 N   PIC 9.
    """)
    g = pa.struct([pa.field("C", pa.string()), pa.field("N", pa.int32())])
    full = pa.table({"G": pa.array([[{"C": "ab", "N": 1}, {"C": "c", "N": 2}]] * 2, pa.list_(g))})
    row = e("ab") + zoned(1, 1, signed=False) + e("c ") + zoned(2, 1, signed=False)
    assert legacyio.encode(full, cb) == row * 2
    short = pa.table(
        {
            "G": pa.array(
                [[{"C": "ab", "N": 1}], [{"C": "ab", "N": 1}, {"C": "c", "N": 2}]], pa.list_(g)
            )
        }
    )
    assert legacyio.encode(short, cb, null_as="spaces") == (
        e("ab") + zoned(1, 1, signed=False) + e("   ") + row
    )


@pytest.mark.parametrize("big_m", [3, 300])  # table-picked and compared selection masks
def test_odo_table_rows_of_every_count(big_m: int) -> None:
    cb = cobol(f"""
    01 REC.
       05 CNT    PIC 9(3).
       05 TBL    OCCURS 0 TO {big_m} TIMES DEPENDING ON CNT.
          10 V   PIC 9.
    """)
    counts = [0, 1, big_m, 2]
    item = pa.struct([pa.field("V", pa.int32())])
    t = pa.table(
        {
            "CNT": pa.array(counts, pa.int32()),
            "TBL": pa.array([[{"V": j % 10} for j in range(c)] for c in counts], pa.list_(item)),
        }
    )
    expected = b"".join(
        zoned(c, 3, signed=False)
        + b"".join(zoned(j % 10, 1, signed=False) for j in range(c))
        + e(" " * (big_m - c))
        for c in counts
    )
    assert legacyio.encode(t, cb) == expected
