"""The two forms of ``record_header_parser``: ``boundaries(data, final)`` (frame lengths of
the records at the start of the data) and the vectorized ``frames(data, base_offset, final)``
(payload starts and lengths plus the bytes used). Both give the same table and round-trip,
whole or streamed in small chunks; bytes a ``frames`` hook skips between records are kept."""

from __future__ import annotations

import io

import pytest

import legacyio
from legacyio.framing import framer_for
from legacyio.options import FileFormat
from legacyio.sources import open_source
from tests.support.roundtrip import assert_round_trip

from .hooks import SkippingHeaders, TinyHeaders, VectorHeaders
from .test_record_filters import CPY, RECS, custom_file, payload


def many_records(n: int = 300, pad: bool = False) -> bytes:
    out = bytearray()
    for i in range(n):
        p = payload(i % 100, "ABCDEF")
        out += bytes([0xAA if i % 7 else 0x00]) + len(p).to_bytes(2, "big") + p
        if pad:
            out += b"\xff" * (i % 3)
    return bytes(out)


def framed(data: bytes, hook, chunk: int) -> list[tuple[int, int, int, bytes]]:
    fmt = FileFormat(record_header_parser=hook)
    rep = legacyio.DecodeReport()
    framer = framer_for(fmt, record_length=8, chunk_size=chunk, report=rep)
    out = []
    with open_source(io.BytesIO(data)) as stream:  # a stream: read chunk by chunk
        for b in framer.blocks(stream, 16):
            for i in range(len(b)):
                out.append((b.first_record + i, int(b.frame_starts[i]) + b.buffer_offset,
                            int(b.lengths[i]), b.frame_bytes(i)))  # fmt: skip
    return out


@pytest.mark.parametrize("chunk", [5, 64, 1 << 22])
def test_both_forms_frame_alike_in_any_chunk_size(chunk: int) -> None:
    data = many_records()
    old = framed(data, TinyHeaders(), chunk)
    assert len(old) == sum(1 for i in range(300) if i % 7)
    assert framed(data, VectorHeaders(), chunk) == old


@pytest.mark.parametrize("hook", [TinyHeaders(), VectorHeaders()])
def test_both_forms_give_identical_tables_and_round_trip(hook) -> None:
    data = many_records()
    rep = legacyio.DecodeReport()
    t = legacyio.read_table(data, CPY, record_header_parser=hook, report=rep)
    ref = legacyio.read_table(data, CPY, record_header_parser=TinyHeaders())
    assert t.drop(["_legacyio_residue"]).equals(ref.drop(["_legacyio_residue"]))
    assert rep.skipped_records == sum(1 for i in range(300) if i % 7 == 0)
    assert_round_trip(data, CPY, record_header_parser=hook, parquet=False)


def test_vectorized_hook_by_import_name_round_trips() -> None:
    data = custom_file()
    name = "tests.cobrix.hooks:VectorHeaders"
    t = legacyio.read_table(data, CPY, record_header_parser=name)
    assert t.column("ID").to_pylist() == [i for ok, i, _ in RECS if ok]
    assert legacyio.encode(t) == data
    full = many_records(20)[:11]  # one valid 8-byte record
    t = legacyio.read_table(full, CPY, record_header_parser=name).drop(["_legacyio_residue"])
    assert legacyio.encode(t) == full  # no residue: the header comes from headers()


@pytest.mark.filterwarnings("ignore::legacyio.DataWarning")  # most records carry padding
@pytest.mark.parametrize("chunk", [4, 1 << 22])
def test_bytes_consumed_between_records_are_kept(chunk: int) -> None:
    data = many_records(pad=True)
    t = legacyio.read_table(data, CPY, record_header_parser=SkippingHeaders())
    ref = legacyio.read_table(many_records(), CPY, record_header_parser=TinyHeaders())
    assert t.drop(["_legacyio_residue"]).equals(ref.drop(["_legacyio_residue"]))
    assert legacyio.encode(t) == data
    got = framed(data, SkippingHeaders(), chunk)
    assert [r[2] for r in got] == [r[2] for r in framed(many_records(), TinyHeaders(), chunk)]


class Broken(VectorHeaders):
    def __init__(self, what: str) -> None:
        self.what = what

    def frames(self, data, base_offset, final):
        s, n, used, ok = super().frames(data, base_offset, final)
        if self.what == "beyond":
            return s, n, len(data) + 1, ok
        if self.what == "overlap" and len(s) > 1:
            s = s.copy()
            s[1] = s[0]
        return s, n, used


@pytest.mark.parametrize("what", ["beyond", "overlap"])
def test_a_hook_returning_impossible_frames_is_a_decode_error(what: str) -> None:
    with pytest.raises(legacyio.DecodeError, match="record header parser frames"):
        legacyio.read_table(custom_file(), CPY, record_header_parser=Broken(what))
