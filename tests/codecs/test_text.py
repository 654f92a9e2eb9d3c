"""TextCodec: vectorized code page text <-> Arrow strings, lossless round trips."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.items import text_item

from legacyio.codecs.codepages import get_codepage
from legacyio.codecs.text import TextCodec, utf8_valid_rows
from legacyio.errors import OptionsError
from legacyio.options import FileFormat

PAGES = ["cp037", "cp1047", "cp273", "cp875", "cp1141", "latin-1", "cp1252", "ascii", "cp437"]


def codec(width: int, enc: str = "cp037", trim: str = "right", **kw: bool) -> TextCodec:
    return TextCodec(text_item(width, **kw), FileFormat(encoding=enc), trim=trim)


def rows(*values: bytes) -> np.ndarray:
    return np.frombuffer(b"".join(values), np.uint8).reshape(len(values), -1)


def test_decode_cp037_trims_only_the_code_page_space() -> None:
    c = codec(6)
    mat = rows("AB    ".encode("cp037"), "\x00AB \x00 ".encode("cp037"), b"\x40" * 6)
    vals, invalid = c.decode(mat)
    assert invalid is None
    assert vals.to_pylist() == ["AB", "\x00AB \x00", ""]


@pytest.mark.parametrize(
    ("trim", "expected"),
    [("right", "  AB"), ("left", "AB  "), ("both", "AB"), ("none", "  AB  ")],
)
def test_trim_policies(trim: str, expected: str) -> None:
    for enc in ("cp037", "latin-1", "utf-8"):
        raw = "  AB  ".encode("cp037" if enc == "cp037" else "latin-1")
        assert codec(6, enc, trim).decode(rows(raw))[0].to_pylist() == [expected]
    # the non-ASCII paths trim the same way
    for enc in ("cp037", "latin-1", "utf-8"):
        raw = "  ÄB  ".encode(enc if enc != "latin-1" else "latin-1")
        got = codec(len(raw), enc, trim).decode(rows(raw))[0].to_pylist()
        assert got == [expected.replace("A", "Ä")]


def test_bad_trim_name_is_an_options_error() -> None:
    with pytest.raises(OptionsError):
        codec(3, trim="middle")


def test_non_contiguous_column_slice_and_empty_batch() -> None:
    rec = np.frombuffer(("XXHELLOYY" * 3).encode("cp037"), np.uint8).reshape(3, 9)
    vals, _ = codec(5).decode(rec[:, 2:7])
    assert vals.to_pylist() == ["HELLO"] * 3
    empty, inv = codec(5).decode(np.zeros((0, 5), np.uint8))
    assert len(empty) == 0 and empty.type == pa.string() and inv is None


@pytest.mark.parametrize("enc", PAGES)
def test_every_byte_value_round_trips(enc: str) -> None:
    mat = np.arange(256, dtype=np.uint8).reshape(32, 8)
    for trim in ("right", "none"):
        c = codec(8, enc, trim)
        vals, invalid = c.decode(mat)
        assert invalid is None
        back, failed = c.encode(vals)
        assert failed is None
        assert np.array_equal(back, mat)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(PAGES), st.binary(min_size=40, max_size=40), st.booleans())
def test_arbitrary_bytes_round_trip(enc: str, data: bytes, justified: bool) -> None:
    mat = rows(*(data[i : i + 10] for i in range(0, 40, 10)))
    c = codec(10, enc, "right" if not justified else "left", justified=justified)
    vals, invalid = c.decode(mat)
    assert invalid is None and len(vals) == 4
    back, failed = c.encode(vals)
    assert failed is None
    assert np.array_equal(back, mat)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(PAGES), st.data())
def test_valid_values_round_trip(enc: str, data: st.DataObject) -> None:
    cp = get_codepage(enc)
    alphabet = st.sampled_from([chr(c) for c in cp.decode_table.tolist()])
    values = data.draw(st.lists(st.text(alphabet, max_size=7), min_size=1, max_size=5))
    values = [v.rstrip(" ") for v in values]
    c = codec(7, enc)
    mat, failed = c.encode(pa.array(values))
    assert failed is None and mat.flags.c_contiguous and mat.shape == (len(values), 7)
    assert c.decode(mat)[0].to_pylist() == values


def test_ascii_fast_path_matches_the_general_path() -> None:
    rng = np.random.default_rng(7)
    letters = np.frombuffer("ABC xyz 019".encode("cp037"), np.uint8)
    mat = np.take(letters, rng.integers(0, len(letters), (500, 12)))
    c = codec(12)
    fast, _ = c.decode(mat)
    mixed = mat.copy()
    mixed[0, 0] = "é".encode("cp037")[0]
    slow, _ = c.decode(mixed)
    assert slow.to_pylist()[1:] == fast.to_pylist()[1:]
    assert slow.to_pylist()[0] == "é" + fast.to_pylist()[0][1:]


def test_encode_pads_fails_and_truncates() -> None:
    c = codec(4)
    vals = pa.array(["AB", "ABCDE", None, "A€", "", "é"])
    mat, failed = c.encode(vals)
    assert [bytes(r) for r in mat] == [
        "AB  ".encode("cp037"),
        "ABCD".encode("cp037"),
        b"\x40" * 4,
        "A   ".encode("cp037"),
        b"\x40" * 4,
        "é   ".encode("cp037"),
    ]
    assert failed.tolist() == [False, True, False, True, False, False]
    _, failed_t = c.encode(vals, truncate=True)
    assert failed_t.tolist() == [False, False, False, True, False, False]  # € is unmappable


def test_unmappable_character_fails_when_everything_fits() -> None:
    mat, failed = codec(4).encode(pa.array(["A€", "B", "Ω"]))
    assert failed.tolist() == [True, False, True]
    assert bytes(mat[1]) == "B   ".encode("cp037")


def test_justified_right_pads_left_and_keeps_rightmost() -> None:
    c = codec(4, justified=True)
    mat, failed = c.encode(pa.array(["AB", "ABCDEF"]), truncate=True)
    assert failed is None
    assert [bytes(r) for r in mat] == ["  AB".encode("cp037"), "CDEF".encode("cp037")]
    assert c.decode(mat)[0].to_pylist() == ["  AB", "CDEF"]


def test_large_string_and_chunked_input() -> None:
    c = codec(3, "latin-1")
    a, _ = c.encode(pa.array(["ab", "c"], pa.large_string()))
    b, _ = c.encode(pa.chunked_array([["ab"], ["c"]]))
    assert np.array_equal(a, b) and bytes(a[0]) == b"ab "


def test_alphabetic_is_text_and_fills() -> None:
    c = TextCodec(text_item(3, alphabetic=True), FileFormat())
    assert c.arrow_type == pa.string() and c.width == 3
    assert c.fill("spaces") == b"\x40\x40\x40" == c.fill("zero")
    assert c.fill("low-values") == b"\0\0\0"
    with pytest.raises(ValueError):
        c.fill("high-values")


def test_utf8_file_encoding() -> None:
    c = codec(6, "utf-8")
    mat = rows("é€ ".encode(), b"ab\xff   ", b"ab\xe2\x82  ", b"\xe2\x82\xac   ")
    vals, invalid = c.decode(mat)
    assert invalid.tolist() == [False, True, True, False]
    assert vals.to_pylist() == ["é€", None, None, "€"]
    _enc, failed = c.encode(pa.array(["é€", "ééé€", None]))
    assert failed.tolist() == [False, True, False]
    enc_t, failed_t = c.encode(pa.array(["ééé€", "a€€"]), truncate=True)
    assert failed_t is None
    assert c.decode(enc_t)[0].to_pylist() == ["ééé", "a€"]  # cut on a character boundary


@settings(max_examples=80, deadline=None)
@given(st.binary(min_size=8, max_size=8))
def test_utf8_validator_agrees_with_python(b: bytes) -> None:
    try:
        b.decode("utf-8")
        expected = True
    except UnicodeDecodeError:
        expected = False
    assert bool(utf8_valid_rows(rows(b))[0]) is expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=4), min_size=1, max_size=6))
def test_utf8_values_round_trip(values: list[str]) -> None:
    c = codec(16, "utf-8")
    values = [v.rstrip(" ") for v in values]
    mat, failed = c.encode(pa.array(values))
    assert failed is None
    assert c.decode(mat)[0].to_pylist() == values


@pytest.mark.parametrize("shape", [(0, 5), (1, 1), (3, 1), (5, 3), (4, 25), (7, 2)])
def test_pair_translation_equals_byte_translation(shape) -> None:
    """The two-bytes-at-a-time table gives the same bytes as a per-byte lookup, for odd and
    even sizes and for column slices of a wider matrix."""
    from legacyio.codecs.text import pair_table, translate

    rng = np.random.default_rng(7)
    lut = rng.integers(0, 256, 256).astype(np.uint8)
    n, w = shape
    wide = rng.integers(0, 256, (n, w + 3)).astype(np.uint8)
    for mat in (np.ascontiguousarray(wide[:, :w]), wide[:, 2 : 2 + w]):
        out = translate(mat, pair_table(lut, f"test-{n}-{w}"))
        assert out.shape == (n, w) and out.flags.c_contiguous
        assert np.array_equal(out, lut[mat])
