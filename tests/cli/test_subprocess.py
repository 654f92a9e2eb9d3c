"""The CLI as a real process (`python -m legacyio`): exit statuses, stdout/stderr split, and
Ctrl-C in the middle of a write leaving nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq

import legacyio

from .conftest import leftovers, run_process, simple_record, simple_rows


def test_every_command_as_a_process(work):
    r = run_process(work, "convert", "-c", "simple.cpy", "simple.dat", "o.parquet")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and "converted 40 records" in r.stderr
    assert "\r" not in r.stderr  # no progress bar when stderr is not a terminal
    assert pq.read_table(work / "o.parquet").equals(
        legacyio.read_table(work / "simple.dat", work / "simple.cpy")
    )
    r = run_process(work, "encode", "o.parquet", "back.dat")
    assert r.returncode == 0, r.stderr
    assert (work / "back.dat").read_bytes() == (work / "simple.dat").read_bytes()
    r = run_process(work, "head", "-c", "simple.cpy", "simple.dat", "-n", "2")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 4
    r = run_process(work, "verify", "-c", "simple.cpy", "simple.dat", "--quiet")
    assert r.returncode == 0 and "identical" in r.stdout and r.stderr == ""
    r = run_process(work, "schema", "-c", "simple.cpy", "--format", "json")
    assert r.returncode == 0 and "BAL" in r.stdout


def test_exit_statuses_as_a_process(work, bad_dat):
    assert run_process(work, "convert", "--bogus").returncode == 2
    assert run_process(work, "head", "-c", "missing.cpy", "simple.dat").returncode == 2
    r = run_process(work, "convert", "-c", "simple.cpy", "bad.dat", "o.parquet", "--strict")
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr
    r = run_process(work, "verify", "-c", "simple.cpy", "simple.dat", "--no-residue")
    assert r.returncode == 2 and "residue" in r.stderr


def test_python_m_and_console_script_agree(work):
    r = run_process(work, "--version")
    assert r.returncode == 0 and "legacyio" in r.stdout


def test_ctrl_c_mid_write_leaves_nothing(work):
    """Feed the input through a FIFO, stop feeding mid-file, send SIGINT while the process
    waits for more input with its output half written."""
    fifo = work / "pipe.dat"
    os.mkfifo(fifo)
    env = dict(os.environ)
    # no empty entry: an empty PYTHONPATH component puts the current folder on sys.path
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(Path(__file__).resolve().parents[2] / "src"), env.get("PYTHONPATH")) if p
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "legacyio",
            "convert",
            "-c",
            "simple.cpy",
            str(fifo),
            "o.jsonl",
            "--batch-size",
            "10",
        ],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    chunk = b"".join(simple_record(r) for r in simple_rows(40))
    writer_done = threading.Event()

    def feed() -> None:
        with open(fifo, "wb") as f:
            f.write(chunk)  # 40 records: 3 full batches go out, then the reader waits
            f.flush()
            writer_done.wait(30)

    t = threading.Thread(target=feed)
    t.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not leftovers(work):
            time.sleep(0.05)
        assert leftovers(work), "the output was never started"
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        writer_done.set()
        t.join(10)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert not (work / "o.jsonl").exists()
    assert leftovers(work) == []
