"""convert_parallel / encode_parallel on worker processes, and Dask over the same splits."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

import legacyio
from legacyio.scale import RECORD_COLUMN
from legacyio.scale.parallel import convert_parallel, encode_parallel


@pytest.mark.parametrize("name", ["V", "F", "VB-padded"])
def test_convert_parallel_dataset_and_back(generated, tmp_path, name: str) -> None:
    path, kw, cb = generated[name]
    whole = legacyio.read_table(path, cb, **kw)
    out = tmp_path / "ds"
    stats = convert_parallel(path, cb, out, workers=2, split_size=3000, index="ignore", **kw)
    assert stats.records == whole.num_rows and stats.splits > 1
    names = sorted(p.name for p in out.iterdir())
    assert names[0] == "_common_metadata" and "_legacyio_manifest.json" in names
    got = pq.read_table(out / "part-000000.parquet").schema
    assert got.metadata == pq.read_schema(out / "_common_metadata").metadata
    table = pq.ParquetDataset(out).read()
    assert table.column(RECORD_COLUMN).to_pylist() == list(range(1, whole.num_rows + 1))
    back = tmp_path / "back.dat"
    encode_parallel(out, back, workers=2)
    assert back.read_bytes() == path.read_bytes()
    with pytest.raises(FileExistsError):
        convert_parallel(path, cb, out, workers=1, **kw)


def test_convert_parallel_single_file_in_order(generated, tmp_path) -> None:
    path, kw, cb = generated["ODO"]
    out = tmp_path / "one.parquet"
    convert_parallel(path, cb, out, workers=1, split_size=2000, single_file=True, **kw)
    table = pq.read_table(out)
    whole = legacyio.read_table(path, cb, **kw)
    assert table.drop_columns([RECORD_COLUMN]).equals(whole)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_dask_reads_the_splits_in_order(generated) -> None:
    pytest.importorskip("dask.dataframe")
    from legacyio.dask import read_dataframe

    path, kw, cb = generated["V"]
    whole = legacyio.read_table(path, cb, **kw)
    ddf = read_dataframe(path, cb, split_size=3000, index="ignore", workers=1, **kw)
    assert ddf.npartitions > 1 and ddf.known_divisions
    df = ddf.compute()
    assert list(df.index) == list(range(1, whole.num_rows + 1))
    assert df["TXN_CNT"].tolist() == whole.column("TXN_CNT").to_pylist()


@pytest.mark.parametrize("workers", [1, 2, 3, 8])
@pytest.mark.parametrize("size", [20 << 20, 72_000_000, 190_000_000, 1 << 30])
def test_auto_split_size_gives_every_worker_as_many_splits(size: int, workers: int) -> None:
    from legacyio.scale.parallel import auto_split_size

    split = auto_split_size(size, workers)
    n = -(-size // split)
    used = min(workers, size // (4 << 20))
    assert split >= 4 << 20 and split <= 128 << 20
    if split < 128 << 20:  # below the ceiling: the same number of splits for every worker
        assert n % used == 0 and n // used <= 4
    assert auto_split_size(16 << 20, workers) == 16 << 20  # one split: one process
