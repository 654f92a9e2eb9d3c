"""``record_start_offset`` / ``record_end_offset``: bytes inside each record before and after
the copybook's payload (Cobrix's options of the same name), kept for the round trip.

Records are built byte by byte (cp037 via Python's codec); expected values come from the
builder, not from legacyio."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import legacyio
from legacyio.cli.main import cli

CPY = """\
       01 REC.
          05 NAME   PIC X(4).
          05 AMT    PIC S9(3) COMP-3.
"""
NAMES = ["ANNA", "BOB ", "CY  "]
AMTS = [12, -7, 300]


def payload(i: int) -> bytes:
    amt = AMTS[i]
    nib = f"{abs(amt):03d}" + ("D" if amt < 0 else "C")
    return NAMES[i].encode("cp037") + bytes.fromhex(nib)


def fixed(start: bytes, end: bytes) -> bytes:
    return b"".join(start + payload(i) + end for i in range(3))


def rdw(start: bytes, end: bytes) -> bytes:
    out = b""
    for i in range(3):
        body = start + payload(i) + end
        out += (len(body) + 4).to_bytes(2, "big") + b"\0\0" + body
    return out


def values(t) -> list[tuple]:
    return [(r["NAME"], r["AMT"]) for r in t.to_pylist()]


EXPECTED = [(n.rstrip(), a) for n, a in zip(NAMES, AMTS)]


@pytest.mark.parametrize("build,fmt", [(fixed, "F"), (rdw, "V")])
def test_fill_bytes_read_and_written_canonically(build, fmt) -> None:
    data = build(b"\x40\x40", b"\x40\x40\x40")
    t = legacyio.read_table(
        data, CPY, record_format=fmt, record_start_offset=2, record_end_offset=3
    )
    assert values(t) == EXPECTED
    assert t.column("_legacyio_residue").null_count == 3  # the fill needs no raw copy
    assert legacyio.encode(t) == data
    clean = legacyio.read_table(
        data, CPY, record_format=fmt, record_start_offset=2, record_end_offset=3, residue=False
    )
    assert legacyio.encode(clean) == data


@pytest.mark.parametrize("build,fmt", [(fixed, "F"), (rdw, "V")])
def test_data_in_the_offsets_is_kept_in_the_residue(build, fmt) -> None:
    data = build(b"\x01\x02", b"\x00\xff\x00")
    t = legacyio.read_table(
        data, CPY, record_format=fmt, record_start_offset=2, record_end_offset=3
    )
    assert values(t) == EXPECTED
    assert t.column("_legacyio_residue").null_count == 0
    assert legacyio.encode(t) == data
    assert legacyio.verify(
        data, CPY, record_format=fmt, record_start_offset=2, record_end_offset=3
    ).ok


def test_only_end_bytes_differ() -> None:
    data = bytearray(fixed(b"", b"\x40\x40"))
    data[2 * 8 - 1] = 0x00  # last byte of record 2's end offset
    t = legacyio.read_table(bytes(data), CPY, record_end_offset=2)
    assert t.column("_legacyio_residue").is_valid().to_pylist() == [False, True, False]
    assert legacyio.encode(t) == bytes(data)


def test_record_offset_column_points_at_the_payload() -> None:
    t = legacyio.read_table(fixed(b"  ", b""), CPY, record_start_offset=2, record_offset=True)
    assert t.column("record_offset").to_pylist() == [2, 10, 18]


def test_a_record_shorter_than_the_offsets_is_an_error() -> None:
    data = (6).to_bytes(2, "big") + b"\0\0" + b"\x40\x40"
    with pytest.raises(legacyio.DecodeError, match="shorter than record_start_offset"):
        legacyio.read_table(
            data, CPY, record_format="V", record_start_offset=2, record_end_offset=1
        )


def test_refused_with_text_lines() -> None:
    with pytest.raises(legacyio.OptionsError, match="record_start_offset"):
        legacyio.read_table(b"ab\n", CPY, record_format="D", record_start_offset=1)


def test_cli_flags(tmp_path) -> None:
    (tmp_path / "r.cpy").write_text(CPY)
    data = rdw(b"\x01\x02", b"\x40")
    (tmp_path / "r.dat").write_bytes(data)
    res = CliRunner().invoke(
        cli,
        [
            "verify",
            "-c",
            str(tmp_path / "r.cpy"),
            str(tmp_path / "r.dat"),
            "--record-format",
            "V",
            "--record-start-offset",
            "2",
            "--record-end-offset",
            "1",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "identical" in res.output
