"""Splits read independently give exactly read_table's rows, in order, numbered across
splits; writing every split's rows back in order reproduces the file byte for byte."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pyarrow as pa
import pytest

import legacyio
from legacyio.errors import DecodeError, OptionsError
from legacyio.scale import RECORD_COLUMN, Split, plan_splits, read_split, read_splits
from legacyio.scale.parts import record_runs, write_part, write_parts
from legacyio.scale.source import Source
from legacyio.scale.splits import plan_bounds
from tests.scale.helpers import ODO_CPY, odo_records, v_file

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = sorted((ROOT / "golden_files").glob("*.json"))


def _same_as_read_table(path, cb, kw, split_size, residue_exact=True):
    whole = legacyio.read_table(path, cb, **kw)
    splits = plan_splits(path, cb, split_size=split_size, index="ignore", workers=1, **kw)
    parts = read_splits(splits, cb, **kw)
    got = parts.drop_columns([RECORD_COLUMN])
    assert got.schema.metadata == whole.schema.metadata
    for name in whole.column_names:
        if name == "_legacyio_residue" and not residue_exact:
            continue
        assert got.column(name).equals(whole.column(name)), name
    assert parts.column(RECORD_COLUMN).to_pylist() == list(range(1, whole.num_rows + 1))
    firsts = [s.first_record for s in splits]
    counts = [s.records for s in splits]
    assert firsts == [1 + sum(counts[:i]) for i in range(len(splits))]
    assert sum(counts) == whole.num_rows
    assert splits[0].start == 0 and splits[-1].end == Path(path).stat().st_size
    assert all(a.end == b.start for a, b in itertools.pairwise(splits))
    return splits, parts


@pytest.mark.parametrize("manifest", GOLDEN, ids=lambda p: p.stem)
def test_golden_files_in_several_splits(manifest: Path) -> None:
    doc = json.loads(manifest.read_text())
    path = manifest.with_name(manifest.stem + ".dat")
    kw = {**doc["format"], **doc["read"]}
    for split_size in (700, 5000):
        _splits, parts = _same_as_read_table(path, ROOT / doc["copybook"], kw, split_size)
    assert parts.num_rows == doc["records"]
    assert len(plan_splits(path, ROOT / doc["copybook"], split_size=700, index="ignore", **kw)) > 1


@pytest.mark.parametrize(
    "name", ["F", "F-header-records", "V", "V-gnucobol", "VB", "VB-padded", "ODO"]
)
@pytest.mark.parametrize("split_size", [777, 4096, 1 << 30])
def test_generated_files(generated, name: str, split_size: int) -> None:
    path, kw, cb = generated[name]
    # VB padding after a split's last block rides in that split's last row (documented)
    _same_as_read_table(path, cb, kw, split_size, residue_exact=name != "VB-padded")


@pytest.mark.parametrize("name", ["F", "V", "VB-padded", "ODO"])
def test_write_back_through_parts_is_byte_identical(generated, tmp_path, name: str) -> None:
    path, kw, cb = generated[name]
    splits = plan_splits(path, cb, split_size=2000, index="ignore", workers=1, **kw)
    parts = []
    padded_ends = 0
    for s in reversed(splits):  # any order: parts carry their first record
        table = read_split(s, cb, **kw).read_all()
        last = table.column("_legacyio_residue")[-1].as_py()
        padded_ends += bool(last) and last.endswith(b"\0")
        for run in record_runs(table):
            parts.append(write_part(run, str(tmp_path / "parts")))
    if name == "VB-padded":  # block padding does fall at split ends here
        assert padded_ends >= 2
    out = tmp_path / "out.dat"
    stats = write_parts(parts, out, records=sum(s.records for s in splits))
    assert out.read_bytes() == path.read_bytes()
    assert stats.records == sum(s.records for s in splits)


def test_write_parts_refuses_gaps_overlaps_and_short_totals(generated, tmp_path) -> None:
    path, kw, cb = generated["V"]
    table = legacyio.read_table(path, cb, **kw)
    table = table.append_column(RECORD_COLUMN, pa.array(range(1, table.num_rows + 1)))
    a = write_part(table.slice(0, 100), str(tmp_path))
    b = write_part(table.slice(100, 100), str(tmp_path))
    c = write_part(table.slice(150, 100), str(tmp_path))
    with pytest.raises(OptionsError, match="in no part"):
        write_parts([b], tmp_path / "x")
    with pytest.raises(OptionsError, match="in two parts"):
        write_parts([a, b, c], tmp_path / "x")
    with pytest.raises(OptionsError, match="expected 400"):
        write_parts([a, b], tmp_path / "x", records=400)
    assert not (tmp_path / "x").exists()
    write_parts([str(b.path), a], tmp_path / "x")  # paths: the name carries the range
    with pytest.raises(FileExistsError):
        write_parts([a], tmp_path / "x")


def test_runs_split_a_shuffled_partition(generated) -> None:
    path, kw, cb = generated["ODO"]
    t = legacyio.read_table(path, cb, **kw)
    t = t.append_column(RECORD_COLUMN, pa.array(range(1, t.num_rows + 1)))
    shuffled = pa.concat_tables([t.slice(300, 50), t.slice(0, 10), t.slice(10, 5)])
    runs = record_runs(shuffled)
    assert [r.column(RECORD_COLUMN)[0].as_py() for r in runs] == [1, 301]
    assert [r.num_rows for r in runs] == [15, 50]


def test_adversarial_payload_forces_repair_and_stays_exact(tmp_path) -> None:
    # every record with 20 items carries a chain of fake 12-byte RDW records
    recs = odo_records(200, 9, adversarial=True)
    p = tmp_path / "adv.dat"
    p.write_bytes(v_file(recs))
    _same_as_read_table(p, ODO_CPY, {"record_format": "V"}, 37)
    with Source(p) as src:
        fmt = legacyio.FileFormat(record_format="V")
        b = plan_bounds(src, legacyio.load_copybook(ODO_CPY), fmt, "rdw", 37, 1)
    assert b.repaired > 0 and b.total == 200  # wrong guesses happened and were caught


def test_process_pool_gives_the_same_splits(generated) -> None:
    path, kw, cb = generated["V"]
    one = plan_splits(path, cb, split_size=3000, index="ignore", workers=1, **kw)
    two = plan_splits(path, cb, split_size=3000, index="ignore", workers=2, **kw)
    assert one == two


def test_split_round_trips_through_json(generated) -> None:
    path, kw, cb = generated["VB"]
    s = plan_splits(path, cb, split_size=3000, index="ignore", **kw)[1]
    assert Split.from_json(s.to_json()) == s


def test_errors_carry_file_record_numbers_and_offsets(tmp_path) -> None:
    recs = odo_records(50, 1)
    data = v_file(recs)
    p = tmp_path / "broken.dat"
    p.write_bytes(data + b"\x00\x50\x00\x00abc")  # a last record running past the end
    with pytest.raises(DecodeError) as whole:
        legacyio.read_table(p, ODO_CPY, record_format="V")
    splits = plan_splits(p, ODO_CPY, split_size=500, index="ignore", record_format="V")
    assert len(splits) > 1 and splits[-1].records is None
    with pytest.raises(DecodeError) as part:
        read_splits(splits, ODO_CPY, record_format="V")
    assert (part.value.record, part.value.offset) == (whole.value.record, whole.value.offset)
    lenient = legacyio.read_table(p, ODO_CPY, record_format="V", lenient_framing=True)
    report = legacyio.DecodeReport()
    rows = sum(
        read_split(s, ODO_CPY, record_format="V", lenient_framing=True, report=report)
        .read_all()
        .num_rows
        for s in splits
    )
    assert rows == lenient.num_rows and report.framing[0].offset == whole.value.offset


def test_record_number_and_offset_columns_are_global(generated) -> None:
    path, kw, cb = generated["V"]
    kw = {**kw, "record_number": True, "record_offset": True}
    whole = legacyio.read_table(path, cb, **kw)
    splits = plan_splits(path, cb, split_size=1000, index="ignore", **kw)
    parts = read_splits(splits, cb, **kw)
    assert parts.column("record_number").equals(whole.column("record_number"))
    assert parts.column("record_offset").equals(whole.column("record_offset"))


def test_unsplittable_inputs_are_refused(tmp_path) -> None:
    p = tmp_path / "x.dat.gz"
    p.write_bytes(b"")
    with pytest.raises(OptionsError, match="compressed"):
        plan_splits(p, ODO_CPY, record_format="V")
    q = tmp_path / "x.txt"
    q.write_bytes(b"a\n")
    with pytest.raises(OptionsError, match="cannot be split"):
        plan_splits(q, ODO_CPY, record_format="D")


def test_uri_sources(generated) -> None:
    path, kw, cb = generated["VB"]
    a = plan_splits(path, cb, split_size=3000, index="ignore", **kw)
    b = plan_splits(path.as_uri(), cb, split_size=3000, index="ignore", **kw)
    assert [(s.start, s.length, s.first_record) for s in a] == [
        (s.start, s.length, s.first_record) for s in b
    ]
    assert read_splits(b, cb, **kw).num_rows == sum(s.records for s in a)


def test_vb_planning_without_numbering_reads_only_bdws(generated) -> None:
    path, kw, cb = generated["VB"]
    splits = plan_splits(path, cb, split_size=3000, index="ignore", numbered=False, **kw)
    assert splits[0].first_record == 1 and all(s.first_record is None for s in splits[1:])
    t = read_split(splits[1], cb, **kw).read_all()
    assert t.column(RECORD_COLUMN).null_count == t.num_rows
