"""Round trips through every way of writing (issues 12 and 17): ``read_table`` -> ``encode``,
``open_reader`` -> ``write_table``, flattened tables, Parquet, and the CLI ``convert`` ->
``encode`` for each output format, on the inputs our fuzzing found to fail: short fixed
records read leniently, segmented files with dirt in the inactive segment, V/VB files with
mixed RDW conventions, files in which no record is decodable."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import legacyio
from tests.fuzz.gen import rdw_files
from tests.fuzz.harness import examples
from tests.support.builders import cobol, e, packed, rdw, zoned
from tests.support.roundtrip import assert_cli_round_trip, assert_round_trip

SHORT_CB = cobol("""
01 REC.
   05 ID     PIC X(3).
   05 N      PIC S9(3) COMP-3 OCCURS 3.
   05 G      OCCURS 2.
      10 A   PIC X.
      10 B   PIC 9.
""")
FULL = e("abc") + packed(1, 3) * 3 + e("a1b2")


@pytest.mark.parametrize(
    "tail",
    [e("de"), e("def"), e("def") + packed(2, 3), e("def") + packed(2, 3) * 3 + e("a")],
    ids=["in-first-field", "before-occurs", "inside-occurs", "inside-group-occurs"],
)
def test_short_last_fixed_record_round_trips_every_way(tail: bytes, tmp_path: Path) -> None:
    """A short last record (the OCCURS after the cut) read leniently comes back byte for
    byte; it used to crash with ``ArrowInvalid: Length spanned by list offsets`` when
    flattened (one batch holding only the short record)."""
    data = FULL + FULL + tail
    t = assert_round_trip(data, SHORT_CB, lenient_framing=True, flat=True)
    assert t.num_rows == 3
    assert t.column("_legacyio_residue").to_pylist()[:2] == [None, None]
    assert_cli_round_trip(data, SHORT_CB, tmp_path, lenient_framing=True)


def test_only_a_short_record_round_trips_flattened() -> None:
    data = e("def") + packed(2, 3)
    assert_round_trip(data, SHORT_CB, lenient_framing=True, flat=True)


def test_group_whose_fixed_occurs_is_all_dirty_round_trips_flattened(tmp_path: Path) -> None:
    """Found by the fuzz suite once flattened tables were fuzzed: a present group whose
    fixed OCCURS decodes to nulls only (dirty bytes) flattens to null columns; rebuilt, the
    list is null, which is the same as null occurrences, so the residue is kept."""
    cb = cobol("""
    01 REC.
       05 G.
          10 D PIC 9 OCCURS 2.
       05 H.
          10 K OCCURS 2.
             15 X PIC 9.
             15 Y PIC S9 COMP-3.
    """)
    data = e("  ") + e("  ") + b"\x00\x00" + e("12") + e("3") + packed(1, 1) + e("4") + packed(2, 1)
    assert_round_trip(data, cb, flat=True)
    assert_cli_round_trip(data, cb, tmp_path, formats=("csv",))


def test_two_01_records_round_trip_flattened() -> None:
    """Found by flattened fuzzing: with two 01 records the flattened columns start with the
    01 name; an ODO list's DEPENDING ON column is found under that name (the list used to
    be rebuilt empty), and a 01 record holding only nulls (dirty) flattens to null columns,
    which is no edit of the residue (it used to re-encode the record and lose its bytes)."""
    cb = cobol("""
    01 REC0.
       05 C0   PIC 9.
       05 T0   PIC X(2) OCCURS 0 TO 1 DEPENDING ON C0.
    01 REC1.
       05 C1   PIC 9.
       05 T1   PIC 9 OCCURS 0 TO 2 DEPENDING ON C1.
    """)
    data = e("1ab") + e("2 x") + e("x  ") + e("0ab") + e("9ab")
    assert_round_trip(data, cb, flat=True)
    edited = e("1ab")
    flat = legacyio.read_table(edited, cb, flatten=True)
    assert flat.column("REC1_T1_1").to_pylist() == [None]
    assert flat.column("REC0_T0_1").to_pylist() == ["ab"]


def test_v_file_with_two_01_records_and_an_odo_round_trips_flattened() -> None:
    """Found by flattened fuzzing: a 01 record whose table is not written in some records
    of a batch (the record null there) kept counts for the written records only, and the
    variable-length writer failed on the shapes (``operands could not be broadcast``)."""
    cb = cobol("""
    01 REC0.
       05 C0   PIC 9.
       05 T0   PIC X OCCURS 1.
    01 REC1.
       05 C1   PIC 9.
       05 T1   PIC X OCCURS 0 TO 1 DEPENDING ON C1.
    """)
    data = rdw(e("  ")) + rdw(e("1a")) + rdw(b"\x00\x00") + rdw(e("  "))
    assert_round_trip(data, cb, flat=True, record_format="V")


def test_odo_inside_an_occurs_finds_its_count_in_the_same_occurrence() -> None:
    """Found by flattened fuzzing: an ODO list inside an OCCURS whose DEPENDING ON field is
    a sibling in the same occurrence (flattened ``G_1_CNT``) was rebuilt without its count
    (empty), and the record was re-encoded instead of written from its residue."""
    cb = cobol("""
    01 REC0.
       05 C0    PIC 9.
       05 F5    PIC 9 OCCURS 1.
    01 REC1.
       05 C1    PIC 9.
       05 G     OCCURS 1.
          10 CNT  PIC 9.
          10 L    PIC 9 OCCURS 0 TO 1 DEPENDING ON CNT.
    """)
    data = bytes.fromhex("d8e9d1e7") + bytes.fromhex("c1d9d2f0") + e("0001")
    assert_round_trip(data, cb, flat=True)


def test_odo_two_levels_inside_occurs_finds_its_count_in_the_enclosing_occurrence() -> None:
    """Found by flattened fuzzing: the DEPENDING ON field sits in an enclosing occurrence
    (``F6_1_CNT`` for the list ``F6_1_F14_1_L``)."""
    cb = cobol("""
    01 REC.
       05 A    PIC 9.
       05 F6   OCCURS 1.
          10 CNT  PIC 9.
          10 F14  OCCURS 1.
             15 L PIC ZZ9.99 OCCURS 0 TO 1 DEPENDING ON CNT.
    """)
    data = e("19") + bytes.fromhex("d8e9d1e7d4c1") + e("01") + e("  1.00")
    assert_round_trip(data, cb, flat=True)


SEG_CB = cobol("""
01 BIZ.
   05 SEG        PIC X.
   05 ENT.
      10 NAME    PIC X(4).
      10 K       PIC S9(3) COMP-3.
      10 Q       PIC 9 OCCURS 2.
   05 FIL REDEFINES ENT.
      10 YR      PIC 9(4).
      10 AMT     PIC S9(3) COMP-3.
      10 P       PIC S9(3) COMP-3 OCCURS 1.
   05 TAIL       PIC 9(2).
""")
SEGMENTS = {"segment_field": "SEG", "segments": (("E", "ENT"), ("F", "FIL"))}


def _ent(name: str, k: int, q: str = "12") -> bytes:
    return e("E") + e(name, 4) + packed(k, 3) + e(q) + zoned(7, 2, signed=False)


def _fil(yr: str, amt: int, p: int) -> bytes:
    return e("F") + e(yr, 4) + packed(amt, 3) + packed(p, 3) + zoned(8, 2, signed=False)


@pytest.mark.parametrize(
    "dirty",
    [
        # an E record whose bytes are dirty when seen as the F alternative
        _ent("ab12", 5, "x1"),
        # an F record whose bytes are not text/zoned digits when seen as E
        _fil("2024", 7, -3),
        # dirty in the active segment itself (zoned digit a space, packed sign F)
        e("E") + e("abcd") + b"\x12\x3f" + e(" 1") + e("07"),
        # an unknown segment id: neither alternative is active
        e("X") + e("abcd") + b"\xff\xff" + e("12") + e("07"),
        # dirty bytes in the base field after the alternatives
        _fil("2024", 7, 3)[:-2] + b"\xc1\x00",
    ],
    ids=["ent-as-fil", "fil-as-ent", "active-dirty", "unknown-segment", "dirty-tail"],
)
def test_segmented_file_with_dirty_inactive_segment_round_trips(
    dirty: bytes, tmp_path: Path
) -> None:
    """Segments chosen by a segment field, dirt in the inactive (or unknown) segment: read
    leniently, every way of writing gives the bytes back (it used to raise ``EncodeError
    ... null value and no null representation`` on a field of the other segment)."""
    data = _ent("name", 1) + dirty + _fil("1999", -2, 4) + dirty
    t = assert_round_trip(data, SEG_CB, flat=True, **SEGMENTS)
    assert t.num_rows == 4
    assert_cli_round_trip(data, SEG_CB, tmp_path, **SEGMENTS)


# ---- files in which no record is decodable ----------------------------------------------------
V_CB = "       01 R.\n          05 A PIC X(10).\n"
PARQUET_KEEPS_ORPHANS = hasattr(
    __import__("pyarrow.parquet").parquet.ParquetWriter, "add_key_value_metadata"
)


@pytest.mark.parametrize(
    "data, options",
    [
        (bytes(range(256)) * 72, {"record_format": "V", "lenient_framing": True}),
        (bytes(range(256)) * 3, {"record_format": "VB", "lenient_framing": True}),
        (e("HEADTRL"), {"header_bytes": 4, "trailer_bytes": 3}),
        (e("abc"), {"lenient_framing": True}),
    ],
    ids=["V-garbage", "VB-garbage", "header-trailer", "F-short"],
)
def test_file_without_decodable_records_keeps_its_bytes_or_refuses(
    data: bytes, options: dict, tmp_path: Path
) -> None:
    """Streamed (API, flattened too) and through the CLI: Parquet and Arrow carry the bytes
    back; CSV and JSON Lines cannot, so ``convert`` refuses and writes nothing (it used to
    write an empty table and ``encode`` gave 0 bytes back, exit 0)."""
    t = assert_round_trip(data, V_CB, flat=True, **options)
    keep = ("parquet", "arrow", "arrows", "feather") if PARQUET_KEEPS_ORPHANS else ("arrow",)
    if t.num_rows:  # a short record read leniently: it carries the bytes in every format
        keep += ("csv", "jsonl")
    assert_cli_round_trip(
        data,
        V_CB,
        tmp_path,
        formats=("parquet", "arrow", "arrows", "feather", "csv", "jsonl"),
        refuse=tuple(f for f in ("parquet", "csv", "jsonl") if f not in keep),
        **options,
    )


def test_refusal_names_the_byte_count_not_the_content(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from legacyio.cli.main import cli

    (tmp_path / "r.cpy").write_text(V_CB)
    (tmp_path / "in.dat").write_bytes(b"QZJXMARK" * 9)
    args = ["-c", str(tmp_path / "r.cpy"), "--record-format", "V", "--lenient-framing"]
    r = CliRunner().invoke(
        cli, ["convert", str(tmp_path / "in.dat"), str(tmp_path / "o.csv"), *args]
    )
    assert r.exit_code == 2
    assert "72 bytes" in r.output and "QZJX" not in r.output and ".arrow" in r.output
    assert not (tmp_path / "o.csv").exists()
    # without the residue the user asked to leave such bytes out: an empty table
    r = CliRunner().invoke(
        cli, ["convert", str(tmp_path / "in.dat"), str(tmp_path / "o.csv"), *args, "--no-residue"]
    )
    assert r.exit_code == 0, r.output


# ---- V/VB files with mixed RDW conventions and lenient framing, through the CLI -----------------
RDW_CB = cobol("""
01 R.
   05 N     PIC 9.
   05 T     PIC X(3) OCCURS 0 TO 4 DEPENDING ON N.
   05 A     PIC S9(5) COMP-3.
   05 B     PIC X(4).
""")


@st.composite
def _payloads(draw: st.DrawFn) -> bytes:
    n = draw(st.integers(0, 4))
    body = e(str(n)) + e("abcdefghijkl"[: 3 * n]) + packed(draw(st.integers(-999, 999)), 5)
    body += draw(st.sampled_from([e("wxyz"), e("wx"), b"", b"\x00\xff\x40\x40"]))
    if draw(st.integers(0, 5)) == 0:  # dirt: a non-digit count
        body = bytes([draw(st.integers(0, 255))]) + body[1:]
    return body


@settings(
    max_examples=examples(25),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=rdw_files(_payloads()))
def test_v_files_with_mixed_rdw_conventions_round_trip_through_the_cli(
    case: tuple[bytes, dict], tmp_path: Path
) -> None:
    """Whatever RDW convention (byte order, adjustment, little-endian length in either half)
    and whatever garbage lenient framing skips: if the reader accepts the file, ``convert``
    to Parquet then ``encode`` gives it back byte for byte (a case differed, issue 12)."""
    data, options = case
    try:
        legacyio.read_table(data, RDW_CB, **options)
    except legacyio.LegacyioError:
        return  # refused cleanly (e.g. an adjustment that makes no frame possible)
    assert_round_trip(data, RDW_CB, parquet=False, **options)
    assert_cli_round_trip(data, RDW_CB, tmp_path, formats=("parquet",), verify=False, **options)
