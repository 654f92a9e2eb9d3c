"""Manifests and the hash-chained audit log."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from legacyio.protect import Protector, load_policy
from legacyio.protect.audit import (
    append_audit,
    build_manifest,
    now,
    verify_chain,
    write_manifest,
)

from .conftest import KEY, TAXPAYER_CPY, TAXPAYER_DAT


def _log(tmp_path: Path, n: int = 5) -> tuple[Path, list[dict]]:
    log = tmp_path / "audit.jsonl"
    recs = [append_audit(log, {"run_id": f"r{i}", "outcome": "success"}) for i in range(n)]
    return log, recs


def test_chain_verifies(tmp_path: Path) -> None:
    log, recs = _log(tmp_path)
    res = verify_chain(log, expect_head=recs[-1]["sha256"])
    assert res.ok and res.lines == 5
    assert recs[0]["prev_sha256"] == "0" * 64 and recs[1]["prev_sha256"] == recs[0]["sha256"]


def test_edited_line_detected(tmp_path: Path) -> None:
    log, _ = _log(tmp_path)
    lines = log.read_text().splitlines()
    lines[2] = lines[2].replace('"success"', '"failure"')
    log.write_text("\n".join(lines) + "\n")
    res = verify_chain(log)
    assert not res.ok and res.line == 4 and "line 3 was edited" in res.message


def test_removed_and_reordered_lines_detected(tmp_path: Path) -> None:
    log, recs = _log(tmp_path)
    lines = log.read_text().splitlines()
    log.write_text("\n".join(lines[:1] + lines[2:]) + "\n")
    assert verify_chain(log).line == 2
    log.write_text("\n".join([lines[0], lines[2], lines[1], *lines[3:]]) + "\n")
    assert not verify_chain(log).ok
    log.write_text("\n".join(lines[:-1]) + "\n")  # truncated: only the head catches it
    assert verify_chain(log).ok
    assert not verify_chain(log, expect_head=recs[-1]["sha256"]).ok
    log.write_text("\n".join(lines[1:]) + "\n")
    assert verify_chain(log).line == 1


def test_manifest_never_holds_values(policy_file: Path, taxpayer: pa.Table, tmp_path: Path) -> None:
    pr = Protector(load_policy(policy_file, TAXPAYER_CPY), key=KEY)
    start = now()
    out = pr.protect_table(taxpayer)
    outp = tmp_path / "out.parquet"
    import pyarrow.parquet as pq

    pq.write_table(out, outp)
    m = build_manifest(
        command=["legacyio", "protect", "--key", "SECRETKEYVALUE", str(TAXPAYER_DAT)],
        outcome="success",
        started=start,
        input=TAXPAYER_DAT,
        copybook=TAXPAYER_CPY,
        policy=pr.policy,
        outputs=[outp],
        key=pr.key,
        stats=pr.stats,
        ticket="CHG-1",
    )
    path = write_manifest(tmp_path / "out.parquet.manifest.json", m)
    text = path.read_text()
    data = json.loads(text)
    assert data["key"]["fingerprint"] == pr.key.fingerprint
    assert data["rows"] == {"read": 40, "released": 40, "filtered_out": 0}
    assert data["columns_released"]["TAXPAYER-MASTER.TP-TIN"] == "fpe"
    assert "SECRETKEYVALUE" not in text
    assert KEY.hex() not in text
    for v in taxpayer.column("TP_TIN").to_pylist():
        if v is not None and v > 99999:
            assert str(v) not in text
    for r in taxpayer.column("TP_NAME").to_pylist():
        if len(r["TP_LAST_NAME"]) >= 6:
            assert r["TP_LAST_NAME"] not in text
    entry = append_audit(tmp_path / "log", m)
    assert verify_chain(tmp_path / "log", expect_head=entry["sha256"]).ok
