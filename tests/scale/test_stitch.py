"""Parquet parts stitched into one file by copying their column chunks (scale/stitch.py): the
footer reader/writer keeps every field, the stitched file reads as the parts concatenated."""

from __future__ import annotations

import decimal
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import legacyio
from legacyio.errors import OptionsError
from legacyio.scale.parallel import convert_parallel
from legacyio.scale.stitch import ParquetStitcher, encode_footer, read_footer


def _table(n: int, start: int = 0) -> pa.Table:
    r = range(start, start + n)
    cols = {
        "i": pa.array(r, pa.int64()),
        "s": pa.array([None if i % 7 == 0 else f"v{i % 13}" for i in r], pa.string()),
        "d": pa.array([decimal.Decimal(i) / 100 for i in r], pa.decimal128(9, 2)),
        "l": pa.array([[i, None, -i][: i % 4] for i in r], pa.list_(pa.int32())),
        "b": pa.array([i % 3 == 0 for i in r], pa.bool_()),
        "st": pa.array(
            [{"x": i, "y": str(i)} for i in r], pa.struct([("x", pa.int64()), ("y", pa.string())])
        ),
    }
    for k in range(12):  # more than 15 columns: a long-form Thrift list header
        cols[f"c{k}"] = pa.array([float(i * k) for i in r], pa.float64())
    return pa.table(cols, metadata={"legacyio.test": "yes"})


def _footer_bytes(path) -> tuple[bytes, list]:
    data = path.read_bytes()
    n = int.from_bytes(data[-8:-4], "little")
    md, start = read_footer(io.BytesIO(data), len(data), str(path))
    assert start == len(data) - 8 - n
    return data[start:-8], md


def test_footer_is_written_back_byte_for_byte(tmp_path) -> None:
    p = tmp_path / "a.parquet"
    pq.write_table(_table(5000), p, row_group_size=256, compression="zstd")  # 20 row groups
    raw, md = _footer_bytes(p)
    assert encode_footer(md) == raw


@pytest.mark.parametrize("sizes", [[300, 300, 400], [1], [17, 0, 1000]])
def test_stitched_file_reads_as_the_parts_in_order(tmp_path, sizes) -> None:
    parts, start = [], 0
    for k, n in enumerate(sizes):
        p = tmp_path / f"p{k}.parquet"
        pq.write_table(_table(n, start), p, row_group_size=128)
        parts.append(p)
        start += n
    out = tmp_path / "out.parquet"
    with open(out, "wb") as f:
        st = ParquetStitcher(f)
        for p in parts:
            st.add(str(p))
        assert st.close() == start
    got = pq.read_table(out)
    pq.write_table(_table(start), tmp_path / "whole.parquet")
    want = pq.read_table(tmp_path / "whole.parquet")
    assert got.schema.equals(want.schema, check_metadata=True)
    assert got.equals(want)
    pf = pq.ParquetFile(out)
    groups = sum(pq.ParquetFile(p).metadata.num_row_groups for p in parts)
    assert pf.metadata.num_row_groups == groups and pf.metadata.num_rows == start
    # every row group on its own (offsets moved right), with its statistics kept
    seen = 0
    for g in range(groups):
        rg = pf.read_row_group(g)
        assert rg.column("i").to_pylist() == list(range(seen, seen + rg.num_rows))
        stats = pf.metadata.row_group(g).column(0).statistics
        assert rg.num_rows == 0 or (stats.min == seen and stats.max == seen + rg.num_rows - 1)
        seen += rg.num_rows


def test_parts_that_cannot_be_stitched_are_refused(tmp_path) -> None:
    a, b, c = tmp_path / "a.parquet", tmp_path / "b.parquet", tmp_path / "c.parquet"
    pq.write_table(_table(10), a)
    pq.write_table(_table(10).drop_columns(["s"]), b)
    pq.write_table(_table(10), c, write_page_index=True)
    st = ParquetStitcher(io.BytesIO())
    st.add(str(a))
    with pytest.raises(OptionsError, match="another schema"):
        st.add(str(b))
    with pytest.raises(OptionsError, match="page index"):
        ParquetStitcher(io.BytesIO()).add(str(c))
    (tmp_path / "x.parquet").write_bytes(b"PAR1 not really a parquet file")
    with pytest.raises(OptionsError, match="not a Parquet file"):
        ParquetStitcher(io.BytesIO()).add(str(tmp_path / "x.parquet"))
    with pytest.raises(OptionsError, match="no Parquet part"):
        ParquetStitcher(io.BytesIO()).close()


def test_convert_parallel_single_parquet_keeps_the_output_settings(generated, tmp_path) -> None:
    path, kw, cb = generated["ODO"]
    out = tmp_path / "one.parquet"
    stats = convert_parallel(
        path,
        cb,
        out,
        workers=2,
        split_size=5000,
        single_file=True,
        record_column=False,
        compression="zstd",
        row_group_size=20,
        index="ignore",
        **kw,
    )
    assert stats.splits > 2
    whole = legacyio.read_table(path, cb, **kw)
    got = pq.read_table(out)
    assert got.equals(whole)
    md = pq.ParquetFile(out).metadata
    assert md.row_group(0).column(0).compression == "ZSTD"
    assert max(md.row_group(g).num_rows for g in range(md.num_row_groups)) == 20
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_row_group_ordinals_only_while_an_i16_holds_them(tmp_path) -> None:
    p = tmp_path / "a.parquet"
    pq.write_table(_table(10), p)
    st = ParquetStitcher(io.BytesIO())
    st.add(str(p))
    assert [f[2] for f in st.row_groups[0] if f[0] == 7] == [0]
    st.row_groups = st.row_groups * (1 << 15)  # as if 32,768 row groups came before
    st.add(str(p))
    assert not [f for f in st.row_groups[-1] if f[0] == 7]
