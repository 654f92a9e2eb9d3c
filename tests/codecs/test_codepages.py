"""Code page tables: bijective over 256 bytes, documented fallbacks, clear refusals."""

from __future__ import annotations

import numpy as np
import pytest

from legacyio.codecs.codepages import get_codepage, supported_code_pages
from legacyio.errors import OptionsError

SINGLE = [p for p in supported_code_pages() if p != "utf-8"]


@pytest.mark.parametrize("name", SINGLE)
def test_single_byte_pages_are_bijections(name: str) -> None:
    cp = get_codepage(name)
    assert cp.single_byte
    assert len(set(cp.decode_table.tolist())) == 256
    back = cp.encode_table[cp.decode_table]
    assert np.array_equal(back, np.arange(256))
    assert cp.decode_table[cp.space] == 0x20


@pytest.mark.parametrize("name", SINGLE)
def test_pages_agree_with_python_where_python_is_unambiguous(name: str) -> None:
    cp = get_codepage(name)
    chars: dict[int, str] = {}
    for b in range(256):
        try:
            chars[b] = bytes([b]).decode(name)
        except UnicodeDecodeError:
            continue
    shared = {c for c in chars.values() if list(chars.values()).count(c) > 1}
    for b, ch in chars.items():
        if ch != "\ufffd" and ch not in shared:
            assert chr(cp.decode_table[b]) == ch, (name, b)


def test_ebcdic_flag_space_and_digits() -> None:
    cp = get_codepage("cp037")
    assert cp.ebcdic and cp.space == 0x40
    assert cp.encode_str("0123456789") == bytes(range(0xF0, 0xFA))
    assert get_codepage("IBM-1047").name == "cp1047" and get_codepage("1047").ebcdic
    assert not get_codepage("cp1252").ebcdic and get_codepage("cp1252").space == 0x20


def test_undefined_bytes_follow_the_documented_rule() -> None:
    cp1252 = get_codepage("cp1252")
    for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D):
        assert cp1252.decode_table[b] == b  # C1 control of the same value
    ascii_ = get_codepage("ascii")
    assert np.array_equal(ascii_.decode_table, np.arange(256))  # latin-1 for 0x80-0xFF
    # ebcdic-package pages that give LF to both X'15' and X'25': cp037 assignments win
    cp1141 = get_codepage("cp1141")
    assert cp1141.decode_table[0x25] == 0x0A and cp1141.decode_table[0x15] == 0x85


@pytest.mark.parametrize("name", ["shift_jis", "utf-16", "hex", "no-such-page", "utf-7"])
def test_refused_encodings_list_the_supported_ones(name: str) -> None:
    with pytest.raises(OptionsError) as e:
        get_codepage(name)
    assert "cp037" in str(e.value) and "cp1252" in str(e.value)


def test_utf8_is_the_multibyte_special_case() -> None:
    cp = get_codepage("UTF8")
    assert not cp.single_byte and cp.space == 0x20
    assert cp.to_ascii[0x41] == 0x41 and cp.to_ascii[0xC3] == 0xFF
