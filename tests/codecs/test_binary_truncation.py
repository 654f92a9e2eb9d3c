"""``binary_truncation="bin"`` (IBM TRUNC(BIN)): COMP values beyond the PICTURE's digits are
decoded in full and written back, on both engines (the engine fixture runs each test twice);
``"std"`` (the default) keeps nulling and reporting them."""

from __future__ import annotations

import struct
from decimal import Decimal

import pyarrow as pa
import pytest
from click.testing import CliRunner

import legacyio
from legacyio.cli.main import cli
from legacyio.codecs import make_codec
from legacyio.layout.model import Usage
from legacyio.options import FileFormat

STD = FileFormat()
BIN = FileFormat(binary_truncation="BIN")


def codec(kit, digits, scale=0, signed=True, fmt=BIN):
    return make_codec(kit.numeric_item(digits, scale, signed=signed, usage=Usage.BINARY), fmt)


def test_types_wide_enough_for_the_storage(kit):
    assert codec(kit, 4).arrow_type == pa.int32()
    assert codec(kit, 9, signed=False).arrow_type == pa.int64()  # up to 4294967295
    assert codec(kit, 18, signed=False).arrow_type == pa.uint64()
    assert codec(kit, 3, 1).arrow_type == pa.decimal128(5, 1)  # S99V9 COMP holds 3276.7
    assert codec(kit, 3, 1, fmt=STD).arrow_type == pa.decimal128(3, 1)


@pytest.mark.parametrize(
    ("digits", "scale", "signed", "raw", "std", "full"),
    [
        (4, 0, True, bytes.fromhex("7FFF8000270F"), [None, None, 9999], [32767, -32768, 9999]),
        (4, 0, False, bytes.fromhex("FFFF2710"), [None, None], [65535, 10000]),
        (3, 1, True, bytes.fromhex("7FFF"), [None], [Decimal("3276.7")]),
        (9, 0, False, bytes.fromhex("FFFFFFFF"), [None], [4294967295]),
        (18, 0, False, bytes.fromhex("FFFFFFFFFFFFFFFF"), [None], [2**64 - 1]),
        (18, 0, True, bytes.fromhex("8000000000000000"), [None], [-(2**63)]),
    ],
)
def test_decode_full_range_and_encode_back(kit, digits, scale, signed, raw, std, full):
    c_std, c_bin = codec(kit, digits, scale, signed, STD), codec(kit, digits, scale, signed)
    mat = kit.as_matrix(raw, c_bin.width)
    arr, inv = c_std.decode(mat)
    assert arr.to_pylist() == std and inv is not None and inv.sum() == std.count(None)
    arr, inv = c_bin.decode(mat)
    assert arr.to_pylist() == full and inv is None
    out, failed = c_bin.encode(arr)
    assert failed is None and out.tobytes() == raw


def test_encode_accepts_the_storage_range_only(kit):
    c = codec(kit, 4)
    out, failed = c.encode(pa.array([32767, -32768, 32768, -32769], pa.int32()))
    assert failed.tolist() == [False, False, True, True]
    assert out[:2].tobytes() == bytes.fromhex("7FFF8000")
    _, failed = codec(kit, 4, fmt=STD).encode(pa.array([10000], pa.int32()))
    assert failed.tolist() == [True]  # TRUNC(STD): beyond the PICTURE's digits


CPY = """\
       01 REC.
          05 A PIC S9(4) COMP.
          05 B PIC 9(4) COMP.
          05 C PIC S9(3)V9 COMP.
          05 E PIC 9(12) COMP.
"""
DATA = struct.pack(">hHhQ", -32768, 65535, 32767, 2**64 - 1) + struct.pack(
    ">hHhQ", 1234, 9999, -9999, 999999999999
)


def test_file_round_trip_and_table_remembers_the_option(engine):
    t = legacyio.read_table(DATA, CPY, binary_truncation="bin", engine=engine)
    assert t.column("_legacyio_residue").null_count == 2  # nothing needs a raw copy
    assert t.drop(["_legacyio_residue"]).to_pylist()[0] == {
        "A": -32768,
        "B": 65535,
        "C": Decimal("3276.7"),
        "E": 2**64 - 1,
    }
    # without the residue: the values alone are written back (the format is in the metadata)
    assert legacyio.encode(t.drop(["_legacyio_residue"]), engine=engine) == DATA
    std = legacyio.read_table(DATA, CPY, engine=engine)
    assert std.column("A").to_pylist() == [None, 1234]
    assert legacyio.encode(std, engine=engine) == DATA  # std: the raw copy keeps the bytes


def test_cli_flag_and_job_file(tmp_path):
    (tmp_path / "r.cpy").write_text(CPY)
    (tmp_path / "r.dat").write_bytes(DATA)
    (tmp_path / "job.toml").write_text('binary_truncation = "bin"\nresidue = false\n')
    run = CliRunner().invoke
    args = ["-c", str(tmp_path / "r.cpy"), str(tmp_path / "r.dat")]
    res = run(cli, ["convert", *args, str(tmp_path / "a.parquet"), "-q", "--no-residue",
                    "--binary-truncation", "bin"])  # fmt: skip
    assert res.exit_code == 0, res.output
    res = run(cli, ["encode", str(tmp_path / "a.parquet"), str(tmp_path / "b.dat"), "-q"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "b.dat").read_bytes() == DATA
    res = run(cli, ["convert", *args, str(tmp_path / "j.parquet"), "-q", "--job",
                    str(tmp_path / "job.toml")])  # fmt: skip
    assert res.exit_code == 0, res.output
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "j.parquet").column("A").to_pylist() == [-32768, 1234]


@pytest.mark.parametrize(("digits", "signed"), [(4, True), (4, False), (7, True), (9, False),
                                                (12, True), (18, False), (2, True)])  # fmt: skip
def test_any_bytes_decode_and_encode_back(kit, digits, signed):
    """Under TRUNC(BIN) every bit pattern is a value: decoding never fails and encoding gives
    the same bytes back (on each engine: the fixture runs both)."""
    import numpy as np

    c = codec(kit, digits, signed=signed)
    raw = np.random.default_rng(digits).integers(0, 256, 4000 * c.width, dtype=np.uint8)
    arr, inv = c.decode(kit.as_matrix(raw.tobytes(), c.width))
    assert inv is None and arr.null_count == 0
    out, failed = c.encode(arr)
    assert failed is None and out.tobytes() == raw.tobytes()
    from legacyio.codecs import native

    if native.available():  # the two engines give the same values
        with native.engine_scope("numpy"):
            ref, _ = c.decode(kit.as_matrix(raw.tobytes(), c.width))
        with native.engine_scope("native"):
            got, _ = c.decode(kit.as_matrix(raw.tobytes(), c.width))
        assert got.equals(ref)
