"""Decode and re-encode every golden file: the bytes GnuCOBOL wrote come back exactly."""

from __future__ import annotations

from pathlib import Path

import legacyio
from tests.support.roundtrip import CLI_FORMATS, assert_cli_round_trip, assert_round_trip

from .conftest import GoldenCase

# GnuCOBOL keeps one non-canonical value on purpose: record 5 of both taxpayer files holds a
# zoned negative zero in TP-ADJUSTMENT-AMT (golden_files/README.md, "Negative zero"). Only
# the residue carries it: a table read without residue writes a positive zero there.
NEGATIVE_ZERO_OFFSETS = {"taxpayer_ebcdic": [1505], "taxpayer_ascii": [1505]}


def test_round_trip(golden: GoldenCase) -> None:
    """Whole and streamed, directly and through Parquet, and verify() agrees."""
    fmt = legacyio.FileFormat(**golden.format_kwargs)
    data = golden.data_path.read_bytes()
    table = assert_round_trip(data, str(golden.copybook_path), format=fmt)
    assert table.num_rows == golden.manifest["records"]


def test_encode_without_residue_reproduces_bytes(golden: GoldenCase) -> None:
    """The clean table (no raw copies kept) is enough: GnuCOBOL wrote canonical bytes,
    except for the negative zero the taxpayer files hold on purpose."""
    fmt = legacyio.FileFormat(**golden.format_kwargs)
    table = legacyio.read_table(
        str(golden.data_path), str(golden.copybook_path), format=fmt, residue=False
    )
    data = golden.data_path.read_bytes()
    encoded = legacyio.encode(table, str(golden.copybook_path), format=fmt)
    assert len(encoded) == len(data)
    differ = [i for i, (a, b) in enumerate(zip(encoded, data, strict=True)) if a != b]
    assert differ == NEGATIVE_ZERO_OFFSETS.get(golden.name, [])


def test_flattened_round_trip(golden: GoldenCase) -> None:
    """Flattened tables (what CSV and SQL users get) encode back too: whole, streamed and in
    ``verify(flatten=True)`` (issue 17: segments whose inactive alternative holds a fixed
    OCCURS failed with "null value and no null representation")."""
    fmt = legacyio.FileFormat(**golden.format_kwargs)
    data = golden.data_path.read_bytes()
    assert_round_trip(data, str(golden.copybook_path), format=fmt, flat=True, parquet=False)


def test_cli_round_trip_through_text_formats(golden: GoldenCase, tmp_path: Path) -> None:
    """``legacyio convert`` to CSV (always flattened) and JSON Lines, then ``encode`` with the
    manifest as job file, gives the GnuCOBOL bytes back; ``verify --flatten`` agrees."""
    data = golden.data_path.read_bytes()
    fmt = {k: (tuple(v.items()) if k == "segments" else v) for k, v in golden.format_kwargs.items()}
    assert_cli_round_trip(
        data,
        golden.copybook_path,
        tmp_path,
        formats=("csv", "jsonl") if golden.name != "biz_master" else CLI_FORMATS,
        **fmt,
        **golden.read_kwargs,
    )
