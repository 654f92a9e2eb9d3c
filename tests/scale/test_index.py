"""The sidecar index: used when fresh, rebuilt when stale, never trusted."""

from __future__ import annotations

import itertools
import os

import pytest

from legacyio.errors import OptionsError
from legacyio.scale import build_index, plan_splits, verify_index
from legacyio.scale import splits as splits_mod


def _copy(generated, name, tmp_path):
    path, kw, cb = generated[name]
    p = tmp_path / path.name
    p.write_bytes(path.read_bytes())
    return p, kw, cb


def test_auto_writes_then_uses_the_index(generated, tmp_path, monkeypatch) -> None:
    p, kw, cb = _copy(generated, "V", tmp_path)
    first = plan_splits(p, cb, split_size=2000, workers=1, **kw)
    assert (tmp_path / (p.name + ".lxidx")).exists()

    def no_planning(*a, **k):
        raise AssertionError("planned from the data despite a fresh index")

    monkeypatch.setattr(splits_mod, "plan_bounds", no_planning)
    assert plan_splits(p, cb, split_size=2000, **kw) == first
    # a coarser split size is served from the same index: a subset of its boundaries
    coarse = plan_splits(p, cb, split_size=7000, **kw)
    assert 1 < len(coarse) < len(first)
    assert {s.start for s in coarse} <= {s.start for s in first}
    assert sum(s.records for s in coarse) == sum(s.records for s in first)
    assert all(a.first_record + a.records == b.first_record for a, b in itertools.pairwise(coarse))


def test_stale_index_is_rebuilt_never_trusted(generated, tmp_path) -> None:
    p, kw, cb = _copy(generated, "V", tmp_path)
    build_index(p, cb, split_size=2000, workers=1, **kw)
    assert verify_index(p, cb, deep=True, **kw).ok
    st = os.stat(p)
    data = bytearray(p.read_bytes())
    # same size and same mtime, different last block: the hash notices
    data[-1] ^= 0xFF
    p.write_bytes(bytes(data))
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    status = verify_index(p, cb, **kw)
    assert not status.ok and "changed" in status.reason
    # a different file behind the same name: the new plan matches the new data
    shorter = bytes(data[: len(data) // 2])
    p.write_bytes(shorter)
    splits = plan_splits(p, cb, split_size=2000, workers=1, **kw)
    assert splits[-1].end == len(shorter)
    assert splits == plan_splits(p, cb, split_size=2000, index="ignore", workers=1, **kw)
    assert verify_index(p, cb, **kw).ok


def test_other_options_make_the_index_stale(generated, tmp_path) -> None:
    p, kw, cb = _copy(generated, "V-gnucobol", tmp_path)
    build_index(p, cb, split_size=2000, workers=1, **kw)
    status = verify_index(p, cb, **{**kw, "rdw_adjustment": 0})
    assert not status.ok and "options" in status.reason
    assert not verify_index(p, cb, index_path=str(tmp_path / "none.lxidx"), **kw).ok


def test_ignore_neither_reads_nor_writes(generated, tmp_path) -> None:
    p, kw, cb = _copy(generated, "VB", tmp_path)
    plan_splits(p, cb, split_size=2000, index="ignore", **kw)
    assert not (tmp_path / (p.name + ".lxidx")).exists()


def test_build_fails_loudly_where_it_cannot_write(generated, tmp_path) -> None:
    p, kw, cb = _copy(generated, "ODO", tmp_path)
    with pytest.raises(OptionsError, match="cannot write the index"):
        plan_splits(
            p, cb, split_size=2000, index="build", index_path=str(tmp_path / "no" / "x"), **kw
        )
    # auto just goes on without an index
    assert plan_splits(p, cb, split_size=2000, index_path=str(tmp_path / "no" / "x"), **kw)
