"""Fixtures of the scale-out tests: generated files of every splittable format, and one local
Spark session shared by the Spark tests (start-up is the slow part)."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from tests.scale.helpers import (
    FIXED_CPY,
    ODO_CPY,
    fixed_records,
    odo_records,
    v_file,
    vb_file,
)

GENERATED = {
    # name: (file bytes, FileFormat keywords, copybook)
    "F": (
        lambda: b"HEAD" + b"".join(fixed_records(300)) + b"TRL",
        {"record_format": "F", "header_bytes": 4, "trailer_bytes": 3},
        FIXED_CPY,
    ),
    "F-header-records": (
        lambda: b"".join(fixed_records(120, seed=3)),
        {"record_format": "FB", "header_records": 2},
        FIXED_CPY,
    ),
    "V": (lambda: v_file(odo_records(400, 1, adversarial=True)), {"record_format": "V"}, ODO_CPY),
    "V-gnucobol": (
        lambda: v_file(odo_records(300, 2), adjustment=4),
        {"record_format": "V", "rdw_adjustment": 4},
        ODO_CPY,
    ),
    "VB": (lambda: vb_file(odo_records(400, 4), block=400), {"record_format": "VB"}, ODO_CPY),
    "VB-padded": (
        lambda: vb_file(odo_records(300, 5), block=300, pad_every=3),
        {"record_format": "VB"},
        ODO_CPY,
    ),
    "ODO": (
        lambda: b"".join(odo_records(400, 6, adversarial=True)),
        {"record_format": "ODO"},
        ODO_CPY,
    ),
}


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict, str]]:
    d = tmp_path_factory.mktemp("scale")
    out = {}
    for name, (make, kw, cb) in GENERATED.items():
        p = d / f"{name}.dat"
        p.write_bytes(make())
        out[name] = (p, kw, cb)
    return out


def _spark_available() -> bool:
    return importlib.util.find_spec("pyspark") is not None and shutil.which("java") is not None


@pytest.fixture(scope="session")
def spark():
    """One local[2] session for the whole run; skipped without pyspark or Java, unless the
    environment variable CI is set (then their absence is an error)."""
    if not _spark_available():
        if os.environ.get("CI"):
            pytest.fail("pyspark and Java are required in CI (pip install '.[spark]', a JDK)")
        pytest.skip("pyspark or java not available")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("legacyio-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    import legacyio.spark

    legacyio.spark.register(session)
    yield session
    session.stop()
