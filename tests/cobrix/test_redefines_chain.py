"""REDEFINES of an item that itself redefines (IBM: "multiple redefinitions of the same
storage area are permitted ... need not all use the data-name of the original entry"), and
the messages for REDEFINES that are really wrong."""

from __future__ import annotations

import pytest

import legacyio

CPY = """\
       01 R.
          05 KIND  PIC X.
          05 A     PIC X(4).
          05 B     REDEFINES A PIC 9(4).
          05 C     REDEFINES B.
             10 C1 PIC X(2).
             10 C2 PIC S9(3) COMP-3.
          05 TAIL  PIC X.
"""


def test_a_redefinition_of_a_redefinition_shares_the_area() -> None:
    layout = legacyio.load_copybook(CPY)
    items = {i.name: i for i in layout.items()}
    assert items["A"].offset == items["B"].offset == items["C"].offset == 1
    assert items["TAIL"].offset == 5
    data = "X1234Z".encode("cp037")
    t = legacyio.read_table(data, CPY)
    row = t.to_pylist()[0]
    assert row["A"] == "1234" and row["B"] == 1234
    assert row["C"]["C1"] == "12"
    assert legacyio.encode(t) == data
    seg = legacyio.read_table(
        "C12\x00\x1cZ".encode("latin-1"),
        CPY,
        encoding="latin-1",
        segment_field="KIND",
        segments={"C": "C", "A": "A"},
        residue=False,
    )
    assert seg.to_pylist()[0]["C"] == {"C1": "12", "C2": 1}


@pytest.mark.parametrize(
    "bad,message",
    [
        ("          05 D     REDEFINES A PIC X(4).\n", "not the item just before"),
        ("          05 D     REDEFINES NOPE PIC X(4).\n", "no item of that name precedes it"),
    ],
)
def test_wrong_redefines_say_why(bad: str, message: str) -> None:
    with pytest.raises(legacyio.CopybookError, match=message) as e:
        legacyio.load_copybook(CPY + bad)
    assert ":9:" in str(e.value)  # the line of the bad entry
