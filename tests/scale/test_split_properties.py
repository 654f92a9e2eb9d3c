"""Property tests of the split planner: over generated variable-length files, adversarial
ones included (payload bytes that look like RDWs and record lengths), every split starts on a
true record boundary, the splits tile the file and number every record exactly once."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import legacyio
from legacyio.scale.source import Source
from legacyio.scale.splits import kind_of, plan_bounds, splits_from_bounds
from tests.scale.helpers import ODO_CPY

LAYOUT = legacyio.load_copybook(ODO_CPY)

# items made of bytes that often form fake RDWs (00 LL 00 00) and fake ODO counts (F0-F2)
_byte = st.sampled_from([0x00, 0x00, 0x00, 0x0C, 0x10, 0x14, 0x40, 0xF0, 0xF1, 0xF2, 0xC1])
_record = st.integers(0, 20).flatmap(
    lambda cnt: (
        st.binary(min_size=6, max_size=6)
        .map(lambda b: b)  # TXN-ID: anything
        .flatmap(
            lambda head: st.lists(_byte, min_size=6 * cnt, max_size=6 * cnt).map(
                lambda items: head + bytes([0xF0 + cnt // 10, 0xF0 + cnt % 10]) + bytes(items)
            )
        )
    )
)


def _frames(recs: list[bytes], fmt: str) -> tuple[bytes, list[int]]:
    out, starts, pos = [], [], 0
    for r in recs:
        f = ((len(r) + 4).to_bytes(2, "big") + b"\0\0" + r) if fmt == "V" else r
        starts.append(pos)
        out.append(f)
        pos += len(f)
    return b"".join(out), starts


@settings(max_examples=60)
@given(
    recs=st.lists(_record, min_size=1, max_size=60),
    fmt=st.sampled_from(["V", "ODO"]),
    split_size=st.integers(1, 600),
)
def test_boundaries_are_true_record_starts(recs: list[bytes], fmt: str, split_size: int) -> None:
    data, starts = _frames(recs, fmt)
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "f.dat"
        p.write_bytes(data)
        ff = legacyio.FileFormat(record_format=fmt)
        with Source(p) as src:
            b = plan_bounds(src, LAYOUT, ff, kind_of(ff), split_size, workers=1)
            splits = splits_from_bounds(src.name, src.size, ff, b)
    assert b.total == len(recs)
    index = {s: i for i, s in enumerate(starts)}
    for s in splits:
        assert s.start in index  # a true record start
        assert s.first_record == index[s.start] + 1
    assert sum(s.records for s in splits) == len(recs)
    assert splits[-1].end == len(data)
    assert all(a.end == b.start for a, b in itertools.pairwise(splits))
    assert all(a.start < b.start for a, b in itertools.pairwise(splits))
