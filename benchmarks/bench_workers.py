"""``legacyio convert --workers 2`` vs ``--workers 1``, wall clock, and peak memory per worker.

The machine is shared, so every figure is a ratio inside one run: the two commands run as
subprocesses in interleaved pairs (1 then 2, then 2 then 1, ...; ``BENCH_ROUNDS`` pairs),
the speed-up is median(workers 1) / median(workers 2), and the load averages before and
after are printed with it (read a figure taken at a load above 1 as such). The CPU seconds of
each command (children's rusage) are printed too: CPU(workers 2) / CPU(workers 1) near 1
means the parallel run does no extra work.

Workloads: ``txn`` (RDW records with OCCURS DEPENDING ON, guess-then-check splits) and
``master`` (fixed-length), both about ``BENCH_RECORDS`` x 190 bytes; outputs: one Parquet
file (workers stitch Parquet parts) and a Parquet dataset (``out/``).

Memory: ``convert_parallel`` with 2 workers on a file and on a file 4 times larger (splits
chosen as the CLI does, so each worker's splits are 4 times larger too): each worker's peak
RSS, and its growth over the RSS it had when it took its first split, must stay the same:
memory is bounded by workers x batch size, not by the file or the split.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from benchmarks import workloads as wl
from benchmarks.conftest import rounds


def _convert(w: wl.Workload, out: Path, workers: int) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child and its workers) of one command."""
    if out.is_dir():
        shutil.rmtree(out)
    elif out.exists():
        out.unlink()
    fmt = str(w.options["record_format"])
    cmd = [sys.executable, "-m", "legacyio", "convert", str(w.path), str(out)]
    cmd += ["-c", str(w.copybook), "--record-format", fmt, "--workers", str(workers), "-q"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def speedup(w: wl.Workload, directory: Path, target: str, pairs: int) -> dict[str, Any]:
    """Interleaved pairs of ``--workers 1`` and ``--workers 2`` runs of one conversion."""
    out = directory / ("out/" if target == "dataset" else "out.parquet")
    load0 = os.getloadavg()
    walls: dict[int, list[float]] = {1: [], 2: []}
    cpus: dict[int, list[float]] = {1: [], 2: []}
    for i in range(pairs):
        for workers in (1, 2) if i % 2 == 0 else (2, 1):
            wall, cpu = _convert(w, out, workers)
            walls[workers].append(wall)
            cpus[workers].append(cpu)
    load1 = os.getloadavg()
    shutil.rmtree(out, ignore_errors=True) if target == "dataset" else out.unlink()
    m1, m2 = statistics.median(walls[1]), statistics.median(walls[2])
    return {
        "workload": w.name,
        "target": target,
        "MB": round(w.mb, 1),
        "wall_1": round(m1, 2),
        "wall_2": round(m2, 2),
        "speedup": round(m1 / m2, 2),
        "best_pair_speedup": round(max(a / b for a, b in zip(walls[1], walls[2])), 2),
        "cpu_1": round(statistics.median(cpus[1]), 2),
        "cpu_2": round(statistics.median(cpus[2]), 2),
        "load_before": tuple(round(x, 2) for x in load0),
        "load_after": tuple(round(x, 2) for x in load1),
    }


def _line(r: dict[str, Any]) -> str:
    return (
        f"convert {r['workload']} ({r['MB']} MB) -> {r['target']}: workers 1 {r['wall_1']} s, "
        f"workers 2 {r['wall_2']} s, speed-up {r['speedup']}x (best pair "
        f"{r['best_pair_speedup']}x); CPU {r['cpu_1']} s vs {r['cpu_2']} s; load "
        f"{r['load_before']} -> {r['load_after']}"
    )


@pytest.mark.parametrize("target", ["single-parquet", "dataset"])
@pytest.mark.parametrize("name", ["txn", "master"])
def test_convert_workers_speedup(benchmark, tmp_path, name: str, target: str) -> None:
    w = wl.workload(name)
    # 3 pairs for figures (BENCH_ROUNDS sets it), 1 for the small CI run that keeps it working
    default = 3 if wl.bench_records() >= 100_000 else 1
    pairs = rounds() if os.environ.get("BENCH_ROUNDS") else default
    r = benchmark.pedantic(
        speedup, args=(w, tmp_path, target, pairs), rounds=1, iterations=1, warmup_rounds=0
    )
    benchmark.extra_info.update(r, bytes=w.nbytes, records=w.records)
    benchmark.extra_info["note"] = f"speedup={r['speedup']}x load={r['load_before'][0]}"
    print(_line(r))
    assert r["wall_1"] > 0 and r["wall_2"] > 0


def worker_memory(w: wl.Workload, directory: Path) -> dict[str, Any]:
    """Peak RSS of each of 2 workers converting ``w`` into a dataset, splits as the CLI
    chooses them."""
    from legacyio.scale.parallel import auto_split_size, convert_parallel

    out = directory / f"mem-{w.records}"
    st = convert_parallel(
        w.path,
        w.copybook,
        out,
        workers=2,
        split_size=auto_split_size(w.nbytes, 2),
        index="ignore",
        overwrite=True,
        **w.options,  # type: ignore[arg-type]
    )
    shutil.rmtree(out)
    mib = 1 << 20
    return {
        "MB": round(w.mb, 1),
        "splits": st.splits,
        "peak_MiB": [round(x.peak_rss / mib) for x in st.workers],
        "growth_MiB": [round((x.peak_rss - x.start_rss) / mib) for x in st.workers],
    }


def test_worker_memory_is_bounded(benchmark, tmp_path) -> None:
    base = wl.scaled_records("txn")
    small, big = wl.workload("txn", base), wl.workload("txn", 4 * base)
    figures: dict[str, Any] = {}

    def run() -> None:
        figures["small"] = worker_memory(small, tmp_path)
        figures["big"] = worker_memory(big, tmp_path)

    benchmark.pedantic(run, rounds=1, iterations=1, warmup_rounds=0)
    s, b = figures["small"], figures["big"]
    ratio = max(b["peak_MiB"]) / max(s["peak_MiB"])
    benchmark.extra_info.update(figures, peak_ratio_4x_file=round(ratio, 2))
    benchmark.extra_info["note"] = f"worker peak 4x file / 1x file = {ratio:.2f}"
    for k, f in figures.items():
        print(
            f"worker memory, {k} file ({f['MB']} MB, {f['splits']} splits): peak RSS "
            f"{f['peak_MiB']} MiB, growth from first split {f['growth_MiB']} MiB"
        )
    assert b["splits"] >= s["splits"] and min(b["peak_MiB"]) > 0


if __name__ == "__main__":
    import tempfile

    d = Path(tempfile.mkdtemp(prefix="legacyio-workers-"))
    try:
        for name in ("txn", "master"):
            for target in ("single-parquet", "dataset"):
                print(_line(speedup(wl.workload(name), d, target, rounds())), flush=True)
    finally:
        shutil.rmtree(d, ignore_errors=True)
