"""Decode throughput (read_table, open_reader, residue=False, threads) and the baselines
measured in the same run on the same bytes: memory copy, ``bytes.translate`` and pyarrow's CSV
reader on the same data written as CSV.

    BENCH_RECORDS=1000000 python -m pytest benchmarks/bench_decode.py --benchmark-only
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pytest

import legacyio
from benchmarks import workloads as wl

NAMES = ["master", "txn", "wide"]


@pytest.fixture(scope="module")
def master_bytes(master: wl.Workload) -> bytes:
    """The master file in memory, for the baselines."""
    return master.path.read_bytes()


@pytest.fixture(scope="module")
def master_csv(master: wl.Workload) -> Path:
    """The master file as CSV (flat columns, no residue), written once from the decoded table."""
    path = master.path.with_suffix(".csv")
    if not path.exists():
        table = legacyio.read_table(
            master.path,
            master.copybook,
            flatten=True,
            residue=False,
            fillers=False,
            **master.options,
        )
        tmp = path.with_name(path.name + ".tmp")
        pcsv.write_csv(table, tmp)
        tmp.replace(path)
    return path


def test_workload_decodes_to_generated_values(master: wl.Workload) -> None:
    """Sanity check (not timed): the library reads back what the NumPy generator wrote."""
    chunk = wl.master_chunk(0, 8)
    n = min(8, master.records)
    table = legacyio.read_table(master.path, master.copybook, **master.options).slice(0, n)
    rows = table.to_pylist()
    v = chunk.values
    assert [r["TM_TIN"] for r in rows] == v["tin"][:n]
    assert [r["TM_NAME"]["TM_LAST_NAME"] for r in rows] == v["last_name"][:n]
    assert [int(r["TM_BALANCE"] * 100) for r in rows] == v["balance_cents"][:n]
    assert [int(r["TM_TOTAL_INCOME"] * 100) for r in rows] == v["income_cents"][:n]
    assert [[int(q * 100) for q in r["TM_QUARTERLY_PAYMENT"]] for r in rows] == v[
        "quarterly_cents"
    ][:n]
    assert [r["TM_FORM_COUNT"] for r in rows] == v["forms"][:n]
    names = pc.struct_field(
        legacyio.read_table(master.path, master.copybook, columns=["TM_NAME"], **master.options)[
            "TM_NAME"
        ],
        "TM_LAST_NAME",
    )
    accented = pc.sum(pc.invert(pc.string_is_ascii(names))).as_py() or 0
    if master.records >= 1000:  # a few percent of the names carry é, ñ, ü ...
        assert 0.01 < accented / master.records < 0.06


@pytest.mark.parametrize("name", NAMES)
def test_decode_table(measure, workloads_by_name, name: str) -> None:
    """read_table of the whole file (round-trip residue kept, the default)."""
    w = workloads_by_name[name]
    t = measure(lambda: legacyio.read_table(w.path, w.copybook, **w.options), w.nbytes, w.records)
    assert t.num_rows == w.records


@pytest.mark.parametrize("name", NAMES)
def test_decode_stream(measure, workloads_by_name, name: str) -> None:
    """open_reader, batches consumed and dropped (memory bounded by batch_size)."""
    w = workloads_by_name[name]

    def run() -> int:
        return sum(b.num_rows for b in legacyio.open_reader(w.path, w.copybook, **w.options))

    assert measure(run, w.nbytes, w.records) == w.records


@pytest.mark.parametrize("name", NAMES)
def test_decode_analytics(measure, workloads_by_name, name: str) -> None:
    """read_table with residue=False: a clean analytics table, no round-trip extras."""
    w = workloads_by_name[name]
    t = measure(
        lambda: legacyio.read_table(w.path, w.copybook, residue=False, **w.options),
        w.nbytes,
        w.records,
    )
    assert t.num_rows == w.records


@pytest.mark.parametrize("threads", [1, 2])
def test_decode_threads(measure, master: wl.Workload, threads: int) -> None:
    """Master file decode on 1 and 2 threads (the machine has 2 cores, shared)."""
    t = measure(
        lambda: legacyio.read_table(
            master.path, master.copybook, threads=threads, **master.options
        ),
        master.nbytes,
        master.records,
        threads=threads,
    )
    assert t.num_rows == master.records


# Top-level master columns by storage family, for the profile of where decode time goes.
BY_TYPE = {
    "text": ["TM_NAME", "TM_STATUS", "TM_REGION"],  # 44 bytes
    "zoned": ["TM_TIN", "TM_BIRTH_DATE", "TM_FILING_DATE", "TM_BALANCE"],  # 36 bytes
    "packed": ["TM_TOTAL_INCOME", "TM_TAX_DUE", "TM_QUARTERLY_PAYMENT"],  # 33 bytes
    "binary": ["TM_DEPENDENTS", "TM_FORM_COUNT"],  # 6 bytes
    "address": ["TM_ADDRESS"],  # 52 text + 9 zoned bytes
}


@pytest.mark.parametrize("family", list(BY_TYPE))
def test_decode_by_type(measure, master: wl.Workload, family: str) -> None:
    """Decode only one family of master columns (projection): where the time goes."""
    cols = BY_TYPE[family]
    t = measure(
        lambda: legacyio.read_table(master.path, master.copybook, columns=cols, **master.options),
        master.nbytes,
        master.records,
        note=f"columns: {family}",
    )
    assert t.num_columns >= len(cols)


# ---- baselines on the same bytes ------------------------------------------------------------


BASELINE_ROUNDS = 5  # cheap: more rounds, so page-fault noise of one round does not dominate


def test_baseline_bytes_copy(measure, master: wl.Workload, master_bytes: bytes) -> None:
    """bytes(memoryview) copy of the whole file into fresh memory (page faults included)."""
    out = measure(
        lambda: bytes(memoryview(master_bytes)),
        master.nbytes,
        master.records,
        n_rounds=BASELINE_ROUNDS,
        note="baseline memcpy, whole file",
    )
    assert len(out) == master.nbytes


def test_baseline_numpy_copy(measure, master: wl.Workload, master_bytes: bytes) -> None:
    """np.copy of the file as a uint8 array (fresh memory)."""
    arr = np.frombuffer(master_bytes, dtype=np.uint8)
    out = measure(
        lambda: np.copy(arr),
        master.nbytes,
        master.records,
        n_rounds=BASELINE_ROUNDS,
        note="baseline np.copy, whole file",
    )
    assert out.nbytes == master.nbytes


def test_baseline_batch_copy(measure, master: wl.Workload, master_bytes: bytes) -> None:
    """np.copyto batch by batch (65,536 records) into one reused buffer: memory bandwidth
    with warm pages, as a batch-wise decoder sees it."""
    arr = np.frombuffer(master_bytes, dtype=np.uint8)
    step = 65_536 * wl.MASTER_LENGTH
    buf = np.empty(min(step, arr.size), dtype=np.uint8)

    def run() -> int:
        for i in range(0, arr.size, step):
            part = arr[i : i + step]
            np.copyto(buf[: part.size], part)
        return int(buf[0])

    measure(
        run,
        master.nbytes,
        master.records,
        n_rounds=BASELINE_ROUNDS,
        note="baseline batch copy, warm buffer",
    )


CP037_TO_LATIN1 = bytes(range(256)).decode("cp037").encode("latin-1")


def test_baseline_translate(measure, master: wl.Workload, master_bytes: bytes) -> None:
    """bytes.translate of the whole buffer with the cp037 -> latin-1 table."""
    out = measure(
        lambda: master_bytes.translate(CP037_TO_LATIN1),
        master.nbytes,
        master.records,
        n_rounds=BASELINE_ROUNDS,
        note="baseline translate",
    )
    assert out[:9].isdigit()


def test_baseline_csv(measure, master: wl.Workload, master_csv: Path) -> None:
    """pyarrow.csv.read_csv (one thread) of the master data as CSV; MB/s of the CSV bytes."""
    size = master_csv.stat().st_size
    opts = pcsv.ReadOptions(use_threads=False)
    t = measure(
        lambda: pcsv.read_csv(master_csv, read_options=opts),
        size,
        master.records,
        note=f"baseline csv, 1 thread ({size / master.nbytes:.2f}x the bytes)",
    )
    assert isinstance(t, pa.Table) and t.num_rows == master.records


def test_baseline_csv_threads(measure, master: wl.Workload, master_csv: Path) -> None:
    """pyarrow.csv.read_csv with its default thread pool."""
    size = master_csv.stat().st_size
    t = measure(
        lambda: pcsv.read_csv(master_csv), size, master.records, note="baseline csv, all cores"
    )
    assert t.num_rows == master.records
