"""Reference format, tokens, clauses, 88 levels, COPY ... REPLACING and error positions."""

from __future__ import annotations

import warnings
from decimal import Decimal
from pathlib import Path

import pytest

from legacyio.copybook import CopybookWarning, parse
from legacyio.copybook.source import detect_format, read_source
from legacyio.errors import CopybookError
from legacyio.layout import load_copybook
from legacyio.layout.build import build_layout
from legacyio.layout.model import Usage

COPYBOOKS = Path(__file__).resolve().parents[2] / "copybooks"


def fixed(*lines: str) -> str:
    """Lines written from column 8 (area A), as a fixed-format copybook."""
    return "\n".join("       " + ln for ln in lines) + "\n"


def test_fixed_format_columns_comments_and_sequence_area() -> None:
    lines = [
        ("000100 01  REC.", "SEQ00001"),
        ("000200*    05  COMMENTED PIC X(99).", ""),
        ("000300/    page eject", ""),
        ("000400D    05  DEBUG-ONLY PIC X(50).", ""),
        ("000500     05  A PIC X(3).", "IGNORED!"),
        ("000600     05  B PIC 9(2)", "X(99)"),
        ("000700         .", ""),
    ]
    text = "".join(a.ljust(72) + b + "\n" for a, b in lines) + "\x1a\n"
    layout = load_copybook(text)
    assert [i.name for i in layout.items()] == ["REC", "A", "B"]
    assert layout.record_length == 5
    b = layout.find("B")
    assert (b.pos.line, b.pos.column) == (6, 12)
    assert len(parse(text, name="x").entries) == 3  # debug lines are comments by default
    from legacyio.copybook.lexer import tokenize
    from legacyio.copybook.parser import _Parser

    src = read_source(text, debug_lines=True)
    assert len(_Parser(list(tokenize(src)), None).entries()) == 4


def test_tabs_expand_to_8_column_stops() -> None:
    text = "\t01  REC.\n\t    05  A\tPIC X(4).\n"
    layout = load_copybook(text)
    a = layout.find("A")
    assert (a.pos.line, a.pos.column, a.size) == (2, 13, 4)


def test_continuation_of_literal_and_word() -> None:
    text = (
        "       01  REC.\n"
        "           05  A PIC X(70) VALUE 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ab|cut\n"
        "      -    'lmnop'.\n"
        "           05  LONG-NA\n"
        "      -        ME PIC X.\n"
    )
    layout = load_copybook(text)
    a = layout.find("A")
    # the literal runs to column 72 (text past it is ignored) and resumes after the quote
    assert a.value.value == "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ab" + "lmnop"
    assert layout.find("LONG-NAME").size == 1


def test_free_format_detected_and_directive() -> None:
    free = "01 REC.\n  05 A PIC X(2). *> inline comment\n  05 B PIC S9(3) COMP-3\n"
    assert detect_format(free) == "free"
    layout = load_copybook(free)
    assert layout.record_length == 4  # missing final period is fine
    assert layout.find("B").pos.column == 3
    directive = "      >>SOURCE FORMAT FREE\n01 R.\n 05 X PIC X.\n"
    assert read_source(directive).format == "free"
    assert load_copybook(directive).record_length == 1
    assert load_copybook(free, format="free").record_length == 4


def test_lower_case_and_missing_last_period() -> None:
    layout = load_copybook(fixed("01 rec.", "    05 fld pic s9(4) comp sync", ""))
    f = layout.find("FLD")
    assert f.name == "fld" and f.usage == Usage.BINARY and f.sync


@pytest.mark.parametrize(
    "clause, usage, size",
    [
        ("PIC S9(4) DISPLAY", Usage.DISPLAY, 4),
        ("PIC S9(4) USAGE IS DISPLAY", Usage.DISPLAY, 4),
        ("PIC S9(4) COMP", Usage.BINARY, 2),
        ("PIC S9(4) COMPUTATIONAL", Usage.BINARY, 2),
        ("PIC S9(5) COMP-0", Usage.BINARY, 4),
        ("PIC S9(5) COMPUTATIONAL-0", Usage.BINARY, 4),
        ("PIC S9(10) COMP-4", Usage.BINARY, 8),
        ("PIC S9(10) COMPUTATIONAL-4", Usage.BINARY, 8),
        ("PIC S9(4) USAGE BINARY", Usage.BINARY, 2),
        ("PIC S9(4) COMP-5", Usage.COMP5, 2),
        ("PIC S9(9) COMPUTATIONAL-5", Usage.COMP5, 4),
        ("PIC S9(5) COMP-3", Usage.PACKED, 3),
        ("PIC S9(6) COMPUTATIONAL-3", Usage.PACKED, 4),
        ("PIC S9(6) PACKED-DECIMAL", Usage.PACKED, 4),
        ("PIC 9(6) COMP-6", Usage.PACKED_NOSIGN, 3),
        ("PIC 9(5) COMPUTATIONAL-6", Usage.PACKED_NOSIGN, 3),
        ("PIC 9(5) COMP-3U", Usage.PACKED_NOSIGN, 3),
        ("COMP-1", Usage.FLOAT4, 4),
        ("USAGE IS COMPUTATIONAL-1", Usage.FLOAT4, 4),
        ("COMP-2", Usage.FLOAT8, 8),
        ("COMPUTATIONAL-2", Usage.FLOAT8, 8),
        ("PIC N(5) NATIONAL", Usage.NATIONAL, 10),
        ("PIC N(5)", Usage.NATIONAL, 10),
        ("PIC G(3) DISPLAY-1", Usage.DBCS, 6),
        ("PIC G(3)", Usage.DBCS, 6),
        ("POINTER", Usage.POINTER, 4),
        ("USAGE INDEX", Usage.INDEX, 4),
    ],
)
def test_every_usage_spelling(clause: str, usage: Usage, size: int) -> None:
    layout = load_copybook(fixed("01 R.", f"    05 F {clause}."))
    f = layout.find("F")
    assert (f.usage, f.size) == (usage, size)


def test_group_usage_and_sign_apply_to_members() -> None:
    layout = load_copybook(
        fixed(
            "01 R.",
            "    05 G COMP-3.",
            "       10 A PIC S9(5).",
            "       10 B PIC S9(4) COMP.",
            "    05 H SIGN IS LEADING SEPARATE CHARACTER.",
            "       10 C PIC S9(3).",
            "       10 D PIC S9(3) SIGN TRAILING.",
        )
    )
    assert layout.find("A").usage == Usage.PACKED and layout.find("A").size == 3
    assert layout.find("B").usage == Usage.BINARY
    c, d = layout.find("C"), layout.find("D")
    assert c.sign_leading and c.sign_separate and c.size == 4
    assert not d.sign_leading and not d.sign_separate and d.size == 3


def test_88_levels_values_thru_and_figuratives() -> None:
    layout = load_copybook(
        fixed(
            "01 R.",
            "    05 STATUS-CODE PIC X(2).",
            "       88 OK VALUE 'OK'.",
            "       88 BLANK-S VALUES ARE SPACE SPACES.",
            "       88 HI VALUE HIGH-VALUES LOW-VALUE QUOTES ZEROES ALL '*'.",
            "       88 HEX VALUE X'C1C2'.",
            "    05 N PIC S9(3)V9 VALUE -1.5.",
            "       88 SMALL VALUES 1 THRU 9, 20 THROUGH 29.5.",
            "       88 NEG VALUE IS -999.9.",
        )
    )
    conds = {c.name: c for c in layout.find("STATUS-CODE").conditions}
    assert conds["OK"].values[0].value == "OK" and not conds["OK"].values[0].figurative
    assert [v.value for v in conds["BLANK-S"].values] == ["SPACES", "SPACES"]
    assert [v.value for v in conds["HI"].values] == [
        "HIGH-VALUES",
        "LOW-VALUES",
        "QUOTES",
        "ZEROS",
        "ALL *",
    ]
    assert all(v.figurative for v in conds["HI"].values)
    assert conds["HEX"].values[0].value == "\xc1\xc2"
    n = layout.find("N")
    assert n.value.value == Decimal("-1.5")
    small = {c.name: c for c in n.conditions}["SMALL"].values
    assert [(v.value, v.thru) for v in small] == [(1, 9), (20, Decimal("29.5"))]


def test_other_clauses_are_accepted() -> None:
    layout = load_copybook(
        fixed(
            "01 R EXTERNAL GLOBAL.",
            "    05 A PIC X(5) JUSTIFIED RIGHT.",
            "    05 B PIC 9(5) BLANK WHEN ZEROS.",
            "    05 D PIC 9(6) DATE FORMAT YYXXXX.",
            "    05 G GROUP-USAGE NATIONAL.",
            "       10 GN PIC N(2).",
            "    05 T OCCURS 3 TIMES ASCENDING KEY IS K1 K2",
            "         INDEXED BY IX1 IX2.",
            "       10 K1 PIC X.",
            "       10 K2 PIC X.",
            "    05 PIC X(2).",
        )
    )
    r = layout.records[0]
    assert r.external and r.global_
    assert layout.find("A").justified and layout.find("B").blank_when_zero
    t = layout.find("T")
    assert t.occurs.keys == (("ASCENDING", "K1"), ("ASCENDING", "K2"))
    assert t.occurs.indexed_by == ("IX1", "IX2")
    assert r.children[-1].is_filler and r.children[-1].size == 2
    assert layout.record_length == 5 + 5 + 6 + 4 + 6 + 2


def test_unknown_harmless_clause_warns_with_position() -> None:
    text = fixed("01 R.", "    05 A PIC X(3) VOLATILE.", "    05 B PIC X.")
    with pytest.warns(CopybookWarning, match=r":2:26: unknown clause VOLATILE"):
        layout = load_copybook(text)
    assert layout.record_length == 4


@pytest.mark.parametrize(
    "body, line, column, words",
    [
        (("01 R.", "    05 A PIC X(3) FOO PIC X."), 2, 26, "cannot skip"),
        (("01 R.", "    05 A PIC X TYPE T."), 2, 23, "change the item's size"),
        (("01 R.", "    05 A PIC X(3)", "    05 B PIC X."), 3, 12, "expected a clause or '.'"),
        (("01 R.", "    05 A PIC 9(0)."), 2, 22, "repeat count"),
        (
            (
                "01 R.",
                "    05 A OCCURS.",
            ),
            2,
            23,
            "number of occurrences",
        ),
        (("01 R.", "    05 A PIC X.", "    03 B PIC X."), 3, 12, "does not match"),
        (("01 R.", "    05 A PIC X.", "       10 B PIC X."), 3, 15, "cannot have subordinate"),
        (("01 R.", "    05 A PIC X(2) COMP-3."), 2, 26, "numeric PICTURE"),
        (("01 R.", "    05 A."), 2, 12, "needs a PICTURE"),
        (("01 R.", "    05 A PIC X.", "    05 B REDEFINES Z PIC X."), 3, 12, "REDEFINES Z"),
        (("01 R.", "    05 A PIC X VALUE 'abc."), 2, 29, "not closed"),
        (("01 R.", "    5O A PIC X."), 2, 12, "expected a level number"),
        (("01 R.", "    05 A PIC X COMP-1."), 2, 21, "take no PICTURE"),
    ],
)
def test_errors_name_file_line_column(body, line, column, words) -> None:
    with pytest.raises(CopybookError) as exc, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_layout(fixed(*body), name="bad.cpy")
    e = exc.value
    assert (e.file, e.line, e.column) == ("bad.cpy", line, column), str(e)
    assert words in str(e)


def test_copy_replacing_from_search_path(tmp_path: Path) -> None:
    text = fixed(
        "01 CUSTOMER.",
        "    05 CUST-ID PIC 9(6).",
        "    COPY ADDRMEMBER REPLACING ==:PFX:== BY ==HOME==",
        "                              ADDR-LEN BY 25.",
        "    COPY 'addrmember' REPLACING ==:PFX:== BY ==WORK==",
        "         ==ADDR-LEN== BY ==10==.",
    )
    layout = load_copybook(text, search_path=[COPYBOOKS])
    assert layout.find("HOME-STREET").size == 25
    assert layout.find("WORK-STREET").size == 10
    assert layout.find("WORK-ZIP").offset == 6 + 50 + 10 + 20
    street = layout.find("HOME-STREET")
    assert street.pos.file.endswith("addrmember.cpy") and street.pos.line == 4
    # the expanded text re-parses on its own, without the library
    again = load_copybook(layout.source_text)
    assert [(i.dotted, i.offset, i.size) for i in again.items()] == [
        (i.dotted, i.offset, i.size) for i in layout.items()
    ]


def test_copy_from_own_directory_nested_and_cycle(tmp_path: Path) -> None:
    (tmp_path / "INNER.cpy").write_text(fixed("05 INNER-F PIC X(3)."))
    (tmp_path / "middle.cob").write_text(fixed("COPY INNER.", "05 MID-F PIC X."))
    main = tmp_path / "main.cpy"
    main.write_text(fixed("01 R.", "COPY MIDDLE."))
    layout = load_copybook(main)
    assert [i.name for i in layout.items()] == ["R", "INNER-F", "MID-F"]
    assert layout.source_name == "main.cpy"
    (tmp_path / "a.cpy").write_text(fixed("COPY B."))
    (tmp_path / "b.cpy").write_text(fixed("COPY A."))
    cyc = tmp_path / "cyc.cpy"
    cyc.write_text(fixed("01 R.", "COPY A."))
    with pytest.raises(CopybookError, match="COPY cycle") as exc:
        load_copybook(cyc)
    assert exc.value.line == 1 and exc.value.file.endswith("b.cpy")
    with pytest.raises(CopybookError, match="not found") as exc:
        load_copybook(fixed("01 R.", "    COPY NOPE."))
    assert (exc.value.line, exc.value.column) == (2, 17)


def test_copy_leading_replacing(tmp_path: Path) -> None:
    (tmp_path / "m.cpy").write_text(fixed("05 XX-A PIC X.", "05 XX-B PIC X(2)."))
    layout = load_copybook(
        fixed("01 R.", "COPY M REPLACING LEADING ==XX== BY ==YY==."), search_path=[tmp_path]
    )
    assert [i.name for i in layout.items()][1:] == ["YY-A", "YY-B"]


def test_load_copybook_accepts_layout_path_and_text() -> None:
    path = COPYBOOKS / "taxpayer.cpy"
    by_path = load_copybook(path)
    by_str = load_copybook(str(path))
    assert by_path.record_length == by_str.record_length == 187
    assert load_copybook(by_path) is by_path
    assert load_copybook("01 A PIC X(3).").record_length == 3
    assert by_path.source_text == path.read_text()
    with pytest.raises(CopybookError, match="not found"):
        load_copybook("no/such/file.cpy")
