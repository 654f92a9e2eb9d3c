"""Scale-out figures: split planning of a VB file (BDWs only) and of a V file (parallel
guess-then-check), ``convert_parallel`` with 2 workers vs 1, and (``BENCH_SPARK=1``) Spark
local[2] read+count vs legacyio alone, Spark's start-up timed apart.

Sizes follow ``BENCH_RECORDS`` (ODO records of 8-128 bytes, 72 on average with the RDW).
Run as a script for the figures (``BENCH_RECORDS=2000000 python benchmarks/bench_splits.py``)
or through pytest with the other benchmarks (small sizes in CI, only to keep it working).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np

import legacyio
from legacyio.scale import plan_splits
from legacyio.scale.parallel import convert_parallel

ODO_CPY = """\
       01 TXN-REC.
          05 TXN-ID      PIC 9(6).
          05 TXN-CNT     PIC 9(2).
          05 TXN-ITEM    OCCURS 0 TO 20 TIMES DEPENDING ON TXN-CNT.
             10 ITEM-CODE   PIC X(3).
             10 ITEM-AMT    PIC S9(5) COMP-3.
"""
RECORDS = int(os.environ.get("BENCH_RECORDS", "200000"))
SPLIT = int(os.environ.get("BENCH_SPLIT_SIZE", str(16 << 20)))


def _payloads(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(n, 128) matrix of ODO records and their lengths (valid zoned, text and packed)."""
    rng = np.random.default_rng(seed)
    cnt = rng.integers(0, 21, n)
    mat = np.empty((n, 128), dtype=np.uint8)
    ids = np.arange(1, n + 1) % 1_000_000
    for i in range(6):
        mat[:, 5 - i] = 0xF0 + (ids // 10**i) % 10
    mat[:, 6] = 0xF0 + cnt // 10
    mat[:, 7] = 0xF0 + cnt % 10
    item = np.frombuffer(b"\xc1\xc2\xc3\x00\x12\x3c", dtype=np.uint8)
    mat[:, 8:] = np.tile(item, 20)
    return mat, 8 + 6 * cnt


def _v_bytes(mat: np.ndarray, lens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(lens)
    fr = np.zeros((n, 132), dtype=np.uint8)
    flen = lens + 4
    fr[:, 0], fr[:, 1] = flen >> 8, flen & 0xFF
    fr[:, 4:] = mat
    return fr[np.arange(132)[None, :] < flen[:, None]], flen


def make_files(directory: Path, n: int) -> tuple[Path, Path]:
    """The V and VB files of ``n`` records (made 1,000,000 records at a time: a 1 GB file
    needs no more memory than a 70 MB one)."""
    v, vb = directory / f"v-{n}.dat", directory / f"vb-{n}.dat"
    if v.exists() and vb.exists():
        return v, vb
    chunk = 1_000_000
    with open(v, "wb") as fv, open(vb, "wb") as fb:
        for k, at in enumerate(range(0, n, chunk)):
            mat, lens = _payloads(min(chunk, n - at), seed=k)
            if k:  # record ids continue across chunks
                ids = (np.arange(at + 1, at + len(lens) + 1) % 1_000_000)[:, None]
                mat[:, :6] = 0xF0 + (ids // 10 ** np.arange(5, -1, -1)) % 10
            flat, flen = _v_bytes(mat, lens)
            fv.write(flat.tobytes())
            ends = np.cumsum(flen)
            start, pos = 0, 0
            while start < len(lens):
                # as many records as fit a 32760-byte block
                stop = int(np.searchsorted(ends, pos + 32756, side="right"))
                stop = max(stop, start + 1)
                end = int(ends[stop - 1])
                fb.write((end - pos + 4).to_bytes(2, "big") + b"\0\0")
                fb.write(flat[pos:end].tobytes())
                start, pos = stop, end
    return v, vb


def _time(fn, *a, **k) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn(*a, **k)
    return time.perf_counter() - t0, out


def measure_planning(directory: Path, split: int = SPLIT) -> list[str]:
    """Split planning only: VB from the BDWs (and with the records counted), V by parallel
    guess-then-check, V from a fresh sidecar index."""
    v, vb = make_files(directory, RECORDS)
    mb = v.stat().st_size / 1e6
    lines = [f"records {RECORDS:,}; V file {mb:.1f} MB, VB file {vb.stat().st_size / 1e6:.1f} MB"]
    lines.append(f"split size {split / 2**20:.0f} MiB, {os.cpu_count()} cores")
    lines.append(f"load average before: {os.getloadavg()[0]:.1f}")
    kw = {"index": "ignore", "split_size": split}
    t, s = _time(plan_splits, vb, ODO_CPY, record_format="VB", numbered=False, **kw)
    lines.append(f"plan VB, BDWs only (numbered=False): {t:.3f} s, {len(s)} splits")
    for w in (1, 2):
        t, s = _time(plan_splits, vb, ODO_CPY, record_format="VB", workers=w, **kw)
        lines.append(f"plan VB + count records, workers={w}: {t:.3f} s")
    for w in (1, 2):
        t, s = _time(plan_splits, v, ODO_CPY, record_format="V", workers=w, **kw)
        lines.append(f"plan V guess-then-check, workers={w}: {t:.3f} s, {len(s)} splits")
    idx = Path(str(v) + ".lxidx")
    plan_splits(v, ODO_CPY, record_format="V", index="build", split_size=split)
    t, _ = _time(plan_splits, v, ODO_CPY, record_format="V", split_size=split)
    lines.append(f"plan V from a fresh .lxidx: {t * 1000:.1f} ms")
    idx.unlink()
    lines.append(f"load average after: {os.getloadavg()[0]:.1f}")
    return lines


def measure(directory: Path, spark: bool = False) -> list[str]:
    v, _vb = make_files(directory, RECORDS)
    mb = v.stat().st_size / 1e6
    lines = measure_planning(directory, SPLIT)
    kw = {"index": "ignore", "split_size": SPLIT}
    times: dict[tuple[str, int], float] = {}
    cpu1: dict[str, float] = {}
    for target in ("dataset", "single file"):
        for w in (1, 2):
            out = directory / f"out-{w}" if target == "dataset" else directory / f"out-{w}.parquet"
            c0 = os.times()
            t, st = _time(
                convert_parallel,
                v,
                ODO_CPY,
                out,
                workers=w,
                overwrite=True,
                record_format="V",
                single_file=target != "dataset",
                **kw,
            )
            c1 = os.times()
            times[(target, w)] = t
            parent_cpu = (c1.user - c0.user) + (c1.system - c0.system)
            lines.append(
                f"convert_parallel V -> Parquet {target}, workers={w}: {t:.2f} s wall, "
                f"{mb / t:.0f} MB/s, {st.splits} splits, parent CPU {parent_cpu:.2f} s"
            )
            for ws in st.workers:
                lines.append(
                    f"  worker {ws.pid}: {ws.splits} splits, CPU {ws.cpu_seconds:.2f} s, "
                    f"wall {ws.wall_seconds:.2f} s, peak RSS {ws.peak_rss / 2**20:.0f} MiB "
                    f"(RSS {ws.start_rss / 2**20:.0f} MiB at its first split)"
                )
            if w == 2:
                one = times[(target, 1)]
                busiest = max(ws.cpu_seconds for ws in st.workers)
                lines.append(
                    f"  speed-up workers 2 vs 1 ({target}): wall {one / t:.2f}x; "
                    f"CPU-bound ratio (workers=1 CPU / busiest worker CPU) "
                    f"{cpu1[target] / busiest:.2f}x"
                )
            else:
                cpu1[target] = sum(ws.cpu_seconds for ws in st.workers)
    lines.append(f"load average during the run: {os.getloadavg()[0]:.1f}")
    t_read, table = _time(legacyio.read_table, v, ODO_CPY, record_format="V")
    lines.append(f"legacyio read_table V (1 core): {t_read:.2f} s, {mb / t_read:.0f} MB/s")
    if spark:
        lines += _spark(v, mb, table.num_rows)
    return lines


def _spark(v: Path, mb: float, rows: int) -> list[str]:
    from pyspark.sql import SparkSession

    import legacyio.spark

    t0 = time.perf_counter()
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.range(1).count()  # the JVM and a first job: start-up
    legacyio.spark.register(session)
    t_start = time.perf_counter() - t0
    reader = (
        session.read.format("legacyio")
        .option("copybook", ODO_CPY)
        .option("record_format", "V")
        .option("split_size", str(SPLIT))
        .option("index", "ignore")
    )
    t, n = _time(lambda: reader.load(str(v)).count())
    assert n == rows
    out = [f"Spark local[2] start-up: {t_start:.1f} s"]
    out.append(f"Spark local[2] read+count (after start-up): {t:.2f} s, {mb / t:.0f} MB/s")
    session.stop()
    return out


def test_split_figures(tmp_path: Path) -> None:
    for line in measure(tmp_path, spark=os.environ.get("BENCH_SPARK") == "1"):
        print(line)


if __name__ == "__main__":
    import sys

    cache = Path(os.environ.get("BENCH_CACHE") or tempfile.mkdtemp(prefix="legacyio-bench-"))
    cache.mkdir(parents=True, exist_ok=True)
    if sys.argv[1:] == ["plan"]:  # planning only, e.g. of 1 GB files (BENCH_RECORDS=15000000)
        out = measure_planning(cache, int(os.environ.get("BENCH_SPLIT_SIZE", str(128 << 20))))
    else:
        out = measure(cache, spark=os.environ.get("BENCH_SPARK") == "1")
    for line in out:
        print(line, flush=True)
