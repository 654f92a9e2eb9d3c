"""Issue 16: the Cobrix-style raw views (``debug`` columns, ``non_terminals``,
``corrupt_fields``) and hierarchies are refused in a protected read: they would carry what the
policy withholds."""

from __future__ import annotations

from pathlib import Path

import pytest

import legacyio
from legacyio.protect import Protector, load_policy

from .conftest import KEY, TAXPAYER_CPY, TAXPAYER_DAT


@pytest.mark.parametrize(
    "option",
    [
        {"debug": "hex"},
        {"debug": "binary"},
        {"corrupt_fields": True},
        {"non_terminals": ["TAXPAYER-RECORD"]},
        {"segment_children": {"A": ["B"]}},
        {"binary_truncation": "bin"},  # the policy checks types as the copybook declares them
        {"date_formats": {"NOPE": "yyyymmdd"}},  # refused before the field is looked up
    ],
)
def test_refused(policy_file: Path, option: dict) -> None:
    pr = Protector(load_policy(policy_file, TAXPAYER_CPY), key=KEY)
    with pytest.raises(legacyio.OptionsError, match="protected read"):
        legacyio.read_table(TAXPAYER_DAT, TAXPAYER_CPY, protect=pr, **option)
    legacyio.read_table(TAXPAYER_DAT, TAXPAYER_CPY, protect=pr)  # the plain read still works
