"""Typed dates, opt-in (``date_formats``): digits in numeric or PIC X fields read as Arrow
``date32``, invalid dates null and reported (never their value), the bytes kept in the
residue, dates written back in the field's format (Cobrix #758 declined this)."""

from __future__ import annotations

import datetime as dt
import json
import struct

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import legacyio
from legacyio.cli.main import cli
from tests.support.roundtrip import assert_round_trip

D = dt.date

CPY = """\
       01 REC.
          05 D8   PIC 9(8).
          05 DX   PIC X(7).
          05 DC   PIC S9(7) COMP-3.
          05 DB   PIC 9(5) COMP.
          05 D6   PIC 9(6).
"""
FORMATS = {"D8": "yyyymmdd", "DX": "yyyyddd", "DC": "cyymmdd", "DB": "yyddd", "D6": "yymmdd"}
WIDTH = 8 + 7 + 4 + 4 + 6


def rec(d8: str, dx: str, dc: int, db: int, d6: str) -> bytes:
    packed = bytes.fromhex(f"{dc:07d}C")
    return (
        d8.encode("cp037")
        + dx.encode("cp037")
        + packed
        + struct.pack(">I", db)
        + d6.encode("cp037")
    )


GOOD = rec("20240229", "2024060", 1240131, 24060, "991231")
BAD = rec("20230229", "2023366", 1241331, 23366, "000000")  # Feb 29 2023, day 366, month 13
BLANK = rec("        ", "0000000", 0, 0, "500101")
EDGE = rec("19000228", "2000366", 991231, 49365, "491231")


def test_each_format_valid_dates() -> None:
    t = legacyio.read_table(GOOD + EDGE, CPY, date_formats=FORMATS)
    for name in FORMATS:
        assert t.schema.field(name).type == pa.date32()
        assert t.schema.field(name).metadata[b"date_format"] == FORMATS[name].encode()
    rows = t.drop(["_legacyio_residue"]).to_pylist()
    assert rows[0] == {
        "D8": D(2024, 2, 29),
        "DX": D(2024, 2, 29),
        "DC": D(2024, 1, 31),  # c=1: 20xx
        "DB": D(2024, 2, 29),
        "D6": D(1999, 12, 31),  # 99 is in the default window 1950-2049
    }
    assert rows[1] == {
        "D8": D(1900, 2, 28),  # 1900 is not a leap year
        "DX": D(2000, 12, 31),  # 2000 is: day 366 exists
        "DC": D(1999, 12, 31),  # c=0: 19xx
        "DB": D(2049, 12, 31),
        "D6": D(2049, 12, 31),
    }
    assert t.column("_legacyio_residue").null_count == 2  # canonical: no raw copies
    assert legacyio.encode(t) == GOOD + EDGE


def test_invalid_dates_null_reported_without_values_and_kept() -> None:
    report = legacyio.DecodeReport()
    data = GOOD + BAD + BLANK
    t = legacyio.read_table(data, CPY, date_formats=FORMATS, report=report)
    rows = t.drop(["_legacyio_residue"]).to_pylist()
    assert rows[1] == dict.fromkeys(FORMATS)
    assert rows[2] == {"D8": None, "DX": None, "DC": None, "DB": None, "D6": D(1950, 1, 1)}
    assert set(report.fields) == {f"REC.{n}" for n in FORMATS}
    d8 = report.fields["REC.D8"]
    assert (d8.count, d8.first_record, d8.first_offset) == (2, 2, WIDTH)
    assert d8.reason == "not a valid yyyymmdd date"
    assert report.fields["REC.DC"].first_offset == WIDTH + 15
    text = json.dumps(report.to_dict()) + "\n".join(report.summary_lines())
    for value in ("20230229", "2023366", "000000"):
        assert value not in text
    assert legacyio.encode(t) == data  # the invalid records ride in the residue


def test_dirty_dates_round_trip_every_way() -> None:
    assert_round_trip(GOOD + BAD + BLANK + EDGE, CPY, date_formats=FORMATS)


@pytest.mark.parametrize("strict", [True])
def test_strict_names_field_and_place(strict: bool) -> None:
    with pytest.raises(legacyio.DecodeError, match=r"record 2.*D8|D8.*record 2"):
        legacyio.read_table(GOOD + BAD, CPY, date_formats=FORMATS, strict=strict)


def test_edited_dates_written_in_each_format() -> None:
    t = legacyio.read_table(GOOD, CPY, date_formats=FORMATS).drop(["_legacyio_residue"])
    new = D(2031, 3, 7)
    for name in FORMATS:
        t = t.set_column(t.schema.get_field_index(name), name, pa.array([new], pa.date32()))
    out = legacyio.encode(t)
    assert out == rec("20310307", "2031066", 1310307, 31066, "310307")


def test_pivot_year_window_both_ways() -> None:
    cpy = "       01 R.\n          05 D PIC 9(6).\n"
    t = legacyio.read_table(b"\xf6\xf9\xf0\xf1\xf0\xf1", cpy, date_formats="D=yymmdd")
    assert t.column("D").to_pylist() == [D(1969, 1, 1)]  # default window 1950-2049
    t = legacyio.read_table(
        b"\xf6\xf9\xf0\xf1\xf0\xf1", cpy, date_formats="D=yymmdd", date_pivot_year=1970
    )
    assert t.column("D").to_pylist() == [D(2069, 1, 1)]  # window 1970-2069
    outside = pa.table({"D": pa.array([D(2070, 1, 1)], pa.date32())})
    with pytest.raises(legacyio.EncodeError, match="D"):
        legacyio.encode(outside, copybook=cpy, date_formats="D=yymmdd", date_pivot_year=1970)


def test_cyymmdd_century_digit() -> None:
    cpy = "       01 R.\n          05 D PIC 9(7).\n"
    t = legacyio.read_table(b"\xf2\xf0\xf0\xf0\xf1\xf0\xf1", cpy, date_formats="D=cyymmdd")
    assert t.column("D").to_pylist() == [D(2100, 1, 1)]  # c=2: 21xx
    early = pa.table({"D": pa.array([D(1899, 12, 31)], pa.date32())})
    with pytest.raises(legacyio.EncodeError, match="D"):
        legacyio.encode(early, copybook=cpy, date_formats="D=cyymmdd")


def test_fields_that_cannot_hold_the_format_are_refused() -> None:
    cpy = """\
       01 R.
          05 SHORT PIC 9(6).
          05 TEXT  PIC X(10).
          05 AMT   PIC 9(6)V99.
"""
    data = b"\xf0" * 24
    for fmt, name in (
        ("SHORT=yyyymmdd", "SHORT"),
        ("TEXT=yyyymmdd", "TEXT"),
        ("AMT=yymmdd", "AMT"),
    ):
        with pytest.raises(legacyio.OptionsError, match=name):
            legacyio.read_table(data, cpy, date_formats=fmt)
    with pytest.raises(legacyio.OptionsError, match="NOPE"):
        legacyio.read_table(data, cpy, date_formats={"NOPE": "yyyymmdd"})
    with pytest.raises(legacyio.OptionsError, match="ddmmyy"):
        legacyio.read_table(data, cpy, date_formats={"SHORT": "ddmmyy"})


def test_ascii_file_and_both_engines() -> None:
    cpy = "       01 R.\n          05 D PIC X(8).\n          05 N PIC 9(8).\n"
    data = b"2024022920240301" + b"2024023120241301"
    for engine in ("numpy", "native"):
        t = legacyio.read_table(
            data, cpy, encoding="ascii", date_formats="D=yyyymmdd;N=yyyymmdd", engine=engine
        )
        assert t.column("D").to_pylist() == [D(2024, 2, 29), None]
        assert t.column("N").to_pylist() == [D(2024, 3, 1), None]
        assert legacyio.encode(t, engine=engine) == data


def test_cli_convert_encode_identical_and_job_file(tmp_path) -> None:
    (tmp_path / "r.cpy").write_text(CPY)
    data = GOOD + BAD + BLANK + EDGE
    (tmp_path / "r.dat").write_bytes(data)
    flags = [f"--date-format={k}={v}" for k, v in FORMATS.items()]
    run = CliRunner().invoke
    res = run(
        cli,
        ["convert", "-c", str(tmp_path / "r.cpy"), str(tmp_path / "r.dat"),
         str(tmp_path / "a.parquet"), "--quiet", *flags],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    t = pq.read_table(tmp_path / "a.parquet")
    assert t.schema.field("D8").type == pa.date32()
    assert t.column("D8").to_pylist()[0] == D(2024, 2, 29)
    res = run(cli, ["encode", str(tmp_path / "a.parquet"), str(tmp_path / "b.dat"), "--quiet"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "b.dat").read_bytes() == data
    table = ", ".join(f'{k} = "{v}"' for k, v in FORMATS.items())
    (tmp_path / "job.toml").write_text(f"date_formats = {{ {table} }}\n")
    res = run(
        cli,
        ["schema", "-c", str(tmp_path / "r.cpy"), "--job", str(tmp_path / "job.toml")],
    )
    assert res.exit_code == 0, res.output
    assert "date32" in res.output
    res = run(cli, ["schema", "-c", str(tmp_path / "r.cpy"), "--date-format", "D8=julian"])
    assert res.exit_code != 0 and "julian" in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("ext", ["csv", "jsonl", "arrow"])
def test_text_and_ipc_outputs_encode_back(tmp_path, ext: str) -> None:
    (tmp_path / "r.cpy").write_text(CPY)
    data = GOOD + BAD + BLANK + EDGE
    (tmp_path / "r.dat").write_bytes(data)
    flags = [f"--date-format={k}={v}" for k, v in FORMATS.items()]
    cpy = ["-c", str(tmp_path / "r.cpy")]
    out = str(tmp_path / f"a.{ext}")
    run = CliRunner().invoke
    res = run(cli, ["convert", *cpy, str(tmp_path / "r.dat"), out, "-q", *flags])
    assert res.exit_code == 0, res.output
    res = run(cli, ["encode", *cpy, *flags, out, str(tmp_path / "b.dat"), "-q"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "b.dat").read_bytes() == data
    if ext == "jsonl":  # a date that does not exist: the column is named, never the value
        text = (tmp_path / "a.jsonl").read_text().replace("2024-02-29", "2024-02-30")
        (tmp_path / "a.jsonl").write_text(text)
        res = run(cli, ["encode", *cpy, *flags, out, str(tmp_path / "c.dat"), "-q"])
        assert res.exit_code == 1 and "column D8" in res.output
        assert "2024-02-30" not in res.output and not (tmp_path / "c.dat").exists()


def _reference(v: int, form: str, pivot: int = 1950) -> D | None:
    """The date ``v`` holds in ``form``, one value at a time with the standard library."""
    s = f"{v:0{len(form)}d}"
    try:
        if form == "yyyymmdd":
            return D(int(s[:4]), int(s[4:6]), int(s[6:]))
        if form == "cyymmdd":
            return D(1900 + 100 * int(s[0]) + int(s[1:3]), int(s[3:5]), int(s[5:]))
        yy = int(s[:2])
        year = pivot - pivot % 100 + yy + (100 if yy < pivot % 100 else 0)
        if form == "yymmdd":
            return D(year, int(s[2:4]), int(s[4:]))
        if form == "yyyyddd":
            year, ddd = int(s[:4]), int(s[4:])
        else:
            ddd = int(s[2:])
        if not 1 <= ddd <= 366:
            return None
        got = D(year, 1, 1) + dt.timedelta(days=ddd - 1)
        return got if got.year == year else None
    except ValueError:
        return None


@pytest.mark.filterwarnings("ignore::legacyio.DataWarning")  # many invalid dates on purpose
@pytest.mark.parametrize("form", ["yyyymmdd", "yyyyddd", "cyymmdd", "yymmdd", "yyddd"])
@pytest.mark.parametrize("pivot", [1950, 1901])
def test_vectorized_dates_agree_with_the_standard_library(form: str, pivot: int) -> None:
    import numpy as np

    k = len(form)
    rng = np.random.default_rng(k)
    # digits drawn per position, biased to plausible months and days (many valid dates,
    # many near misses: day 29-31, month 00/12/13, day 000/365/366)
    ranges = {"y": 10, "c": 3, "m": 2, "d": 4}
    cols = []
    for pos, sym in enumerate(form):
        top = ranges[sym] if form.count(sym) != 3 else (4 if pos == form.index(sym) else 10)
        first = form.index(sym) == pos and sym in "md"
        cols.append(rng.integers(0, top if first else 10, 8000))
    values = np.stack(cols, axis=1) @ (10 ** np.arange(k - 1, -1, -1))
    values[:4] = [0, 10**k - 1, int("1" * k), int("0" * (k - 1) + "1")]
    cpy = f"       01 R.\n          05 D PIC 9({k}).\n"
    data = "".join(f"{int(v):0{k}d}" for v in values).encode("cp037")
    t = legacyio.read_table(data, cpy, date_formats={"D": form}, date_pivot_year=pivot)
    expect = [_reference(int(v), form, pivot) for v in values]
    assert t.column("D").to_pylist() == expect
    assert 0.2 < sum(e is not None for e in expect) / len(expect) < 0.95  # both kinds
    ok = t.filter(pa.compute.is_valid(t.column("D"))).drop(["_legacyio_residue"])
    back = legacyio.encode(ok, copybook=cpy, date_formats={"D": form}, date_pivot_year=pivot)
    assert back == "".join(f"{int(v):0{k}d}" for v, e in zip(values, expect) if e).encode("cp037")


@pytest.mark.parametrize("flatten", [False, True])
def test_dates_in_a_variable_table(flatten: bool) -> None:
    cpy = "       01 R.\n          05 N  PIC 9.\n          05 DS PIC 9(8) OCCURS 0 TO 3 DEPENDING ON N.\n"
    data = "2".encode("cp037") + "2024010120231301".encode("cp037")  # month 13 in the second
    t = legacyio.read_table(
        data, cpy, record_format="ODO", date_formats={"DS": "yyyymmdd"}, flatten=flatten
    )
    row = t.drop(["_legacyio_residue"]).to_pylist()[0]
    if flatten:
        assert (row["DS_1"], row["DS_2"], row["DS_3"]) == (D(2024, 1, 1), None, None)
    else:
        assert row["DS"] == [D(2024, 1, 1), None]
    assert legacyio.encode(t) == data
