"""A peer on the same bytes: ``cobolio`` (pure Python, one dict per record) on the first
100,000 master records (fewer when BENCH_RECORDS is smaller), next to legacyio on the same file.

cobolio has no OCCURS DEPENDING ON support, so only the fixed-length master file is compared.
The bench is skipped, with the reason printed, when cobolio cannot be imported.
"""

from __future__ import annotations

import contextlib
import io

import pytest

import legacyio
from benchmarks import workloads as wl

PEER_RECORDS = 100_000


@pytest.fixture(scope="module")
def peer_file() -> wl.Workload:
    """The master layout, 100,000 records (or BENCH_RECORDS if smaller)."""
    return wl.workload("master", min(PEER_RECORDS, wl.bench_records()))


@pytest.fixture(scope="module")
def cobolio_mod():
    """The cobolio module, or a skip with the reason."""
    try:
        import cobolio
    except ImportError as exc:
        reason = f"cobolio not installed ({exc}); pip install cobolio"
        print(f"\nSKIP peer bench: {reason}")
        pytest.skip(reason)
    return cobolio


def test_peer_cobolio(measure, cobolio_mod, peer_file: wl.Workload) -> None:
    """cobolio.loads per record with its layout from the master copybook."""
    with contextlib.redirect_stdout(io.StringIO()):  # its parser prints every item
        lrecl, layout = cobolio_mod.copybook_to_layout(wl.MASTER_COPYBOOK)
    assert lrecl == wl.MASTER_LENGTH
    data = peer_file.path.read_bytes()
    n = peer_file.records

    def run() -> list[dict]:
        loads = cobolio_mod.loads
        return [loads(data[i : i + lrecl], layout) for i in range(0, n * lrecl, lrecl)]

    rows = measure(run, peer_file.nbytes, n, note=f"cobolio {cobolio_mod.__version__}")
    assert len(rows) == n and int(rows[0]["TM_TIN"]) == wl.master_chunk(0, 1).values["tin"][0]


def test_peer_legacyio(measure, peer_file: wl.Workload) -> None:
    """legacyio.read_table on the same records, for the side-by-side figure."""
    t = measure(
        lambda: legacyio.read_table(peer_file.path, peer_file.copybook),
        peer_file.nbytes,
        peer_file.records,
    )
    assert t.num_rows == peer_file.records
