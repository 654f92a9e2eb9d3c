"""VBS (variable blocked spanned) framing: files built byte by byte with the independent
reference in tests/support/vbs.py, read by the framer and the reader, and written back."""

from __future__ import annotations

import io
import random
import warnings

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import legacyio
from legacyio.errors import DecodeError, EncodeError, OptionsError
from legacyio.framing import framer_for
from legacyio.framing.spanned import SpannedFramer
from legacyio.options import FileFormat
from legacyio.plan.nodes import RESIDUE_COLUMN
from legacyio.scale import RECORD_COLUMN, plan_splits, read_splits
from tests.support import vbs as ref
from tests.support.roundtrip import assert_round_trip

from .helpers import ListReport, Trickle, collect, matrix_of

COMPLETE, FIRST, LAST, MIDDLE = ref.COMPLETE, ref.FIRST, ref.LAST, ref.MIDDLE

# records of 3 + N bytes: a count and N letters (OCCURS DEPENDING ON)
ODO_CPY = """\
       01 REC.
          05 N     PIC 9(3).
          05 T     PIC X OCCURS 0 TO 300 DEPENDING ON N.
"""


def rec(n: int) -> bytes:
    """A record of the ODO copybook holding ``n`` letters (EBCDIC, by hand)."""
    return f"{n:03d}".encode("cp037") + bytes(0xC1 + (i % 9) for i in range(n))


def framer(block_size: int = 32760, **kw) -> SpannedFramer:
    fmt = FileFormat(record_format="vbs", block_size=block_size)
    return framer_for(fmt, record_length=10, **kw)


rng = random.Random(16)
PAYLOADS = [
    bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 7, 30, 90]))) for _ in range(60)
]


# ---------------------------------------------------------------------------- framer level
def hand_file() -> tuple[bytes, list[bytes]]:
    """Records spanning 2 and 3+ blocks, an exactly filled block, empty records."""
    a, b, c, d, e = b"A" * 5, b"B" * 40, b"", b"D" * 12, b"E" * 3
    blocks = [
        [(COMPLETE, a), (FIRST, b[:10])],  # b starts in block 1 ...
        [(MIDDLE, b[10:30])],  # ... a middle alone in block 2 ...
        [(LAST, b[30:]), (COMPLETE, c)],  # ... and ends in block 3 (spans 3 blocks)
        [(COMPLETE, d)],  # a block filled exactly by one record
        [(FIRST, e[:1])],
        [(LAST, e[1:]), (COMPLETE, c)],  # spans 2 blocks; an empty record
    ]
    return ref.vbs_file(blocks), [a, b, c, d, e, c]


@pytest.mark.parametrize("batch,chunk", [(1000, None), (1, 5), (2, 13), (3, 1)])
def test_reads_hand_built_file(batch, chunk):
    data, records = hand_file()
    assert ref.decode(data) == records
    source = Trickle(data, 7) if chunk else data
    got = collect(framer(chunk_size=chunk), source, batch)
    assert got.payloads == records
    assert got.rebuild() == data
    assert got.trailer == b""
    # a record in one complete segment is framed like an RDW record
    flat = [(b, i) for b in got.blocks for i in range(len(b))]
    lens = [int(b.frame_lengths[i]) for b, i in flat]
    assert lens[0] == 9 and lens[3] == 16
    # spanned records: raw bytes from the first SDW to the end of the last segment
    assert lens[1] == (14 + 4 + 24 + 4 + 14) and lens[4] == (5 + 4 + 6)


def test_payload_offsets_name_the_first_data_byte():
    data, _ = ref.vbs_file([[(FIRST, rec(4)[:2])], [(LAST, rec(4)[2:]), (COMPLETE, rec(1))]]), None
    t = legacyio.read_table(data, ODO_CPY, record_format="VBS", record_offset=True)
    assert t.column("N").to_pylist() == [4, 1]
    offsets = t.column(t.column_names[-1]).to_pylist()
    assert offsets == [8, (4 + 4 + 2) + 4 + 4 + 5 + 4]


@pytest.mark.parametrize("block_size", [9, 10, 17, 30, 64, 200, 32760])
def test_canonical_write_is_the_reference_blocking(block_size):
    mat, lens = matrix_of(PAYLOADS)
    out = framer(block_size).frame(mat, lens)
    assert out == ref.vbs_file(ref.ibm_blocks(PAYLOADS, block_size))
    assert ref.decode(out) == PAYLOADS
    # every block within block_size, and each one full unless the next segment cannot fit
    pos = 0
    while pos < len(out):
        size = int.from_bytes(out[pos : pos + 2], "big")
        assert size <= block_size
        pos += size
    got = collect(framer(block_size), out, 7)
    assert got.payloads == PAYLOADS and got.rebuild() == out


def test_large_record_spans_many_blocks_and_max_segment():
    big = bytes(range(256)) * 300  # 76,800 bytes: several IBM-size segments
    mat, lens = matrix_of([b"x", big, b"y"])
    out = framer(32760).frame(mat, lens)
    assert ref.decode(out) == [b"x", big, b"y"]
    segs = []
    pos = 0
    while pos < len(out):
        end = pos + int.from_bytes(out[pos : pos + 2], "big")
        pos += 4
        while pos < end:
            segs.append((int.from_bytes(out[pos : pos + 2], "big"), out[pos + 2]))
            pos += segs[-1][0]
    assert max(s for s, _ in segs) <= 32756
    assert [c for _, c in segs] == [0, 1, 3, 2, 0]


# ---------------------------------------------------------------------------- malformed input
MALFORMED = {
    "middle without first": (
        [[(COMPLETE, b"ok1"), (MIDDLE, b"mm")], [(COMPLETE, b"ok2")]],
        "middle segment without a first segment",
        2,
        4 + 7,
    ),
    "last without first": (
        [[(LAST, b"ll")], [(COMPLETE, b"ok")]],
        "last segment without a first segment",
        1,
        4,
    ),
    "first then complete": (
        [[(COMPLETE, b"ok1"), (FIRST, b"ff")], [(COMPLETE, b"ok2")]],
        "has no last segment (a complete segment follows)",
        2,
        4 + 7 + 6 + 4,
    ),
    "first then first": (
        [[(FIRST, b"f1")], [(FIRST, b"f2"), (LAST, b"l2")]],
        "has no last segment (a first segment follows)",
        1,
        4 + 6 + 4,
    ),
    "bad control byte": (
        [[(COMPLETE, b"ok1"), (0x41, b"zz"), (COMPLETE, b"ok2")]],
        "invalid segment descriptor word (control byte 0x41",
        2,
        4 + 7,
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_spanning_strict_names_record_and_offset(case):
    blocks, message, record, offset = MALFORMED[case]
    data = ref.vbs_file(blocks)
    with pytest.raises(DecodeError) as ei:
        collect(framer(), data)
    assert message in str(ei.value)
    assert ei.value.record == record and ei.value.offset == offset


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_spanning_lenient_keeps_every_byte(case):
    blocks, message, record, offset = MALFORMED[case]
    data = ref.vbs_file(blocks)
    rep = ListReport()
    got = collect(framer(lenient=True, report=rep), data)
    assert got.rebuild() == data
    assert [(message in m, r, o) for m, r, o in rep.notes][:1] == [(True, record, offset)]


def test_first_without_last_at_end_of_input():
    data = ref.vbs_file([[(COMPLETE, b"ok"), (FIRST, b"ff")], [(MIDDLE, b"mm")]])
    with pytest.raises(DecodeError, match="input ends inside a spanned record") as ei:
        collect(framer(), data)
    assert ei.value.record == 2 and ei.value.offset == 4 + 6
    rep = ListReport()
    got = collect(framer(lenient=True, report=rep), data)
    assert got.payloads == [b"ok"] and got.rebuild() == data
    assert got.trailer == data[4 + 6 :]


def test_reserved_byte_and_segment_beyond_block():
    bad = bytearray(ref.vbs_file([[(COMPLETE, b"ok"), (COMPLETE, b"xy")]]))
    bad[4 + 6 + 3] = 1  # reserved byte of the second SDW
    with pytest.raises(DecodeError, match="reserved byte 0x01") as ei:
        collect(framer(), bytes(bad))
    assert ei.value.record == 2 and ei.value.offset == 10
    long = bytearray(ref.vbs_file([[(COMPLETE, b"ok"), (COMPLETE, b"xy")]]))
    long[11] = 40  # the second segment claims 40 bytes in a 16-byte block
    with pytest.raises(DecodeError, match="segment length 40 beyond its block") as ei:
        collect(framer(), bytes(long))
    assert ei.value.record == 2 and ei.value.offset == 10
    rep = ListReport()
    got = collect(framer(lenient=True, report=rep), bytes(long))
    assert got.payloads == [b"ok"] and got.rebuild() == bytes(long)


def test_malformed_file_through_the_reader():
    blocks = [[(COMPLETE, rec(2)), (MIDDLE, b"mm")], [(COMPLETE, rec(3))]]
    data = ref.vbs_file(blocks)
    with pytest.raises(DecodeError) as ei:
        legacyio.read_table(data, ODO_CPY, record_format="VBS")
    assert ei.value.record == 2 and ei.value.offset == 4 + 9
    rep = legacyio.DecodeReport()
    t = legacyio.read_table(data, ODO_CPY, record_format="VBS", lenient_framing=True, report=rep)
    assert t.column("N").to_pylist() == [2, 3]
    assert [(f.record, f.offset) for f in rep.framing] == [(2, 4 + 9)]
    assert legacyio.encode(t, record_format="VBS") == data


# ---------------------------------------------------------------------------- reader/writer
def test_round_trip_non_canonical_segmenting():
    r = [rec(n) for n in (5, 40, 0, 12, 7, 100)]
    blocks = [
        [(COMPLETE, r[0]), *ref.split_record(r[1], [10])[:1]],
        ref.split_record(r[1], [10, 30])[1:2],
        [*ref.split_record(r[1], [10, 30])[2:], (COMPLETE, r[2])],
        [(COMPLETE, r[3])],
        ref.split_record(r[4], [1, 2, 3, 4]),  # four cuts inside one block
        ref.split_record(r[5], [50]),
    ]
    data = ref.vbs_file(blocks)
    assert ref.decode(data) == r
    t = assert_round_trip(data, ODO_CPY, record_format="VBS")
    assert t.column("N").to_pylist() == [5, 40, 0, 12, 7, 100]
    assert t.column("T").to_pylist()[1] == [chr(ord("A") + i % 9) for i in range(40)]


def test_canonical_file_needs_residue_only_for_block_heads_and_spans():
    records = [rec(n) for n in (5, 40, 2, 8, 20)]
    data = ref.vbs_file(ref.ibm_blocks(records, 40))
    t = legacyio.read_table(data, ODO_CPY, record_format="VBS", block_size=40)
    clean = t.drop_columns([RESIDUE_COLUMN])
    assert legacyio.encode(clean, record_format="VBS", block_size=40) == data
    assert legacyio.encode(t, record_format="VBS", block_size=40) == data
    # a record inside a block in one segment carries nothing extra
    assert t.column(RESIDUE_COLUMN).to_pylist()[2] is None


def test_edit_in_a_spanned_record_keeps_its_segments():
    records = [rec(n) for n in (4, 30, 3)]
    blocks = [
        [(COMPLETE, records[0]), (FIRST, records[1][:5])],
        [(MIDDLE, records[1][5:20])],
        [(LAST, records[1][20:]), (COMPLETE, records[2])],
    ]
    data = ref.vbs_file(blocks)
    t = legacyio.read_table(data, ODO_CPY, record_format="VBS")
    letters = t.column("T").to_pylist()
    letters[1] = ["Z"] * 30
    t = t.set_column(t.column_names.index("T"), "T", pa.array(letters, t.schema.field("T").type))
    out = legacyio.encode(t, record_format="VBS")
    edited = rec(30)[:3] + "Z".encode("cp037") * 30
    # the edited record cut where the original was, around the same SDWs and BDWs
    want = [
        [(COMPLETE, records[0]), (FIRST, edited[:5])],
        [(MIDDLE, edited[5:20])],
        [(LAST, edited[20:]), (COMPLETE, records[2])],
    ]
    assert out == ref.vbs_file(want)
    rep = legacyio.WriteReport()
    legacyio.write_table(t, io.BytesIO(), ODO_CPY, record_format="VBS", report=rep)
    assert rep.merged == 1


def test_vbs_options():
    assert FileFormat(record_format="vbs").record_format == "VBS"
    with pytest.raises(OptionsError, match="VBS segment descriptor words"):
        framer_for(FileFormat(record_format="VBS", rdw_adjustment=4), record_length=4)
    with pytest.raises(OptionsError, match="record_start_offset"):
        framer_for(FileFormat(record_format="VBS", record_start_offset=2), record_length=4)


def test_residue_write_refuses_a_new_record_too_long_for_one_segment():
    t = legacyio.read_table(ref.vbs_file([[(COMPLETE, rec(2))]]), ODO_CPY, record_format="VBS")
    row = {"N": 200, "T": ["A"] * 200, RESIDUE_COLUMN: None}
    t2 = pa.concat_tables([t, pa.Table.from_pylist([row], schema=t.schema)])
    with pytest.raises(EncodeError, match="does not fit one VBS segment") as ei:
        legacyio.encode(t2, record_format="VBS", block_size=100)
    assert ei.value.record == 2


# ---------------------------------------------------------------------------- property
@st.composite
def vbs_files(draw):
    sizes = draw(st.lists(st.integers(0, 120), min_size=1, max_size=12))
    records = [rec(n) for n in sizes]
    if draw(st.booleans()):
        block_size = draw(st.integers(9, 200))
        return records, ref.vbs_file(ref.ibm_blocks(records, block_size)), block_size
    # arbitrary segmenting: random cuts, random block breaks between segments
    segments = []
    for r in records:
        cuts = sorted(set(draw(st.lists(st.integers(1, max(1, len(r) - 1)), max_size=3))))
        cuts = [c for c in cuts if 0 < c < len(r)]
        segments.extend(ref.split_record(r, cuts))
    blocks, current = [], []
    for s in segments:
        current.append(s)
        if draw(st.booleans()):
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return records, ref.vbs_file(blocks), 32760


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vbs_files())
def test_property_read_write_identity(case):
    records, data, block_size = case
    assert ref.decode(data) == records
    t = legacyio.read_table(data, ODO_CPY, record_format="VBS", block_size=block_size)
    assert t.column("N").to_pylist() == [int(r[:3].decode("cp037")) for r in records]
    assert legacyio.encode(t, record_format="VBS", block_size=block_size) == data
    reader = legacyio.open_reader(data, ODO_CPY, record_format="VBS", batch_size=2)
    assert legacyio.encode(reader.read_all(), record_format="VBS") == data
    canon = legacyio.encode(t.drop_columns([RESIDUE_COLUMN]), record_format="VBS", block_size=64)
    assert canon == ref.vbs_file(ref.ibm_blocks(records, 64))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=80), max_size=15), st.integers(9, 120), st.integers(1, 6))
def test_property_framer_write_read(payloads, block_size, batch):
    mat, lens = matrix_of(payloads, width=80)
    out = framer(block_size).frame(mat, lens)
    assert ref.decode(out) == payloads
    got = collect(framer(block_size), out, batch)
    assert got.payloads == payloads and got.rebuild() == out


# ---------------------------------------------------------------------------- scale-out
def test_splits_start_only_on_blocks_that_start_a_record(tmp_path):
    records = [rec(n) for n in [5, 60, 3, 90, 1, 45, 200, 2] * 6]
    data = ref.vbs_file(ref.ibm_blocks(records, 50))
    path = tmp_path / "f.vbs"
    path.write_bytes(data)
    kw = {"record_format": "VBS", "block_size": 50}
    splits = plan_splits(path, ODO_CPY, split_size=120, index="ignore", workers=1, **kw)
    assert len(splits) > 3
    for s in splits[1:]:
        assert data[s.start + 6] in (COMPLETE, FIRST)  # first SDW of the split's first block
    whole = legacyio.read_table(path, ODO_CPY, **kw)
    parts = read_splits(splits, ODO_CPY, **kw)
    assert parts.column(RECORD_COLUMN).to_pylist() == list(range(1, len(records) + 1))
    assert parts.column("N").equals(whole.column("N"))
    assert parts.column("T").equals(whole.column("T"))
    back = legacyio.encode(parts.drop_columns([RECORD_COLUMN]), **kw)
    assert back == data
    # blocks that continue a spanned record exist and never start a split
    heads, pos = [], 0
    while pos < len(data):
        heads.append((pos, data[pos + 6]))
        pos += int.from_bytes(data[pos : pos + 2], "big")
    continuing = {p for p, code in heads if code in (LAST, MIDDLE)}
    assert len(continuing) > 5
    assert not continuing & {s.start for s in splits}


def test_vbs_block_sizes_below_minimum_refused():
    with pytest.raises(OptionsError, match="VBS block"):
        SpannedFramer(block_size=8)
    t = legacyio.read_table(ref.vbs_file([[(COMPLETE, rec(2))]]), ODO_CPY, record_format="VBS")
    with pytest.raises(OptionsError, match="VBS block"):
        legacyio.encode(t, record_format="VBS", block_size=8)
    assert np.array_equal(framer().unfit(np.array([4, 32756, 32757])), [False, False, True])


def test_spanned_records_do_not_look_like_a_wrong_copybook():
    records = [rec(60) for _ in range(10)]
    data = ref.vbs_file(ref.ibm_blocks(records, 40))
    rep = legacyio.DecodeReport()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        legacyio.read_table(data, ODO_CPY, record_format="VBS", report=rep)
    assert rep.spanned_records == 10 and rep.residue_records == 10
    assert rep.to_dict()["spanned_records"] == 10
    # the same records with a bad count are still suspect
    bad = [b"X" + r[1:] for r in records]
    with pytest.warns(legacyio.DataWarning):
        legacyio.read_table(ref.vbs_file(ref.ibm_blocks(bad, 40)), ODO_CPY, record_format="VBS")


def test_dirty_records_keep_their_bytes_next_to_spanned_ones():
    dirty = b"\xf0\xf0\xc3" + rec(3)[3:]  # count 3 with a C zone: not how the writer writes it
    clean = rec(4)
    blocks = [
        [(COMPLETE, clean), (COMPLETE, dirty), (FIRST, rec(30)[:10])],
        [(LAST, rec(30)[10:]), (COMPLETE, clean), (COMPLETE, dirty)],
    ]
    data = ref.vbs_file(blocks)
    t = assert_round_trip(data, ODO_CPY, record_format="VBS")
    assert t.column("N").to_pylist() == [4, 3, 30, 4, 3]
    kept = [r is not None for r in t.column(RESIDUE_COLUMN).to_pylist()]
    # block heads (their BDW), the dirty records and the spanned one; not the clean one inside
    assert kept == [True, True, True, False, True]


def test_vbs_read_as_vb_says_to_try_vbs():
    data = ref.vbs_file([[(COMPLETE, rec(2)), (FIRST, rec(9)[:4])], [(LAST, rec(9)[4:])]])
    with pytest.raises(DecodeError, match="segment control code: a VBS file") as ei:
        legacyio.read_table(data, ODO_CPY, record_format="VB")
    assert ei.value.record == 2 and ei.value.offset == 4 + 9
    # and a VB file is a VBS file whose segments are all complete
    vb = ref.vbs_file([[(COMPLETE, rec(2)), (COMPLETE, rec(5))], [(COMPLETE, rec(0))]])
    a = legacyio.read_table(vb, ODO_CPY, record_format="VB")
    b = legacyio.read_table(vb, ODO_CPY, record_format="VBS")
    assert a.equals(b)


def test_length_edit_of_a_spanned_record_is_refused_not_mangled():
    records = [rec(4), rec(30), rec(3)]
    blocks = [
        [(COMPLETE, records[0]), (FIRST, records[1][:5])],
        [(LAST, records[1][5:]), (COMPLETE, records[2])],
    ]
    data = ref.vbs_file(blocks)
    t = legacyio.read_table(data, ODO_CPY, record_format="VBS")
    n = t.column("N").to_pylist()
    letters = t.column("T").to_pylist()
    n[1], letters[1] = 20, letters[1][:20]
    t = t.set_column(0, "N", pa.array(n, t.schema.field("N").type))
    t = t.set_column(1, "T", pa.array(letters, t.schema.field("T").type))
    with pytest.raises(EncodeError, match="changed the length of a record spanned") as ei:
        legacyio.encode(t, record_format="VBS")
    assert ei.value.record == 2
    out = legacyio.encode(t.drop_columns([RESIDUE_COLUMN]), record_format="VBS")
    assert ref.decode(out) == [records[0], rec(20), records[2]]
