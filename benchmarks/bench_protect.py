"""Protection throughput: batched FF1 on 9-digit values, and a protected decode of the master
file (FF1 on the TIN, mask on names and address lines, a birth date generalized to its year,
everything else withheld) against the unprotected decode, in the same run.

    BENCH_RECORDS=1000000 python -m pytest benchmarks/bench_protect.py --benchmark-only

The protected decode is ``read_table(..., protect=Protector(...))``: the reader builds no
raw bytes (a protected read never releases them), decodes only the columns the policy
releases (``Protector.needed_columns``) and protects each batch before yielding it; its note
gives its MB/s as a share of the unprotected ``read_table`` (defaults) measured just before
it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import legacyio
from benchmarks import workloads as wl
from legacyio.protect import Protector, load_policy
from legacyio.protect.ff1 import FF1

POLICY = """
version = 1
name = "bench"
purpose = "benchmark"
default = "drop"

[[rule]]
field = "TM-TIN"
action = "fpe"
domain = "tin"

[[rule]]
field = ["TM-LAST-NAME", "TM-FIRST-NAME", "TM-STREET", "TM-CITY"]
action = "mask"
keep_first = 1

[[rule]]
field = "TM-BIRTH-DATE"
action = "generalize"
year = true
"""

KEY = bytes(range(32))
_MEDIANS: dict[str, float] = {}


@pytest.fixture(scope="module")
def policy_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("protect") / "bench.toml"
    p.write_text(POLICY)
    return p


def test_ff1_9_digit_values(measure: Any, benchmark: Any) -> None:
    """FF1 encryption of a column of 9-digit values (records/s = values/s)."""
    n = max(wl.bench_records(), 200_000)
    xs = np.random.default_rng(wl.SEED).integers(0, 10**9, n, dtype=np.int64)
    f = FF1(KEY, 10)
    out = measure(lambda: f.encrypt_int(xs, 9, b"tin"), n * 9, n, note="FF1 values/s")
    assert len(out) == n
    assert (f.decrypt_int(out[:1000], 9, b"tin") == xs[:1000]).all()


def test_decode_unprotected(measure: Any, benchmark: Any, master: wl.Workload) -> None:
    """read_table of the master file, default options (the reference of the ratio)."""
    t = measure(
        lambda: legacyio.read_table(master.path, master.copybook, **master.options),
        master.nbytes,
        master.records,
    )
    assert t.num_rows == master.records
    if benchmark.stats is not None:  # None with --benchmark-disable (CI's smoke run)
        _MEDIANS["plain"] = benchmark.stats.stats.median


def test_decode_protected(
    measure: Any, benchmark: Any, master: wl.Workload, policy_path: Path
) -> None:
    """read_table(protect=...): the protected read through the integrated reader (no raw
    bytes built, only the released columns decoded, FF1 / masks / generalize per batch)."""
    policy = load_policy(policy_path, master.copybook)

    def run() -> Any:
        return legacyio.read_table(
            master.path, master.copybook, protect=Protector(policy, key=KEY), **master.options
        )

    t = measure(run, master.nbytes, master.records)
    assert t.num_rows == master.records
    assert t.column_names == ["TM_TIN", "TM_NAME", "TM_ADDRESS", "TM_BIRTH_DATE"]
    if benchmark.stats is None:  # --benchmark-disable (CI's smoke run): nothing to compare
        return
    med = benchmark.stats.stats.median
    if "plain" in _MEDIANS:
        ratio = _MEDIANS["plain"] / med
        benchmark.extra_info["protected_vs_unprotected"] = round(ratio, 3)
        benchmark.extra_info["note"] = f"{ratio:.0%} of unprotected MB/s"
