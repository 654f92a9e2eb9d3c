"""The schema description (`legacyio schema`) is built from the plan: the Arrow types it shows
are the ones the reader produces."""

from __future__ import annotations

import json
from pathlib import Path

from legacyio import FileFormat
from legacyio.layout import load_copybook
from legacyio.plan.core import Plan
from legacyio.plan.describe import describe, render_json, render_text

COPYBOOKS = Path(__file__).resolve().parents[2] / "copybooks"


def test_describe_rows_and_renderings() -> None:
    layout = load_copybook(COPYBOOKS / "golden" / "txnmodule.cpy")
    plan = Plan(layout, FileFormat())
    rows = describe(plan)
    by = {r["name"]: r for r in rows}
    assert by["TM-TXN"]["occurs"] == "0 TO 50 DEPENDING ON TM-TXN-COUNT"
    assert by["TM-TXN-AMOUNT"] | {} == by["TM-TXN-AMOUNT"]
    amt = by["TM-TXN-AMOUNT"]
    assert (amt["signed"], amt["digits"], amt["scale"], amt["usage"], amt["length"]) == (
        True,
        11,
        2,
        "packed",
        6,
    )
    assert amt["arrow_type"] == "decimal128(11, 2)"
    assert amt["path"] == "TXN-MODULE.TM-TXN.TM-TXN-AMOUNT"
    text = render_text(plan)
    assert "min 19, max 1019" in text and "      10 TM-TXN-AMOUNT" not in text
    assert "    10 TM-TXN-AMOUNT" in text
    doc = json.loads(render_json(plan))
    assert doc["record_length"] == 1019 and len(doc["fields"]) == len(rows)
    bm = describe(Plan(load_copybook(COPYBOOKS / "golden" / "business.cpy"), FileFormat()))
    assert {r["name"]: r["redefines"] for r in bm}["OFFICER-SEG"] == "ENTITY-SEG"
