"""Decode and re-encode every golden file: the bytes GnuCOBOL wrote come back exactly."""

from __future__ import annotations

import legacyio

from .conftest import GoldenCase


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
