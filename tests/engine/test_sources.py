"""Input sources, streaming, threads, progress and atomic writing."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

import legacyio
from tests.support.builders import cobol, e, packed, zoned

CB = cobol("""
01 REC.
   05 K      PIC X(4).
   05 N      PIC S9(5)V99 COMP-3.
   05 Z      PIC 9(3).
""")
WIDTH = 4 + 4 + 3


def _data(n: int, dirty_every: int = 0) -> bytes:
    out = []
    for i in range(n):
        z = zoned(i % 1000, 3, signed=False)
        if dirty_every and i % dirty_every == 3:
            z = zoned(i % 1000, 3, signed=False, unsigned_zone=0xC)
        out.append(e(f"{i:04d}"[-4:]) + packed(i * 101 - 5000, 7) + z)
    return b"".join(out)


DATA = _data(50, dirty_every=7)
EXPECTED = legacyio.read_table(DATA, CB)


def _sources(tmp_path: Path) -> dict[str, object]:
    plain = tmp_path / "in.dat"
    plain.write_bytes(DATA)
    gz = tmp_path / "in.dat.gz"
    gz.write_bytes(gzip.compress(DATA))
    return {
        "str path": str(plain),
        "PathLike": plain,
        "gz path": gz,
        "bytes": DATA,
        "bytearray": bytearray(DATA),
        "memoryview": memoryview(DATA),
        "file object": io.BytesIO(DATA),
        "open file": open(plain, "rb"),
        "BufferReader": pa.BufferReader(DATA),
        "OSFile": pa.OSFile(str(plain)),
    }


def test_every_source_kind_gives_the_same_table(tmp_path: Path) -> None:
    srcs = _sources(tmp_path)
    try:
        for name, src in srcs.items():
            t = legacyio.read_table(src, CB)
            assert t.equals(EXPECTED), name
    finally:
        srcs["open file"].close()  # type: ignore[attr-defined]


def test_expected_table_values() -> None:
    assert EXPECTED.num_rows == 50
    assert EXPECTED.column("N").to_pylist()[:2] == [Decimal("-50.00"), Decimal("-48.99")]
    assert EXPECTED.column("_legacyio_residue").null_count == 50 - 7


def test_verify_on_path_sources(tmp_path: Path) -> None:
    gz = tmp_path / "in.dat.gz"
    gz.write_bytes(gzip.compress(DATA))
    res = legacyio.verify(gz, CB)
    assert res.ok and res.records == 50 and res.bytes == len(DATA)
    assert res.sha256_input == res.sha256_output == hashlib.sha256(DATA).hexdigest()
    assert res.mismatch is None
    assert legacyio.verify(memoryview(DATA), CB, via="parquet").ok


@pytest.mark.parametrize("kind", ["BytesIO", "BufferReader"])
def test_verify_on_stream_sources(kind: str) -> None:
    src = io.BytesIO(DATA) if kind == "BytesIO" else pa.BufferReader(DATA)
    res = legacyio.verify(src, CB)
    assert res.ok, res.mismatch


def test_verify_with_partial_last_record() -> None:
    for data in (DATA + b"\x00", DATA[:-1]):
        res = legacyio.verify(data, CB, lenient_framing=True)
        assert res.ok and res.bytes == len(data)
        assert res.records == (51 if len(data) > len(DATA) else 50)


@pytest.mark.parametrize("batch_size", [1, 3, 16, 1000])
def test_open_reader_streaming_matches_read_table(batch_size: int) -> None:
    reader = legacyio.open_reader(DATA, CB, batch_size=batch_size)
    assert isinstance(reader, pa.RecordBatchReader)
    batches = list(reader)
    assert all(b.num_rows <= batch_size for b in batches)
    assert len(batches) == -(-50 // batch_size)
    t = pa.Table.from_batches(batches)
    assert t.equals(EXPECTED)
    assert legacyio.read_table(DATA, CB, batch_size=batch_size).equals(EXPECTED)


def test_threads_give_the_same_table() -> None:
    t = legacyio.read_table(DATA, CB, threads=2, batch_size=4)
    assert t.equals(EXPECTED)
    assert legacyio.encode(t) == DATA


def test_progress_callback() -> None:
    seen: list[tuple[int, int]] = []
    legacyio.read_table(DATA, CB, batch_size=20, progress=lambda r, b: seen.append((r, b)))
    assert seen == [(20, 20 * WIDTH), (40, 40 * WIDTH), (50, 50 * WIDTH)]


def test_write_table_streams_batches_and_reader(tmp_path: Path) -> None:
    target = tmp_path / "out.dat"
    stats = legacyio.write_table(legacyio.open_reader(DATA, CB, batch_size=7), target)
    assert target.read_bytes() == DATA
    assert (stats.records, stats.bytes) == (50, len(DATA))
    sink = io.BytesIO()
    legacyio.write_table(EXPECTED.to_batches(max_chunksize=9), sink)
    assert sink.getvalue() == DATA
    with pa.BufferOutputStream() as native:
        legacyio.write_table(EXPECTED, native)
        assert native.getvalue().to_pybytes() == DATA


def _bad_at_record(n_ok: int) -> pa.Table:
    t = EXPECTED.drop_columns(["_legacyio_residue"]).slice(0, n_ok + 1)
    z = t.column("Z").to_pylist()
    z[-1] = 5000  # more digits than PIC 9(3): EncodeError at the last record
    return t.set_column(t.column_names.index("Z"), "Z", pa.array(z, pa.int32()))


def test_failed_write_leaves_no_file_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "out.dat"
    bad = _bad_at_record(30)
    with pytest.raises(legacyio.EncodeError) as ei:
        legacyio.write_table(bad.to_batches(max_chunksize=8), target, CB)
    assert ei.value.record == 31 and ei.value.field == "REC.Z"
    assert os.listdir(tmp_path) == []


def test_failed_write_keeps_the_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "out.dat"
    target.write_bytes(b"old contents")
    with pytest.raises(legacyio.EncodeError):
        legacyio.write_table(_bad_at_record(2), target, CB)
    assert target.read_bytes() == b"old contents"
    assert os.listdir(tmp_path) == ["out.dat"]


def test_overwrite_false_refuses_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "out.dat"
    target.write_bytes(b"old contents")
    with pytest.raises(FileExistsError):
        legacyio.write_table(EXPECTED, target, overwrite=False)
    assert target.read_bytes() == b"old contents"
    legacyio.write_table(EXPECTED, target)
    assert target.read_bytes() == DATA


def test_overwrite_false_writes_a_new_file(tmp_path: Path) -> None:
    target = tmp_path / "new.dat"
    stats = legacyio.write_table(EXPECTED, target, overwrite=False)
    assert target.read_bytes() == DATA and stats.bytes == len(DATA)
    assert os.listdir(tmp_path) == ["new.dat"]


def test_open_reader_reports_as_it_streams() -> None:
    data = bytearray(DATA)
    data[5 * WIDTH + 4 : 5 * WIDTH + 8] = b"\x40" * 4  # N of record 6: spaces
    report = legacyio.DecodeReport()
    reader = legacyio.open_reader(bytes(data), CB, batch_size=4, report=report)
    first = reader.read_next_batch()
    assert first.num_rows == 4 and not report.fields
    rest = list(reader)
    assert sum(b.num_rows for b in rest) == 46
    issue = report.fields["REC.N"]
    assert (issue.count, issue.first_record, issue.first_offset) == (1, 6, 5 * WIDTH + 4)


def test_verify_via_parquet_on_a_stream_source() -> None:
    res = legacyio.verify(io.BytesIO(DATA), CB, via="parquet", batch_size=8)
    assert res.ok and res.records == 50 and res.bytes == len(DATA)


def test_verify_tee_hands_out_exactly_what_was_read() -> None:
    """verify's tee: the comparison side gets the same bytes as the decoder, in order, across
    chunk boundaries, in pieces smaller and larger than a chunk, then nothing at the end."""
    from legacyio.engine.verify import _Tee

    data = bytes(range(256)) * 40
    tee = _Tee(io.BytesIO(data))
    decoder_side = tee.read(1000) + tee.read(3000)
    assert decoder_side == data[:4000]
    got = [bytes(tee.take(n)) for n in (10, 990, 2500, 0, 3000, 10_000)]
    assert b"".join(got) == data
    assert [len(g) for g in got] == [10, 990, 2500, 0, 3000, 10240 - 6500]
    assert bytes(tee.take(5)) == b""
