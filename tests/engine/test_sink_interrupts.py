"""An interrupt that arrives while an atomic sink creates its temporary file leaves nothing.

The CLI holds signals back while the temporary output is created (``interrupts.critical``)
and raises them when that block ends. That end used to fall inside ``AtomicSink.__init__``,
before the caller held the sink to abort it, so a SIGTERM at that moment left a
``.OUTPUT.*.tmp`` file behind (seen under load in the SIGTERM subprocess test).
"""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from legacyio import interrupts
from legacyio.sources import AtomicSink


@pytest.fixture
def installed() -> Iterator[None]:
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    interrupts.install()
    try:
        yield
    finally:
        for s, h in saved.items():
            signal.signal(s, h)
        interrupts._state["installed"] = False
        interrupts.reset()


@pytest.mark.parametrize("name", ["out.dat", "out.dat.gz", "out.dat.xz"])
def test_signal_while_creating_the_temporary_file_leaves_nothing(
    installed: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    real = tempfile.mkstemp

    def mkstemp_then_signal(*args: object, **kwargs: object) -> tuple[int, str]:
        made = real(*args, **kwargs)  # type: ignore[call-overload]
        os.kill(os.getpid(), signal.SIGTERM)  # held back: we are inside critical()
        return made

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp_then_signal)
    with pytest.raises(interrupts.Terminated):
        AtomicSink(tmp_path / name)
    assert os.listdir(tmp_path) == []


def test_a_sink_dropped_without_commit_removes_its_temporary_file(tmp_path: Path) -> None:
    sink = AtomicSink(tmp_path / "out.dat")
    sink.write(b"abc")
    assert len(os.listdir(tmp_path)) == 1
    del sink
    assert os.listdir(tmp_path) == []


def test_a_committed_sink_keeps_its_output(tmp_path: Path) -> None:
    sink = AtomicSink(tmp_path / "out.dat")
    sink.write(b"abc")
    sink.commit()
    del sink
    assert os.listdir(tmp_path) == ["out.dat"]
    assert (tmp_path / "out.dat").read_bytes() == b"abc"
