"""Every Cobrix corpus data file legacyio can read is written back byte for byte.

Each data file is read with the options of the first MANIFEST case that uses it (residue and
FILLER columns kept, as a round trip needs), encoded again, and compared with the file's
(decompressed) bytes; ``verify`` must agree. Files legacyio cannot read are listed with the
reason: a documented unsupported feature (asserted to still refuse the file) or a legacyio bug
(strict xfail).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import legacyio
from tests.support.roundtrip import assert_round_trip

from . import harness as h
from .test_cobrix_corpus import LEGACYIO_BUGS

_READ_ONLY = ("residue", "trim", "record_number", "record_offset", "fillers")

# Files that cannot be read at all because of an unsupported feature -> the error expected.
UNREADABLE: dict[str, type[legacyio.LegacyioError]] = {}


ROUNDTRIP_BUGS: set[str] = set()
"""Bugs of test_cobrix_corpus.LEGACYIO_BUGS that stop a file from being read at all (B3 only
changes which REDEFINES alternative is shown, so those files still round-trip)."""


def _files() -> list[tuple[str, str]]:
    """(corpus-relative data file, first case that reads it)."""
    seen: dict[str, str] = {}
    for c in h.manifest():
        if not c["data"]:
            continue
        for f in h.map_case(c).files:
            rel = f.relative_to(h.CORPUS).as_posix()
            seen.setdefault(rel, c["name"])
    return sorted(seen.items())


FILES = _files() or [("corpus-missing", "")]
pytestmark = [
    pytest.mark.usefixtures("cobrix_corpus"),
    # several cases are dirty or multi-segment on purpose: most records bad is expected
    pytest.mark.filterwarnings("ignore::legacyio.DataWarning"),
]


def _read_args(case_name: str) -> tuple[dict[str, Any], str]:
    """The case's legacyio options minus the comparison-only ones, and its copybook text."""
    m = h.map_case(h.case(case_name))
    return {k: v for k, v in m.kwargs.items() if k not in _READ_ONLY}, m.copybook_text


@pytest.mark.parametrize(("rel", "case_name"), FILES, ids=[f for f, _ in FILES])
def test_roundtrip(rel: str, case_name: str, request: pytest.FixtureRequest) -> None:
    """decode -> encode gives the input bytes again, and verify() says so too."""
    if LEGACYIO_BUGS.get(case_name, "")[:2] in ROUNDTRIP_BUGS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=LEGACYIO_BUGS[case_name]))
    kw, text = _read_args(case_name)
    path = h.CORPUS / rel
    if rel in UNREADABLE:
        with pytest.raises(UNREADABLE[rel]):
            legacyio.read_table(str(path), h.load_layout(text, kw), **kw)
        return
    layout = h.load_layout(text, kw)
    data = h.file_bytes(Path(path))
    table = assert_round_trip(data, layout, parquet=False, **kw)
    assert table.num_rows > 0
