"""The audit trail of protect / unprotect runs: a manifest per output and a hash-chained log.

The manifest and the log line say who extracted what, when, why and under which policy and
key (its id and fingerprint), with names, sizes and SHA-256 of every file involved, the
columns released (with their action) and withheld, and row counts. They never hold a field
value, a key, or the content of the allow-list (its SHA-256 and counts only).

Each log line carries ``prev_sha256``, the SHA-256 of the previous line's bytes (64 zeros on
the first line), and ``seq``: editing, removing or reordering a line breaks the chain at the
next line, which ``verify_chain`` names. Appends take an exclusive ``flock`` and write with
``O_APPEND``, so concurrent runs cannot interleave or fork the chain.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import getpass
import hashlib
import json
import os
import socket
import tempfile
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

__all__ = [
    "GENESIS",
    "ChainResult",
    "append_audit",
    "build_manifest",
    "file_facts",
    "now",
    "verify_chain",
    "write_manifest",
]

GENESIS = "0" * 64


def now() -> str:
    """UTC time, ISO 8601 with microseconds."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="microseconds")


def file_facts(path: str | os.PathLike[str] | None) -> dict[str, Any] | None:
    """Name, size and SHA-256 of a file (None for None; ``missing`` when it does not exist)."""
    if path is None:
        return None
    p = Path(path)
    if not p.is_file():
        return {"name": str(p), "missing": True}
    h = hashlib.sha256()
    with p.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return {"name": str(p), "size": p.stat().st_size, "sha256": h.hexdigest()}


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def build_manifest(
    *,
    command: Sequence[str] | str,
    outcome: str,
    started: str,
    finished: str | None = None,
    run_id: str | None = None,
    action: str = "protect",
    purpose: str | None = None,
    ticket: str | None = None,
    input: str | os.PathLike[str] | None = None,
    copybook: str | os.PathLike[str] | None = None,
    policy: Any = None,
    outputs: Iterable[str | os.PathLike[str]] = (),
    key: Any = None,
    stats: Any = None,
    allow_unmatched: int | None = None,
    residue: str = "dropped; dirty records re-encoded canonically",
    report: Any = None,
    error: str | None = None,
) -> dict[str, Any]:
    """The manifest of one run, as a JSON-ready dict. ``policy`` is a ``Policy``, ``key`` a
    ``ProtectionKey``, ``stats`` a ``ProtectStats``, ``report`` a ``DecodeReport``; every one
    may be None (a run that failed early). ``error`` is an error message (which by the
    library's rules names places, never values)."""
    from legacyio import __version__

    cmd = list(command) if not isinstance(command, str) else [command]
    m: dict[str, Any] = {
        "tool": "legacyio",
        "tool_version": __version__,
        "action": action,
        "run_id": run_id or str(uuid.uuid4()),
        "started": started,
        "finished": finished or now(),
        "user": _user(),
        "host": socket.gethostname(),
        "command": _redact(cmd),
        "outcome": outcome,
        "purpose": purpose if purpose is not None else getattr(policy, "purpose", None),
        "ticket": ticket,
        "input": file_facts(input),
        "copybook": file_facts(copybook),
        "outputs": [file_facts(o) for o in outputs],
    }
    if policy is not None:
        m["policy"] = {
            **(file_facts(policy.path) or {}),
            "name": policy.name,
            "sha256": policy.sha256,
            "default": policy.default,
        }
        if policy.allow is not None:
            m["allow_list"] = {
                "file": str(policy.allow.path),
                "field": policy.allow.item.dotted,
                "sha256": policy.allow.sha256,
                "count": policy.allow.count,
                "unmatched": allow_unmatched,
            }
    if key is not None:
        m["key"] = {"id": key.key_id, "fingerprint": key.fingerprint}
    if stats is not None:
        m["rows"] = {
            "read": stats.rows_read,
            "released": stats.rows_released,
            "filtered_out": stats.rows_filtered,
        }
        m["columns_released"] = dict(sorted(stats.released.items()))
        m["columns_withheld"] = dict(sorted(stats.withheld.items()))
        m["invalid_values_nulled"] = dict(sorted(stats.invalid.items()))
        m["residue"] = {"handling": residue, "records_with_residue": stats.residue_dropped}
    if report is not None:
        m["decode_report"] = {
            "records": report.records,
            "residue_records": report.residue_records,
            "bad_fields": {
                path: {
                    "count": fi.count,
                    "first_record": fi.first_record,
                    "first_offset": fi.first_offset,
                }
                for path, fi in sorted(report.fields.items())
            },
            "framing_issues": len(report.framing),
        }
    if error is not None:
        m["error"] = error
    return m


_SECRET_FLAGS = ("--key",)


def _redact(cmd: list[str]) -> list[str]:
    """The command line with any value given to a refused key flag replaced (defence in
    depth: the CLI refuses ``--key VALUE`` before it gets here)."""
    out, skip = [], False
    for a in cmd:
        if skip:
            out.append("<redacted>")
            skip = False
            continue
        if a in _SECRET_FLAGS:
            out.append(a)
            skip = True
        elif any(a.startswith(f + "=") for f in _SECRET_FLAGS):
            out.append(a.split("=", 1)[0] + "=<redacted>")
        else:
            out.append(a)
    return out


def write_manifest(path: str | os.PathLike[str], manifest: Mapping[str, Any]) -> Path:
    """Write the manifest atomically (temporary file in the same folder, then rename)."""
    p = Path(path)
    data = json.dumps(manifest, indent=2, sort_keys=True, default=str).encode() + b"\n"
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def _line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


def _last_line(fd: int) -> bytes | None:
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0:
        return None
    block = 4096
    pos = size
    buf = b""
    while pos > 0:
        step = min(block, pos)
        pos -= step
        buf = os.pread(fd, step, pos) + buf
        stripped = buf.rstrip(b"\n")
        nl = stripped.rfind(b"\n")
        if nl >= 0:
            return stripped[nl + 1 :]
    return buf.rstrip(b"\n") or None


def append_audit(path: str | os.PathLike[str], record: Mapping[str, Any]) -> dict[str, Any]:
    """Append one JSON line to the audit log, chained to the previous line; returns the
    record as written (with ``seq``, ``prev_sha256`` and the line's own ``sha256`` apart)."""
    p = Path(path)
    fd = os.open(p, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        last = _last_line(fd)
        prev, seq = GENESIS, 1
        if last is not None:
            prev = _line_hash(last)
            try:
                seq = int(json.loads(last).get("seq", 0)) + 1
            except ValueError:
                seq = 0  # a damaged last line: verify_chain will say so
        rec = {**record, "seq": seq, "prev_sha256": prev}
        line = json.dumps(rec, sort_keys=True, separators=(",", ":"), default=str).encode()
        os.write(fd, line + b"\n")
        os.fsync(fd)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    return {**rec, "sha256": _line_hash(line)}


@attrs.frozen
class ChainResult:
    """Outcome of ``verify_chain``: ``line`` is the 1-based line where the chain breaks."""

    ok: bool
    lines: int
    head_sha256: str
    line: int | None = None
    message: str = ""


def verify_chain(path: str | os.PathLike[str], expect_head: str | None = None) -> ChainResult:
    """Check every line's ``prev_sha256`` and ``seq``. ``expect_head`` (the ``sha256`` of the
    last line, as a manifest records it) also catches lines removed from the end."""
    prev = GENESIS
    n = 0
    with Path(path).open("rb") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip(b"\n")
            try:
                rec = json.loads(line)
                if not isinstance(rec, dict):
                    raise ValueError
            except ValueError:
                return ChainResult(False, n, prev, n, f"line {n} is not a JSON object")
            if rec.get("prev_sha256") != prev:
                where = (
                    f"line {n}: prev_sha256 does not match line {n - 1}: line {n - 1} was "
                    "edited, or a line was removed or moved here"
                    if n > 1
                    else "line 1: prev_sha256 is not the genesis value: lines were removed "
                    "from the start"
                )
                return ChainResult(False, n, prev, n, where)
            if rec.get("seq") != n:
                return ChainResult(
                    False,
                    n,
                    prev,
                    n,
                    f"line {n}: seq is {rec.get('seq')!r}, expected {n}: lines were removed or "
                    "reordered",
                )
            prev = _line_hash(line)
    if expect_head is not None and prev != expect_head:
        return ChainResult(
            False,
            n,
            prev,
            n,
            f"the last line ({n}) is not the expected head: lines were removed from the end",
        )
    return ChainResult(True, n, prev)
