"""Property tests: for random records, batch and chunk sizes, every framing reads back
what it writes, byte for byte."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from legacyio.framing import framer_for
from legacyio.options import FileFormat

from .helpers import Trickle, collect, matrix_of

payload_lists = st.lists(st.binary(min_size=0, max_size=40), min_size=0, max_size=40)
sizes = st.tuples(st.integers(1, 50), st.sampled_from([None, 1, 5, 64]))


def _check(
    fmt: FileFormat, payloads: list[bytes], batch: int, chunk: int | None, trickle: bool, **kw
) -> None:
    mat, lens = matrix_of(payloads, 40, pad=0)
    data = framer_for(fmt, record_length=40, **kw).frame(mat, lens)
    src = Trickle(data, 3) if trickle else data
    got = collect(framer_for(fmt, record_length=40, chunk_size=chunk, **kw), src, batch)
    assert got.payloads == payloads
    assert got.rebuild() == data
    matrices = [b.matrix(40, 0) for b in got.blocks]
    if matrices:
        assert np.array_equal(np.concatenate(matrices), mat)


@settings(max_examples=60, deadline=None)
@given(
    payload_lists,
    sizes,
    st.booleans(),
    st.sampled_from(["big", "little"]),
    st.sampled_from([0, 4]),
    st.booleans(),
)
def test_rdw(payloads, size, trickle, order, adj, blocked):
    if blocked and adj == 4:
        # an empty record would need an all-zero RDW, which VB reads as block padding
        payloads = [p or b"e" for p in payloads]
    fmt = FileFormat(
        record_format="VB" if blocked else "V",
        rdw_byteorder=order,
        rdw_adjustment=adj,
        block_size=120,
    )
    _check(fmt, payloads, *size, trickle)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"").rstrip(b"\r")), max_size=30
    ),
    sizes,
    st.booleans(),
)
def test_text(payloads, size, trickle):
    # a line ending in CR followed by LF reads as a CRLF line: such payloads are ambiguous in
    # text framing (the reader keeps their bytes through the residue instead)
    _check(FileFormat(record_format="D"), payloads, *size, trickle)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(min_size=0, max_size=38), max_size=40), sizes, st.booleans())
def test_length_prefixed(payloads, size, trickle):
    # a 2-byte length field inside the record: each record is that prefix + body
    records = [len(p).to_bytes(2, "big") + p for p in payloads]

    def length_fn(prefix: np.ndarray) -> np.ndarray:
        return prefix[:, 0].astype(np.int64) * 256 + prefix[:, 1] + 2

    fmt = FileFormat(length_field="LEN")
    _check(fmt, records, *size, trickle, length_fn=length_fn, prefix_length=2)
