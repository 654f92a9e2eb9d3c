"""PICTURE analysis: categories, lengths, digits, scale (P rules), signs and bad pictures."""

from __future__ import annotations

import pytest

from legacyio.copybook.picture import analyze_picture
from legacyio.errors import CopybookError
from legacyio.layout.model import Category as C


@pytest.mark.parametrize(
    "pic, category, length, digits, scale, signed, p_count",
    [
        ("X(10)", C.ALPHANUMERIC, 10, 0, 0, False, 0),
        ("x(3)xx", C.ALPHANUMERIC, 5, 0, 0, False, 0),
        ("A(4)", C.ALPHABETIC, 4, 0, 0, False, 0),
        ("XX9A", C.ALPHANUMERIC, 4, 0, 0, False, 0),
        ("XXBXX/X0", C.ALPHANUMERIC_EDITED, 8, 0, 0, False, 0),
        ("9(5)", C.NUMERIC, 5, 5, 0, False, 0),
        ("S9(7)V99", C.NUMERIC, 9, 9, 2, True, 0),
        ("SV9(7)", C.NUMERIC, 7, 7, 7, True, 0),
        ("9(3)PP", C.NUMERIC, 3, 3, -2, False, 2),
        ("VPP99", C.NUMERIC, 2, 2, 4, False, 2),
        ("PP99", C.NUMERIC, 2, 2, 4, False, 2),
        ("SPPP9(5)", C.NUMERIC, 5, 5, 8, True, 3),
        ("S9PPPV", C.NUMERIC, 1, 1, -3, True, 3),
        ("9(8).9(2)", C.NUMERIC_EDITED, 11, 10, 2, False, 0),
        ("S9(3).99", C.NUMERIC_EDITED, 6, 5, 2, True, 0),
        ("Z(6)VZZ-", C.NUMERIC_EDITED, 9, 8, 2, True, 0),
        ("+9(8)", C.NUMERIC_EDITED, 9, 8, 0, True, 0),
        ("9(6).99-", C.NUMERIC_EDITED, 10, 8, 2, True, 0),
        ("$$,$$9.99CR", C.NUMERIC_EDITED, 11, 6, 2, True, 0),
        ("++++9", C.NUMERIC_EDITED, 5, 4, 0, True, 0),
        ("***,**9.99", C.NUMERIC_EDITED, 10, 8, 2, False, 0),
        ("ZZ9B99", C.NUMERIC_EDITED, 6, 5, 0, False, 0),
        ("N(6)", C.NATIONAL, 6, 0, 0, False, 0),
        ("NNBNN", C.NATIONAL_EDITED, 5, 0, 0, False, 0),
        ("G(4)", C.DBCS, 4, 0, 0, False, 0),
    ],
)
def test_picture_fields(pic, category, length, digits, scale, signed, p_count) -> None:
    p = analyze_picture(pic)
    assert (p.category, p.length, p.digits, p.scale, p.signed, p.p_count) == (
        category,
        length,
        digits,
        scale,
        signed,
        p_count,
    )
    assert p.source == pic
    assert p.symbols == p.symbols.upper()


def test_symbols_expanded_and_explicit_point() -> None:
    p = analyze_picture("s9(3)v9(2)")
    assert p.symbols == "S999V99"
    assert analyze_picture("9(8).9(2)").explicit_point
    assert not analyze_picture("9(8)V9(2)").explicit_point


def test_sign_separate_without_s_is_signed() -> None:
    assert analyze_picture("99V99", sign_separate=True).signed
    assert not analyze_picture("99V99", sign_clause=True).signed


@pytest.mark.parametrize(
    "pic, position, words",
    [
        ("9(0)", 2, "at least 1"),
        ("9S99", 2, "S must be the first"),
        ("9V9V9", 4, "V may appear only once"),
        ("X9V", 3, "not allowed in an alphanumeric"),
        ("9(5", 2, "without a matching"),
        ("X(3))", 5, "without a matching"),
        ("9P9", 2, "P may appear only"),
        ("9K", 2, "not a PICTURE symbol"),
        ("99CR9", 3, "CR must be the last"),
        ("S", 1, "at least one 9"),
    ],
)
def test_bad_pictures(pic: str, position: int, words: str) -> None:
    with pytest.raises(CopybookError) as exc:
        analyze_picture(pic, file="f.cpy", line=3, column=20)
    e = exc.value
    assert (e.file, e.line, e.column) == ("f.cpy", 3, 20 + position - 1)
    assert repr(pic) in str(e) and words in str(e)
