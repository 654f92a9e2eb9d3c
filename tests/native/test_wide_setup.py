"""Plain fields decoded by the batch kernel skip the per-node decode path (the setup of a
30,000-field copybook is dominated by per-field costs): what they give must stay what the
per-node path gives, including invalid values and records too short for some fields."""

from __future__ import annotations

import pytest

import legacyio
from legacyio.codecs import native

pytestmark = pytest.mark.skipif(not native.available(), reason="legacyio._native is not built")

FIELDS = 40
TEXT = "       01 R.\n" + "".join(
    f"          05 F{i} PIC {'X(4)' if i % 2 else 'S9(5) COMP-3'}.\n" for i in range(FIELDS)
)
RECORD = (b"\x00\x12\x3c" + b"\xc1\xc2\xc3\xc4") * (FIELDS // 2)


def _read(data: bytes, engine: str, **kw: object) -> tuple:
    report = legacyio.DecodeReport()
    table = legacyio.read_table(
        data, legacyio.load_copybook(TEXT), report=report, engine=engine, **kw
    )
    return table, report


@pytest.mark.parametrize(
    "data,kw",
    [
        (RECORD * 3, {}),
        # a packed value with a non-digit nibble, and one with a non-canonical sign
        (
            RECORD
            + RECORD[:70]
            + b"\x00\x1a\x3c"
            + RECORD[73:]
            + RECORD[:7]
            + b"\x00\x12\x3a"
            + RECORD[10:],
            {},
        ),
        # the last RDW record stops inside field 30: later fields are null and reported
        (
            b"".join(
                (len(r) + 4).to_bytes(2, "big") + b"\0\0" + r
                for r in (RECORD, RECORD, RECORD[:100])
            ),
            {"record_format": "V"},
        ),
    ],
    ids=["clean", "bad-values", "short-record"],
)
def test_batch_kernel_fields_match_the_numpy_engine(data: bytes, kw: dict) -> None:
    got, got_report = _read(data, "native", **kw)
    want, want_report = _read(data, "numpy", **kw)
    assert got.equals(want)
    assert got_report == want_report
    assert legacyio.encode(got) == data
