"""Layout rules: offsets, REDEFINES areas, SYNC slack, OCCURS/ODO, 66/77/88 levels, lookups,
minimum lengths and the schema description."""

from __future__ import annotations

from pathlib import Path

import pytest

from legacyio.errors import CopybookError
from legacyio.layout import load_copybook
from legacyio.layout.model import min_length

COPYBOOKS = Path(__file__).resolve().parents[2] / "copybooks"


def fixed(*lines: str) -> str:
    return "\n".join("       " + ln for ln in lines) + "\n"


def test_ibm_slack_bytes_examples() -> None:
    # IBM Language Reference, "Slack bytes within records"
    layout = load_copybook(
        fixed(
            "01 FIELD-A.",
            "    05 FIELD-B PIC X(5).",
            "    05 FIELD-C.",
            "       10 FIELD-D PIC XX.",
            "       10 FIELD-E COMPUTATIONAL PIC S9(6) SYNC.",
            "01 FIELD-L.",
            "    05 FIELD-M PIC X(5).",
            "    05 FIELD-N PIC XX.",
            "    05 FIELD-O.",
            "       10 FIELD-P COMPUTATIONAL PIC S9(6) SYNC.",
        )
    )
    e = layout.find("FIELD-E")
    assert (e.offset, e.slack_before, e.size) == (8, 1, 4)
    assert layout.find("FIELD-C").size == 7 and layout.records[0].size == 12
    p = layout.find("FIELD-P")
    assert (p.offset, p.slack_before) == (8, 1)
    assert layout.find("FIELD-O").offset == 7


def test_sync_alignment_per_usage_and_in_occurs() -> None:
    layout = load_copybook(
        fixed(
            "01 R.",
            "    05 A PIC X.",
            "    05 H PIC S9(4) COMP SYNC.",
            "    05 B PIC X.",
            "    05 F COMP-1 SYNC.",
            "    05 C PIC X.",
            "    05 D COMP-2 SYNC.",
            "    05 E PIC X.",
            "    05 W PIC S9(18) BINARY SYNC.",
            "    05 G PIC X.",
            "    05 P3 PIC S9(5) COMP-3 SYNC.",
            "    05 WORK-CODE PIC X.",
            "    05 COMP-TABLE OCCURS 10 TIMES.",
            "       10 COMP-TYPE PIC X.",
            "       10 COMP-PAY PIC S9(4)V99 COMP SYNC.",
            "       10 COMP-COUNT PIC S9(4) COMP SYNC.",
            "       10 COMP-NAME PIC X(5).",
        )
    )
    got = {
        n: (layout.find(n).offset, layout.find(n).slack_before) for n in ("H", "F", "D", "W", "P3")
    }
    assert got == {"H": (2, 1), "F": (8, 3), "D": (16, 3), "W": (28, 3), "P3": (37, 0)}
    table = layout.find("COMP-TABLE")
    # 1 + 2 slack + 4 + 2 + 5 = 14, padded to a multiple of 4 at the end of each occurrence
    assert (table.offset, table.size) == (41, 16)
    assert layout.find("COMP-PAY").offset % 4 == 0
    assert layout.find("COMP-PAY").slack_before == 2
    assert layout.record_length == 41 + 160


def test_sync_on_group_applies_to_members() -> None:
    layout = load_copybook(fixed("01 R SYNC.", "    05 A PIC X.", "    05 B PIC S9(9) COMP."))
    assert layout.find("B").offset == 4 and layout.find("B").slack_before == 3


def test_redefines_larger_grows_area_and_multiple_records() -> None:
    layout = load_copybook(
        fixed(
            "01 REC-A.",
            "    05 K PIC X(4).",
            "    05 SHORT PIC X(2).",
            "    05 LONGER REDEFINES SHORT PIC X(10).",
            "    05 OTHER REDEFINES SHORT.",
            "       10 O1 PIC 9(3).",
            "    05 AFTER PIC X.",
            "01 REC-B REDEFINES REC-A.",
            "    05 WHOLE PIC X(20).",
        )
    )
    assert layout.find("LONGER").offset == 4 and layout.find("OTHER").offset == 4
    assert layout.find("AFTER").offset == 14
    a, b = layout.records
    assert (a.size, b.offset, b.size, layout.record_length) == (15, 0, 20, 20)
    assert b.redefines == "REC-A"


def test_nested_odo_and_min_length() -> None:
    layout = load_copybook(
        fixed(
            "01 R.",
            "    05 N PIC 9.",
            "    05 OUTER OCCURS 1 TO 3 DEPENDING ON N.",
            "       10 M PIC S9(4) COMP.",
            "       10 INNER OCCURS 0 TO 4 TIMES DEPENDING ON M OF OUTER.",
            "          15 V PIC X(3).",
            "    05 TAIL PIC X(2).",
        )
    )
    outer, inner = layout.find("OUTER"), layout.find("INNER")
    assert (outer.size, outer.total_size) == (14, 42)
    assert inner.occurs.depending_path == ("R", "OUTER", "M")
    assert outer.occurs.depending_path == ("R", "N")
    assert layout.find("TAIL").offset == 43
    assert layout.record_length == 45
    assert layout.min_record_length == 1 + 1 * 2 + 2 == min_length(layout.records[0])
    assert min_length(inner) == 0
    assert outer.occurs is not None and inner.occurs is not None


def test_occurs_without_min_defaults_to_one() -> None:
    layout = load_copybook(
        fixed("01 R.", "    05 N PIC 99.", "    05 T PIC X OCCURS 9", "         DEPENDING N.")
    )
    t = layout.find("T")
    assert (t.occurs.min, t.occurs.max) == (1, 9)
    assert layout.min_record_length == 3


@pytest.mark.parametrize(
    "lines, words",
    [
        (
            (
                "01 R.",
                "    05 T OCCURS 1 TO 3 DEPENDING ON N.",
                "       10 X PIC X.",
                "    05 N PIC 9.",
            ),
            "no such item before the table",
        ),
        (
            ("01 R.", "    05 N PIC 9V9.", "    05 T PIC X OCCURS 1 TO 3 DEPENDING ON N."),
            "integral",
        ),
        (
            (
                "01 R.",
                "    05 N.",
                "       10 N1 PIC 9.",
                "    05 T PIC X OCCURS 1 TO 3",
                "       DEPENDING ON N.",
            ),
            "not a group",
        ),
        (("01 R.", "    05 T OCCURS 1 TO 3 DEPENDING ON C.", "       10 C PIC 9."), "no such item"),
        (("01 R.", "    05 T PIC X OCCURS 1 TO 3."), "needs DEPENDING ON"),
    ],
)
def test_odo_errors(lines, words) -> None:
    with pytest.raises(CopybookError, match=words) as exc:
        load_copybook(fixed(*lines))
    assert exc.value.line is not None and exc.value.column is not None


def test_renames_and_77_levels() -> None:
    layout = load_copybook(
        fixed(
            "01 R.",
            "    05 A PIC X(2).",
            "    05 B.",
            "       10 B1 PIC X(3).",
            "       10 B2 PIC 9(4) COMP-3.",
            "    05 C PIC X(5).",
            "66 AB RENAMES A THRU B1 OF B.",
            "66 JUST-C RENAMES C.",
            "66 WHOLE-B RENAMES B.",
            "77 COUNTER PIC S9(4) COMP.",
            "    88 ZERO-COUNT VALUE 0.",
        )
    )
    rn = {r.name: r for r in layout.renames}
    assert (rn["AB"].offset, rn["AB"].size, rn["AB"].thru_name) == (0, 5, "B1 OF B")
    assert (rn["JUST-C"].offset, rn["JUST-C"].size) == (8, 5)
    assert (rn["WHOLE-B"].offset, rn["WHOLE-B"].size) == (2, 6)
    (counter,) = layout.standalone
    assert counter.size == 2 and counter.conditions[0].name == "ZERO-COUNT"
    assert layout.find("COUNTER") is counter
    with pytest.raises(CopybookError, match="must not precede"):
        load_copybook(
            fixed("01 R.", "    05 A PIC X.", "    05 B PIC X.", "66 BAD RENAMES B THRU A.")
        )
    with pytest.raises(CopybookError, match="OCCURS"):
        load_copybook(fixed("01 R.", "    05 A PIC X OCCURS 2.", "66 BAD RENAMES A."))


def test_synthetic_root_for_copybook_starting_at_05() -> None:
    layout = load_copybook(fixed("05 A PIC X(3).", "05 B PIC 9(2)."))
    assert layout.synthetic_root
    assert layout.records[0].name == "RECORD" and layout.record_length == 5
    assert layout.find("RECORD.B").offset == 3


def test_find_item_forms() -> None:
    layout = load_copybook(
        fixed(
            "01 R.",
            "    05 G1.",
            "       10 FLD PIC X.",
            "       10 ONLY-HERE PIC X.",
            "    05 G2.",
            "       10 FLD PIC X.",
        )
    )
    assert layout.find("R.G1.FLD").offset == 0
    assert layout.find("G2.FLD").offset == 2
    assert layout.find("FLD OF G2").offset == 2
    assert layout.find("fld in g1 of r").offset == 0
    assert layout.find("ONLY_HERE").name == "ONLY-HERE"
    assert layout.find("only-here").offset == 1
    with pytest.raises(ValueError, match="ambiguous"):
        layout.find("FLD")
    with pytest.raises(KeyError):
        layout.find("NOPE")
    with pytest.raises(KeyError):
        layout.find("FLD OF G3")


def test_sample_copybooks() -> None:
    tp = load_copybook(COPYBOOKS / "taxpayer.cpy")
    assert tp.record_length == 187
    assert (tp.find("TP-BALANCE-DUE").digits, tp.find("TP-BALANCE-DUE").scale) == (13, 2)
    assert tp.find("TP-QTR-PAYMENT").occurs.max == 4
    assert tp.find("TP-LAST-UPDATE-MM").offset == tp.find("TP-LAST-UPDATE").offset + 4
    assert [c.name for c in tp.find("TP-FILING-STATUS").conditions][-1] == "TP-VALID-STATUS"
    tx = load_copybook(COPYBOOKS / "golden" / "txnmodule.cpy")
    assert (tx.min_record_length, tx.record_length, tx.find("TM-TXN").size) == (19, 1019, 20)
    bm = load_copybook(COPYBOOKS / "golden" / "business.cpy")
    segs = [bm.find(n) for n in ("ENTITY-SEG", "FILING-SEG", "OFFICER-SEG")]
    assert {(s.offset, s.size) for s in segs} == {(10, 80)}
    assert bm.record_length == 90
