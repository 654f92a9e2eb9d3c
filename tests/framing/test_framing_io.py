"""open_source over every source type, and the atomic sink."""

from __future__ import annotations

import bz2
import gzip
import io
import os

import numpy as np
import pyarrow as pa
import pytest

from legacyio.sources import open_sink, open_source

DATA = bytes(range(256)) * 41 + b"tail"


def _drain(stream, step: int = 1000) -> bytes:
    parts = []
    while True:
        chunk = stream.read(step)
        if not chunk:
            break
        assert len(chunk) <= step
        parts.append(bytes(chunk))
    return b"".join(parts)


@pytest.fixture
def paths(tmp_path):
    plain = tmp_path / "in.dat"
    plain.write_bytes(DATA)
    gz = tmp_path / "in.dat.gz"
    gz.write_bytes(gzip.compress(DATA))
    bz = tmp_path / "in.dat.bz2"
    bz.write_bytes(bz2.compress(DATA))
    return plain, gz, bz


def test_path_sources(paths):
    plain, gz, bz = paths
    for p, size in ((plain, len(DATA)), (str(plain), len(DATA)), (gz, None), (bz, None)):
        with open_source(p) as s:
            assert s.size == size
            assert s.name == os.fspath(p)
            assert _drain(s) == DATA


def test_bytes_like_sources_are_zero_copy():
    for src in (DATA, bytearray(DATA), memoryview(DATA)):
        s = open_source(src)
        assert s.size == len(DATA) and s.name == "<bytes>"
        first = s.read(10)
        assert isinstance(first, memoryview) and first.obj is memoryview(src).obj
        assert bytes(first) == DATA[:10]
        rest = s.view()
        assert bytes(rest) == DATA[10:]
        assert s.read(5) == b""


def test_file_object_sources(paths):
    plain, _, _ = paths
    with open(plain, "rb") as f:
        f.read(6)
        s = open_source(f)
        assert s.size == len(DATA) - 6
        assert s.name == str(plain)
        assert _drain(s, 777) == DATA[6:]
        s.close()
        assert not f.closed  # the caller's object stays open
    s = open_source(io.BytesIO(DATA))
    assert s.size == len(DATA) and _drain(s) == DATA


def test_native_file_sources(paths):
    plain, _, _ = paths
    with open_source(pa.BufferReader(DATA)) as s:
        assert s.size == len(DATA)
        v = s.view()
        assert v is not None and bytes(v) == DATA
    with pa.OSFile(str(plain), "rb") as f, open_source(f) as s:
        assert s.size == len(DATA) and s.view() is None
        assert _drain(s, 4096) == DATA
    with pa.memory_map(str(plain)) as f, open_source(f) as s:
        assert _drain(s) == DATA
    raw = pa.BufferReader(gzip.compress(DATA))
    with open_source(pa.CompressedInputStream(raw, "gzip")) as s:
        assert s.size is None and _drain(s) == DATA


def test_readinto_fills_unless_at_end(paths):
    plain, gz, _ = paths
    for p in (plain, gz):
        with open_source(p) as s:
            buf = np.empty(len(DATA) - 3, dtype=np.uint8)
            assert s.readinto(buf) == len(buf)
            assert buf.tobytes() == DATA[:-3]
            buf2 = bytearray(10)
            assert s.readinto(buf2) == 3 and bytes(buf2[:3]) == DATA[-3:]


def test_unknown_source_type():
    with pytest.raises(TypeError):
        open_source(12)


def test_sink_commits_atomically(tmp_path):
    target = tmp_path / "out.dat"
    target.write_bytes(b"old")
    with open_sink(target) as sink:
        sink.write(b"abc")
        sink.write(np.frombuffer(b"def", dtype=np.uint8))
        assert target.read_bytes() == b"old"  # nothing visible before the commit
    assert target.read_bytes() == b"abcdef"
    assert sorted(os.listdir(tmp_path)) == ["out.dat"]


def test_sink_failure_leaves_nothing(tmp_path):
    target = tmp_path / "out.dat"
    with pytest.raises(RuntimeError), open_sink(target) as sink:
        sink.write(b"half")
        raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), open_sink(target) as sink:
        sink.write(b"half")
        raise RuntimeError("boom")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.dat"]
    sink = open_sink(target)
    sink.write(b"x")
    sink.abort()
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["out.dat"]


def test_sink_overwrite_false(tmp_path):
    target = tmp_path / "out.dat"
    target.write_bytes(b"old")
    with pytest.raises(FileExistsError):
        open_sink(target, overwrite=False)
    assert os.listdir(tmp_path) == ["out.dat"] and target.read_bytes() == b"old"
    fresh = tmp_path / "new.dat"
    with open_sink(fresh, overwrite=False) as sink:
        sink.write(b"n")
    assert fresh.read_bytes() == b"n"
    # the target appearing while writing is still refused at commit time
    late = tmp_path / "late.dat"
    sink = open_sink(late, overwrite=False)
    sink.write(b"mine")
    late.write_bytes(b"theirs")
    with pytest.raises(FileExistsError):
        sink.commit()
    assert late.read_bytes() == b"theirs"
    assert sorted(os.listdir(tmp_path)) == ["late.dat", "new.dat", "out.dat"]


def test_sink_file_objects_and_compression(tmp_path):
    buf = io.BytesIO()
    with open_sink(buf) as sink:
        sink.write(b"xyz")
    assert buf.getvalue() == b"xyz" and not buf.closed
    out = pa.BufferOutputStream()
    with open_sink(out) as sink:
        sink.write(b"arrow")
    assert out.getvalue().to_pybytes() == b"arrow"
    gz = tmp_path / "o.dat.gz"
    with open_sink(gz) as sink:
        sink.write(DATA)
    assert gzip.decompress(gz.read_bytes()) == DATA
    with open_source(gz) as s:
        assert _drain(s) == DATA
