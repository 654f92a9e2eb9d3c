"""Test-suite wide settings: hypothesis profiles.

``default`` keeps property tests modest and fast; ``ci`` runs many more examples. Select one
with ``pytest --hypothesis-profile=ci`` or the environment variable ``HYPOTHESIS_PROFILE=ci``
(the command-line option wins).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_SLOW_DATA = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "default", max_examples=40, deadline=None, suppress_health_check=_SLOW_DATA
)
settings.register_profile(
    "ci", max_examples=600, deadline=None, suppress_health_check=_SLOW_DATA, print_blob=True
)
# the fuzz suite (tests/fuzz) scales its own example counts from this profile's name
settings.register_profile(
    "fuzz-long", max_examples=40, deadline=None, suppress_health_check=_SLOW_DATA, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
