"""Every Cobrix corpus copybook parses; offsets and sizes match Cobrix's layout files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from tests.support.corpus import COBRIX

from legacyio.codecs.types import value_type
from legacyio.errors import CopybookError
from legacyio.layout import load_copybook
from legacyio.layout.model import Item

CORPUS = COBRIX
pytestmark = pytest.mark.usefixtures("cobrix_corpus")


def _manifest() -> dict:
    assert (CORPUS / "MANIFEST.json").is_file(), f"Cobrix corpus missing at {CORPUS}"
    return json.loads((CORPUS / "MANIFEST.json").read_text())


def _copybooks() -> list[Path]:
    found = sorted((CORPUS / "data").glob("*.cob")) + sorted((CORPUS / "authored").glob("*.cob"))
    assert len(found) >= 20, f"expected the corpus copybooks under {CORPUS}"
    return found


ODO_MAPPED = {"test25_copybook.cob": ["DETAIL1", "DETAIL2"]}


def test_corpus_present() -> None:
    assert _manifest()["cases"]
    assert _copybooks()


@pytest.mark.parametrize(
    "path", _copybooks() if CORPUS.is_dir() else [CORPUS / "missing"], ids=lambda p: p.name
)
def test_every_corpus_copybook_builds(path: Path) -> None:
    layout = load_copybook(path, odo_mappings=ODO_MAPPED.get(path.name, ()))
    assert layout.record_length > 0
    assert layout.source_name == path.name
    for item in layout.items():
        assert item.pos is not None and item.pos.line >= 1
        if not item.is_group:
            assert value_type(item.usage, item.picture) is not None


def test_test25_without_mapping_is_an_error() -> None:
    with pytest.raises(CopybookError, match=r"FIELD.*integral"):
        load_copybook(CORPUS / "data" / "test25_copybook.cob")


def test_test1_record_length_matches_readme() -> None:
    layout = load_copybook(CORPUS / "data" / "test1_copybook.cob")
    assert layout.record_length == 2202  # README: 80 x 27 bytes always reserved
    detail = layout.find("ACCOUNT-DETAIL")
    assert (detail.size, detail.occurs.max, detail.occurs.depending_path) == (
        27,
        80,
        ("RECORD", "METADATA", "NUMBER-OF-ACCTS"),
    )
    assert layout.min_record_length == 2202 - 79 * 27


def _cobrix_rows(path: Path) -> list[tuple[str, str, int, int]]:
    rows = []
    for line in path.read_text().splitlines()[2:]:
        if not line.strip():
            continue
        ints = [int(x) for x in re.findall(r"(?<!\S)\d+(?!\S)", line)]
        start, end, length = ints[-3:]
        assert end - start + 1 == length
        name = line.split()[1] if line.split()[0].isdigit() else line.split()[0]
        flags = line[37:48].strip() if len(line) > 48 else ""
        if name.endswith("_debug"):
            continue
        rows.append((name, flags, start - 1, length))
    return rows


def _area_sizes(record: Item) -> dict[int, int]:
    """For items in a REDEFINES family, the size of the shared area (largest alternative)."""
    out: dict[int, int] = {}

    def visit(group: Item) -> None:
        family: list[Item] = []
        for c in (*group.children, None):
            if c is None or not c.redefines:
                if len(family) > 1:
                    area = max(f.offset + f.total_size for f in family) - family[0].offset
                    for f in family:
                        out[id(f)] = area
                family = [c] if c is not None else []
            else:
                family.append(c)
            if c is not None:
                visit(c)

    visit(record)
    return out


CASES_WITH_LAYOUT = (
    [c for c in _manifest()["cases"] if c.get("expected_layout")]
    if (CORPUS / "MANIFEST.json").is_file()
    else [{"name": "corpus-missing"}]
)


@pytest.mark.parametrize("case", CASES_WITH_LAYOUT, ids=lambda c: c["name"])
def test_offsets_match_cobrix_layout(case: dict) -> None:
    layout = load_copybook(CORPUS / case["copybook"])
    rows = _cobrix_rows(CORPUS / case["expected_layout"])
    ours = [it for r in layout.records for it in r.walk()]
    assert len(ours) == len(rows)
    areas = {}
    for r in layout.records:
        areas.update(_area_sizes(r))
    for item, (name, flags, offset, length) in zip(ours, rows):
        if not name.startswith("FILLER"):
            assert item.name.replace("-", "_") == name
        assert item.offset == offset, item.dotted
        expected = areas.get(id(item), item.total_size)
        assert expected == length, (item.dotted, flags)


def test_cobrix_sizes_for_wide_binary() -> None:
    layout = load_copybook(CORPUS / "data" / "test6_copybook.cob")
    assert layout.record_length == 1493
    assert layout.find("NUM-BIN-INT12").size == 9  # 9(19) BINARY
    assert layout.find("NUM-BIN-INT14").size == 16  # 9(37) BINARY
    assert layout.find("NUM-BIN-DEC10").size == 12  # 9(18)V9(10) COMP
    p = layout.find("COMMON-UPC5DISP").picture
    assert (p.digits, p.scale, p.signed, p.p_count) == (5, 8, True, 3)
    st = layout.find("NUM-ST-STR-DEC01")  # 99V99 SIGN TRAILING SEPARATE: signed (Cobrix)
    assert st.signed and st.sign_separate and not st.sign_leading and st.size == 5
