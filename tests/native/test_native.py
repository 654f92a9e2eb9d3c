"""The native engine through its Python surface: engine selection, the fallback without the
extension, panics, argument checks, and whole files read and written on both engines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import legacyio
from legacyio.codecs import native
from legacyio.errors import OptionsError
from legacyio.options import ReadOptions, WriteOptions

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "golden_files"
built = pytest.mark.skipif(not native.available(), reason="legacyio._native is not built")


# ---------------------------------------------------------------------------- engine choice
@built
def test_auto_is_native_when_built(monkeypatch):
    monkeypatch.delenv(native.ENV_VAR, raising=False)
    assert native.resolve() == "native" and native.active()


def test_environment_variable_selects(monkeypatch):
    monkeypatch.setenv(native.ENV_VAR, "numpy")
    assert native.resolve() == "numpy" and not native.active()
    monkeypatch.setenv(native.ENV_VAR, "bogus")
    with pytest.raises(OptionsError, match="engine must be one of"):
        native.resolve()


@built
def test_scope_wins_over_environment(monkeypatch):
    monkeypatch.setenv(native.ENV_VAR, "numpy")
    with native.engine_scope("native") as name:
        assert name == "native" and native.active()
        with native.engine_scope("numpy"):
            assert not native.active()
        with native.engine_scope("auto"):  # auto leaves the choice as it is
            assert native.active()
    assert not native.active()


def test_engine_option_is_validated():
    assert ReadOptions().engine == "auto" and WriteOptions().engine == "auto"
    assert ReadOptions(engine="numpy").engine == "numpy"
    with pytest.raises(ValueError):
        ReadOptions(engine="fortran")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        WriteOptions(engine="")  # type: ignore[arg-type]
    with pytest.raises(OptionsError):
        native.engine_scope("fortran").__enter__()


def test_without_the_extension_numpy_runs():
    """A tree where ``legacyio._native`` cannot be imported: auto falls back to NumPy, an
    explicit native request is a clear OptionsError, and reading works."""
    code = f"""
import sys
sys.modules["legacyio._native"] = None  # makes "from legacyio import _native" fail
import legacyio
from legacyio.codecs import native
from legacyio.errors import OptionsError
assert not native.available() and native.resolve() == "numpy" and not native.active()
try:
    native.resolve("native")
except OptionsError as e:
    assert "not built" in str(e)
else:
    raise SystemExit("no error")
t = legacyio.read_table({str(GOLDEN / "taxpayer_ebcdic.dat")!r},
                        {str(REPO / "copybooks/golden/taxpayer.cpy")!r})
print(t.num_rows)
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "40"


# ---------------------------------------------------------------------------------- safety
@built
def test_a_panic_becomes_kernel_panic_naming_the_kernel():
    with pytest.raises(native.KernelPanic, match=r"_panic_for_tests.*boom") as err:
        native.panic_for_tests("boom")
    assert isinstance(err.value, RuntimeError)
    # the interpreter and the module still work afterwards
    with pytest.raises(native.KernelPanic):
        native.panic_for_tests("again")


@built
def test_kernels_check_their_arguments():
    ext = native._ext
    mat = np.zeros((3, 4), np.uint8)
    body = sign = bytes(256)
    with pytest.raises(ValueError, match="zoned_decode"):  # width differs from the matrix
        ext.zoned_decode(mat, 5, body, sign, 0xF0, 0, 5, 4, -1, 0x4E, 0x60, 0, 3, 1)
    with pytest.raises(ValueError, match="zoned_decode"):  # sign outside the digits
        ext.zoned_decode(mat, 4, body, sign, 0xF0, 0, 4, 9, -1, 0x4E, 0x60, 0, 3, 1)
    with pytest.raises(ValueError, match="256"):
        ext.zoned_decode(mat, 4, b"x", sign, 0xF0, 0, 4, 3, -1, 0x4E, 0x60, 0, 3, 1)
    with pytest.raises(ValueError, match="packed_decode"):  # 9 digits cannot be 4 bytes
        ext.packed_decode(mat, 4, 9, 0, True, True, 0, 1)
    with pytest.raises(ValueError, match="binary_decode"):
        ext.binary_decode(np.zeros((2, 3), np.uint8), 3, False, True, None, 1)
    with pytest.raises(ValueError, match="offsets outside"):
        ext.text_encode(
            np.array([0, 99], np.int32), np.zeros(4, np.uint8), None, None, 4, False, False, 32
        )
    with pytest.raises(ValueError, match="2 values for 3 rows"):
        ext.packed_encode(np.zeros(2, np.int64), None, np.zeros((3, 4), np.uint8), 4, 7, 0,
                          True, True, 0xC, False, 0x40)  # fmt: skip
    with pytest.raises(ValueError, match="column stride"):  # rows must be contiguous
        ext.binary_decode(np.zeros((4, 8), np.uint8)[:, ::2], 4, False, True, None, 1)


@built
def test_rdw_kernel_stops_on_bad_and_short_headers():
    ext = native._ext
    rec = bytes([0, 8, 0, 0]) + b"ABCD"
    buf = np.frombuffer(rec * 3 + bytes([0, 2, 0, 0]), np.uint8)  # then a length below 4
    starts, lens, pos, status = ext.rdw_run(buf, 0, len(buf), 10, True, 0, 4)
    assert starts.tolist() == [0, 8, 16] and lens.tolist() == [8, 8, 8]
    assert (pos, status) == (24, 1)
    starts, _, pos, status = ext.rdw_run(buf, 0, 10, 10, True, 0, 4)  # ends inside a record
    assert starts.tolist() == [0] and (pos, status) == (8, 0)
    _, _, pos, status = ext.rdw_run(buf, 0, 999, 2, True, 0, 4)  # end beyond the buffer
    assert (pos, status) == (16, 2)
    little = np.frombuffer(bytes([0, 0, 8, 0]) + b"ABCD" + bytes([8, 0, 0, 0]) + b"EFGH", np.uint8)
    starts, _, pos, status = ext.rdw_run(little, 0, 16, 10, False, 0, 4)
    assert starts.tolist() == [0, 8] and (pos, status) == (16, 0)


# ------------------------------------------------------------------------- whole files
def _goldens() -> list[str]:
    return sorted(p.stem for p in GOLDEN.glob("*.json"))


def _read(name: str, engine: str) -> tuple[pa.Table, legacyio.DecodeReport, bytes]:
    man = json.loads((GOLDEN / f"{name}.json").read_text())
    fmt = dict(man["format"])
    data = (GOLDEN / f"{name}.dat").read_bytes()
    report = legacyio.DecodeReport()
    with native.engine_scope(engine):
        table = legacyio.read_table(
            data, REPO / man["copybook"], report=report, **fmt, **(man.get("read") or {})
        )
        encoded = legacyio.encode(table)
    return table, report, encoded


@built
@pytest.mark.parametrize("name", _goldens())
def test_golden_files_identical_on_both_engines(name):
    t_np, r_np, e_np = _read(name, "numpy")
    t_nv, r_nv, e_nv = _read(name, "native")
    assert t_np.schema.equals(t_nv.schema, check_metadata=True)
    assert t_np.equals(t_nv)
    assert r_np.summary_lines() == r_nv.summary_lines()
    assert e_np == e_nv
    assert e_nv == (GOLDEN / f"{name}.dat").read_bytes()


@built
def test_dirty_file_identical_on_both_engines():
    """Bad packed signs, spaces in numbers, unmappable and non-ASCII text: the same nulls,
    report entries, residue and re-encoded bytes."""
    cb = """
       01 R.
          05 A PIC S9(5) COMP-3.
          05 B PIC 9(4).
          05 C PIC S9(7)V99.
          05 D PIC X(6).
          05 E PIC S9(4) COMP.
          05 F PIC S9(20)V9(4) COMP-3.
    """
    rng = np.random.default_rng(7)
    good = legacyio.encode(
        pa.table(
            {
                "A": pa.array([123, -45, 0, 99999] * 25, pa.int32()),
                "B": pa.array([1, 22, 333, 4444] * 25, pa.int32()),
                "C": pa.array([1, -2, 3, -4] * 25, pa.decimal128(9, 2)),
                "D": pa.array(["ab", "äöü", "", "xyz  z"] * 25),
                "E": pa.array([1, -1, 9999, -9999] * 25, pa.int32()),
                "F": pa.array([1, -1, 10**19, -(10**19)] * 25, pa.decimal128(24, 4)),
            }
        ),
        cb,
    )
    raw = np.frombuffer(good, np.uint8).copy()
    hit = rng.choice(raw.size, size=60, replace=False)
    raw[hit] = rng.choice([0x00, 0x40, 0xFF, 0x0A, 0xC1, 0x4B], size=60)
    data = raw.tobytes()
    out = {}
    for engine in ("numpy", "native"):
        rep = legacyio.DecodeReport()
        with native.engine_scope(engine):
            t = legacyio.read_table(data, cb, report=rep)
            out[engine] = (t, rep.summary_lines(), legacyio.encode(t))
    assert out["numpy"][0].equals(out["native"][0])
    assert out["numpy"][1] == out["native"][1] and out["numpy"][1]
    assert out["numpy"][2] == out["native"][2] == data


@pytest.mark.parametrize("threads", [1, 2])
def test_engine_option_selects_the_engine_in_every_thread(monkeypatch, threads) -> None:
    """ReadOptions/WriteOptions.engine reach the codecs, also in decoding worker threads."""
    import legacyio
    from legacyio.codecs import native as nat

    cb = "       01 R.\n          05 A PIC S9(5).\n          05 B PIC X(3).\n"
    data = ("12345ABC".encode("cp037")) * 8
    calls = []
    real = nat.zoned_decode

    def spy(codec, mat):
        calls.append(1)
        return real(codec, mat)

    monkeypatch.setattr(nat, "zoned_decode", spy)
    t_np = legacyio.read_table(data, cb, engine="numpy", threads=threads, batch_size=2)
    assert calls == []
    t_nat = legacyio.read_table(data, cb, engine="native", threads=threads, batch_size=2)
    assert len(calls) == 4
    assert t_np.equals(t_nat)
    assert legacyio.encode(t_np, engine="numpy") == legacyio.encode(t_nat, engine="native") == data
