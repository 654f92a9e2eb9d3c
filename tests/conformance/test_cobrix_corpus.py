"""The Cobrix conformance corpus, one test per MANIFEST case.

Every case is in exactly one of two lists: PASSING (must match Cobrix, up to the presentation
and tolerance rules of differences.md) or LEGACYIO_BUGS (strict xfail naming the root cause:
fixing the bug turns the case into an XPASS failure, so the lists must then be updated). No
case is left out for a Cobrix feature legacyio lacks: every option the corpus uses is mapped
(``test_every_option_is_mapped``).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import legacyio

from . import harness as h

PASSING = {
    "test1",
    "test1b",
    "test15",
    "test3",
    "test3_trim_none",
    "test3_trim_left",
    "test3_trim_right",
    "test3_trim_both",
    "test7",
    "test7a",
    "test7b",
    "test7c",
    "test7d",
    "test8_printable",
    "test8_non_printable",
    "test9_cp037",
    "test9_cp037_ext",
    "test9_cp273",
    "test9_cp500",
    "test9_cp1140",
    "test9_cp1141",
    "test9_cp1148",
    "test9_cp_custom",
    "test12",
    "test12_merged",
    "test13a",
    "test13a_no_offsets",
    "test16",
    "test19",
    "test25_no_mapping",
    "test40_ascii_text_gz",
    "test40_ascii_text_gz_latin1",
    "test40_ascii_text_gz_d2",
    "test40_ascii_text_mixed_dir",
    # fixed after the first conformance run: B1 (19-37 digit binary), B4 (numeric segment id)
    "test6",
    "test6a",
    "test40_gzip",
    "test40_bzip2",
    "test40_mixed_dir",
    "test40_mixed_dir_file_end_offset",
    "test17a",
    # B5 fixed: nested OCCURS DEPENDING ON in records that shrink
    "test21",
    # issue 16: occurs_mappings
    "test25",
    "test25_fixed",
    # issue 16: record_start_offset / record_end_offset
    "test1a",
    # issue 16: record_header_parser hook, minimum_record_length
    "test11",
    "test11_min_length",
    # issue 16: segment id columns (Seg_Id0..N)
    "test4",
    "test4a",
    "test5",
    "test5a",
    "test5b",
    "test5c",
    "test5d",
    "test13b",
    "test14_rdw_part_of_length",
    "test14_rdw_adjustment",
    "test17b",
    "test17b_underscore",
    "test17b_star",
    # issue 16: debug columns, non_terminals
    "test24",
    "test24b",
    "test10",
    # issue 16: segment_children hierarchies
    "test17c",
    "test17d",
    "test17e",
    "test17f",
}


_BIN9 = (
    "B1: PIC 9(19)/9(20)/9(37) BINARY (Cobrix 9/16-byte binary) is accepted by the layout "
    "but BinaryCodec raises a plain ValueError (not a LegacyioError); B2 also applies "
    "(PIC S9(n).9(m) never decodes)"
)
_SEGLOW = (
    "B3: the segment id is matched after trimming whitespace only; 'C' + 4 x X'00' "
    "never matches 'C', so no REDEFINES alternative is selected"
)
_SEGNUM = (
    "B4: a numeric segment field (PIC 9(1)) crashes the reader with "
    "ArrowNotImplementedError (utf8_trim_whitespace on int32)"
)
LEGACYIO_BUGS: dict[str, str] = {}
"""Cases that fail because of a legacyio bug (strict xfail); all found so far are fixed."""


NAMES = [c["name"] for c in h.manifest()] or ["corpus-missing"]
pytestmark = [
    pytest.mark.usefixtures("cobrix_corpus"),
    # several cases are dirty or multi-segment on purpose: most records bad is expected
    pytest.mark.filterwarnings("ignore::legacyio.DataWarning"),
]


@functools.cache
def result(name: str) -> h.CaseResult:
    """Run a case once per session (several tests look at the same result)."""
    return h.run_case(h.case(name))


def test_every_case_is_classified() -> None:
    """Each MANIFEST case is in PASSING or LEGACYIO_BUGS."""
    assert h.CORPUS.is_dir(), f"Cobrix corpus missing at {h.CORPUS}"
    for name in NAMES:
        assert (name in PASSING) != (name in LEGACYIO_BUGS), name
    assert set(PASSING) | set(LEGACYIO_BUGS) <= set(NAMES)


def test_every_option_is_mapped() -> None:
    """Every Cobrix option of every case is mapped to a legacyio option or a presentation
    rule, or only steers Spark: no case passes by ignoring an option."""
    for c in h.manifest():
        for key in c["options"]:
            fam = h.option_family(key)
            assert fam in h.MAPPED_OPTIONS or key in h._SPARK_ONLY, (c["name"], key)


def _check_result(c: dict, r: h.CaseResult) -> None:
    kind = c["expected_kind"]
    if kind == "error":
        assert isinstance(r.error, legacyio.LegacyioError), (
            f"expected legacyio to refuse this input like Cobrix "
            f"({c['expected_error_contains']!r}); got {r.error!r}"
        )
        return
    if r.error is not None:
        raise AssertionError(f"legacyio failed: {type(r.error).__name__}: {r.error}")
    if kind == "row-count":
        assert r.count == c["expected_count"]
        return
    assert r.outcome is not None
    assert r.outcome.expected_rows > 0
    assert r.outcome.ok, r.outcome.summary()


@pytest.mark.parametrize("name", NAMES)
def test_case(name: str, request: pytest.FixtureRequest) -> None:
    """Decode the case with legacyio and compare with what Cobrix produced."""
    if name in LEGACYIO_BUGS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=LEGACYIO_BUGS[name]))
    c = h.case(name)
    _check_result(c, result(name))


def test_comparison_detects_differences() -> None:
    """The comparison is not vacuous: a changed value, a missing field, a decimal scale and
    a float32 rounding are all caught."""
    from decimal import Decimal

    c = h.case("test1")
    m = h.map_case(c)
    rows, view, _ = h.read_ours(m)
    assert h.compare_case(c, m, rows, view).ok
    bad = [dict(r) for r in rows]
    bad[3] = dict(bad[3], ID=bad[3]["ID"] + 1)
    out = h.compare_case(c, m, bad, view)
    assert not out.ok and out.failures[0][1].path == "ID"
    bad = [dict(r) for r in rows]
    del bad[0]["COMPANY"]
    assert not h.compare_case(c, m, bad, view).ok
    diffs: list[h.Diff] = []
    h.diff_rows({"A": Decimal("1.50")}, {"A": Decimal("1.5")}, "", False, diffs)
    assert diffs
    diffs = []
    h.diff_rows({"A": 1, "B": 2}, {"B": 2, "A": 1}, "", False, diffs)
    assert [d.path for d in diffs] == ["<key order>"]
    as_read = float(np.float32(-30503.93))  # what a COMP-1 column gives back
    assert h.values_equal(Decimal("-30503.93"), h.F32(as_read), False)
    assert not h.values_equal(Decimal("-30503.93"), as_read, False)  # not as a double
    assert not h.values_equal(Decimal("-30503.95"), h.F32(as_read), False)


def test_tolerances_are_exercised() -> None:
    """Each tolerance rule of differences.md is needed by some passing or known case (an
    unused rule would hide nothing and should be removed)."""
    used: set[str] = set()
    for name in NAMES:
        if name in LEGACYIO_BUGS:
            continue
        r = result(name)
        if r.outcome is not None:
            used |= set(r.outcome.tolerated)
    unused = set(h.TOLERANCES) - used - {"plus_in_minus_picture"}  # needs test6 (bug B1)
    assert not unused, unused
