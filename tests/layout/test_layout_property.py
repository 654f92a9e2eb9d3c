"""Property: a random layout rendered to fixed-format text parses back to the same offsets,
sizes, usages and pictures."""

from __future__ import annotations

from hypothesis import given, settings
from tests.support.strategies.copybooks import Spec, layouts

from legacyio.layout import load_copybook


@settings(max_examples=60, deadline=None)
@given(layouts())
def test_rendered_layout_round_trips(spec: Spec) -> None:
    layout = load_copybook(spec.text)
    got = {}
    for it in layout.items():
        got[it.dotted] = (
            it.offset,
            it.size,
            it.occurs.max if it.occurs else None,
            None if it.is_group else it.usage,
            it.picture.source if it.picture else None,
        )
    assert got == spec.expected
    assert layout.record_length == spec.record_length
