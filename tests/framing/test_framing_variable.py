"""Records whose length comes from a callback (ODO variable records, length fields)."""

from __future__ import annotations

import json
import os
import random

import numpy as np
import pytest

from legacyio.errors import DecodeError, OptionsError
from legacyio.framing import CallbackFramer, framer_for
from legacyio.options import FileFormat

from .helpers import CORPUS, ListReport, Trickle, collect, matrix_of

ELEM = 5


def odo_length(prefix: np.ndarray) -> np.ndarray:
    """3 ASCII digits = number of 5-byte elements after them; -1 if not digits."""
    d = prefix.astype(np.int64) - 0x30
    ok = ((d >= 0) & (d <= 9)).all(axis=1)
    count = d[:, 0] * 100 + d[:, 1] * 10 + d[:, 2]
    return np.where(ok, 3 + ELEM * count, -1)


def odo_record(count: int, fill: int) -> bytes:
    return b"%03d" % count + bytes([fill]) * (ELEM * count)


def odo(**kw) -> CallbackFramer:
    return framer_for(
        FileFormat(record_format="ODO"),
        record_length=3 + ELEM * 999,
        length_fn=odo_length,
        prefix_length=3,
        **kw,
    )


rng = random.Random(11)
RANDOM = [odo_record(rng.randrange(0, 12), 0x41 + i % 26) for i in range(400)]
UNIFORM = [odo_record(4, 0x61 + i % 26) for i in range(3000)]


@pytest.mark.parametrize("records", [RANDOM, UNIFORM], ids=["random", "uniform"])
@pytest.mark.parametrize("batch,chunk", [(10_000, None), (37, 50), (1, 7), (500, 1)])
def test_round_trip(records, batch, chunk):
    data = b"".join(records)
    framer = odo(chunk_size=chunk)
    got = collect(framer, data, batch)
    assert got.payloads == records
    assert got.rebuild() == data
    mat, lens = matrix_of(records)
    assert odo().frame(mat, lens) == data
    assert b"".join(odo().frame(b.matrix(63, 0), b.lengths) for b in got.blocks) == data


def test_few_calls_not_one_per_record():
    for records in (RANDOM, UNIFORM):
        framer = odo()
        assert collect(framer, b"".join(records)).payloads == records
        assert framer.calls * 20 < len(records), framer.calls


def test_trickled_source():
    data = b"".join(RANDOM)
    assert collect(odo(chunk_size=64), Trickle(data, 9), 50).payloads == RANDOM


def test_empty():
    assert collect(odo(), b"").blocks == []


def test_invalid_length():
    good = b"".join(RANDOM[:20])
    data = good + b"0x1" + b"junk" * 5
    with pytest.raises(DecodeError, match="could not be determined") as err:
        collect(odo(chunk_size=16), data, 8)
    assert err.value.record == 21 and err.value.offset == len(good)
    rep = ListReport()
    got = collect(odo(chunk_size=16, lenient=True, report=rep), data, 8)
    assert got.payloads == RANDOM[:20] and got.trailer == data[len(good) :]
    assert rep.notes[0][1:] == (21, len(good))


@pytest.mark.parametrize(
    "tail,message", [(b"00", "fewer than the 3"), (b"002abc", "runs past the end")]
)
def test_short_last_record(tail, message):
    good = b"".join(RANDOM[:30])
    with pytest.raises(DecodeError, match=message) as err:
        collect(odo(), good + tail)
    assert err.value.record == 31 and err.value.offset == len(good)
    rep = ListReport()
    got = collect(odo(lenient=True, report=rep), good + tail)
    assert got.payloads == [*RANDOM[:30], tail]
    assert rep.notes[0][1:] == (31, len(good))


def test_options():
    with pytest.raises(OptionsError):
        framer_for(FileFormat(record_format="ODO"), record_length=10)
    with pytest.raises(OptionsError):
        framer_for(
            FileFormat(record_format="V", length_field="L"),
            record_length=10,
            length_fn=odo_length,
            prefix_length=3,
        )


def test_length_fn_shape_checked():
    framer = framer_for(
        FileFormat(record_format="ODO"),
        record_length=10,
        length_fn=lambda p: np.zeros(1, dtype=np.int64),
        prefix_length=2,
    )
    with pytest.raises(ValueError, match="shape"):
        collect(framer, b"x" * 100)


@pytest.mark.usefixtures("cobrix_corpus")
def test_corpus_length_field():
    """test5d: the RDW file read with a RECORD-LENGTH 9(4) COMP field + rdw_adjustment 4."""
    with open(os.path.join(CORPUS, "MANIFEST.json")) as f:
        case = {c["name"]: c for c in json.load(f)["cases"]}["test5d"]
    adj = int(case["options"]["rdw_adjustment"])

    def length_fn(prefix: np.ndarray) -> np.ndarray:
        return prefix[:, 0].astype(np.int64) * 256 + prefix[:, 1] + adj

    fmt = FileFormat(length_field="RECORD-LENGTH", rdw_adjustment=adj)
    framer = framer_for(
        fmt, record_length=68, length_fn=length_fn, prefix_length=2, chunk_size=1000
    )
    got = collect(framer, os.path.join(CORPUS, case["data"]), 128)
    with open(os.path.join(CORPUS, case["expected"])) as f:
        expected = [json.loads(line) for line in f]
    lengths = [len(p) for p in got.payloads]
    assert len(lengths) == 1000
    assert lengths[: len(expected)] == [e["Record_Byte_Length"] for e in expected]
    assert [e["RECORD_LENGTH"] for e in expected] == [n - adj for n in lengths[: len(expected)]]
