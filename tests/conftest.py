"""Test-suite wide settings: hypothesis profiles and the ``variant`` fixture.

``default`` keeps property tests modest and fast; ``ci`` runs many more examples. Select one
with ``pytest --hypothesis-profile=ci`` or the environment variable ``HYPOTHESIS_PROFILE=ci``
(the command-line option wins).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.support.corpus import MISSING, require_cobrix
from tests.support.roundtrip import VARIANTS, Reader, variant_reader

_SLOW_DATA = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "default", max_examples=25, deadline=None, suppress_health_check=_SLOW_DATA
)
settings.register_profile(
    "ci", max_examples=600, deadline=None, suppress_health_check=_SLOW_DATA, print_blob=True
)
# the fuzz suite (tests/fuzz) scales its own example counts from this profile's name
settings.register_profile(
    "fuzz-long", max_examples=40, deadline=None, suppress_health_check=_SLOW_DATA, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def cobrix_corpus() -> None:
    """Tests that read the Cobrix corpus: skipped when it is missing (failed under CI)."""
    require_cobrix()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """Corpus skips all point at tests/support/corpus.py, so ``-rs`` folds them into one line
    (pytest would give one line per test file)."""
    outcome = yield
    rep = outcome.get_result()
    longrepr = rep.longrepr
    if rep.skipped and isinstance(longrepr, tuple) and MISSING in str(longrepr[2]):
        rep.longrepr = ("tests/support/corpus.py", 0, longrepr[2])


@pytest.fixture(params=VARIANTS)
def variant(request: pytest.FixtureRequest) -> Reader:
    """``read_table`` as one of the readers: whole, streaming in tiny batches, threaded, or
    through Parquet (with ``verify(via="parquet")``). A test taking ``variant`` runs once
    for each."""
    return variant_reader(request.param)


# The Spark tests start a JVM (about a minute here): the default run leaves them out and says
# so in one line; `python -m pytest -q -m spark` runs them (as .ci/run does, with CI=1 making
# a missing pyspark or Java an error).
_SPARK_DESELECTED: list[pytest.Item] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("markexpr") or config.getoption("keyword"):
        return  # an explicit selection decides
    spark = [i for i in items if i.get_closest_marker("spark") is not None]
    if spark:
        _SPARK_DESELECTED.extend(spark)
        items[:] = [i for i in items if i.get_closest_marker("spark") is None]
        config.hook.pytest_deselected(items=spark)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if _SPARK_DESELECTED:
        terminalreporter.write_line(
            f"{len(_SPARK_DESELECTED)} Spark tests not run by default: "
            "run them with `python -m pytest -q -m spark` (.ci/run does)"
        )
