"""Scale-out: record-aligned splits of one file, read independently by any engine (a process
pool, Spark, Dask), a sidecar index of proven boundaries, parts written back in order.

No engine is imported here; ``legacyio.spark`` and ``legacyio.dask`` build on these.
"""

from __future__ import annotations

from legacyio.scale.index import IndexStatus, build_index, verify_index
from legacyio.scale.splits import (
    DEFAULT_SPLIT_SIZE,
    RECORD_COLUMN,
    Split,
    plan_splits,
    read_split,
    read_splits,
)

__all__ = [
    "DEFAULT_SPLIT_SIZE",
    "RECORD_COLUMN",
    "IndexStatus",
    "Split",
    "build_index",
    "plan_splits",
    "read_split",
    "read_splits",
    "verify_index",
]
