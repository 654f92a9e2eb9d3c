"""Test-suite wide settings: hypothesis profiles and the ``variant`` fixture.

``default`` keeps property tests modest and fast; ``ci`` runs many more examples. Select one
with ``pytest --hypothesis-profile=ci`` or the environment variable ``HYPOTHESIS_PROFILE=ci``
(the command-line option wins).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.support.roundtrip import VARIANTS, Reader, variant_reader

_SLOW_DATA = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "default", max_examples=40, deadline=None, suppress_health_check=_SLOW_DATA
)
settings.register_profile(
    "ci", max_examples=600, deadline=None, suppress_health_check=_SLOW_DATA, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(params=VARIANTS)
def variant(request: pytest.FixtureRequest) -> Reader:
    """``read_table`` as one of the readers: whole, streaming in tiny batches, threaded, or
    through Parquet (with ``verify(via="parquet")``). A test taking ``variant`` runs once
    for each."""
    return variant_reader(request.param)
