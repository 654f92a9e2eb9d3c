"""Custom record headers (``record_header_parser``) and ``minimum_record_length`` /
``maximum_record_length``: left-out records are counted, never dropped silently, and kept
in the residue so that the round trip stays exact.

Files are built byte by byte; the expected rows are the builder's values."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import legacyio
from legacyio.cli.main import cli

from .hooks import TinyHeaders, boundaries_only

CPY = """\
       01 REC.
          05 ID    PIC 9(2).
          05 TXT   PIC X(6).
"""
# (valid header?, id, text) -- record payloads are cut to len(text) + 2
RECS = [
    (True, 1, "ABCDEF"),
    (False, 2, "XY"),
    (True, 3, "GHI"),
    (True, 4, "JKLMNO"),
    (False, 5, ""),
]


def payload(i: int, t: str) -> bytes:
    return f"{i:02d}{t}".encode("cp037")


def custom_file() -> bytes:
    out = b""
    for ok, i, t in RECS:
        p = payload(i, t)
        out += bytes([0xAA if ok else 0x00]) + len(p).to_bytes(2, "big") + p
    return out


def rdw_file() -> bytes:
    out = b""
    for _, i, t in RECS:
        p = payload(i, t)
        out += (len(p) + 4).to_bytes(2, "big") + b"\0\0" + p
    return out


def ids(t) -> list[int]:
    return t.column("ID").to_pylist()


@pytest.mark.parametrize("hook", [TinyHeaders(), "tests.cobrix.hooks:TinyHeaders"])
def test_header_parser_reads_valid_records_and_round_trips(hook) -> None:
    data = custom_file()
    rep = legacyio.DecodeReport()
    t = legacyio.read_table(data, CPY, record_header_parser=hook, report=rep, record_number=True)
    assert ids(t) == [1, 3, 4]
    assert t.column("record_number").to_pylist() == [1, 2, 3]
    assert rep.skipped_records == 2
    assert any("left out" in line for line in rep.summary_lines())
    assert legacyio.encode(t, record_header_parser=TinyHeaders()) == data
    # the table's metadata names the hook: encode finds it again by itself
    assert legacyio.encode(t) == data


def test_a_function_hook_reads_but_cannot_write_new_headers() -> None:
    t = legacyio.read_table(custom_file(), CPY, record_header_parser=boundaries_only)
    assert ids(t) == [1, 3, 4]
    with pytest.raises(legacyio.EncodeError, match="headers"):
        legacyio.encode(
            t.drop(["_legacyio_residue"]).take([0, 2]), CPY, record_header_parser=boundaries_only
        )


@pytest.mark.parametrize(
    "lo,hi,expect", [(5, None, [1, 3, 4]), (None, 5, [2, 3, 5]), (4, 7, [2, 3]), (9, None, [])]
)
def test_length_limits(lo, hi, expect) -> None:
    data = rdw_file()
    rep = legacyio.DecodeReport()
    kw = {"minimum_record_length": lo, "maximum_record_length": hi}
    t = legacyio.read_table(data, CPY, record_format="V", report=rep, **kw)
    assert ids(t) == expect
    assert rep.skipped_records == len(RECS) - len(expect)
    if t.num_rows:
        assert legacyio.encode(t) == data  # left-out records ride in the residue
    assert legacyio.verify(data, CPY, record_format="V", **kw).ok


def test_limits_combine_with_the_header_parser() -> None:
    t = legacyio.read_table(
        custom_file(), CPY, record_header_parser=TinyHeaders(), minimum_record_length=6
    )
    assert ids(t) == [1, 4]
    assert legacyio.encode(t) == custom_file()


def test_trailing_bytes_that_frame_no_record() -> None:
    data = custom_file() + b"\xaa\x00"
    with pytest.raises(legacyio.DecodeError, match="no complete record"):
        legacyio.read_table(data, CPY, record_header_parser=TinyHeaders())
    t = legacyio.read_table(data, CPY, record_header_parser=TinyHeaders(), lenient_framing=True)
    assert legacyio.encode(t) == data


def test_a_local_hook_must_be_given_again_to_write() -> None:
    class Local(TinyHeaders):
        pass

    t = legacyio.read_table(custom_file(), CPY, record_header_parser=Local())
    with pytest.raises(legacyio.OptionsError, match="no import name"):
        legacyio.encode(t)
    assert legacyio.encode(t, record_header_parser=Local()) == custom_file()


def test_unknown_hook_name_is_an_options_error() -> None:
    with pytest.raises(legacyio.OptionsError, match="cannot be imported"):
        legacyio.read_table(custom_file(), CPY, record_header_parser="no_such_mod:X")


def test_cli_flags(tmp_path) -> None:
    (tmp_path / "r.cpy").write_text(CPY)
    (tmp_path / "r.dat").write_bytes(custom_file())
    args = ["-c", str(tmp_path / "r.cpy"), str(tmp_path / "r.dat")]
    res = CliRunner().invoke(
        cli,
        [
            "verify",
            *args,
            "--record-header-parser",
            "tests.cobrix.hooks:TinyHeaders",
            "--minimum-record-length",
            "6",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "identical" in res.output
