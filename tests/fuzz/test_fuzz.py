"""Fuzz targets (hypothesis): the copybook parser, every framing, the decoder (lenient and
strict) and the encoder, against the contract in ``harness``. The default run keeps each target
small; ``HYPOTHESIS_PROFILE=fuzz-long python -m pytest tests/fuzz`` runs 25 times more."""

from __future__ import annotations

import decimal
import io

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import legacyio
from legacyio.errors import LegacyioError

from .gen import copybooks, marked, mutated, rdw_files, segmented_copybooks, segmented_data
from .harness import (
    MARKER,
    check_report,
    check_text,
    cli_roundtrip,
    contained,
    examples,
    load,
    read_and_roundtrip,
)

pytestmark = pytest.mark.fuzz
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]


def fuzz(ci: int):
    return settings(
        max_examples=examples(ci), deadline=None, suppress_health_check=_SLOW, database=None
    )


# ---- the copybook parser ----------------------------------------------------------------------
@fuzz(150)
@given(copybooks())
def test_generated_copybooks_load_or_fail_cleanly(text: str) -> None:
    layout = load(text)
    if layout is not None:
        contained(lambda: legacyio.load_copybook(layout).record_length)


@fuzz(250)
@given(st.data())
def test_mutated_copybooks_load_or_fail_cleanly(data: st.DataObject) -> None:
    text = data.draw(mutated(data.draw(copybooks())))
    layout = load(text)
    if layout is not None and layout.record_length <= 1 << 16:
        # the plan and its schema build too (or refuse with a legacyio error)
        from legacyio.options import FileFormat
        from legacyio.plan.core import Plan

        contained(lambda: Plan(layout, FileFormat()).output_schema())
        read_and_roundtrip(b"\x40" * layout.record_length, layout)


@fuzz(150)
@given(st.text(max_size=300))
def test_random_text_as_copybook(text: str) -> None:
    load(text)


# ---- framings on random and mutated bytes -------------------------------------------------------
FRAMED_TEXT = (
    "       01 R.\n"
    "          05 N    PIC 9.\n"
    "          05 T    PIC X(3) OCCURS 0 TO 4 DEPENDING ON N.\n"
    "          05 A    PIC S9(5) COMP-3.\n"
    "          05 B    PIC X(4).\n"
)
FRAMED_CB = legacyio.load_copybook(FRAMED_TEXT)
WIDE_TEXT = "       01 R.\n          05 A PIC X(5).\n          05 B PIC 9 OCCURS 700.\n"
WIDE_CB = legacyio.load_copybook(WIDE_TEXT)
FIXED_CB = legacyio.load_copybook(
    "       01 R.\n          05 A PIC X(5).\n          05 B PIC S9(5) COMP-3.\n"
    "          05 C PIC S9(4) COMP.\n"
)
FRAMINGS = [
    ("F", FIXED_CB, {}),
    ("FB", FIXED_CB, {"record_length": 12}),
    ("V", FRAMED_CB, {}),
    ("VB", FRAMED_CB, {}),
    ("D", FIXED_CB, {"encoding": "cp1252"}),
    ("ODO", FRAMED_CB, {}),
    ("V", FIXED_CB, {"variable_occurs": True}),
]


def _clean(fmt: str, layout, kw: dict, n: int, rng: np.random.Generator) -> bytes:
    """Well-formed input for a framing: records written by legacyio from decoded random data."""
    w = layout.record_length
    recs = []
    for _ in range(n):
        rec = bytearray(rng.integers(0, 256, w, dtype=np.uint8).tobytes())
        if layout is FRAMED_CB:
            rec[0] = 0xF0 + int(rng.integers(0, 5))
        recs.append(bytes(rec))
    raw = b"".join(recs)
    fixed_kw = {k: v for k, v in kw.items() if k != "encoding"}
    table, _err = contained(lambda: legacyio.read_table(raw, layout, **fixed_kw))
    if table is None:
        return raw
    table = table.drop_columns(["_legacyio_residue"])
    out, _err = contained(lambda: legacyio.encode(table, layout, record_format=fmt, **kw))
    return out if out is not None else raw


@fuzz(60)
@pytest.mark.parametrize(
    "fmt, layout, kw", FRAMINGS, ids=[f[0] + str(i) for i, f in enumerate(FRAMINGS)]
)
@given(
    seed=st.integers(0, 2**32 - 1),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=6),
    cut=st.integers(0, 4000),
    junk=st.binary(max_size=64),
)
def test_framing_mutated_bytes(fmt, layout, kw, seed, edits, cut, junk) -> None:
    rng = np.random.default_rng(seed)
    data = bytearray(_clean(fmt, layout, kw, int(rng.integers(0, 12)), rng))
    for at, b in edits:
        if data:
            data[at % len(data)] = b
    data = bytes(data[: max(cut, len(data) - cut)]) + (junk if seed % 3 == 0 else b"")
    data = marked(data) if seed % 2 else data
    read_and_roundtrip(data, layout, record_format=fmt, **kw)


@fuzz(40)
@pytest.mark.parametrize("fmt", ["F", "V", "VB", "D", "ODO"])
@given(data=st.binary(max_size=400))
def test_framing_random_bytes(fmt: str, data: bytes) -> None:
    layout = FIXED_CB if fmt in ("F", "D") else FRAMED_CB
    read_and_roundtrip(data, layout, record_format=fmt)


@fuzz(40)
@given(data=st.binary(max_size=300), big=st.booleans())
def test_length_field_framing(data: bytes, big: bool) -> None:
    cb = legacyio.load_copybook(
        "       01 R.\n          05 L PIC S9(4) COMP.\n          05 X PIC X(20).\n"
    )
    read_and_roundtrip(data, cb, record_format="V" if big else "F", length_field="L")


# ---- the decoder on generated layouts, lenient and strict ---------------------------------------
@fuzz(150)
@given(text=copybooks(), seed=st.integers(0, 2**32 - 1), fmt=st.sampled_from(["F", "V", "ODO"]))
def test_decoder_on_random_layouts_and_bytes(text: str, seed: int, fmt: str) -> None:
    layout = load(text)
    if layout is None or layout.record_length > 4096:
        return
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 6))
    body = rng.integers(0, 256, layout.record_length * n, dtype=np.uint8).tobytes()
    if seed % 4 == 0:  # mostly digits: more records decode, more layouts vary
        body = bytes((0xF0 + b % 4) if b % 3 else b for b in body)
    data = marked(body)
    if fmt == "V":
        w = layout.record_length
        data = b"".join(
            (w + 4).to_bytes(2, "big") + b"\0\0" + data[i * w : (i + 1) * w] for i in range(n)
        )
    read_and_roundtrip(data, layout, record_format=fmt)


# ---- the encoder on random tables --------------------------------------------------------------
def _values(t: pa.DataType, n: int, draw) -> pa.Array:
    if pa.types.is_string(t):
        vals = draw(
            st.lists(
                st.one_of(st.none(), st.text(max_size=12), st.just(MARKER)), min_size=n, max_size=n
            )
        )
        return pa.array(vals, t)
    if pa.types.is_integer(t):
        vals = draw(
            st.lists(st.one_of(st.none(), st.integers(-(2**70), 2**70)), min_size=n, max_size=n)
        )
        return pa.array(
            [None if v is None else max(-(2**63), min(2**63 - 1, v)) for v in vals], pa.int64()
        )
    if pa.types.is_decimal(t):
        vals = draw(
            st.lists(
                st.one_of(
                    st.none(),
                    st.decimals(allow_nan=False, allow_infinity=False, places=t.scale % 10),
                ),
                min_size=n,
                max_size=n,
            )
        )
        try:
            return pa.array(vals, pa.decimal256(76, min(t.scale, 40)))
        except (pa.ArrowInvalid, decimal.InvalidOperation):
            return pa.nulls(n, t)
    if pa.types.is_floating(t):
        vals = draw(st.lists(st.one_of(st.none(), st.floats(width=64)), min_size=n, max_size=n))
        return pa.array(vals, pa.float64())
    if pa.types.is_list(t):
        lens = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
        inner = _values(t.value_type, sum(lens), draw)
        offsets = np.concatenate([[0], np.cumsum(lens)]).astype(np.int32)
        return pa.ListArray.from_arrays(pa.array(offsets), inner)
    if pa.types.is_struct(t):
        kids = [_values(f.type, n, draw) for f in t]
        return pa.StructArray.from_arrays(kids, names=[f.name for f in t])
    if pa.types.is_fixed_size_binary(t) or pa.types.is_binary(t):
        vals = draw(st.lists(st.one_of(st.none(), st.binary(max_size=12)), min_size=n, max_size=n))
        return pa.array(vals, pa.binary())
    return pa.nulls(n, t)


@fuzz(150)
@given(
    text=copybooks(),
    data=st.data(),
    null_as=st.sampled_from(["error", "spaces", "zero"]),
    truncate=st.booleans(),
)
def test_encoder_on_random_tables(
    text: str, data: st.DataObject, null_as: str, truncate: bool
) -> None:
    layout = load(text)
    if layout is None or layout.record_length > 4096:
        return
    from legacyio.options import FileFormat
    from legacyio.plan.core import Plan

    plan, err = contained(lambda: Plan(layout, FileFormat()))
    if plan is None:
        return
    schema = plan.schema()
    n = data.draw(st.integers(0, 4))
    cols = []
    for f in schema:
        if f.name == "_legacyio_residue":
            continue
        arr = _values(f.type, n, data.draw)
        if data.draw(st.integers(0, 3)) == 0:
            arr = pa.nulls(n, arr.type)
        cols.append((f.name, arr))
    table = pa.table(dict(cols)) if cols else pa.table({})
    opts = {"null_as": null_as, "on_overflow": "truncate" if truncate else "error"}
    out, err = contained(lambda: legacyio.encode(table, layout, **opts))
    if err is not None:
        check_text(str(err), "encode error")
        return
    # what was written reads back (lenient) without anything but legacyio errors
    report = legacyio.DecodeReport()
    contained(lambda: legacyio.read_table(out, layout, report=report))
    check_report(report)
    sink = io.BytesIO()
    contained(lambda: legacyio.write_table(table, sink, layout, **opts))


def test_contract_catches_a_foreign_exception() -> None:
    """The harness itself: a non-legacyio exception propagates (the fuzz targets would fail)."""
    with pytest.raises(ZeroDivisionError):
        contained(lambda: 1 / 0)
    _, err = contained(lambda: (_ for _ in ()).throw(LegacyioError("x")))
    assert isinstance(err, LegacyioError)
    with pytest.raises(AssertionError):
        check_text(f"field holds {MARKER}", "probe")


# ---- round trips of the shapes our fuzzing found failing (issues 12 and 17) ---------------------
@fuzz(40)
@given(case=segmented_copybooks(), data=st.data(), cut=st.integers(0, 40))
def test_segmented_layouts_with_occurs_in_alternatives(
    case: tuple[str, dict, int], data: st.DataObject, cut: int
) -> None:
    """Segments (REDEFINES alternatives chosen by a segment field) holding fixed OCCURS, dirt
    in the inactive segment, unknown ids, sometimes a short last record (lenient framing):
    nested and flattened tables give the bytes back, whole and streamed."""
    text, seg, at = case
    layout = load(text)
    if layout is None or layout.record_length > 4096:
        return
    raw = data.draw(segmented_data(layout, at))
    kw: dict = dict(seg)
    if cut and cut < layout.record_length:
        raw, kw["lenient_framing"] = raw[: len(raw) - cut], True
    read_and_roundtrip(marked(raw) if cut % 2 else raw, layout, **kw)
    if cut % 10 == 1:  # now and then through the CLI too (CSV is always flattened)
        cli_roundtrip(raw, text, ("csv",), **kw)


@fuzz(50)
@given(text=copybooks(odo=False), seed=st.integers(0, 2**32 - 1), cut=st.integers(1, 64))
def test_short_last_record_on_random_layouts(text: str, seed: int, cut: int) -> None:
    """Fixed records, the last one cut anywhere (an OCCURS after the cut), read leniently."""
    layout = load(text)
    if layout is None or layout.record_length > 4096:
        return
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 4))
    body = rng.integers(0, 256, layout.record_length * n, dtype=np.uint8).tobytes()
    if seed % 2:
        body = bytes((0xF0 + b % 10) if b % 4 else 0x40 for b in body)
    body = body[: max(0, len(body) - cut)]
    read_and_roundtrip(body, layout, lenient_framing=True)


@st.composite
def _framed_payloads(draw) -> bytes:
    n = draw(st.integers(0, 4))
    body = bytes([0xF0 + n]) + draw(st.binary(min_size=3 * n, max_size=3 * n))
    body += draw(st.binary(min_size=3, max_size=3)) + draw(st.binary(max_size=4))
    if draw(st.integers(0, 5)) == 0:
        body = bytes([draw(st.integers(0, 255))]) + body[1:]
    return body


@fuzz(80)
@given(case=rdw_files(_framed_payloads()), via_cli=st.integers(0, 9))
def test_v_files_with_mixed_rdw_conventions(case: tuple[bytes, dict], via_cli: int) -> None:
    """V/VB files with random RDW conventions, garbage and cut records, read leniently; now
    and then also ``convert`` to Parquet -> ``encode`` through the CLI."""
    data, kw = case
    read_and_roundtrip(data, FRAMED_CB, **kw)
    if via_cli == 0 and contained(lambda: legacyio.read_table(data, FRAMED_CB, **kw))[1] is None:
        cli_roundtrip(data, FRAMED_TEXT, ("parquet",), **kw)


@fuzz(15)
@given(
    data=st.binary(min_size=1, max_size=600),
    fmt=st.sampled_from(["V", "VB", "ODO", "F"]),
)
def test_all_garbage_files_keep_their_bytes_in_every_output(data: bytes, fmt: str) -> None:
    """Files in which (mostly) no record is decodable: streamed through the API and through
    ``convert`` -> ``encode`` for every output format, the bytes come back, or ``convert``
    refuses (a format that cannot carry them) and leaves nothing."""
    if fmt == "F":  # one record longer than the file: nothing but a short record
        cb, text, kw = WIDE_CB, WIDE_TEXT, {"lenient_framing": True}
    else:
        cb, text, kw = FRAMED_CB, FRAMED_TEXT, {"record_format": fmt, "lenient_framing": True}
    read_and_roundtrip(data, cb, **kw)
    if contained(lambda: legacyio.read_table(data, cb, **kw))[1] is None:
        cli_roundtrip(data, text, ("parquet", "arrow", "csv", "jsonl"), **kw)
