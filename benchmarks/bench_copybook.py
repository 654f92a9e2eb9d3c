"""Copybook parse time: the 2,000-field wide copybook and the master copybook."""

from __future__ import annotations

import legacyio
from benchmarks import workloads as wl


def test_parse_wide_copybook(benchmark) -> None:
    """load_copybook of 2,000 elementary fields in 50 groups (text in, Layout out)."""
    text = wl.wide_copybook()
    benchmark.extra_info.update(fields=wl.WIDE_FIELDS, lines=text.count("\n"))
    layout = benchmark(legacyio.load_copybook, text)
    leaves = [i for i in layout.items() if not i.is_group]
    assert len(leaves) == wl.WIDE_FIELDS
    assert layout.record_length == wl.WIDE_LENGTH


def test_parse_master_copybook(benchmark) -> None:
    """load_copybook of the 25-line master copybook."""
    layout = benchmark(legacyio.load_copybook, wl.MASTER_COPYBOOK)
    assert layout.record_length == wl.MASTER_LENGTH
