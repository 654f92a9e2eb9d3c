"""The scale-out CLI: `convert --workers N` to a dataset folder or one file, `encode` of a
dataset, `index build|verify`, `splits --format json`; one-line errors, nothing left behind."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import legacyio
from legacyio.cli.main import cli
from legacyio.scale import RECORD_COLUMN, Split, parallel, plan_splits


def _run(*args: object) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _flags(kw: dict) -> list[str]:
    out = []
    for k, v in kw.items():
        out += [f"--{k.replace('_', '-')}", str(v)]
    return out


def _setup(tmp_path: Path, generated: dict, name: str) -> tuple[Path, Path, list[str]]:
    path, kw, cb = generated[name]
    cpy = tmp_path / "rec.cpy"
    cpy.write_text(cb)
    return path, cpy, ["-c", str(cpy), *_flags(kw)]


def _not_temp(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("name", ["V", "VB-padded", "F"])
def test_convert_dataset_then_encode_is_byte_identical(generated, tmp_path, name) -> None:
    path, cpy, flags = _setup(tmp_path, generated, name)
    out = tmp_path / "ds"
    r = _run("convert", path, f"{out}/", *flags, "--workers", 2, "--split-size", 3000, "-q")
    assert r.exit_code == 0, r.output
    names = sorted(os.listdir(out))
    parts = [n for n in names if n.startswith("part-")]
    assert len(parts) > 2 and "_common_metadata" in names and "_legacyio_manifest.json" in names
    table = pa.concat_tables(pq.read_table(out / n) for n in parts)
    whole = legacyio.read_table(path, cpy.read_text(), **generated[name][1])
    assert table.column(RECORD_COLUMN).to_pylist() == list(range(1, whole.num_rows + 1))
    if name != "VB-padded":  # there the padding rides in another row's residue
        assert table.drop_columns([RECORD_COLUMN]).equals(whole)
    back = tmp_path / "back.dat"
    r = _run("encode", out, back, "--workers", 2, "-q")  # copybook and format from the dataset
    assert r.exit_code == 0, r.output
    assert back.read_bytes() == path.read_bytes()
    assert _not_temp(tmp_path) == []


@pytest.mark.parametrize("ext", ["parquet", "csv"])
def test_single_file_output_is_the_one_process_output(generated, tmp_path, ext) -> None:
    path, _cpy, flags = _setup(tmp_path, generated, "ODO")
    one, two = tmp_path / f"one.{ext}", tmp_path / f"two.{ext}"
    assert _run("convert", path, one, *flags, "--workers", 1, "-q").exit_code == 0
    r = _run("convert", path, two, *flags, "--workers", 2, "--split-size", 2500)
    assert r.exit_code == 0, r.output
    assert "splits on 2 workers" in r.output
    if ext == "csv":
        assert two.read_bytes() == one.read_bytes()
    else:
        a, b = pq.read_table(one), pq.read_table(two)
        assert b.schema.equals(a.schema, check_metadata=True) and b.equals(a)
    assert _not_temp(tmp_path) == []


def test_failure_in_a_worker_leaves_nothing(generated, tmp_path) -> None:
    path, _cpy, flags = _setup(tmp_path, generated, "V")
    bad = tmp_path / "bad.dat"
    data = bytearray(path.read_bytes())
    data[-20:-12] = b"\x00\x00\xff\xff\xff\xff\xff\xff"  # a broken last record
    bad.write_bytes(bytes(data))
    for out in (f"{tmp_path}/ds/", f"{tmp_path}/one.parquet"):
        r = _run("convert", bad, out, *flags, "--workers", 2, "--split-size", 3000, "--strict")
        assert r.exit_code == 1, r.output
        lines = [ln for ln in r.output.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("legacyio: error:"), r.output
        assert not Path(out).exists()
    assert _not_temp(tmp_path) == []


def test_ctrl_c_exits_130_and_leaves_nothing(generated, tmp_path, monkeypatch) -> None:
    path, _cpy, flags = _setup(tmp_path, generated, "V")
    real_decode, real_copy = parallel._decode_split, parallel._copy_part
    calls: list[object] = []

    def interrupted(real):
        def fn(*a):
            calls.append(a)
            if len(calls) == 3:
                raise KeyboardInterrupt
            return real(*a)

        return fn

    # a dataset on one process: Ctrl-C while the third split decodes
    monkeypatch.setattr(parallel, "_decode_split", interrupted(real_decode))
    out = f"{tmp_path}/ds/"
    r = _run("convert", path, out, *flags, "--workers", 1, "--split-size", 3000)
    assert r.exit_code == 130 and "interrupted" in r.output, r.output
    assert not Path(out).exists()
    # one file from two workers: Ctrl-C in the parent while it copies the third part
    # (Arrow: parts copied batch by batch; Parquet: parts stitched byte for byte)
    monkeypatch.setattr(parallel, "_decode_split", real_decode)
    monkeypatch.setattr(parallel, "_copy_part", interrupted(real_copy))
    real_add = parallel.ParquetStitcher.add
    monkeypatch.setattr(parallel.ParquetStitcher, "add", interrupted(real_add))
    for name in ("one.arrow", "one.parquet"):
        calls.clear()
        one = tmp_path / name
        r = _run("convert", path, one, *flags, "--workers", 2, "--split-size", 3000)
        assert r.exit_code == 130 and "interrupted" in r.output, r.output
        assert len(calls) == 3
        assert not one.exists()
        assert _not_temp(tmp_path) == []


def test_d_files_and_other_formats_refused_in_one_line(generated, tmp_path) -> None:
    path, cpy, flags = _setup(tmp_path, generated, "F")
    r = _run("convert", path, f"{tmp_path}/ds/", *flags, "--to", "csv")
    assert r.exit_code == 2 and "Parquet" in r.output
    r = _run("convert", path, f"{tmp_path}/ds/", "-c", cpy, "--record-format", "D")
    assert r.exit_code == 2 and "D (text line)" in r.output
    assert not (tmp_path / "ds").exists()


def test_splits_json_is_what_plan_splits_gives(generated, tmp_path) -> None:
    path, cpy, flags = _setup(tmp_path, generated, "V")
    r = CliRunner().invoke(
        cli,
        [
            "splits",
            str(path),
            *flags,
            "--split-size",
            "4000",
            "--index",
            "ignore",
            "--format",
            "json",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "planned" in r.stderr  # the timing goes to stderr, the JSON alone to stdout
    got = [Split.from_dict(d) for d in json.loads(r.stdout)]
    kw = generated["V"][1]
    assert got == plan_splits(path, cpy, split_size=4000, index="ignore", **kw)
    assert len(got) > 3


def test_index_build_verify_and_stale(generated, tmp_path) -> None:
    src, cpy, flags = _setup(tmp_path, generated, "V")
    path = tmp_path / "v.dat"
    path.write_bytes(src.read_bytes())
    job = tmp_path / "job.toml"
    job.write_text('copybook = "rec.cpy"\n[index]\nsplit-size = "4k"\nworkers = 1\n')
    r = _run("index", "build", path, "--job", job, *flags[2:])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "v.dat.lxidx").exists() and "boundaries:" in r.output
    r = _run("index", "verify", path, "--job", job, *flags[2:])
    assert r.exit_code == 0 and "fresh" in r.output, r.output
    path.write_bytes(src.read_bytes()[:-1] + b"\x01")  # same size, last block changed
    os.utime(path, ns=(1, 1))
    r = _run("index", "verify", path, "--job", job, *flags[2:])
    assert r.exit_code == 1 and "STALE" in r.output, r.output
    r = _run("index", "build", path, "-c", cpy, "--record-format", "F")
    assert r.exit_code == 2 and "need no index" in r.output
