"""Each GnuCOBOL golden file decodes and re-encodes to exactly the bytes COBOL wrote."""

from __future__ import annotations

import pytest

import legacyio

from .gc_goldens import NAMES, copybook_path, data_path, manifest


def _format(name: str) -> legacyio.FileFormat:
    return legacyio.FileFormat(**manifest(name)["format"])


@pytest.mark.parametrize("name", NAMES)
def test_verify_ok(name: str) -> None:
    result = legacyio.verify(str(data_path(name)), str(copybook_path(name)), format=_format(name))
    assert result.ok, f"verify found a mismatch: {result.mismatch}"
    assert result.records == manifest(name)["records"]
    assert result.sha256_input == result.sha256_output


@pytest.mark.parametrize("name", NAMES)
def test_encode_reproduces_bytes(name: str) -> None:
    fmt = _format(name)
    data = data_path(name).read_bytes()
    table = legacyio.read_table(str(data_path(name)), str(copybook_path(name)), format=fmt)
    assert legacyio.encode(table, str(copybook_path(name)), format=fmt) == data


@pytest.mark.parametrize("name", NAMES)
def test_encode_without_residue_reproduces_bytes(name: str) -> None:
    """The clean table (no raw copies kept) is enough: GnuCOBOL wrote canonical bytes."""
    fmt = _format(name)
    data = data_path(name).read_bytes()
    table = legacyio.read_table(
        str(data_path(name)), str(copybook_path(name)), format=fmt, residue=False
    )
    assert legacyio.encode(table, str(copybook_path(name)), format=fmt) == data
