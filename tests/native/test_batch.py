"""The batch kernel (one native call per batch for a fixed layout, column order in tiles or
fused per record) against the NumPy engine: random near-canonical records of a layout with
every covered family, a fixed OCCURS of a group and an OCCURS of a leaf must give identical
tables (values, nulls, residue), report entries and re-encoded bytes."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import legacyio
from legacyio.codecs import native

pytestmark = pytest.mark.skipif(not native.available(), reason="legacyio._native is not built")

CB = """
       01 R.
          05 A PIC S9(5) COMP-3.
          05 B PIC 9(4).
          05 C PIC S9(7)V99.
          05 D PIC X(6).
          05 E PIC S9(4) COMP.
          05 F PIC S9(20)V9(4) COMP-3.
          05 G PIC S9(3) SIGN LEADING SEPARATE.
          05 H PIC 9(9) COMP-5.
          05 T OCCURS 3 TIMES.
             10 T1 PIC S9(5)V99 COMP-3.
             10 T2 PIC X(3).
          05 Q PIC S9(11) OCCURS 2 TIMES.
          05 K COMP-2.
          05 L COMP-1.
          05 M PIC S9(19) COMP-3.
"""
N = 24


def _good() -> tuple[bytes, int]:
    t = pa.table(
        {
            "A": pa.array([123, -45, 0, 99999] * (N // 4), pa.int32()),
            "B": pa.array([1, 22, 333, 4444] * (N // 4), pa.int32()),
            "C": pa.array([1, -2, 3, -4] * (N // 4), pa.decimal128(9, 2)),
            "D": pa.array(["ab", "äöü", "", "xyz  z"] * (N // 4)),
            "E": pa.array([1, -1, 9999, -9999] * (N // 4), pa.int32()),
            "F": pa.array([1, -1, 10**19, -(10**19)] * (N // 4), pa.decimal128(24, 4)),
            "G": pa.array([1, -1, 999, 0] * (N // 4), pa.int32()),
            "H": pa.array([0, 1, 2**32 - 1, 7] * (N // 4), pa.int64()),
            "T": pa.array(
                [[{"T1": 1, "T2": "x"}, {"T1": -2, "T2": "é"}, {"T1": 0, "T2": ""}]] * N,
                pa.list_(pa.struct([("T1", pa.decimal128(7, 2)), ("T2", pa.string())])),
            ),
            "Q": pa.array([[5, -6]] * N, pa.list_(pa.int64())),
            "K": pa.array([0.5, -2.25, 0.0, 1e10] * (N // 4), pa.float64()),
            "L": pa.array([0.5, -2.25, 0.0, 3.0] * (N // 4), pa.float32()),
            "M": pa.array([1, -(10**18), 10**18, 0] * (N // 4), pa.decimal128(19, 0)),
        }
    )
    data = legacyio.encode(t, CB)
    return data, len(data) // N


GOOD, WIDTH = _good()
BYTES = [0x00, 0x0A, 0x0C, 0x0D, 0x40, 0x4B, 0x4E, 0x60, 0x7F, 0xC1, 0xD1, 0xF0, 0xF9, 0xFA, 0xFF]


def _run(data: bytes, engine: str, fused: bool, monkeypatch) -> tuple:
    monkeypatch.setattr(native, "FUSED", fused)
    rep = legacyio.DecodeReport()
    with native.engine_scope(engine):
        t = legacyio.read_table(data, CB, report=rep, batch_size=7)
        return t, rep.summary_lines(), legacyio.encode(t)


@settings(max_examples=60, deadline=None)
@given(
    hits=st.lists(
        st.tuples(st.integers(0, N * WIDTH - 1), st.sampled_from(BYTES) | st.integers(0, 255)),
        max_size=40,
    ),
    fused=st.booleans(),
)
def test_batch_kernel_matches_numpy(hits, fused, monkeypatch_module):
    raw = np.frombuffer(GOOD, np.uint8).copy()
    for pos, b in hits:
        raw[pos] = b
    data = raw.tobytes()
    t_np, r_np, e_np = _run(data, "numpy", False, monkeypatch_module)
    t_nv, r_nv, e_nv = _run(data, "native", fused, monkeypatch_module)
    assert t_np.schema.equals(t_nv.schema)
    assert t_np.equals(t_nv)
    assert r_np == r_nv
    assert e_np == e_nv == data


def test_batch_kernel_is_used_and_covers_the_layout(monkeypatch):
    """Every field of this layout goes through the batch kernel (nothing falls back): 14
    elementary fields (A-H, T1, T2, Q, K, L, M) in one call per batch."""
    seen = []
    real = native.decode_batch

    def spy(mat, fields):
        seen.append(len(fields))
        return real(mat, fields)

    monkeypatch.setattr(native, "decode_batch", spy)
    with native.engine_scope("native"):
        t = legacyio.read_table(GOOD, CB, batch_size=10)
    assert t.num_rows == N and seen == [14, 14, 14]


def test_batch_kernel_rejects_fields_outside_the_record():
    m = np.zeros((2, 10), np.uint8)
    spec = (2, 8, 2, 2, (2, False, True, None, 0))  # two 2-byte binaries at 8 and 10: past 10
    with pytest.raises(ValueError, match="runs past"):
        native._ext.decode_batch(m, [spec], False)
    with pytest.raises(ValueError, match="C-contiguous"):
        native._ext.decode_batch(np.zeros((4, 10), np.uint8)[::2], [], False)


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


WIDE_CB = "       01 W.\n" + "".join(
    f"          05 X{i} PIC X(5).\n"
    f"          05 P{i} PIC S9(3)V99 COMP-3.\n"
    f"          05 Z{i} PIC S9(4).\n"
    f"          05 B{i} PIC 9(4) COMP.\n"
    f"          05 FILLER PIC X(2).\n"
    for i in range(100)
)


def _many(cb: str, records: int, seed: int) -> bytes:
    """``records`` records of ``cb`` (the good records above repeated, or random values of
    the wide layout), then 300 random bytes hit."""
    rng = np.random.default_rng(seed)
    if cb == CB:
        good = GOOD * (records // N)
    else:
        schema = legacyio.read_table(b"", cb).schema
        cols = {}
        for f in schema:
            if pa.types.is_string(f.type):
                cols[f.name] = pa.array(rng.choice(["", "ab", "é ñ", "zzzzz", " x"], records))
            elif pa.types.is_decimal(f.type):
                units = rng.integers(-99999, 99999, records)
                cols[f.name] = pa.array(
                    [Decimal(int(u)).scaleb(-f.type.scale) for u in units], f.type
                )
            elif pa.types.is_fixed_size_binary(f.type):  # a FILLER: kept as its bytes
                cols[f.name] = pa.array([b"\x40\xc1"] * records, f.type)
            else:
                cols[f.name] = pa.array(rng.integers(0, 9999, records), f.type)
        good = legacyio.encode(pa.table(cols), cb)
    raw = np.frombuffer(good, np.uint8).copy()
    raw[rng.integers(0, raw.size, 300)] = rng.choice(BYTES, 300)
    return raw.tobytes()


@pytest.mark.parametrize(("cb", "records"), [(CB, 3000), (WIDE_CB, 300)], ids=["narrow", "wide"])
@pytest.mark.parametrize("fused", [False, True])
def test_batch_kernel_many_tiles_matches_numpy(cb: str, records: int, fused: bool, monkeypatch):
    """Batches of several 64 KiB tiles (narrow records) or of several 64-row tiles (records
    over 1 KiB), so the tile loop and the prefetch of the next tile run: same table, report
    and bytes as the NumPy engine."""
    data = _many(cb, records, seed=records)

    def run(engine: str) -> tuple:
        monkeypatch.setattr(native, "FUSED", fused)
        rep = legacyio.DecodeReport()
        with native.engine_scope(engine):
            t = legacyio.read_table(data, cb, report=rep)
            return t, rep.summary_lines(), legacyio.encode(t)

    t_np, r_np, e_np = run("numpy")
    t_nv, r_nv, e_nv = run("native")
    assert t_np.num_rows == records
    assert t_np.equals(t_nv)
    assert r_np == r_nv and len(r_np) > 0
    assert e_np == e_nv == data


def test_batch_kernel_copies_fillers(monkeypatch):
    """A FILLER kept as bytes (a fixed-size binary column) is copied by the batch kernel
    (family 6) in the same call as the other fields: same table as the NumPy engine."""
    families = []
    real = native._ext

    class Spy:
        def __getattr__(self, name):
            return getattr(real, name)

        def decode_batch(self, mat, fields, fused):
            families.extend(f[0] for f in fields)
            return real.decode_batch(mat, fields, fused)

    data = _many(WIDE_CB, 70, seed=1)
    with native.engine_scope("numpy"):
        t_np = legacyio.read_table(data, WIDE_CB)
    monkeypatch.setattr(native, "_ext", Spy())
    with native.engine_scope("native"):
        t_nv = legacyio.read_table(data, WIDE_CB)
    assert families.count(native.RAW_FAMILY) == 100
    assert pa.types.is_fixed_size_binary(t_nv.schema.field("FILLER_1").type)
    assert t_np.equals(t_nv)
