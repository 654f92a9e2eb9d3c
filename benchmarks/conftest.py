"""Benchmark plumbing: collect ``bench_*.py``, share the generated workloads, and print MB/s
and records/s of every benchmark at the end of the run (from ``extra_info``).

Every benchmark that wants a throughput figure stores ``bytes`` (input bytes of one round) and
``records`` in ``benchmark.extra_info``; the summary divides them by the median round time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from benchmarks import workloads as wl


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Collect ``bench_*.py`` as test modules (``python_files`` only matches ``test_*.py``);
    files named on the command line are collected by pytest itself."""
    if (
        file_path.suffix == ".py"
        and file_path.name.startswith("bench_")
        and not parent.session.isinitpath(file_path)
    ):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


# Spark benchmarks start a JVM: left out unless selected with -m (as in tests/conftest.py).
_SPARK_DESELECTED: list[pytest.Item] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("markexpr") or config.getoption("keyword"):
        return  # an explicit selection decides
    spark = [i for i in items if i.get_closest_marker("spark") is not None]
    if spark:
        _SPARK_DESELECTED.extend(spark)
        items[:] = [i for i in items if i.get_closest_marker("spark") is None]
        config.hook.pytest_deselected(items=spark)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """``--benchmark-only`` means "run them": override the ``--benchmark-disable`` that the
    project's addopts sets for the unit-test run."""
    if config.getoption("benchmark_only", False) and config.getoption("benchmark_disable", False):
        config.option.benchmark_enable = True


def rounds() -> int:
    """Timed rounds of each file-sized benchmark: ``BENCH_ROUNDS``, by default 3 for small runs
    and 1 above 200,000 master records (keeps the full-size run within about 10 minutes)."""
    default = "3" if wl.bench_records() <= 200_000 else "1"
    return max(1, int(os.environ.get("BENCH_ROUNDS", default)))


@pytest.fixture(scope="session")
def master() -> wl.Workload:
    """The fixed-length taxpayer master file (BENCH_RECORDS records of 190 bytes)."""
    return wl.workload("master")


@pytest.fixture(scope="session")
def txn() -> wl.Workload:
    """RDW transaction modules with OCCURS DEPENDING ON, about as many bytes as the master."""
    return wl.workload("txn")


@pytest.fixture(scope="session")
def wide() -> wl.Workload:
    """2,000-field records, about as many bytes as the master."""
    return wl.workload("wide")


@pytest.fixture(scope="session")
def workloads_by_name(
    master: wl.Workload, txn: wl.Workload, wide: wl.Workload
) -> dict[str, wl.Workload]:
    """The three workloads by name, for parametrized benchmarks."""
    return {"master": master, "txn": txn, "wide": wide}


@pytest.fixture
def measure(benchmark: Any) -> Callable[..., Any]:
    """``measure(fn, nbytes, records, **info)``: time ``fn`` for BENCH_ROUNDS rounds (one call
    each) and record the sizes the end-of-run summary turns into MB/s and records/s."""

    def run(
        fn: Callable[[], Any],
        nbytes: int,
        records: int,
        *,
        n_rounds: int | None = None,
        **info: Any,
    ) -> Any:
        benchmark.extra_info.update(bytes=int(nbytes), records=int(records), **info)
        return benchmark.pedantic(fn, rounds=n_rounds or rounds(), iterations=1, warmup_rounds=0)

    return run


# ---- end-of-run summary -----------------------------------------------------------------------


def _rows(
    config: pytest.Config,
) -> list[tuple[str, float, float, float | None, float | None, dict[str, Any]]]:
    bs = getattr(config, "_benchmarksession", None)
    if bs is None or bs.disabled:
        return []
    rows = []
    for b in bs.benchmarks:
        stats = b.stats
        if stats is None or not stats.rounds:
            continue
        info = dict(b.extra_info)
        med, best = stats.median, stats.min
        nbytes, recs = info.get("bytes"), info.get("records")
        mbps = nbytes / med / 1e6 if nbytes and med > 0 else info.get("MB/s")
        rps = recs / med if recs and med > 0 else None
        rows.append((b.fullname, med, best, mbps, rps, info))
    return rows


def _short(fullname: str) -> str:
    name = fullname.rsplit("/", 1)[-1]
    return name.replace(".py::", "::").replace("bench_", "").replace("::test_", "::")


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Print MB/s of input and records/s per benchmark (median round), plus extra figures."""
    tr = terminalreporter
    if _SPARK_DESELECTED:
        tr.write_line(
            f"{len(_SPARK_DESELECTED)} Spark benchmarks not run by default: "
            "run them with `-m spark`"
        )
    rows = _rows(config)
    if not rows:
        return
    tr.section("legacyio throughput (median round; MB = 10^6 bytes of input)")
    tr.write_line(f"{'benchmark':58s} {'median s':>9s} {'MB/s':>9s} {'records/s':>12s}  note")
    for name, med, _best, mbps, rps, info in rows:
        note = info.get("note", "")
        for key in ("rss_ratio", "rss_ratio_20x_10x"):
            if key in info:
                note = f"{key}={info[key]} {note}".strip()
        mb = f"{mbps:9.1f}" if mbps is not None else f"{'-':>9s}"
        rs = f"{rps:12,.0f}" if rps is not None else f"{'-':>12s}"
        tr.write_line(f"{_short(name)[:58]:58s} {med:9.4f} {mb} {rs}  {note}")


def pytest_benchmark_update_json(
    config: pytest.Config, benchmarks: list[dict[str, Any]], output_json: dict[str, Any]
) -> None:
    """Store MB/s and records/s (median round) next to each benchmark in saved JSON."""
    for b in output_json.get("benchmarks", []):
        info, stats = b.get("extra_info", {}), b.get("stats", {})
        med = stats.get("median")
        if med:
            if info.get("bytes"):
                info["MB_per_s"] = round(info["bytes"] / med / 1e6, 2)
            if info.get("records"):
                info["records_per_s"] = round(info["records"] / med, 1)
