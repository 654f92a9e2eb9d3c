"""The native engine against the NumPy engine and a memory copy, in the same run on the same
bytes: decode (``read_table``) of the three workloads, encode and ``verify`` of the master
file, threads=2 vs threads=1, the batch kernel's two orders (column tiles vs fused), convert
to Parquet against ``pyarrow.parquet.write_table`` alone on the same table, and a CPU-time
table (``time.process_time``: less sensitive to other jobs on a shared VM than wall time).

    BENCH_RECORDS=200000 BENCH_ROUNDS=5 python -m pytest benchmarks/bench_native.py \
        --benchmark-only -p no:cacheprovider -s
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import legacyio
from benchmarks import workloads as wl
from legacyio.codecs import native

ENGINES = ["numpy", "native"] if native.available() else ["numpy"]


@pytest.fixture(scope="module")
def data(workloads_by_name) -> dict[str, bytes]:
    """Each workload file in memory (both engines and the copy read the same bytes)."""
    return {k: w.path.read_bytes() for k, w in workloads_by_name.items()}


@pytest.fixture(scope="module")
def master_table(master: wl.Workload, data: dict[str, bytes]) -> pa.Table:
    """The decoded master table (round-trip residue kept), for encode and Parquet."""
    with native.engine_scope("numpy"):
        return legacyio.read_table(data["master"], master.copybook, **master.options)


def test_memcpy_baseline(measure, master: wl.Workload, data: dict[str, bytes]) -> None:
    """A copy of the whole file into a fresh buffer: the ceiling of any decoder."""
    src = np.frombuffer(data["master"], dtype=np.uint8)
    out = measure(lambda: src.copy(), master.nbytes, master.records, note="memcpy")
    assert out.size == master.nbytes


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ["master", "txn", "wide"])
def test_decode(measure, workloads_by_name, data, name: str, engine: str) -> None:
    """read_table of a workload on one engine (residue kept, the default)."""
    w = workloads_by_name[name]

    def run() -> pa.Table:
        with native.engine_scope(engine):
            return legacyio.read_table(data[name], w.copybook, **w.options)

    t = measure(run, w.nbytes, w.records, note=f"engine={engine}")
    assert t.num_rows == w.records


@pytest.mark.skipif(not native.available(), reason="legacyio._native is not built")
@pytest.mark.parametrize("fused", [False, True])
def test_decode_batch_order(measure, master, data, fused: bool, monkeypatch) -> None:
    """The batch kernel column by column in L2-sized tiles (default) vs fused per record."""
    monkeypatch.setattr(native, "FUSED", fused)

    def run() -> pa.Table:
        with native.engine_scope("native"):
            return legacyio.read_table(data["master"], master.copybook, **master.options)

    t = measure(run, master.nbytes, master.records, note=f"fused={fused}")
    assert t.num_rows == master.records


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("threads", [1, 2])
def test_decode_threads(measure, master, engine: str, threads: int) -> None:
    """Streaming decode of the master file with 1 and 2 decoding threads."""

    def run() -> int:
        reader = legacyio.open_reader(
            master.path, master.copybook, threads=threads, engine=engine, **master.options
        )
        return sum(b.num_rows for b in reader)

    assert measure(run, master.nbytes, master.records, note=f"{engine} threads={threads}") == (
        master.records
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_encode_master(measure, master, data, master_table: pa.Table, engine: str) -> None:
    """encode of the decoded master table on one engine; the bytes equal the input."""

    def run() -> bytes:
        with native.engine_scope(engine):
            return legacyio.encode(master_table, master.copybook, **master.options)

    out = measure(run, master.nbytes, master.records, note=f"engine={engine}")
    assert out == data["master"]


@pytest.mark.parametrize("engine", ENGINES)
def test_verify_master(measure, master, engine: str) -> None:
    """verify (decode + encode + hashes of both sides) of the master file."""

    def run():
        with native.engine_scope(engine):
            return legacyio.verify(master.path, master.copybook, **master.options)

    res = measure(run, master.nbytes, master.records, note=f"engine={engine}")
    assert res.ok


def test_parquet_write_table_alone(measure, master, master_table: pa.Table, tmp_path: Path):
    """pyarrow.parquet.write_table of the already decoded table: the floor of a convert."""
    out = tmp_path / "alone.parquet"
    measure(lambda: pq.write_table(master_table, out), master.nbytes, master.records)
    assert pq.ParquetFile(out).metadata.num_rows == master.records


@pytest.mark.parametrize("engine", ENGINES)
def test_convert_parquet(measure, master, engine: str, tmp_path: Path) -> None:
    """The CLI's convert path (decode overlapped with writing) to Parquet."""
    from legacyio.tables.files import write_batches

    out = tmp_path / "master.parquet"

    def run() -> int:
        reader = legacyio.open_reader(master.path, master.copybook, engine=engine, **master.options)
        return write_batches(reader, out, reader.schema, overwrite=True)

    assert measure(run, master.nbytes, master.records, note=f"engine={engine}") == master.records


def _cpu(fn, rounds: int = 5) -> float:
    ts = []
    for _ in range(rounds):
        t0 = time.process_time()
        fn()
        ts.append(time.process_time() - t0)
    return float(np.median(ts))


def test_cpu_time_table(workloads_by_name, data, master_table, capsys) -> None:
    """Process CPU time of decode (three workloads) and encode on both engines, alternating
    engines within each round (printed; not a pytest-benchmark timing)."""
    lines = []
    for name, w in workloads_by_name.items():
        res = {}
        for engine in ENGINES:
            with native.engine_scope(engine):
                res[engine] = _cpu(
                    lambda name=name, w=w: legacyio.read_table(data[name], w.copybook, **w.options)
                )
        lines.append((f"decode {name}", w.nbytes, res))
    # the wide copybook's parse (2,000 fields) is part of each read_table above; with the
    # Layout loaded once, the line below is the decode alone
    w = workloads_by_name["wide"]
    layout = legacyio.load_copybook(w.copybook)
    res = {}
    for engine in ENGINES:
        with native.engine_scope(engine):
            res[engine] = _cpu(lambda w=w: legacyio.read_table(data["wide"], layout, **w.options))
    lines.append(("decode wide, Layout loaded once", w.nbytes, res))
    m = workloads_by_name["master"]
    res = {}
    for engine in ENGINES:
        with native.engine_scope(engine):
            res[engine] = _cpu(lambda: legacyio.encode(master_table, m.copybook, **m.options))
    lines.append(("encode master", m.nbytes, res))
    with capsys.disabled():
        print("\n[cpu time, median of 5] figure: " + " / ".join(ENGINES) + " MB/s")
        for what, nbytes, r in lines:
            mbs = " / ".join(f"{nbytes / r[e] / 1e6:.0f}" for e in ENGINES)
            ratio = f" ({r['numpy'] / r['native']:.2f}x)" if "native" in r else ""
            print(f"  {what}: {mbs}{ratio}")
    assert all(v > 0 for _, _, r in lines for v in r.values())
