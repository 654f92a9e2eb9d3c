"""Policy loading and the checks made against the copybook before any data is read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from legacyio.protect import PolicyError, check_table, format_check_table, load_policy

from .conftest import BASE_POLICY, TAXPAYER_CPY

HEAD = 'version = 1\nname = "t"\ndefault = "drop"\n'


def _load(write_policy: Callable[[str], Path], body: str, head: str = HEAD):
    return load_policy(write_policy(head + body), TAXPAYER_CPY)


def test_base_policy_resolves(policy_file: Path) -> None:
    p = load_policy(policy_file, TAXPAYER_CPY)
    acts = p.summary()
    assert acts["TAXPAYER-MASTER.TP-TIN"] == "fpe"
    assert acts["TAXPAYER-MASTER.TP-DEPENDENT.TP-DEP-NAME"] == "mask"
    assert acts["TAXPAYER-MASTER.TP-NAME.TP-MIDDLE-INIT"] == "drop"  # default
    assert acts["TAXPAYER-MASTER.FILLER"] == "drop"
    # the REDEFINES alias of a generalized date is withheld (default drop)
    assert acts["TAXPAYER-MASTER.TP-LAST-UPDATE-R.TP-LAST-UPDATE-YYYY"] == "drop"
    rows = check_table(p)
    assert {r["path"] for r in rows} >= {"TAXPAYER-MASTER.TP-TIN", "TAXPAYER-MASTER.TP-NAME"}
    text = format_check_table(p)
    assert "fpe" in text and "rule 1 (line" in text


def test_unknown_field_names_line_and_rule(write_policy: Callable[[str], Path]) -> None:
    body = '\n[[rule]]\nfield = "TP-NOPE"\naction = "keep"\n'
    with pytest.raises(PolicyError) as e:
        _load(write_policy, body)
    msg = str(e.value)
    assert "rule 1" in msg and "TP-NOPE" in msg and "policy.toml:6" in msg


def test_unknown_tag_member(write_policy: Callable[[str], Path]) -> None:
    with pytest.raises(PolicyError, match=r"tag 'pii'.*TP-GHOST"):
        _load(write_policy, '[tags]\npii = ["TP-TIN", "TP-GHOST"]\n')


def test_small_fpe_domain_refused(write_policy: Callable[[str], Path]) -> None:
    body = '\n[[rule]]\nfield = "TP-ZIP5"\naction = "fpe"\n'
    with pytest.raises(PolicyError, match=r"10\^5 is too small for fpe.*10\^6"):
        _load(write_policy, body)


def test_small_text_fpe_domain_refused(write_policy: Callable[[str], Path]) -> None:
    body = '\n[[rule]]\nfield = "TP-STATE"\naction = "fpe"\n'
    with pytest.raises(PolicyError, match="too small for fpe"):
        _load(write_policy, body)


def test_token_needs_2_to_the_40(write_policy: Callable[[str], Path]) -> None:
    with pytest.raises(PolicyError, match="2\\^40"):
        _load(write_policy, '\n[[rule]]\nfield = "TP-TIN"\naction = "token"\n')
    p = _load(write_policy, '\n[[rule]]\nfield = "TP-DOC-LOCATOR"\naction = "token"\n')
    assert p.summary()["TAXPAYER-MASTER.TP-DOC-LOCATOR"] == "token"


def test_hash_needs_16_characters(write_policy: Callable[[str], Path]) -> None:
    with pytest.raises(PolicyError, match="16 characters"):
        _load(write_policy, '\n[[rule]]\nfield = "TP-FIRST-NAME"\naction = "hash"\n')
    _load(write_policy, '\n[[rule]]\nfield = "TP-LAST-NAME"\naction = "hash"\n')


def test_unprotected_redefines_alias_refused(write_policy: Callable[[str], Path]) -> None:
    body = (
        '\n[[rule]]\nfield = "TP-LAST-UPDATE"\naction = "generalize"\nyear = true\n'
        '\n[[rule]]\nfield = "TP-LAST-UPDATE-R"\naction = "keep"\n'
    )
    with pytest.raises(PolicyError) as e:
        _load(write_policy, body)
    msg = str(e.value)
    assert "bytes, not names" in msg
    assert "TP-LAST-UPDATE-R" in msg and "TP-LAST-UPDATE " in msg and "offset 314" in msg


def test_alias_withheld_automatically_under_default_keep(
    write_policy: Callable[[str], Path],
) -> None:
    head = 'version = 1\nname = "t"\ndefault = "keep"\n'
    body = '\n[[rule]]\nfield = "TP-LAST-UPDATE"\naction = "generalize"\nmonth = true\n'
    p = _load(write_policy, body, head)
    fa = p.actions["TAXPAYER-MASTER.TP-LAST-UPDATE-R.TP-LAST-UPDATE-DD"]
    assert fa.action == "drop" and "overlap" in fa.source
    assert p.actions["TAXPAYER-MASTER.TP-CITY".replace("TP-CITY", "TP-ADDRESS.TP-CITY")].action == (
        "keep"
    )


def test_alias_with_the_same_withholding_is_fine(write_policy: Callable[[str], Path]) -> None:
    body = (
        '\n[[rule]]\nfield = "TP-LAST-UPDATE"\naction = "null"\n'
        '\n[[rule]]\nfield = "TP-LAST-UPDATE-R.*"\naction = "keep"\n'
    )
    p = _load(write_policy, body)  # null releases nothing of the bytes: the alias may be kept
    assert p.summary()["TAXPAYER-MASTER.TP-LAST-UPDATE-R.TP-LAST-UPDATE-MM"] == "keep"


def test_group_rule_and_more_specific_override(write_policy: Callable[[str], Path]) -> None:
    body = (
        '\n[[rule]]\nfield = "TP-ADDRESS"\naction = "mask"\n'
        '\n[[rule]]\nfield = "TP-STATE"\naction = "keep"\n'
    )
    p = _load(write_policy, body)
    s = p.summary()
    assert s["TAXPAYER-MASTER.TP-ADDRESS.TP-STREET"] == "mask"
    assert s["TAXPAYER-MASTER.TP-ADDRESS.TP-ZIP.TP-ZIP5"] == "mask"
    assert s["TAXPAYER-MASTER.TP-ADDRESS.TP-STATE"] == "keep"


def test_conflicting_rules_refused(write_policy: Callable[[str], Path]) -> None:
    body = (
        '\n[[rule]]\nfield = "TP-TIN"\naction = "keep"\n'
        '\n[[rule]]\nfield = "TP-TIN"\naction = "null"\n'
    )
    with pytest.raises(PolicyError, match=r"rule 1.*rule 2"):
        _load(write_policy, body)


@pytest.mark.parametrize(
    ("body", "pattern"),
    [
        ('\n[[rule]]\nfield = "TP-TIN"\naction = "scramble"\n', "action must be one of"),
        ('\n[[rule]]\nfield = "TP-TIN"\naction = "fpe"\nkeep_first = 2\n', "takes no option"),
        ('\n[[rule]]\nfield = "TP-TIN"\ntag = "x"\naction = "keep"\n', "exactly one of"),
        ('\n[[rule]]\nfield = "TP-CITY"\naction = "generalize"\n', "exactly one of year"),
        ('\n[[rule]]\nfield = "TP-CITY"\naction = "generalize"\nyear = true\n', "text date"),
        ('\n[[rule]]\nfield = "TP-TIN"\naction = "generalize"\nyear = true\n', "date field"),
        ('\n[[rule]]\nfield = "TP-CITY"\naction = "generalize"\nbucket = 10\n', "number"),
        ('\n[[rule]]\nfield = "TP-LAST-UPDATE"\naction = "date_shift"\n', "max_days"),
        ('\n[key]\nvalue = "abc"\n', "never written in a policy"),
        ("\nsecret = 1\n", "unknown key 'secret'"),
    ],
)
def test_malformed_rules(write_policy: Callable[[str], Path], body: str, pattern: str) -> None:
    with pytest.raises(PolicyError, match=pattern):
        _load(write_policy, body)


def test_version_required(write_policy: Callable[[str], Path]) -> None:
    with pytest.raises(PolicyError, match="version = 1"):
        load_policy(write_policy('name = "x"\n'), TAXPAYER_CPY)


def test_bad_toml_names_line(write_policy: Callable[[str], Path]) -> None:
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(write_policy("version = 1\n[[rule]\n"), TAXPAYER_CPY)


def test_allow_list_checked_before_data(
    write_policy: Callable[[str], Path], tmp_path: Path
) -> None:
    (tmp_path / "allow.txt").write_text("123456789\n# comment\n\n000000001\n")
    p = _load(write_policy, '[rows]\nfield = "TP-TIN"\nallow_file = "allow.txt"\n')
    assert p.allow is not None and p.allow.count == 2
    (tmp_path / "bad.txt").write_text("123\nSECRET-VALUE\n")
    with pytest.raises(PolicyError) as e:
        _load(write_policy, '[rows]\nfield = "TP-TIN"\nallow_file = "bad.txt"\n')
    assert "line 2" in str(e.value) and "SECRET-VALUE" not in str(e.value)
    with pytest.raises(PolicyError, match="outside any table"):
        _load(write_policy, '[rows]\nfield = "TP-DEP-SSN"\nallow_file = "allow.txt"\n')


def test_odo_object_cannot_be_transformed(write_policy: Callable[[str], Path]) -> None:
    cpy = Path(__file__).resolve().parents[2] / "copybooks" / "golden" / "txnmodule.cpy"
    pol = write_policy(HEAD + '\n[[rule]]\nfield = "TM-TXN-COUNT"\naction = "mask"\n')
    with pytest.raises(PolicyError, match="DEPENDING ON"):
        load_policy(pol, cpy)


def test_base_policy_text_is_the_documented_example() -> None:
    assert 'action = "fpe"' in BASE_POLICY
