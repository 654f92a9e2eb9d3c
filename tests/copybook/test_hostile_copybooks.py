"""Copybooks that used to crash or hang (issues 12 and 17): each is now a CopybookError naming
the line (and column where known) before anything is allocated, or it works."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest

import legacyio
from legacyio.copybook.copy import MAX_COPY_DEPTH
from legacyio.copybook.picture import MAX_DIGITS, MAX_REPEAT, analyze_picture
from legacyio.errors import CopybookError
from legacyio.layout.build import MAX_RECORD_LENGTH


def _cb(*lines: str) -> str:
    return "".join(f"       {ln}\n" for ln in lines)


def _refused(cb: str, data: bytes = b"\x40" * 8, **kw) -> CopybookError:
    with pytest.raises(CopybookError) as ei:
        legacyio.read_table(data, cb, **kw)
    return ei.value


def test_lone_surrogate_in_copybook_text_names_line_and_column() -> None:
    cb = _cb("01 R.", "   05 A PIC X(2) VALUE 'a\udcffb'.")
    err = _refused(cb)
    assert (err.line, err.column) == (2, 33)
    assert "U+DCFF" in err.message


def test_lone_surrogate_in_comment_is_refused_not_a_schema_crash() -> None:
    cb = "      * caf\udce9\n" + _cb("01 R.", "   05 A PIC X(2).")
    assert _refused(cb).line == 1


def test_undecodable_file_name_is_printable(tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("byte file names are a POSIX notion")
    raw = os.fsencode(str(tmp_path)) + b"/bad\xff.cpy"
    try:
        with open(raw, "w") as f:
            f.write(_cb("01 R.", "   05 A PIC X(2)."))
    except OSError:
        pytest.skip("the file system refuses undecodable names")
    path = os.fsdecode(raw)
    table = legacyio.read_table(b"AB", path, file_name=True)
    assert table.schema.metadata  # encodable: no UnicodeEncodeError
    with open(raw, "a") as f:
        f.write("       05 B PIC 9(77).\n")
    err = _refused(path)
    str(err).encode("utf-8")  # the message can be printed and logged
    assert "\\udcff" in str(err) or "\\xff" in str(err)


@pytest.mark.parametrize(
    "pic",
    ["9(77)", "S9(70)V9(7)", "9(70)P(7)", "Z(77)", "VP(75)99", "9(99999)", "S9(30000) COMP"],
)
def test_more_digits_than_decimal256_is_refused_naming_the_item(pic: str) -> None:
    err = _refused(_cb("01 R.", "   05 WIDE-ITEM PIC " + pic + "."))
    assert err.line == 2 and err.column is not None
    assert "WIDE-ITEM" in err.message and str(MAX_DIGITS) in err.message


def test_76_digits_still_work() -> None:
    t = legacyio.read_table(b"\xf1" * 76, _cb("01 R.", "   05 A PIC 9(76)."))
    assert t.schema.field("A").type.precision == 76


@pytest.mark.parametrize(
    "pic", ["X(999999999)", "X(99999999999999999999)", "X(134217728)", "N(9" + "9" * 5000 + ")"]
)
def test_huge_repeat_counts_are_refused_before_expanding(pic: str) -> None:
    # free format: a 5,000-digit repeat count (more than int() converts) fits on the line
    tracemalloc.start()
    try:
        with pytest.raises(CopybookError, match=r"repeat count|at most") as ei:
            legacyio.load_copybook(">>SOURCE FORMAT FREE\n01 R.\n 05 A PIC " + pic + ".\n")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ei.value.line == 3
    assert peak < 8 * 2**20  # nothing was written out per character


def test_long_plain_pictures_are_not_written_out() -> None:
    p = analyze_picture(f"X({MAX_REPEAT})")
    assert p.length == MAX_REPEAT and p.symbols == f"X({MAX_REPEAT})"
    assert analyze_picture("X(100)").symbols == "X" * 100


def test_huge_edited_picture_is_refused() -> None:
    with pytest.raises(CopybookError, match="edited pictures may have at most"):
        analyze_picture("X(100000)B")


@pytest.mark.parametrize(
    "lines, words",
    [
        (
            (
                "01 R.",
                "   05 A OCCURS 999999999.",
                "      10 B OCCURS 999999999.",
                "         15 C PIC X.",
            ),
            "OCCURS 999,999,999",
        ),
        (("01 R.", "   05 A OCCURS 99999999999999999999.", "      10 C PIC X."), "OCCURS 99,"),
        (
            ("01 R.", "   05 A OCCURS 20000.", "      10 B OCCURS 20000.", "         15 C PIC X."),
            f"at most {MAX_RECORD_LENGTH:,} bytes",
        ),
        (("01 R.", f"   05 A PIC X({MAX_REPEAT}).", "   05 B PIC X."), "B ends at byte"),
    ],
)
def test_huge_occurs_products_are_refused_at_layout(lines, words) -> None:
    with pytest.raises(CopybookError, match=words.replace("(", r"\(")) as ei:
        legacyio.load_copybook(_cb(*lines))
    assert ei.value.line is not None


def test_wide_binaries_lay_out_quickly() -> None:
    layout = legacyio.load_copybook(
        _cb("01 R.", "   05 A PIC S9(37) COMP.", "   05 B PIC 9(76) COMP.")
    )
    assert [c.size for c in layout.records[0].children] == [16, 32]


def test_two_records_with_the_same_name_are_refused() -> None:
    cb = _cb("01 R.", "   05 N PIC 9.", "01 R.", "   05 Q PIC X.")
    err = _refused(cb, b"\xf1A", record_format="ODO")
    assert err.line == 3 and "defined twice" in err.message


def test_ambiguous_depending_on_is_refused() -> None:
    cb = _cb(
        "01 R.",
        "   05 G1.",
        "      10 N PIC 9.",
        "   05 G2.",
        "      10 N PIC 9.",
        "   05 T OCCURS 1 TO 3 DEPENDING ON N PIC X.",
    )
    err = _refused(cb, b"\xf1\xf1A")
    assert err.line == 6 and "ambiguous" in err.message


@pytest.mark.parametrize("occurs", ["OCCURS 0 DEPENDING ON N", "OCCURS 0 TO 0 DEPENDING ON N"])
@pytest.mark.parametrize("fmt", ["F", "ODO"])
def test_occurs_zero_depending_on_is_refused(occurs: str, fmt: str) -> None:
    cb = _cb("01 R.", "   05 N PIC 9.", f"   05 T {occurs} PIC 9 COMP-3.")
    err = _refused(cb, b"\xf0", record_format=fmt)
    assert err.line == 3 and "at least 1" in err.message


def test_copy_chain_deeper_than_the_bound_is_a_clear_error(tmp_path: Path) -> None:
    depth = 1500
    for i in range(depth):
        (tmp_path / f"M{i}.cpy").write_text(f"       COPY M{i + 1}.\n")
    (tmp_path / f"M{depth}.cpy").write_text("       05 X PIC X.\n")
    (tmp_path / "main.cpy").write_text("       01 R.\n       COPY M0.\n")
    with pytest.raises(CopybookError, match=f"nested more than {MAX_COPY_DEPTH} deep") as ei:
        legacyio.load_copybook(tmp_path / "main.cpy")
    assert ei.value.line == 1 and ei.value.file and ei.value.file.endswith(".cpy")


def test_copy_chain_within_the_bound_works(tmp_path: Path) -> None:
    depth = MAX_COPY_DEPTH - 2
    for i in range(depth):
        (tmp_path / f"M{i}.cpy").write_text(f"       COPY M{i + 1}.\n")
    (tmp_path / f"M{depth}.cpy").write_text("       05 X PIC X(3).\n")
    (tmp_path / "main.cpy").write_text("       01 R.\n       COPY M0.\n")
    assert legacyio.load_copybook(tmp_path / "main.cpy").record_length == 3


def test_long_one_line_copybook_text_is_read_as_text() -> None:
    text = "01 R. " + " ".join(f"05 A{i} PIC X." for i in range(60))
    assert len(text) > 255 and "\n" not in text
    assert legacyio.load_copybook(text).record_length == 60


def test_long_one_line_string_without_a_period_is_no_os_error() -> None:
    with pytest.raises(CopybookError):
        legacyio.load_copybook("01 R " + "X" * 300)
    with pytest.raises(CopybookError, match="not found"):
        legacyio.load_copybook("no/such/" + "d" * 300 + "/file.cpy")
    with pytest.raises(CopybookError, match="not found"):
        legacyio.load_copybook("missing-copybook.cpy")
