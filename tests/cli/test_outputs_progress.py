"""Units under the CLI: JSON Lines and hex writers, the progress bar, the summary line, and
the golden files (each manifest through convert + verify)."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from legacyio.cli.progress import ProgressBar, summary_line
from legacyio.report import DecodeReport
from legacyio.tables.hexcodec import hex_decode, hex_encode
from legacyio.tables.jsonl import json_lines

from .conftest import Run, run_process

GOLDEN = Path(__file__).resolve().parents[2] / "golden_files"


def test_json_lines_escapes_and_exact_decimals():
    t = pa.table(
        {
            "s": ['a"b\\\n\x01é', "", None],
            "d": pa.array(
                [Decimal("-12345678901234567890.12"), None, Decimal("0.10")], pa.decimal128(22, 2)
            ),
            "b": pa.array([b"\x00\xff", None, b""], pa.binary()),
            "g": pa.array([{"x": 1, "l": [1, 2]}, None, {"x": None, "l": None}]),
            "f": [1.5, float("nan"), None],
        }
    ).slice(0)
    lines = json_lines(t).decode().splitlines()
    objs = [json.loads(x) for x in lines]
    assert objs[0] == {
        "s": 'a"b\\\n\x01é',
        "d": "-12345678901234567890.12",
        "b": "00ff",
        "g": {"x": 1, "l": [1, 2]},
        "f": 1.5,
    }
    assert objs[1]["d"] is None and objs[1]["g"] is None and objs[1]["f"] is None
    assert objs[2] == {"s": None, "d": "0.10", "b": "", "g": {"x": None, "l": None}, "f": None}
    num = json.loads(json_lines(t.slice(0, 1), "number"), parse_float=Decimal)
    assert num["d"] == Decimal("-12345678901234567890.12")


def test_hex_round_trip_with_slices():
    arr = pa.array([b"ab", None, b"\x00\x01"], pa.binary(2)).slice(1)
    assert hex_encode(arr).to_pylist() == [None, "0001"]
    assert hex_decode(hex_encode(arr), pa.binary(2)).to_pylist() == [None, b"\x00\x01"]
    with pytest.raises(ValueError, match="row 1"):
        hex_decode(pa.array(["0g"]), pa.binary())


def test_progress_bar_draws_when_enabled(monkeypatch):
    buf = io.StringIO()
    monkeypatch.setattr("sys.stderr", buf)
    bar = ProgressBar("converting", 1_000_000, enabled=True)
    bar.start -= 1.0
    bar(1000, 250_000)
    bar(2000, 500_000)  # within 0.1 s: not redrawn
    out = buf.getvalue()
    assert out.count("\r") == 1
    assert "1,000 records" in out and "0.2 MB" in out and "25%" in out and "ETA" in out
    bar.close()
    quiet = ProgressBar("converting", 10, enabled=False)
    quiet(1, 1)
    assert buf.getvalue().count("\r") == 2  # only the erase of the first bar


def test_summary_line_names_fields_not_values():
    rep = DecodeReport()
    rep.add_field("MASTER.BALANCE", 3, 5, 100, "invalid packed")
    rep.add_field("MASTER.TIN", 1, 7, 200, "invalid zoned")
    line = summary_line("converted", 1000, 187000, 0.5, rep)
    assert line == (
        "converted 1,000 records (187,000 bytes) in 0.50 s, 0.4 MB/s; bad fields: BALANCE 3, TIN 1"
    )


MANIFESTS = sorted(GOLDEN.glob("*.json"))


def _golden_round_trip(manifest: Path, tmp_path: Path, invoke) -> None:
    data = manifest.with_suffix(".dat")
    code, out_text = invoke("verify", "--job", str(manifest), str(data), "--quiet")
    assert code == 0, out_text
    out = tmp_path / "o.jsonl"
    code, out_text = invoke("convert", "--job", str(manifest), str(data), str(out))
    assert code == 0, out_text
    back = tmp_path / "back.dat"
    code, out_text = invoke("encode", "--job", str(manifest), str(out), str(back))
    assert code == 0, out_text
    assert back.read_bytes() == data.read_bytes()


@pytest.mark.parametrize("manifest", MANIFESTS, ids=[m.stem for m in MANIFESTS])
def test_golden_convert_and_verify(manifest: Path, tmp_path: Path) -> None:
    run = Run(GOLDEN.parent)  # in-process: test_subprocess and the test below run processes

    def invoke(*args: str) -> tuple[int, str]:
        r = run(*args)
        return r.exit_code, r.output  # type: ignore[attr-defined]

    _golden_round_trip(manifest, tmp_path, invoke)


def test_golden_convert_and_verify_as_processes(tmp_path: Path) -> None:
    def invoke(*args: str) -> tuple[int, str]:
        r = run_process(GOLDEN.parent, *args)
        return r.returncode, r.stdout + r.stderr

    _golden_round_trip(GOLDEN / "biz_master.json", tmp_path, invoke)
