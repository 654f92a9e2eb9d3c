"""Every framing test runs once per engine (the RDW record finder has a Rust kernel)."""

from __future__ import annotations

import pytest

from legacyio.codecs import native

ENGINES = ["numpy", "native"] if native.available() else ["numpy"]


@pytest.fixture(autouse=True, params=ENGINES)
def engine(request: pytest.FixtureRequest):
    """The engine of this test run (numpy, native)."""
    with native.engine_scope(request.param):
        yield request.param
