"""One RDW writer, with its range check: a V or VB record longer than its RDW can describe is
an EncodeError naming the record, and nothing is written (a regression: the reader's own RDW
writer wrapped a 70,000-byte length silently)."""

from __future__ import annotations

import pyarrow as pa
import pytest

import legacyio
from legacyio import EncodeError

WIDE_CPY = "       01 REC.\n          05 N PIC S9(4) COMP.\n          05 T PIC X(10) OCCURS 0 TO 7000 DEPENDING ON N.\n"


def _table(counts: list[int]) -> pa.Table:
    rows = [{"N": c, "T": ["x"] * c} for c in counts]
    return pa.Table.from_pylist(
        rows, schema=pa.schema([("N", pa.int32()), ("T", pa.list_(pa.string()))])
    )


@pytest.mark.parametrize("record_format", ["V", "VB"])
def test_record_beyond_ibm_rdw_is_refused(tmp_path, record_format) -> None:
    # 2 + 10 * 3276 = 32,762 data bytes: more than the 32,756 an IBM RDW allows
    out = tmp_path / "out.dat"
    with pytest.raises(EncodeError, match=r"record 2: record length 32762 does not fit an RDW"):
        legacyio.write_table(_table([1, 3276]), out, WIDE_CPY, record_format=record_format)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_record_beyond_two_byte_length_is_refused() -> None:
    # 70,002 data bytes do not fit the 2-byte length of any RDW convention
    with pytest.raises(EncodeError, match=r"record 1: .* does not fit an RDW"):
        legacyio.encode(_table([7000]), WIDE_CPY, record_format="V", rdw_adjustment=4)


def test_largest_ibm_record_is_written_and_reads_back() -> None:
    data = legacyio.encode(_table([3275]), WIDE_CPY, record_format="V")  # 32,752 data bytes
    assert data[:4] == (32752 + 4).to_bytes(2, "big") + b"\0\0"
    back = legacyio.read_table(data, WIDE_CPY, record_format="V")
    assert back.column("N").to_pylist() == [3275]


def test_oversized_rdw_read_from_a_file_round_trips() -> None:
    # a file written by another convention with a longer record: the reader keeps it raw, so
    # the writer need not make an RDW it cannot make
    payload = (3276).to_bytes(2, "big") + b"\xe7" * 32760
    data = (len(payload) + 4).to_bytes(2, "big") + b"\0\0" + payload
    table = legacyio.read_table(data, WIDE_CPY, record_format="V")
    assert table.column("_legacyio_residue").null_count == 0
    assert legacyio.encode(table) == data
