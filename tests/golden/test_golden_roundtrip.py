"""Decode and re-encode every golden file: the bytes GnuCOBOL wrote come back exactly."""

from __future__ import annotations

import legacyio

from .conftest import GoldenCase

# GnuCOBOL keeps one non-canonical value on purpose: record 5 of both taxpayer files holds a
# zoned negative zero in TP-ADJUSTMENT-AMT (golden_files/README.md, "Negative zero"). Only
# the residue carries it: a table read without residue writes a positive zero there.
NEGATIVE_ZERO_OFFSETS = {"taxpayer_ebcdic": [1505], "taxpayer_ascii": [1505]}


def test_verify_ok(golden: GoldenCase) -> None:
    result = legacyio.verify(
        str(golden.data_path),
        str(golden.copybook_path),
        format=legacyio.FileFormat(**golden.format_kwargs),
    )
    assert result.ok, f"first mismatch: {result.mismatch}"
    assert result.records == golden.manifest["records"]
    assert result.sha256_input == result.sha256_output


def test_encode_reproduces_bytes(golden: GoldenCase) -> None:
    fmt = legacyio.FileFormat(**golden.format_kwargs)
    table = legacyio.read_table(str(golden.data_path), str(golden.copybook_path), format=fmt)
    data = golden.data_path.read_bytes()
    encoded = legacyio.encode(table, str(golden.copybook_path), format=fmt)
    assert len(encoded) == len(data)
    assert encoded == data


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
