"""RDW (V) and BDW+RDW (VB) framing, against hand-built files and the Cobrix corpus."""

from __future__ import annotations

import json
import os
import random

import numpy as np
import pytest

from legacyio.errors import DecodeError, EncodeError
from legacyio.framing import RdwFramer, framer_for
from legacyio.options import FileFormat

from .helpers import CORPUS, ListReport, Trickle, collect, matrix_of

rng = random.Random(7)
PAYLOADS = [
    bytes(rng.randrange(256) for _ in range(rng.choice([1, 5, 5, 5, 30, 300]))) for _ in range(120)
]


def rdw(n: int, order: str = "big", adj: int = 0, style: str = "swapped") -> bytes:
    stored = n + 4 - adj
    if order == "big":
        return stored.to_bytes(2, "big") + b"\0\0"
    if style == "low":
        return stored.to_bytes(2, "little") + b"\0\0"
    return b"\0\0" + stored.to_bytes(2, "little")


def v_file(payloads, **kw) -> bytes:
    return b"".join(rdw(len(p), **kw) + p for p in payloads)


def v(order="big", adj=0, **kw) -> RdwFramer:
    fmt = FileFormat(record_format="V", rdw_byteorder=order, rdw_adjustment=adj)
    return framer_for(fmt, record_length=10, **kw)


@pytest.mark.parametrize(
    "order,adj,style",
    [("big", 0, "swapped"), ("big", 4, "swapped"), ("little", 4, "swapped"), ("little", 0, "low")],
)
@pytest.mark.parametrize("batch,chunk", [(1000, None), (7, 13), (50, 64), (3, 1)])
def test_v_round_trip(order, adj, style, batch, chunk):
    data = v_file(PAYLOADS, order=order, adj=adj, style=style)
    got = collect(v(order, adj, chunk_size=chunk), data, batch)
    assert got.payloads == PAYLOADS
    assert got.rebuild() == data
    frames = 0
    for b in got.blocks:
        assert (b.frame_lengths == b.lengths + 4).all() and (b.starts == b.frame_starts + 4).all()
        frames += int(b.frame_lengths.sum())
    assert frames == len(data)
    writer = v(order, adj, little_style=style)
    mat, lens = matrix_of(PAYLOADS)
    assert writer.frame(mat, lens) == data
    assert b"".join(writer.frame(b.matrix(300, 0), b.lengths) for b in got.blocks) == data


def test_v_uniform_records_use_runs():
    payloads = [bytes([i % 256]) * 20 for i in range(5000)] + [b"odd"] + [b"x" * 20] * 10
    data = v_file(payloads)
    got = collect(v(), data, 2048)
    assert got.payloads == payloads
    assert [len(b) for b in got.blocks] == [2048, 2048, 915]
    assert got.blocks[0].matrix(20, 0).base is not None  # evenly spaced: a strided view


def test_v_sources(tmp_path):
    data = v_file(PAYLOADS)
    p = tmp_path / "v.dat"
    p.write_bytes(data)
    for src in (p, data, Trickle(data, 11)):
        assert collect(v(chunk_size=100), src, 9).payloads == PAYLOADS


def test_v_empty():
    got = collect(v(), b"")
    assert got.blocks == [] and got.trailer == b""


@pytest.mark.parametrize(
    "bad,message,offset_in_rec",
    [
        (b"\x00\x02\x00\x00", "invalid record descriptor word", 0),  # length below 4
        (b"\x00\x09\x00\x01", "invalid record descriptor word", 0),  # reserved bytes
        (b"\x00\xff\x00\x00abc", "runs past the end", 0),  # past end of file
        (b"\x00\x0a", "inside a record descriptor word", 0),  # truncated RDW
    ],
)
def test_v_bad_rdw(bad, message, offset_in_rec):
    good = v_file(PAYLOADS[:10])
    data = good + bad
    with pytest.raises(DecodeError, match=message) as err:
        collect(v(chunk_size=16), data, 4)
    assert err.value.record == 11 and err.value.offset == len(good)
    rep = ListReport()
    got = collect(v(chunk_size=16, lenient=True, report=rep), data, 4)
    assert got.payloads == PAYLOADS[:10]
    assert got.trailer == bad
    assert len(rep.notes) == 1 and rep.notes[0][1:] == (11, len(good))
    assert got.rebuild() == data


def test_v_little_rejects_both_halves_set():
    with pytest.raises(DecodeError) as err:
        collect(v("little", 4), b"\x00\x00\x01\x00x" + b"\x01\x00\x01\x00xx")
    assert err.value.record == 2 and err.value.offset == 5


def test_v_header_trailer_and_header_records():
    data = b"H" * 5 + v_file(PAYLOADS) + b"T" * 3
    fmt = FileFormat(record_format="V", header_bytes=5, header_records=2, trailer_bytes=3)
    got = collect(framer_for(fmt, record_length=1, chunk_size=17), Trickle(data, 7), 10)
    assert got.payloads == PAYLOADS[2:]
    assert got.header == b"H" * 5 + v_file(PAYLOADS[:2])
    assert got.trailer == b"T" * 3
    assert got.blocks[0].first_record == 1
    assert got.rebuild() == data


def test_v_write_errors():
    with pytest.raises(EncodeError):
        v().frame(np.zeros((1, 70000), dtype=np.uint8))


# ------------------------------------------------------------------------------ VB
def vb_file(blocks, order="big", pad=b"") -> tuple[bytes, dict[int, bytes], list[bytes]]:
    """Blocks of payloads; each block ends with ``pad``. Returns data, expected gaps by record
    index, and the payloads."""
    out, gaps, flat = [], {}, []
    carry = b""
    for recs in blocks:
        body = v_file(recs, order=order)
        blen = len(body) + 4 + len(pad)
        bdw = (
            blen.to_bytes(2, "big") + b"\0\0"
            if order == "big"
            else b"\0\0" + blen.to_bytes(2, "little")
        )
        out.append(bdw + body + pad)
        if recs:
            gaps[len(flat)] = carry + bdw
            carry = pad
        else:
            carry += bdw + pad
        flat.extend(recs)
    return b"".join(out), gaps, flat


def vb(order="big", **kw) -> RdwFramer:
    return framer_for(
        FileFormat(record_format="VB", rdw_byteorder=order, block_size=400), record_length=1, **kw
    )


@pytest.mark.parametrize("pad", [b"", b"\0\0", b"\0" * 9])
@pytest.mark.parametrize("batch,chunk", [(1000, None), (4, 10), (1, 1)])
def test_vb_gaps_round_trip(pad, batch, chunk):
    blocks = [PAYLOADS[0:5], PAYLOADS[5:6], [], PAYLOADS[6:20]]
    data, gaps, flat = vb_file(blocks, pad=pad)
    got = collect(vb(chunk_size=chunk), data, batch)
    assert got.payloads == flat
    assert got.gaps() == gaps
    assert got.trailer == pad
    assert got.rebuild() == data
    # writer: the gaps written verbatim reproduce the file
    mat, lens = matrix_of(flat)
    wgaps = sorted(gaps.items()) + ([(len(flat), pad)] if pad else [])
    assert vb().frame(mat, lens, gaps=wgaps) == data


def test_vb_little_endian():
    data, gaps, flat = vb_file([PAYLOADS[:3], PAYLOADS[3:8]], order="little")
    got = collect(vb("little"), data, 2)
    assert got.payloads == flat and got.gaps() == gaps


def test_vb_canonical_blocking():
    payloads = PAYLOADS[:60]
    mat, lens = matrix_of(payloads)
    framer = vb()
    data = framer.frame(mat, lens)
    got = collect(vb(), data)
    assert got.payloads == payloads
    pos = 0
    sizes = []
    while pos < len(data):
        size = int.from_bytes(data[pos : pos + 2], "big")
        assert data[pos + 2 : pos + 4] == b"\0\0" and 8 < size <= 400
        sizes.append(size)
        pos += size
    assert pos == len(data) and len(sizes) == len(got.gaps())
    # greedy: no block could have taken the next record
    firsts = sorted(got.gaps())
    for size, nxt in zip(sizes, firsts[1:]):
        assert size + len(payloads[nxt]) + 4 > 400
    too_big = np.zeros((1, 500), dtype=np.uint8)
    with pytest.raises(EncodeError):
        framer.frame(too_big)


def test_vb_extended_bdw():
    fmt = FileFormat(record_format="VB", block_size=100_000)
    framer = framer_for(fmt, record_length=1)
    payloads = [bytes([i]) * 1000 for i in range(60)]
    mat, lens = matrix_of(payloads)
    data = framer.frame(mat, lens)
    assert data[0] & 0x80 and int.from_bytes(data[:4], "big") & 0x7FFFFFFF == len(data)
    assert collect(framer_for(fmt, record_length=1), data).payloads == payloads


def test_vb_bad_record_in_block():
    body = rdw(3) + b"abc" + b"\x00\x40\x00\x00" + b"z" * 10
    data = (len(body) + 4).to_bytes(2, "big") + b"\0\0" + body
    with pytest.raises(DecodeError, match="past the end of its block") as err:
        collect(vb(), data)
    assert err.value.record == 2 and err.value.offset == 11
    with pytest.raises(DecodeError, match="block length"):
        collect(vb(), b"\x01\x00\x00\x00" + rdw(1) + b"q")


# ------------------------------------------------------------------------------ corpus
def _manifest() -> dict:
    with open(os.path.join(CORPUS, "MANIFEST.json")) as f:
        return {c["name"]: c for c in json.load(f)["cases"]}


@pytest.mark.parametrize(
    "case", ["test4", "test5b", "test5", "test13b", "test14_rdw_part_of_length", "test17a"]
)
@pytest.mark.usefixtures("cobrix_corpus")
def test_corpus_rdw_files(case):
    """Record count and the byte lengths Cobrix reports (Record_Byte_Length, file order)."""
    c = _manifest()[case]
    o = c["options"]
    order = "big" if o.get("is_rdw_big_endian") == "true" else "little"
    adj = 0 if o.get("is_rdw_part_of_record_length") == "true" else 4
    fmt = FileFormat(
        record_format="V",
        rdw_byteorder=order,
        rdw_adjustment=adj,
        header_bytes=int(o.get("file_start_offset", 0)),
        trailer_bytes=int(o.get("file_end_offset", 0)),
    )
    path = os.path.join(CORPUS, c["data"])
    got = collect(framer_for(fmt, record_length=1, chunk_size=4096), path, 256)
    lengths = [len(p) for p in got.payloads]
    with open(os.path.join(CORPUS, c["expected"])) as f:
        expected = [json.loads(line) for line in f]
    limit = c["comparison"].get("limit")
    assert expected and len(expected) == min(limit or len(lengths), len(lengths))
    if "Record_Byte_Length" in expected[0]:
        assert lengths[: len(expected)] == [e["Record_Byte_Length"] for e in expected]
    if "Record_Id" in expected[0]:
        assert [e["Record_Id"] for e in expected] == list(range(len(expected)))
    with open(path, "rb") as f:
        raw = f.read()
    assert got.rebuild() == raw
    assert sum(len(r) + 4 for r in got.payloads) == len(raw) - fmt.header_bytes - fmt.trailer_bytes


@pytest.mark.usefixtures("cobrix_corpus")
def test_corpus_counts():
    """The corpus notes: test4/test5 hold 1000 RDW records (64-byte C and 60-byte P)."""
    for sub in (
        "test4_data/COMP.DETAILS.SEP30.DATA.dat",
        "test5b_data/COMP.DETAILS.FEB02.DATA.RDW.BE.dat",
    ):
        order = "little" if sub.startswith("test4") else "big"
        got = collect(v(order, 4), os.path.join(CORPUS, "data", sub))
        lengths = [len(p) for p in got.payloads]
        assert len(lengths) == 1000 and set(lengths) == {60, 64}


def test_vb_refuses_empty_record_that_would_read_as_padding():
    fmt = FileFormat(record_format="VB", rdw_adjustment=4)
    with pytest.raises(EncodeError):
        framer_for(fmt, record_length=1).frame(np.zeros((2, 3), dtype=np.uint8), np.array([3, 0]))
    fmt_v = FileFormat(record_format="V", rdw_adjustment=4)
    data = framer_for(fmt_v, record_length=1).frame(np.zeros((1, 3), dtype=np.uint8), np.array([0]))
    assert data == b"\0\0\0\0"
    assert collect(framer_for(fmt_v, record_length=1), data).payloads == [b""]


@pytest.mark.parametrize("max_groups", [1, 256])
@pytest.mark.parametrize("width", [150, 330])
def test_matrix_of_many_record_lengths(monkeypatch, max_groups, width):
    """The payload matrix is exact whether records are copied per length group or (with
    more distinct lengths than groups allowed) as whole windows masked after their length;
    records longer than the width are cut, shorter ones padded."""
    import legacyio.framing.base as base

    monkeypatch.setattr(base, "_MAX_GROUPS", max_groups)
    payloads = [bytes((i * 7 + j) % 256 for j in range(i)) for i in range(300)]
    payloads += payloads[::-1][:40]
    got = collect(v(), v_file(payloads), 128)
    expected, _ = matrix_of([p[:width] for p in payloads], width, pad=0x40)
    mats = np.concatenate([b.matrix(width, 0x40) for b in got.blocks])
    assert np.array_equal(mats, expected)
