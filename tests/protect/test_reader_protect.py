"""Protection inside the reader: ``read_table`` / ``open_reader`` / ``read_split`` with
``protect=`` give only protected batches, never raw bytes, whatever the read options."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

import legacyio
from legacyio.protect import Protector, load_policy
from legacyio.scale.splits import plan_splits, read_split

from .conftest import KEY, TAXPAYER_CPY, TAXPAYER_DAT


def test_read_table_protect_equals_protecting_the_table(policy_file: Path) -> None:
    policy = load_policy(policy_file, TAXPAYER_CPY)
    inside = legacyio.read_table(TAXPAYER_DAT, TAXPAYER_CPY, protect=Protector(policy, key=KEY))
    plain = legacyio.read_table(TAXPAYER_DAT, TAXPAYER_CPY, residue=False, fillers=False)
    outside = Protector(policy, key=KEY).protect_table(plain)
    assert inside.equals(outside)
    assert "_legacyio_residue" not in inside.column_names


def test_raw_bytes_never_leave_a_protected_read(policy_file: Path) -> None:
    """Even when residue and FILLERs are asked for (the golden file has dirty records)."""
    policy = load_policy(policy_file, TAXPAYER_CPY)
    pr = Protector(policy, key=KEY)
    report = legacyio.DecodeReport()
    r = legacyio.open_reader(
        TAXPAYER_DAT, TAXPAYER_CPY, residue=True, fillers=True, batch_size=7, protect=pr,
        report=report, record_number=True,
    )  # fmt: skip
    t = r.read_all()
    assert not any(pa.types.is_binary(f.type) for f in t.schema)
    assert "_legacyio_residue" not in t.column_names and "FILLER_1" not in t.column_names
    assert t.column("record_number").to_pylist() == list(range(1, 41))
    assert pr.stats.rows_read == 40 and report.records == 40
    # fields the reader skipped are listed as withheld all the same
    assert "TAXPAYER-MASTER.TP-PAYMENT-SEQ" in pr.stats.withheld
    meta = t.schema.metadata[b"legacyio.protection"]
    assert policy.sha256.encode() in meta


def test_read_split_protect(policy_file: Path, write_policy) -> None:
    policy = load_policy(policy_file, TAXPAYER_CPY)
    splits = plan_splits(TAXPAYER_DAT, TAXPAYER_CPY, split_size=4000)
    assert len(splits) > 1
    parts = [
        read_split(s, TAXPAYER_CPY, protect=Protector(policy, key=KEY)).read_all() for s in splits
    ]
    whole = legacyio.read_table(TAXPAYER_DAT, TAXPAYER_CPY, protect=Protector(policy, key=KEY))
    got = pa.concat_tables(parts)
    assert got.drop_columns(["_legacyio_record"]).equals(whole)
    allow = write_policy("1\n", "accounts.txt")
    rows = write_policy(
        policy_file.read_text() + f'\n[rows]\nfield = "TP-TIN"\nallow_file = "{allow}"\n', "r.toml"
    )
    with pytest.raises(legacyio.OptionsError, match="allow-list"):
        read_split(
            splits[0], TAXPAYER_CPY, protect=Protector(load_policy(rows, TAXPAYER_CPY), key=KEY)
        )
