"""Bad-data thresholds (``max_bad_fields`` / ``max_bad_fraction``), the warning when most
records are bad or kept raw, and its likely cause sniffed from the first bytes (issue 12)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import legacyio
from legacyio.engine.sniff import likely_cause
from legacyio.options import FileFormat
from tests.support.builders import cobol

GOLDEN = Path(__file__).resolve().parents[2] / "golden_files"
TAXPAYER_CPY = GOLDEN.parent / "copybooks" / "golden" / "taxpayer.cpy"

CPY = cobol(
    """
    01 R.
       05 ID    PIC 9(6).
       05 NAME  PIC X(10).
       05 AMT   PIC S9(5)V99 COMP-3.
    """
)
WIDTH = 6 + 10 + 4


def ebcdic_record(i: int) -> bytes:
    amt = bytes.fromhex(f"{i * 3:07d}C")
    return f"{i:06d}".encode("cp037") + f"NAME{i}".ljust(10).encode("cp037") + amt


def ascii_record(i: int) -> bytes:
    return f"{i:06d}".encode() + f"NAME{i}".ljust(10).encode() + b"1234"


def _read(data: bytes, **kw):
    report = legacyio.DecodeReport()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        table = legacyio.read_table(data, CPY, report=report, **kw)
    return table, report, [w for w in seen if issubclass(w.category, legacyio.DataWarning)]


def test_clean_data_no_warning_and_counts():
    data = b"".join(ebcdic_record(i) for i in range(50))
    table, report, seen = _read(data)
    assert table.num_rows == 50 and report.bad_records == 0 and seen == []


def test_ascii_data_read_as_ebcdic_warns_once_with_cause():
    data = b"".join(ascii_record(i) for i in range(50))
    _, report, seen = _read(data)
    assert report.bad_records == 50
    assert len(seen) == 1
    msg = str(seen[0].message)
    assert "50 of 50 records are bad" in msg
    assert "ASCII" in msg and "--encoding" in msg
    assert "NAME1" not in msg  # never a field's content


def test_max_bad_fields_raises_with_first_place():
    data = b"".join(ebcdic_record(i) for i in range(20)) + b"".join(
        ascii_record(i) for i in range(20, 30)
    )
    with pytest.raises(legacyio.DecodeError) as ei:
        legacyio.read_table(data, CPY, max_bad_fields=5)
    e = ei.value
    assert e.record == 21 and e.offset == 20 * WIDTH and e.field == "R.ID"
    assert "max_bad_fields" in str(e) and "more than 5 bad field values" in str(e)
    # under the limit: read, no warning (only a third of the records is bad)
    _, report, seen = _read(data, max_bad_fields=100)
    assert report.bad_fields == 20 and report.bad_records == 10 and seen == []


def test_max_bad_fraction():
    data = b"".join(ebcdic_record(i) for i in range(30)) + b"".join(
        ascii_record(i) for i in range(30, 40)
    )
    with pytest.raises(legacyio.DecodeError, match="10 of 40 records have a bad field"):
        legacyio.read_table(data, CPY, max_bad_fraction=0.2)
    assert legacyio.read_table(data, CPY, max_bad_fraction=0.25).num_rows == 40
    # a threshold replaces the warning: the caller chose its limits
    data = b"".join(ascii_record(i) for i in range(10))
    with pytest.raises(legacyio.DecodeError):
        legacyio.read_table(data, CPY, max_bad_fraction=0.99)
    _, _, seen = _read(data, max_bad_fraction=1.0)
    assert seen == []


def test_thresholds_are_validated():
    with pytest.raises(legacyio.OptionsError):
        legacyio.ReadOptions(max_bad_fields=-1)
    with pytest.raises(legacyio.OptionsError):
        legacyio.ReadOptions(max_bad_fraction=1.5)


def test_streaming_reader_stops_at_the_limit():
    data = b"".join(ascii_record(i) for i in range(1000))
    reader = legacyio.open_reader(data, CPY, batch_size=100, max_bad_fields=250)
    got = 0
    with pytest.raises(legacyio.DecodeError):
        for b in reader:
            got += b.num_rows
    assert got == 100  # 2 bad fields a record: the second batch crossed the limit


def test_golden_ascii_file_as_cp037():
    """The issue's case: the ASCII golden file read with the default code page."""
    report = legacyio.DecodeReport()
    with pytest.warns(legacyio.DataWarning, match="ASCII"):
        legacyio.read_table(GOLDEN / "taxpayer_ascii.dat", TAXPAYER_CPY, report=report)
    assert report.bad_records == 40
    with pytest.warns(legacyio.DataWarning):
        res = legacyio.verify(GOLDEN / "taxpayer_ascii.dat", TAXPAYER_CPY)
    assert res.ok and res.residue_records == 40
    res = legacyio.verify(GOLDEN / "taxpayer_ebcdic.dat", TAXPAYER_CPY)
    assert res.ok and res.residue_records == 1  # the golden file's one dirty record


# ---------------------------------------------------------------- the sniffing itself
def test_sniff_ebcdic_read_as_ascii():
    head = b"".join(ebcdic_record(i) for i in range(50))
    cause = likely_cause(head, len(head), WIDTH, FileFormat(encoding="ascii"))
    assert cause is not None and "EBCDIC" in cause and "cp037" in cause


def test_sniff_rdw_file_read_as_fixed():
    recs = [ebcdic_record(i) for i in range(20)]
    head = b"".join((len(r) + 4).to_bytes(2, "big") + b"\0\0" + r for r in recs)
    cause = likely_cause(head, len(head), WIDTH, FileFormat())
    assert cause is not None and "--record-format V" in cause


def test_sniff_size_not_a_multiple():
    head = b"".join(ebcdic_record(i) for i in range(20)) + b"\x40" * 7
    cause = likely_cause(head, len(head), WIDTH, FileFormat())
    assert cause is not None and "not a multiple of the record length (20)" in cause


def test_sniff_rdw_conventions():
    recs = [ebcdic_record(i) for i in range(20)]
    # GnuCOBOL-style: the RDW counts only the payload
    head = b"".join(len(r).to_bytes(2, "big") + b"\0\0" + r for r in recs)
    cause = likely_cause(head, len(head), WIDTH, FileFormat(record_format="V"))
    assert cause is not None and "--rdw-adjustment 4" in cause
    # little-endian RDWs
    head = b"".join(b"\0\0" + (len(r) + 4).to_bytes(2, "little") + r for r in recs)
    cause = likely_cause(head, len(head), WIDTH, FileFormat(record_format="V"))
    assert cause is not None and "--rdw little" in cause
    # as declared: nothing to say
    head = b"".join((len(r) + 4).to_bytes(2, "big") + b"\0\0" + r for r in recs)
    assert likely_cause(head, len(head), WIDTH, FileFormat(record_format="V")) is None


def test_sniff_text_lines():
    head = b"".join(ascii_record(i) + b"\n" for i in range(20))
    cause = likely_cause(head, len(head), WIDTH + 5, FileFormat(encoding="ascii"))
    assert cause is not None and "--record-format D" in cause
