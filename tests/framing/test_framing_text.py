"""Text-line framing (D): LF and CRLF per line, last line without terminator."""

from __future__ import annotations

import os

import numpy as np
import pytest

from legacyio.framing import TextFramer, framer_for
from legacyio.options import FileFormat

from .helpers import CORPUS, Trickle, collect, matrix_of

DATA = b"alpha  \r\nbeta\n\n\r\ngamma\r\r\n  delta\nlast"
LINES = [b"alpha  ", b"beta", b"", b"", b"gamma\r", b"  delta", b"last"]
TERMS = [2, 1, 1, 2, 2, 1, 0]


def text(**kw) -> TextFramer:
    return framer_for(FileFormat(record_format="D"), record_length=8, **kw)


@pytest.mark.parametrize("batch,chunk", [(1000, None), (1, 1), (2, 3), (3, 8), (7, 2)])
def test_mixed_terminators(batch, chunk):
    for src in (DATA, Trickle(DATA, 2)):
        got = collect(text(chunk_size=chunk), src, batch)
        assert got.payloads == LINES
        assert [int(t) for b in got.blocks for t in b.frame_lengths - b.lengths] == TERMS
        assert got.rebuild() == DATA
        assert got.offsets[1] == 9


def test_frame_round_trip():
    got = collect(text(), DATA)
    b = got.blocks[0]
    terms = b.frame_lengths - b.lengths
    assert text().frame(b.matrix(12, 0x20), b.lengths, terminators=terms) == DATA
    mat, lens = matrix_of([b"ab  ", b"c"], pad=0x20)
    assert text().frame(mat, lens) == b"ab  \nc\n"
    assert text(newline="\r\n").frame(mat, lens) == b"ab  \r\nc\r\n"
    assert text().frame(mat) == b"ab  \nc   \n"
    with pytest.raises(ValueError):
        text().frame(mat, lens, terminators=np.array([3, 0]))


def test_trailing_newline_gives_no_extra_record():
    assert collect(text(), b"a\nb\n").payloads == [b"a", b"b"]
    assert collect(text(), b"a\nb\n\n").payloads == [b"a", b"b", b""]
    assert collect(text(), b"\n").payloads == [b""]
    assert collect(text(), b"a\r").payloads == [b"a\r"]


def test_empty_input():
    assert collect(text(), b"").blocks == []


def test_matrix_pads_lines():
    got = collect(text(), b"ab\r\ncdefghij\n")
    assert got.blocks[0].matrix(5, 0x20).tobytes() == b"ab   cdefg"


def test_header_and_trailer():
    fmt = FileFormat(record_format="D", header_records=1, trailer_bytes=4)
    got = collect(framer_for(fmt, record_length=1), b"HEAD\r\nx\ny\nEND\n", 1)
    assert got.payloads == [b"x", b"y"]
    assert got.header == b"HEAD\r\n" and got.trailer == b"END\n"


@pytest.mark.usefixtures("cobrix_corpus")
def test_corpus_gzip_text():
    """test40_ascii_text_gz: 3 lines '12345', '67890', 'A1234' with no trailing newline."""
    path = os.path.join(CORPUS, "data/test40_data_ascii/ascii.txt.gz")
    got = collect(text(), path)
    assert sorted(got.payloads) == [b"12345", b"67890", b"A1234"]
    with open(os.path.join(CORPUS, "authored/test40_ascii_expected.jsonl")) as f:
        assert len(f.read().splitlines()) == len(got.payloads)
