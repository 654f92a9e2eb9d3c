"""Spark local[2] with the legacyio data source vs legacyio alone, in the same run.

Marked ``spark`` and left out of the default run (it starts a JVM): run it with
``BENCH_RECORDS=1000000 python -m pytest benchmarks/bench_spark.py -m spark -s -p no:cacheprovider``.
Workload: ``txn`` (RDW records with OCCURS DEPENDING ON, about BENCH_RECORDS x 190 bytes), the
same splits everywhere (``auto_split_size(size, 2)``, as ``convert --workers 2`` picks them).

Figures (seconds, each measured once, in this order):
- Spark start-up, apart: ``getOrCreate`` + a first job + ``register`` (the JVM and its warm-up);
- Spark read+count and read+write Parquet (``df.write.parquet``), after the start-up;
- legacyio alone: read+count on one process (``open_reader``), read+write Parquet on one process
  (``write_batches``, what ``convert --workers 1`` runs) and on 2 worker processes
  (``convert_parallel``, a dataset, as ``convert out/ --workers 2``).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from benchmarks import workloads as wl

pytestmark = pytest.mark.spark


def _timed(fn: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def spark_figures(w: wl.Workload, directory: Path) -> dict[str, float]:
    from pyspark.sql import SparkSession

    import legacyio.spark
    from legacyio.scale.parallel import auto_split_size, convert_parallel
    from legacyio.tables.files import write_batches

    split = auto_split_size(w.nbytes, 2)
    fmt = str(w.options["record_format"])
    load = os.getloadavg()[0]
    out: dict[str, float] = {"MB": round(w.mb, 1), "split_MiB": round(split / 2**20, 1)}

    def start() -> Any:
        s = (
            SparkSession.builder.master("local[2]")
            .appName("legacyio-bench")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
        s.range(1).count()
        legacyio.spark.register(s)
        return s

    out["spark_startup_s"], spark = _timed(start)
    try:
        reader = (
            spark.read.format("legacyio")
            .option("copybook", str(w.copybook))
            .option("record_format", fmt)
            .option("split_size", str(split))
            .option("index", "ignore")
        )
        out["spark_count_s"], n = _timed(lambda: reader.load(str(w.path)).count())
        assert n == w.records
        pq_out = directory / "spark-parquet"
        out["spark_parquet_s"], _ = _timed(
            lambda: reader.load(str(w.path)).write.mode("overwrite").parquet(str(pq_out))
        )
        shutil.rmtree(pq_out)
    finally:
        spark.stop()

    def count() -> int:
        return sum(b.num_rows for b in legacyio.open_reader(w.path, w.copybook, record_format=fmt))

    out["legacyio_count_s"], n = _timed(count)
    assert n == w.records
    reader1 = legacyio.open_reader(w.path, w.copybook, record_format=fmt)
    one = directory / "one.parquet"
    out["legacyio_parquet_1proc_s"], _ = _timed(
        lambda: write_batches(reader1, one, reader1.schema, overwrite=True)
    )
    one.unlink()
    ds = directory / "ds"
    out["legacyio_parquet_2workers_s"], _ = _timed(
        lambda: convert_parallel(
            w.path, w.copybook, ds, workers=2, split_size=split, index="ignore", record_format=fmt
        )
    )
    shutil.rmtree(ds)
    out["load_before"] = round(load, 2)
    out["load_after"] = round(os.getloadavg()[0], 2)
    return {k: round(v, 2) for k, v in out.items()}


def lines(f: dict[str, float]) -> list[str]:
    mb = f["MB"]

    def rate(key: str) -> str:
        return f"{f[key]:.2f} s ({mb / f[key]:.0f} MB/s)"

    return [
        f"txn {mb} MB, splits of {f['split_MiB']} MiB, load {f['load_before']} -> "
        f"{f['load_after']}",
        f"Spark local[2] start-up (JVM, first job, register): {f['spark_startup_s']:.1f} s",
        f"Spark local[2] read+count: {rate('spark_count_s')}",
        f"Spark local[2] read+write Parquet: {rate('spark_parquet_s')}",
        f"legacyio alone read+count, 1 process: {rate('legacyio_count_s')}",
        f"legacyio alone read+write Parquet, 1 process: {rate('legacyio_parquet_1proc_s')}",
        f"legacyio alone read+write Parquet, 2 workers: {rate('legacyio_parquet_2workers_s')}",
    ]


def test_spark_vs_legacyio(benchmark, tmp_path) -> None:
    pytest.importorskip("pyspark")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("no Java")
    w = wl.workload("txn")
    f = benchmark.pedantic(
        spark_figures, args=(w, tmp_path), rounds=1, iterations=1, warmup_rounds=0
    )
    benchmark.extra_info.update(f, bytes=w.nbytes, records=w.records)
    benchmark.extra_info["note"] = (
        f"spark count {f['spark_count_s']}s vs legacyio {f['legacyio_count_s']}s; "
        f"start-up {f['spark_startup_s']}s apart"
    )
    for line in lines(f):
        print(line)
    assert f["spark_count_s"] > 0 and f["legacyio_count_s"] > 0
