"""EditedCodec: numeric-edited pictures, IBM editing rules, exact decode."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.items import edited_item

from legacyio.codecs.edited import EditedCodec
from legacyio.errors import CopybookError
from legacyio.options import FileFormat

# (picture, value, displayed) -- IBM Enterprise COBOL editing examples and classic cases
IBM_CASES = [
    ("****.**", "0", "****.**"),
    ("ZZZZ.ZZ", "0", "       "),
    ("ZZZZ.99", "0", "    .00"),
    ("****.99", "0", "****.00"),
    ("ZZ99.99", "0", "  00.00"),
    ("Z,ZZZ.ZZ+", "123.45", "  123.45+"),
    ("*,***.**+", "-123.45", "**123.45-"),
    ("**,***,***.**+", "12345678.90", "12,345,678.90+"),
    ("$Z,ZZZ,ZZZ.ZZCR", "12345.67", "$   12,345.67  "),
    ("$B*,***,***.**BBDB", "-12345.67", "$ ***12,345.67  DB"),
    ("$$$$.99", "0.12", "   $.12"),
    ("$$$9.99", "0.12", "  $0.12"),
    ("$,$$$,999.99", "1234.56", "   $1,234.56"),
    ("+,+++,999.99", "-123456.78", " -123,456.78"),
    ("$$,$$$,$$$.99CR", "-1234567", "$1,234,567.00CR"),
    ("++,+++,+++.+++", "0", "              "),
    ("999.99+", "555.55", "555.55+"),
    ("+9999.99", "-6555.55", "-6555.55"),
    ("-$999.99", "-123.45", "-$123.45"),
    ("-$999.99", "123.45", " $123.45"),
    ("$9999.99CR", "123.45", "$0123.45  "),
    ("$9999.99DB", "-123.45", "$0123.45DB"),
    ("$$9.99", "12.34", "$12.34"),
    ("$$,$$9.99", "12.34", "   $12.34"),
    ("++9", "27", "+27"),
    ("++++9", "-157", " -157"),
    ("--9", "27", " 27"),
    ("----9", "-157", " -157"),
    ("ZZ,999", "5", "   005"),
    ("Z(6)VZZ-", "0", "         "),
    ("Z(6)VZZ-", "-0.05", "      05-"),
    ("9(8).9(2)", "12345678.9", "12345678.90"),
    ("+9(8)", "-42", "-00000042"),
    ("99/99/99", "123199", "12/31/99"),
    ("999B999", "123456", "123 456"),
    ("9990", "12", "0120"),
    ("ZZ9PP", "12300", "123"),
]


def codec(pic: str, enc: str = "cp037", **kw: bool) -> EditedCodec:
    return EditedCodec(edited_item(pic, **kw), FileFormat(encoding=enc))


def arrow_values(c: EditedCodec, values: list[str | None]) -> pa.Array:
    t = c.arrow_type
    conv = (lambda v: int(Decimal(v))) if pa.types.is_integer(t) else Decimal
    return pa.array([None if v is None else conv(v) for v in values], t)


@pytest.mark.parametrize(("pic", "value", "shown"), IBM_CASES)
@pytest.mark.parametrize("enc", ["cp037", "latin-1"])
def test_ibm_editing_examples(pic: str, value: str, shown: str, enc: str) -> None:
    c = codec(pic, enc)
    arr = arrow_values(c, [value])
    mat, failed = c.encode(arr)
    assert failed is None
    assert bytes(mat[0]).decode(enc) == shown
    back, invalid = c.decode(mat)
    assert invalid is None
    expected = arr.to_pylist()[0]
    if not c.item.picture.signed:
        expected = abs(expected)
    assert back.to_pylist() == [expected]


def test_blank_when_zero_and_fill() -> None:
    c = codec("9(3).99", blank_when_zero=True)
    mat, _ = c.encode(arrow_values(c, ["0", "1.5"]))
    assert bytes(mat[0]) == b"\x40" * 6 and bytes(mat[1]).decode("cp037") == "001.50"
    assert c.decode(mat)[0].to_pylist() == [Decimal("0.00"), Decimal("1.50")]
    assert codec("ZZ9.99-").fill("zero").decode("cp037") == "  0.00 "
    assert (
        codec("ZZ9").fill("spaces") == b"\x40" * 3 and codec("ZZ9").fill("low-values") == b"\0" * 3
    )


def test_overflow_fails_or_keeps_low_order_digits() -> None:
    c = codec("ZZ9.99-")
    vals = pa.array([Decimal("1234.5"), Decimal("-12.5"), None], pa.decimal128(10, 2))
    mat, failed = c.encode(vals)
    assert failed.tolist() == [True, False, False]
    assert bytes(mat[2]) == b"\x40" * 7  # null: spaces, not a failure
    mat_t, failed_t = c.encode(vals, truncate=True)
    assert failed_t is None
    assert bytes(mat_t[0]).decode("cp037") == "234.50 "


def test_other_input_types_are_rescaled_exactly() -> None:
    c = codec("ZZ9.99")
    mat, failed = c.encode(pa.array([Decimal("1.5"), Decimal("2.125")], pa.decimal128(6, 3)))
    assert failed.tolist() == [False, True]  # 2.125 would lose a digit
    assert bytes(mat[0]).decode("cp037") == "  1.50"
    c_int = codec("ZZZ9")
    mat_i, failed_i = c_int.encode(pa.array([42, 10**5], pa.int64()))
    assert failed_i.tolist() == [False, True] and bytes(mat_i[0]).decode("cp037") == "  42"


def test_invalid_displays_are_null() -> None:
    c = codec("ZZ9.99-")
    texts = ["  1.50-", " A1.50 ", "1 2.00 ", "  1.5X ", "       ", "  0.00 "]
    mat = np.frombuffer("".join(texts).encode("cp037"), np.uint8).reshape(len(texts), 7)
    vals, invalid = c.decode(mat)
    assert invalid.tolist() == [False, True, True, True, True, False]
    assert vals.to_pylist() == [Decimal("-1.50"), None, None, None, None, Decimal("0.00")]
    # spaces are the zero display only where the picture can blank a zero
    blank = np.full((1, 6), 0x40, np.uint8)
    assert codec("ZZZ.ZZ").decode(blank)[0].to_pylist() == [Decimal("0.00")]
    assert codec("9(3).99", blank_when_zero=True).decode(blank)[0].to_pylist() == [Decimal("0")]
    stars = np.frombuffer("***.**".encode("cp037"), np.uint8).reshape(1, 6)
    assert codec("***.**").decode(stars)[0].to_pylist() == [Decimal("0")]


def test_more_than_18_digits_uses_exact_python_path() -> None:
    c = codec("-Z(19)9.99")
    v = Decimal("-12345678901234567890.12")
    mat, failed = c.encode(pa.array([v, None], c.arrow_type))
    assert failed is None
    assert bytes(mat[1]) == b"\x40" * c.width
    assert c.decode(mat)[0].to_pylist() == [v, None]


def test_unsupported_symbol_is_a_copybook_error() -> None:
    with pytest.raises(CopybookError):
        codec("+9.9E+99")


PICTURES = [
    "ZZ9.99-",
    "$$,$$9.99CR",
    "***,**9.99",
    "+++,++9",
    "9(5).99+",
    "Z(4)VZZ",
    "--,--9.9",
    "$ZZ,ZZ9.99DB",
    "ZZ/ZZ/99",
    "++,+++.++",
]


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(PICTURES), st.data())
def test_values_round_trip(pic: str, data: st.DataObject) -> None:
    c = codec(pic)
    digits = c.ndigits
    scale = c.scale
    signed = c.item.picture.signed
    n = data.draw(st.integers(-(10**digits) + 1 if signed else 0, 10**digits - 1))
    value = Decimal(n).scaleb(-scale) if scale > 0 else n
    arr = pa.array([value], c.arrow_type)
    mat, failed = c.encode(arr)
    assert failed is None
    back, invalid = c.decode(mat)
    assert invalid is None and back.to_pylist() == arr.to_pylist()
    again, _ = c.encode(back)
    assert np.array_equal(again, mat)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(PICTURES), st.data())
def test_arbitrary_bytes_never_raise(pic: str, data: st.DataObject) -> None:
    c = codec(pic, "latin-1")
    alphabet = st.sampled_from([*list(b"0123456789 *$+-.,/CRDB"), 0, 193])
    raw = data.draw(st.lists(alphabet, min_size=3 * c.width, max_size=3 * c.width))
    mat = np.array(raw, np.uint8).reshape(3, c.width)
    vals, invalid = c.decode(mat)
    assert len(vals) == 3
    back, _ = c.encode(vals)
    for i in range(3):
        if invalid is not None and invalid[i]:
            assert vals[i].as_py() is None
        else:  # a valid display re-decodes to the same number
            assert c.decode(back[i : i + 1])[0].to_pylist() == [vals[i].as_py()]
