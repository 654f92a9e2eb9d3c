"""Test-suite wide settings: hypothesis profiles.

``default`` keeps property tests modest and fast; ``ci`` runs many more examples. Select one
with ``pytest --hypothesis-profile=ci`` or the environment variable ``HYPOTHESIS_PROFILE=ci``
(the command-line option wins).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from corpus_location import MISSING, require_cobrix

_SLOW_DATA = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "default", max_examples=40, deadline=None, suppress_health_check=_SLOW_DATA
)
settings.register_profile(
    "ci", max_examples=600, deadline=None, suppress_health_check=_SLOW_DATA, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def cobrix_corpus() -> None:
    """Tests that read the Cobrix corpus: skipped when it is missing (failed under CI)."""
    require_cobrix()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """Corpus skips all point at corpus_location.py, so ``-rs`` folds them into one line
    (pytest would give one line per test file)."""
    outcome = yield
    rep = outcome.get_result()
    longrepr = rep.longrepr
    if rep.skipped and isinstance(longrepr, tuple) and MISSING in str(longrepr[2]):
        rep.longrepr = ("tests/corpus_location.py", 0, longrepr[2])
