"""Peak memory (RSS) of streaming: a file ten times larger than a batch vs a one-batch file.

Each measurement runs in a fresh subprocess that reports its peak RSS (``VmHWM``; Linux's
``ru_maxrss`` of a child started by pytest inherits pytest's own peak) after its imports and
after the work; the figure is the ratio of peaks (10x file / 1x file), which should stay near
1.0 when streaming is bounded by ``batch_size`` (the first few batches still warm up the
allocator and the read-ahead, so the streaming run also measures a 20x file: 20x over 10x must
stay at 1.0). ``read_table`` of the same files is measured
too, as a control that grows with the file.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from benchmarks import workloads as wl

CHILD = r"""
import json, resource, sys
import pyarrow as pa
import legacyio

def peak_kb():
    # VmHWM: peak RSS of this process image. ru_maxrss is the fallback off Linux; on Linux it
    # inherits the parent's (pytest's) peak across fork+exec, which would hide the figure.
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

mode, path, cpy, batch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
base = peak_kb()
rows = 0
if mode == "stream":
    for b in legacyio.open_reader(path, cpy, batch_size=batch):
        rows += b.num_rows
else:
    rows = legacyio.read_table(path, cpy, batch_size=batch).num_rows
print(json.dumps({"rows": rows, "base_kb": base, "peak_kb": peak_kb(),
                  "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def batch_records() -> int:
    """Records per batch for the memory runs: a tenth of BENCH_RECORDS, 1,024 to 65,536."""
    return min(65_536, max(1_024, wl.bench_records() // 10))


def _child(mode: str, w: wl.Workload, batch: int) -> dict[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(w.path), str(w.copybook), str(batch)],
        check=True,
        capture_output=True,
        text=True,
    )
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["rows"] == w.records
    return res


@pytest.mark.parametrize("mode", ["stream", "read_table"])
def test_peak_rss_ratio(benchmark, mode: str) -> None:
    """Peak RSS for a 10-batch file over a 1-batch file (master layout)."""
    batch = batch_records()
    small = wl.workload("master", batch)
    big = wl.workload("master", 10 * batch)
    res: dict[str, dict[str, int]] = {}

    def run() -> None:
        res["small"] = _child(mode, small, batch)
        res["big"] = _child(mode, big, batch)
        if mode == "stream":  # a third point: the peak must not move from 10x to 20x
            res["bigger"] = _child(mode, wl.workload("master", 20 * batch), batch)

    benchmark.pedantic(run, rounds=1, iterations=1, warmup_rounds=0)
    s, b = res["small"], res["big"]
    ratio = b["peak_kb"] / s["peak_kb"]
    growth_small = s["peak_kb"] - s["base_kb"]
    growth_big = b["peak_kb"] - b["base_kb"]
    benchmark.extra_info.update(
        rss_ratio=round(ratio, 2),
        batch_records=batch,
        peak_mb_1x=round(s["peak_kb"] / 1024, 1),
        peak_mb_10x=round(b["peak_kb"] / 1024, 1),
        growth_mb_1x=round(growth_small / 1024, 1),
        growth_mb_10x=round(growth_big / 1024, 1),
        note=(
            f"{mode}: peak {s['peak_kb'] / 1024:.0f} MB (1x) vs {b['peak_kb'] / 1024:.0f} MB "
            f"(10x); after imports {s['base_kb'] / 1024:.0f} MB"
        ),
    )
    if "bigger" in res:
        benchmark.extra_info["rss_ratio_20x_10x"] = round(
            res["bigger"]["peak_kb"] / b["peak_kb"], 2
        )
        benchmark.extra_info["peak_mb_20x"] = round(res["bigger"]["peak_kb"] / 1024, 1)
    print(f"\n{mode}: {benchmark.extra_info}")
