"""Protector on the tables read_table returns: nested and flat, every action, determinism,
keys, unprotect, the allow-list, metadata, and the mainframe round trip."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import legacyio
from legacyio.protect import PROTECTION_METADATA, Protector, load_policy
from legacyio.protect.actions import ActionContext, apply_action
from legacyio.protect.keys import ProtectionKey

from .conftest import BASE_POLICY, KEY, OTHER_KEY, TAXPAYER_CPY, TAXPAYER_DAT

HEAD = 'version = 1\nname = "t"\ndefault = "drop"\n'


def _protect(policy_path: Path, table: pa.Table, key: bytes = KEY, **kw) -> pa.Table:
    return Protector(load_policy(policy_path, TAXPAYER_CPY), key=key).protect_table(table, **kw)


def test_columns_released_and_withheld(policy_file: Path, taxpayer: pa.Table) -> None:
    pr = Protector(load_policy(policy_file, TAXPAYER_CPY), key=KEY)
    out = pr.protect_table(taxpayer)
    assert "_legacyio_residue" not in out.column_names
    assert not any(c.startswith("FILLER") for c in out.column_names)
    assert out.column_names == [
        "TP_TIN",
        "TP_NAME",
        "TP_ADDRESS",
        "TP_TAX_YEAR",
        "TP_BALANCE_DUE",
        "TP_DEPENDENT",
        "TP_LAST_UPDATE",
    ]
    assert [f.name for f in out.schema.field("TP_NAME").type] == ["TP_LAST_NAME", "TP_FIRST_NAME"]
    assert pr.stats.rows_read == pr.stats.rows_released == taxpayer.num_rows
    assert pr.stats.withheld["_legacyio_residue"].startswith("raw record bytes")
    assert pr.stats.released["TAXPAYER-MASTER.TP-TIN"] == "fpe"
    # kept columns are untouched
    assert out.column("TP_BALANCE_DUE").equals(taxpayer.column("TP_BALANCE_DUE"))


def test_metadata(policy_file: Path, taxpayer: pa.Table) -> None:
    out = _protect(policy_file, taxpayer)
    meta = out.schema.metadata
    info = json.loads(meta[PROTECTION_METADATA])
    assert info["policy_sha256"] == load_policy(policy_file, TAXPAYER_CPY).sha256
    assert info["key_id"].startswith("fp-")
    assert info["actions"]["TAXPAYER-MASTER.TP-TIN"] == "fpe"
    assert json.loads(meta[b"legacyio.read"])["residue"] is False
    blob = b"".join(meta.values())
    assert KEY.hex().encode() not in blob and KEY not in blob
    assert out.schema.field("TP_TIN").metadata[b"protection"] == b"fpe"


def test_deterministic_per_key_and_domain(policy_file: Path, taxpayer: pa.Table) -> None:
    a = _protect(policy_file, taxpayer)
    b = _protect(policy_file, taxpayer)
    assert a.equals(b)
    tins = taxpayer.column("TP_TIN").to_pylist()
    out = a.column("TP_TIN").to_pylist()
    assert out != tins
    assert all(0 <= v < 10**9 for v in out if v is not None)
    # same domain "tin": a dependent SSN equal to a TIN gets the TIN's token
    deps = a.column("TP_DEPENDENT").to_pylist()
    orig_deps = taxpayer.column("TP_DEPENDENT").to_pylist()
    mapping = dict(zip(tins, out))
    for row, orow in zip(deps, orig_deps):
        for d, od in zip(row or [], orow or []):
            if od["TP_DEP_SSN"] in mapping:
                assert d["TP_DEP_SSN"] == mapping[od["TP_DEP_SSN"]]


def test_different_key_different_tokens(policy_file: Path, taxpayer: pa.Table) -> None:
    a = _protect(policy_file, taxpayer).column("TP_TIN").to_pylist()
    b = _protect(policy_file, taxpayer, key=OTHER_KEY).column("TP_TIN").to_pylist()
    assert sum(x == y for x, y in zip(a, b)) <= 1


def test_different_domain_different_tokens(
    write_policy: Callable[[str], Path], taxpayer: pa.Table
) -> None:
    p1 = write_policy(BASE_POLICY)
    p2 = write_policy(BASE_POLICY.replace('domain = "tin"', 'domain = "tin2"', 1), "p2.toml")
    a = _protect(p1, taxpayer).column("TP_TIN").to_pylist()
    b = _protect(p2, taxpayer).column("TP_TIN").to_pylist()
    assert sum(x == y for x, y in zip(a, b)) <= 1


def test_unprotect_restores_fpe_exactly(policy_file: Path, taxpayer: pa.Table) -> None:
    pr = Protector(load_policy(policy_file, TAXPAYER_CPY), key=KEY)
    out = pr.protect_table(taxpayer)
    back = pr.unprotect_table(out)
    assert back.column("TP_TIN").equals(taxpayer.column("TP_TIN"))
    ssn = [[d["TP_DEP_SSN"] for d in r] for r in back.column("TP_DEPENDENT").to_pylist()]
    orig = [[d["TP_DEP_SSN"] for d in r] for r in taxpayer.column("TP_DEPENDENT").to_pylist()]
    assert ssn == orig
    # masks are one-way
    assert back.column("TP_NAME").equals(out.column("TP_NAME"))
    # the wrong key does not restore
    wrong = Protector(load_policy(policy_file, TAXPAYER_CPY), key=OTHER_KEY).unprotect_table(out)
    assert not wrong.column("TP_TIN").equals(taxpayer.column("TP_TIN"))


def test_flat_table(policy_file: Path, taxpayer_flat: pa.Table, taxpayer: pa.Table) -> None:
    pr = Protector(load_policy(policy_file, TAXPAYER_CPY), key=KEY)
    out = pr.protect_table(taxpayer_flat)
    nested = _protect(policy_file, taxpayer)
    assert out.column("TP_TIN").equals(nested.column("TP_TIN"))
    assert "TP_DEPENDENT_2_TP_DEP_SSN" in out.column_names
    assert "TP_DEPENDENT_2_TP_DEP_CREDIT" not in out.column_names
    assert "TP_NAME_TP_MIDDLE_INIT" not in out.column_names
    flat_last = out.column("TP_NAME_TP_LAST_NAME").to_pylist()
    assert flat_last == [r["TP_LAST_NAME"] for r in nested.column("TP_NAME").to_pylist()]
    back = pr.unprotect_table(out)
    assert back.column("TP_DEPENDENT_3_TP_DEP_SSN").equals(
        taxpayer_flat.column("TP_DEPENDENT_3_TP_DEP_SSN")
    )


def test_mask_keeps_length_and_class(policy_file: Path, taxpayer: pa.Table) -> None:
    out = _protect(policy_file, taxpayer)
    for o, m in zip(
        taxpayer.column("TP_ADDRESS").to_pylist(), out.column("TP_ADDRESS").to_pylist()
    ):
        a, b = o["TP_STREET"], m["TP_STREET"]
        assert len(a) == len(b)
        for x, y in zip(a, b):
            if x.isalpha():
                assert y == "X"
            elif x.isdigit():
                assert y == "9"
            else:
                assert y == x
    for o, m in zip(taxpayer.column("TP_NAME").to_pylist(), out.column("TP_NAME").to_pylist()):
        assert m["TP_LAST_NAME"][:1] == o["TP_LAST_NAME"][:1]  # keep_first = 1


def test_allow_list_filters_rows(
    write_policy: Callable[[str], Path], tmp_path: Path, taxpayer: pa.Table
) -> None:
    tins = [v for v in taxpayer.column("TP_TIN").to_pylist() if v is not None]
    chosen = sorted(set(tins))[:3]
    (tmp_path / "allow.txt").write_text(
        "\n".join(str(v) for v in chosen) + "\n111111111\n222222222\n"
    )
    pol = write_policy(BASE_POLICY + '\n[rows]\nfield = "TP-TIN"\nallow_file = "allow.txt"\n')
    pr = Protector(load_policy(pol, TAXPAYER_CPY), key=KEY)
    out = pr.protect_table(taxpayer)
    expected = sum(1 for v in tins if v in chosen)
    assert out.num_rows == expected == pr.stats.rows_released
    assert pr.stats.rows_filtered == taxpayer.num_rows - expected
    assert pr.allow_unmatched == 2
    back = pr.unprotect_table(out)
    assert set(back.column("TP_TIN").to_pylist()) == set(chosen)


def test_mainframe_round_trip(policy_file: Path, taxpayer: pa.Table) -> None:
    """A protected table still encodes to the copybook's layout and decodes again."""
    pr = Protector(load_policy(policy_file, TAXPAYER_CPY), key=KEY)
    out = pr.protect_table(taxpayer, keep_layout=True)
    data = legacyio.encode(out)
    assert len(data) == TAXPAYER_DAT.stat().st_size
    back = legacyio.read_table(data, TAXPAYER_CPY)
    assert back.column("TP_TIN").equals(out.column("TP_TIN"))
    assert back.column("_legacyio_residue").null_count == back.num_rows  # canonical bytes
    for col in ("TP_NAME", "TP_ADDRESS", "TP_LAST_UPDATE", "TP_BALANCE_DUE"):
        assert back.column(col).equals(out.column(col)), col
    # withheld fields are blank, not the source values
    assert set(back.column("TP_NAME_CONTROL").to_pylist()) == {""}
    assert set(back.column("TP_DOC_LOCATOR").to_pylist()) == {0}
    # and the protected copy unprotects to the source TINs
    again = pr.unprotect_table(back.drop_columns(["_legacyio_residue"]), assume_protected=True)
    assert again.column("TP_TIN").equals(taxpayer.column("TP_TIN"))


def _ctx() -> ActionContext:
    return ActionContext(key=ProtectionKey(KEY))


def _fa(write_policy: Callable[[str], Path], rule: str, field: str):
    p = load_policy(write_policy(HEAD + "\n[[rule]]\n" + rule), TAXPAYER_CPY)
    return p.actions[field]


def test_generalize_and_bucket(write_policy: Callable[[str], Path]) -> None:
    fa = _fa(
        write_policy,
        'field = "TP-LAST-UPDATE"\naction = "generalize"\nmonth = true\n',
        "TAXPAYER-MASTER.TP-LAST-UPDATE",
    )
    arr = pa.array([20240415, 0, 99999999, 20241399, None], pa.int32())
    ctx = _ctx()
    assert apply_action(fa, arr, ctx).to_pylist() == [20240401, 0, 99999999, None, None]
    assert ctx.invalid == {"TAXPAYER-MASTER.TP-LAST-UPDATE": 1}
    fb = _fa(
        write_policy,
        'field = "TP-BALANCE-DUE"\naction = "generalize"\nbucket = 1000\n',
        "TAXPAYER-MASTER.TP-BALANCE-DUE",
    )
    dec = pa.array(
        [Decimal("1234.56"), Decimal("-999.99"), Decimal("-98765.43")], pa.decimal128(13, 2)
    )
    assert apply_action(fb, dec, _ctx()).to_pylist() == [
        Decimal("1000.00"),
        Decimal("0.00"),
        Decimal("-98000.00"),
    ]
    fp = _fa(
        write_policy,
        'field = "TP-ZIP5"\naction = "generalize"\nprefix = 3\n',
        "TAXPAYER-MASTER.TP-ADDRESS.TP-ZIP.TP-ZIP5",
    )
    assert apply_action(fp, pa.array([20500, 1234], pa.int32()), _ctx()).to_pylist() == [
        20500,
        1200,
    ]


def test_date_shift_per_entity(write_policy: Callable[[str], Path]) -> None:
    fa = _fa(
        write_policy,
        'field = "TP-LAST-UPDATE"\naction = "date_shift"\nmax_days = 30\ncontext = "TP-TIN"\n',
        "TAXPAYER-MASTER.TP-LAST-UPDATE",
    )
    ctx = _ctx()
    ctx.context["TP-TIN"] = pa.array([1, 1, 2, 3] * 50, pa.int32())
    dates = pa.array([20240115, 20240116, 20240115, 20240229] * 50, pa.int32())
    out = np.array(apply_action(fa, dates, ctx).to_pylist())
    d_in = np.array(dates.to_pylist(), dtype="U8")
    days_in = np.array([np.datetime64(f"{s[:4]}-{s[4:6]}-{s[6:]}") for s in d_in])
    s_out = out.astype("U8")
    days_out = np.array([np.datetime64(f"{s[:4]}-{s[4:6]}-{s[6:]}") for s in s_out])
    shift = (days_out - days_in).astype(int)
    assert (abs(shift) <= 30).all()
    assert shift[0] == shift[1]  # same entity, same shift (intervals kept)
    assert len(set(shift[::4].tolist())) == 1  # deterministic


def test_token_hash_null_blank(write_policy: Callable[[str], Path]) -> None:
    ft = _fa(
        write_policy,
        'field = "TP-DOC-LOCATOR"\naction = "token"\n',
        "TAXPAYER-MASTER.TP-DOC-LOCATOR",
    )
    arr = pa.array([123456789012345678, 123456789012345678, 5, None], pa.int64())
    out = apply_action(ft, arr, _ctx()).to_pylist()
    assert out[0] == out[1] != arr[0].as_py() and out[3] is None
    assert all(0 <= v < 10**18 for v in out[:3])
    fh = _fa(
        write_policy,
        'field = "TP-STREET"\naction = "hash"\n',
        "TAXPAYER-MASTER.TP-ADDRESS.TP-STREET",
    )
    h = apply_action(fh, pa.array(["1 MAIN ST", "1 MAIN ST", "2 ELM"]), _ctx()).to_pylist()
    assert h[0] == h[1] != h[2] and len(h[0]) == 30 and set(h[0]) <= set("0123456789abcdef")
    fn = _fa(
        write_policy, 'field = "TP-CITY"\naction = "blank"\n', "TAXPAYER-MASTER.TP-ADDRESS.TP-CITY"
    )
    assert apply_action(fn, pa.array(["X", None]), _ctx()).to_pylist() == ["", ""]


def test_text_fpe_round_trip(write_policy: Callable[[str], Path]) -> None:
    fa = _fa(
        write_policy,
        'field = "TP-LAST-NAME"\naction = "fpe"\ndomain = "name"\n',
        "TAXPAYER-MASTER.TP-NAME.TP-LAST-NAME",
    )
    from legacyio.protect.actions import ProtectError, reverse_fpe

    names = pa.array(["SMITH", "O CONNOR", None, "Lee"])
    enc = apply_action(fa, names, _ctx())
    assert enc.to_pylist()[2] is None and enc.to_pylist()[0] != "SMITH"
    assert reverse_fpe(fa, enc, _ctx()).to_pylist() == names.to_pylist()
    with pytest.raises(ProtectError) as e:
        apply_action(fa, pa.array(["OK", "D'ARCY-SECRET"]), _ctx())
    assert "D'ARCY" not in str(e.value) and "offset 13" in str(e.value)


def test_needed_columns_read_gives_the_same_output(policy_file: Path, taxpayer: pa.Table) -> None:
    pr = Protector(load_policy(policy_file, TAXPAYER_CPY), key=KEY)
    cols = pr.needed_columns()
    assert cols == [
        "TP_TIN",
        "TP_NAME",
        "TP_ADDRESS",
        "TP_TAX_YEAR",
        "TP_BALANCE_DUE",
        "TP_DEPENDENT",
        "TP_LAST_UPDATE",
    ]
    part = legacyio.read_table(TAXPAYER_DAT, TAXPAYER_CPY, columns=cols, residue=False)
    a = pr.protect_table(part)
    b = Protector(load_policy(policy_file, TAXPAYER_CPY), key=KEY).protect_table(taxpayer)
    assert a.select(b.column_names).equals(b)
