"""Framing throughput (records/s) for every record format, on in-memory data.

Run as pytest benchmarks (``pytest benchmarks/bench_framing.py --benchmark-enable``) or as a
script (``python benchmarks/bench_framing.py``), which prints records/s and MB/s.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pytest

from legacyio.framing import framer_for
from legacyio.options import FileFormat
from legacyio.sources import open_source

N = 200_000
WIDTH = 187
BATCH = 65_536


def _payloads(uniform: bool, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    mat = rng.integers(0x40, 0xFA, size=(N, WIDTH), dtype=np.uint8)
    lens = np.full(N, WIDTH, dtype=np.int64) if uniform else rng.integers(20, WIDTH + 1, N)
    return mat, lens


def _odo_length(prefix: np.ndarray) -> np.ndarray:
    # 2-byte big-endian element count, 10-byte elements after a 7-byte fixed part
    return 7 + 10 * (prefix[:, 0].astype(np.int64) * 256 + prefix[:, 1])


def _cases() -> dict[str, tuple[FileFormat, bytes, dict]]:
    cases: dict[str, tuple[FileFormat, bytes, dict]] = {}
    mat, lens = _payloads(True)
    _, rlens = _payloads(False)
    cases["F"] = (FileFormat(), mat.tobytes(), {})
    for name, ln in (("V-uniform", lens), ("V-random", rlens)):
        fmt = FileFormat(record_format="V")
        cases[name] = (fmt, framer_for(fmt, record_length=WIDTH).frame(mat, ln), {})
    fmt = FileFormat(record_format="VB", block_size=27998)
    cases["VB-random"] = (fmt, framer_for(fmt, record_length=WIDTH).frame(mat, rlens), {})
    # VBS: the same records and block size, records spanned over blocks to fill them (one
    # spanned record a block: VB-random is the baseline)
    fmt = FileFormat(record_format="VBS", block_size=27998)
    cases["VBS-random"] = (fmt, framer_for(fmt, record_length=WIDTH).frame(mat, rlens), {})
    text = mat.copy()
    text[text == 0x0A] = 0x41
    fmt = FileFormat(record_format="D")
    cases["D-random"] = (fmt, framer_for(fmt, record_length=WIDTH).frame(text, rlens), {})
    rng = np.random.default_rng(2)
    for name, counts in (("ODO-uniform", np.full(N, 18)), ("ODO-random", rng.integers(0, 19, N))):
        counts = counts.astype(np.int64)
        odo = np.zeros((N, 7 + 180), dtype=np.uint8)
        odo[:, 0], odo[:, 1] = counts >> 8, counts & 0xFF
        fmt = FileFormat(record_format="ODO")
        data = framer_for(fmt, record_length=187, length_fn=_odo_length, prefix_length=2).frame(
            odo, 7 + 10 * counts
        )
        cases[name] = (fmt, data, {"length_fn": _odo_length, "prefix_length": 2})
    return cases


def _runner(fmt: FileFormat, data: bytes, kw: dict) -> Callable[[], int]:
    def run() -> int:
        framer = framer_for(fmt, record_length=WIDTH, **kw)
        n = 0
        with open_source(data) as stream:
            for block in framer.blocks(stream, BATCH):
                n += len(block)
        assert n == N
        return n

    return run


CASES = _cases() if __name__ != "__main__" else {}


@pytest.mark.parametrize("name", list(CASES))
def test_framing(benchmark, name):
    fmt, data, kw = CASES[name]
    n = benchmark(_runner(fmt, data, kw))
    benchmark.extra_info["records"] = n
    benchmark.extra_info["bytes"] = len(data)


def main() -> None:
    for name, (fmt, data, kw) in _cases().items():
        run = _runner(fmt, data, kw)
        best = min(_timed(run) for _ in range(3))
        print(f"{name:12s} {N / best / 1e6:7.2f} M records/s  {len(data) / best / 1e6:8.0f} MB/s")


def _timed(fn: Callable[[], int]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
