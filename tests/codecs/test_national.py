"""NationalCodec / DbcsCodec: UTF-16BE fields <-> Arrow strings."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.items import national_item

from legacyio.codecs.national import DbcsCodec, NationalCodec
from legacyio.options import FileFormat


def codec(chars: int, trim: str = "right", **kw: bool) -> NationalCodec:
    return NationalCodec(national_item(chars, **kw), FileFormat(), trim=trim)


def rows(*values: bytes) -> np.ndarray:
    return np.frombuffer(b"".join(values), np.uint8).reshape(len(values), -1)


def test_decode_and_trim() -> None:
    mat = rows(" Aé€".encode("utf-16-be"), "𝄞  ".encode("utf-16-be"), "    ".encode("utf-16-be"))
    assert codec(4).width == 8
    assert codec(4).decode(mat)[0].to_pylist() == [" Aé€", "𝄞", ""]
    assert codec(4, "left").decode(mat)[0].to_pylist() == ["Aé€", "𝄞  ", ""]
    assert codec(4, "none").decode(mat)[0].to_pylist() == [" Aé€", "𝄞  ", "    "]


def test_lone_and_reversed_surrogates_are_invalid() -> None:
    mat = rows(
        bytes.fromhex("d834004100200020"),  # high surrogate then 'A'
        bytes.fromhex("dd1ed83400200020"),  # low before high
        bytes.fromhex("00410042d834dd1e"),  # valid pair at the end
        bytes.fromhex("004100420043d834"),  # pair cut by the end of the field
    )
    vals, invalid = codec(4).decode(mat)
    assert invalid.tolist() == [True, True, False, True]
    assert vals.to_pylist() == [None, None, "AB𝄞", None]


def test_encode_pads_fails_truncates_without_splitting_pairs() -> None:
    c = codec(3)
    mat, failed = c.encode(pa.array(["A", "ABCD", None, "A𝄞", "AB𝄞"]))
    assert failed.tolist() == [False, True, False, False, True]
    assert bytes(mat[0]) == "A  ".encode("utf-16-be") and bytes(mat[2]) == b"\x00\x20" * 3
    mat_t, failed_t = c.encode(pa.array(["AB𝄞", "ABCD"]), truncate=True)
    assert failed_t is None
    assert c.decode(mat_t)[0].to_pylist() == ["AB", "ABC"]
    j = codec(3, justified=True)
    mat_j, _ = j.encode(pa.array(["𝄞AB", "A"]), truncate=True)
    assert j.decode(mat_j)[0].to_pylist() == [" AB", "  A"]
    assert bytes(mat_j[0]) == " AB".encode("utf-16-be")
    assert bytes(mat_j[1]) == "  A".encode("utf-16-be")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=5), min_size=1, max_size=6))
def test_valid_values_round_trip(values: list[str]) -> None:
    values = [v.rstrip(" ") for v in values]
    c = codec(10)
    mat, failed = c.encode(pa.array(values))
    assert failed is None and mat.shape == (len(values), 20) and mat.flags.c_contiguous
    assert c.decode(mat)[0].to_pylist() == values


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=24, max_size=24))
def test_arbitrary_bytes_never_raise_and_valid_rows_round_trip(data: bytes) -> None:
    mat = rows(data[:8], data[8:16], data[16:])
    c = codec(4, "none")
    vals, invalid = c.decode(mat)
    back, _ = c.encode(vals)
    for i in range(3):
        if invalid is None or not invalid[i]:
            assert bytes(back[i]) == bytes(mat[i])
        else:
            assert vals[i].as_py() is None


def test_dbcs_codec_reads_utf16_and_fills() -> None:
    c = DbcsCodec(national_item(2, dbcs=True), FileFormat())
    assert c.width == 4 and c.arrow_type == pa.string()
    vals, _ = c.decode(rows("日本".encode("utf-16-be")))
    assert vals.to_pylist() == ["日本"]
    assert c.fill("spaces") == b"\x00\x20\x00\x20" and c.fill("low-values") == b"\0" * 4
    with pytest.raises(ValueError):
        c.fill("nope")
