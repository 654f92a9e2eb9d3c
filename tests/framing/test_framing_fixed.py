"""Fixed-length framing (F/FB) and RecordBlock.matrix."""

from __future__ import annotations

import gzip

import numpy as np
import pyarrow as pa
import pytest

from legacyio.errors import DecodeError, OptionsError
from legacyio.framing import FixedFramer, framer_for
from legacyio.framing.base import make_block
from legacyio.options import FileFormat

from .helpers import ListReport, Trickle, collect

W = 7
RECORDS = [bytes([65 + i % 26]) * W for i in range(50)]
DATA = b"".join(RECORDS)


def fixed(**kw) -> FixedFramer:
    return framer_for(FileFormat(**kw), record_length=W)


@pytest.mark.parametrize("batch", [1, 3, 50, 1000])
def test_round_trip(batch):
    got = collect(fixed(), DATA, batch)
    assert got.payloads == RECORDS
    assert got.offsets == [i * W for i in range(50)]
    assert [len(b) for b in got.blocks] == [min(batch, 50 - k) for k in range(0, 50, batch)]
    mats = [b.matrix(W, 0x40) for b in got.blocks]
    framer = fixed()
    assert b"".join(framer.frame(m) for m in mats) == DATA


def test_every_source_type(tmp_path):
    p = tmp_path / "f.dat"
    p.write_bytes(DATA)
    gz = tmp_path / "f.dat.gz"
    gz.write_bytes(gzip.compress(DATA))
    sources = [
        p,
        str(p),
        gz,
        DATA,
        bytearray(DATA),
        memoryview(DATA),
        Trickle(DATA, 5),
        pa.BufferReader(DATA),
        pa.OSFile(str(p), "rb"),
    ]
    for src in sources:
        assert collect(fixed(), src, 8).payloads == RECORDS, src


def test_record_length_option_wins():
    framer = framer_for(FileFormat(record_length=14), record_length=W)
    assert collect(framer, DATA).payloads == [a + b for a, b in zip(RECORDS[::2], RECORDS[1::2])]


def test_empty_input():
    got = collect(fixed(), b"")
    assert got.blocks == [] and got.header == b"" and got.trailer == b""


def test_header_and_trailer_skipped_and_kept():
    head, trail = b"HDR-BYTES!", b"END"
    for src in (head + DATA + trail, Trickle(head + DATA + trail, 4)):
        framer = fixed(header_bytes=len(head), header_records=2, trailer_bytes=len(trail))
        got = collect(framer, src, 6)
        assert got.payloads == RECORDS[2:]
        assert got.header == head + RECORDS[0] + RECORDS[1]
        assert got.trailer == trail
        assert got.offsets[0] == len(head) + 2 * W
        assert got.blocks[0].first_record == 1
        assert got.rebuild() == head + DATA + trail


def test_file_shorter_than_header():
    with pytest.raises(DecodeError, match="fewer than the 10 header"):
        collect(fixed(header_bytes=10), b"abc")


def test_partial_record_is_an_error():
    data = DATA + b"xyz"
    with pytest.raises(DecodeError) as err:
        collect(fixed(), data, 16)
    assert err.value.record == 51 and err.value.offset == len(DATA)
    assert "3 bytes" in str(err.value)


def test_partial_record_lenient():
    rep = ListReport()
    data = DATA + b"xyz"
    framer = framer_for(FileFormat(), record_length=W, lenient=True, report=rep)
    got = collect(framer, Trickle(data, 6), 16)
    assert got.payloads == [*RECORDS, b"xyz"]
    assert rep.notes and rep.notes[0][1:] == (51, len(DATA))
    last = got.blocks[-1]
    assert len(last) == 1 and last.lengths[0] == 3
    assert last.matrix(W, 0x40).tobytes() == b"xyz" + b"\x40" * 4
    assert fixed().frame(*_mat_len([*RECORDS, b"xyz"])) == data


def _mat_len(payloads):
    from .helpers import matrix_of

    return matrix_of(payloads, W)


def test_options_errors():
    with pytest.raises(OptionsError):
        framer_for(FileFormat(), record_length=0)
    with pytest.raises(OptionsError):
        framer_for(FileFormat(length_field="LEN"), record_length=10)


def test_matrix_zero_copy_for_fixed():
    got = collect(fixed(), DATA)
    block = got.blocks[0]
    mat = block.matrix(W, 0)
    assert np.shares_memory(mat, block.buffer)
    assert mat.shape == (50, W) and mat.tobytes() == DATA
    narrow = block.matrix(3, 0)
    assert np.shares_memory(narrow, block.buffer)
    assert narrow.tobytes() == b"".join(r[:3] for r in RECORDS)


def test_matrix_gather_pads_and_truncates():
    buf = np.frombuffer(b"..ABCDE..FG...HIJKLMNOP", dtype=np.uint8)
    starts = np.array([2, 9, 14])
    lens = np.array([5, 2, 9])
    block = make_block(buf, 100, starts, lens, starts, lens, None, 1)
    assert block.matrix(6, 0x20).tobytes() == b"ABCDE FG    HIJKLM"
    assert block.matrix(12, 0x20).tobytes() == b"ABCDE       FG          HIJKLMNOP   "
    assert block.matrix(0, 0x20).shape == (3, 0)
    # evenly spaced, long enough records: a strided view over the buffer
    even = make_block(buf, 0, [2, 9, 16], [4, 4, 4], [2, 9, 16], [4, 4, 4], None, 1)
    view = even.matrix(3, 0)
    assert np.shares_memory(view, buf) and view.tobytes() == b"ABCFG.JKL"
