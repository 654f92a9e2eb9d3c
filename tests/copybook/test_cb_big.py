"""A 2,000-field copybook parses with every offset and size right."""

from __future__ import annotations

from tests.support.big_copybook import generate

from legacyio.layout import load_copybook


def test_two_thousand_fields() -> None:
    text, expected = generate(2000)
    layout = load_copybook(text)
    leaves = [it for it in layout.items() if not it.is_group]
    assert len(leaves) == 2000
    assert {it.name: (it.offset, it.size) for it in leaves} == expected
    last = max(expected.values())
    assert layout.record_length == last[0] + last[1]
    assert len(layout.records[0].children) == 200
    assert layout.find("FLD-01999").offset == expected["FLD-01999"][0]
