"""Dask: the splits of a mainframe file as the partitions of a Dask DataFrame, a second engine
on the same engine-neutral core (``legacyio.scale``).

``read_dataframe(path, copybook, record_format="V")`` plans the splits on the client and maps
``read_split`` over them with ``dask.dataframe.from_map``; with every split numbered, the
index is ``_legacyio_record`` with known divisions, so the frame is in file order.
"""

from __future__ import annotations

import os
from typing import Any, Literal

import pyarrow as pa

from legacyio.options import FileFormat, ReadOptions
from legacyio.scale.splits import (
    DEFAULT_SPLIT_SIZE,
    RECORD_COLUMN,
    Split,
    plan_splits,
    read_split,
    resolve_options,
)

__all__ = ["read_dataframe"]


def _binary_as_arrow(t: pa.DataType) -> Any:
    """Binary columns (FILLERs, residue) stay Arrow-backed bytes: Dask would otherwise try to
    turn object columns into strings."""
    if pa.types.is_binary(t) or pa.types.is_fixed_size_binary(t) or pa.types.is_large_binary(t):
        import pandas as pd  # type: ignore[import-untyped]

        return pd.ArrowDtype(t)
    return None


def _to_pandas(table: pa.Table, index: bool) -> Any:
    df = table.to_pandas(types_mapper=_binary_as_arrow)
    return df.set_index(RECORD_COLUMN) if index else df


class _ReadSplit:
    """Picklable ``split -> pandas.DataFrame`` for ``from_map``."""

    def __init__(self, layout: Any, fmt: FileFormat, ropts: ReadOptions, index: bool) -> None:
        self.layout, self.fmt, self.ropts, self.index = layout, fmt, ropts, index

    def __call__(self, split: Split) -> Any:
        return _to_pandas(
            read_split(split, self.layout, self.fmt, self.ropts).read_all(), self.index
        )


def read_dataframe(
    path: str | os.PathLike[str],
    copybook: Any,
    format: FileFormat | None = None,
    options: ReadOptions | None = None,
    *,
    split_size: int = DEFAULT_SPLIT_SIZE,
    index: Literal["auto", "build", "ignore"] = "auto",
    workers: int | None = None,
    search_path: Any = (),
    **kwargs: Any,
) -> Any:
    """A ``dask.dataframe.DataFrame`` with one partition per split (pandas objects for
    decimals, lists and structs, as ``pyarrow.Table.to_pandas`` gives them)."""
    import dask.dataframe as dd

    layout, fmt, ropts = resolve_options(copybook, format, options, kwargs, search_path)
    splits = plan_splits(
        path,
        layout,
        fmt,
        split_size=split_size,
        index=index,
        workers=workers,  # type: ignore[arg-type]
    )
    numbered = all(s.first_record is not None and s.records is not None for s in splits)
    fn = _ReadSplit(layout, fmt, ropts, numbered)
    from legacyio.api import open_reader
    from legacyio.scale.splits import record_schema

    empty = record_schema(open_reader(b"", layout, ropts, format=fmt).schema, fmt).empty_table()
    meta = _to_pandas(empty, numbered)
    divisions = None
    if numbered and all(s.records for s in splits):
        divisions = (
            *[s.first_record for s in splits],
            splits[-1].first_record + splits[-1].records - 1,  # type: ignore[operator]
        )
    return dd.from_map(fn, splits, meta=meta, divisions=divisions, enforce_metadata=False)
