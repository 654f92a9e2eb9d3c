"""Copybook reference format: detection of free format (code from column 1, ``*>`` comments,
a ``*`` comment outside column 7) and, when the format is wrong, an error that names the line
and column and says which format to try."""

from __future__ import annotations

import pytest

from legacyio import load_copybook
from legacyio.copybook.source import detect_format, format_hint
from legacyio.errors import CopybookError

FIXED_NUMBERED = (
    "000100 01  REC.\n"
    "000200*    a comment in column 7\n"
    "000300     05  A   PIC X(2).\n"
    + "000400     05  B   PIC 9(3).".ljust(72)
    + "REC00400\n"  # columns 73-80
)
FREE_COMMENTS = (
    "*> a free-format copybook\n"
    "   01 REC.\n"
    "      05 A PIC X(2).  *> inline comment\n"
    "      05 B PIC 9(3).\n"
)
FREE_COLUMN_1 = "01 R.  \n05 A   PIC X(2).\n05 B   PIC 9(3).\n"
COLUMN_8_COMMENT = (
    "       01  REC.\n"
    "        * comment indicator one column too far right\n"
    "           05  A   PIC X(2).\n"
    "           05  B   PIC 9(3).\n"
)
COLUMN_8_COMMENT_NUMBERED = (
    "000100 01  REC.\n000200  * comment indicator in column 9\n000300     05  A   PIC X(2).\n"
)


@pytest.mark.parametrize(
    "text, expected",
    [
        (FIXED_NUMBERED, "fixed"),
        (FREE_COMMENTS, "free"),
        (FREE_COLUMN_1, "free"),
        (COLUMN_8_COMMENT, "free"),
        (COLUMN_8_COMMENT_NUMBERED, "fixed"),
        (
            "       01  REC.\n       *> floating comment, fixed format\n           05 A PIC X.\n",
            "fixed",
        ),
    ],
)
def test_detection(text, expected):
    assert detect_format(text) == expected


@pytest.mark.parametrize("text", [FIXED_NUMBERED, FREE_COMMENTS, FREE_COLUMN_1, COLUMN_8_COMMENT])
def test_detected_copybooks_load(text):
    layout = load_copybook(text)
    assert [i.name for i in layout.records[0].children] == ["A", "B"]
    assert layout.record_length == 5


def test_fixed_with_sequence_numbers_read_as_free_names_fixed():
    with pytest.raises(CopybookError) as ei:
        load_copybook(FIXED_NUMBERED, format="free")
    e = ei.value
    assert (e.line, e.column) == (2, 7)
    assert "line 2 has a sequence number in columns 1-6" in e.message
    assert "try --copybook-format fixed (format='fixed')" in e.message


@pytest.mark.parametrize("text, line, column", [(FREE_COMMENTS, 1, 7), (FREE_COLUMN_1, 2, 8)])
def test_free_read_as_fixed_names_free(text, line, column):
    with pytest.raises(CopybookError) as ei:
        load_copybook(text, format="fixed")
    e = ei.value
    assert (e.line, e.column) == (line, column)
    assert f"line {line} has code before column 8" in e.message
    assert "try --copybook-format free (format='free')" in e.message
    assert str(e).startswith(f"<copybook>:{line}:{column}: ")


def test_misplaced_comment_read_as_fixed():
    with pytest.raises(CopybookError) as ei:
        load_copybook(COLUMN_8_COMMENT, format="fixed")
    e = ei.value
    assert (e.line, e.column) == (2, 9)
    assert "line 2 has a '*' comment indicator in column 9" in e.message
    assert "in fixed format it belongs in column 7" in e.message
    assert "try --copybook-format free" in e.message


def test_misplaced_comment_with_sequence_numbers_says_move_it():
    # sequence numbers make it a fixed-format copybook: free format is no answer
    with pytest.raises(CopybookError) as ei:
        load_copybook(COLUMN_8_COMMENT_NUMBERED)
    e = ei.value
    assert (e.line, e.column) == (2, 9)
    assert e.message.endswith(
        "(line 2 has a '*' comment indicator in column 9: in fixed format it belongs in column 7)"
    )
    assert "--copybook-format" not in e.message


def test_no_hint_when_nothing_points_at_the_other_format():
    bad = "       01  REC.\n           05  A   PIC Q(2).\n"
    with pytest.raises(CopybookError) as ei:
        load_copybook(bad)
    assert "--copybook-format" not in str(ei.value)
    assert format_hint(bad, "fixed") is None and format_hint(bad, "free") is None
