"""Record-type rules (``record_types``) against the segment-field map on the same bytes: a
multi-type file generated with NumPy (never with legacyio), about as many bytes as the master
workload. Baseline: ``segment_field`` + ``segments`` choosing the same alternatives."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

import legacyio
from benchmarks import workloads as wl
from legacyio.plan.rules import RuleSet

COPYBOOK = """\
       01 REC.
          05 REC-TYPE       PIC X.
          05 REGION         PIC X(2).
          05 KIND           PIC 9(3).
          05 ENTITY-SEG.
             10 ENT-NAME    PIC X(20).
             10 ENT-AMT     PIC S9(9)V99 COMP-3.
             10 ENT-CODE    PIC 9(8).
          05 PERSON-SEG     REDEFINES ENTITY-SEG.
             10 FIRST-NAME  PIC X(12).
             10 LAST-NAME   PIC X(16).
             10 AGE         PIC 9(3).
"""
WIDTH = 1 + 2 + 3 + 34
SEGMENTS = {"A": "ENTITY-SEG", "B": "PERSON-SEG"}
SAME_RULES = {"ENTITY-SEG": "REC-TYPE = 'A'", "PERSON-SEG": "REC-TYPE = 'B'"}
COMPOSITE_RULES = {
    # the same choices as SEGMENTS on this file, through a composite key, a list and a range
    "ENTITY-SEG": "REC-TYPE = 'A' and REGION in ('01', '02', '03') and KIND between 0 and 999",
    "PERSON-SEG": "not (REC-TYPE = 'A') and REGION != '99'",
}


@dataclass
class MultiType:
    data: bytes
    records: int


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """Unsigned zoned digits (cp037 F0-F9) of ``values`` as an (n, width) matrix."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (0xF0 + (values[:, None] // powers) % 10).astype(np.uint8)


def _text(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    letters = np.frombuffer("ABCDEFGHIJKLMNOPQRSTUVWXYZ".encode("cp037"), np.uint8)
    out = letters[rng.integers(0, 26, (n, width))]
    out[:, width // 2 :] = 0x40
    return out


@pytest.fixture(scope="module")
def multi() -> MultiType:
    n = max(1000, wl.bench_records() * 190 // WIDTH)
    rng = np.random.default_rng(16)
    mat = np.empty((n, WIDTH), np.uint8)
    is_a = rng.random(n) < 0.5
    mat[:, 0] = np.where(is_a, 0xC1, 0xC2)  # 'A' / 'B' in cp037
    mat[:, 1:3] = _digits(rng.integers(1, 4, n), 2)
    mat[:, 3:6] = _digits(rng.integers(0, 1000, n), 3)
    body = np.empty((n, 34), np.uint8)
    # entity: name, packed amount (digits 0-9 in each nibble, sign C), zoned code
    body[:, :20] = _text(rng, n, 20)
    nib = rng.integers(0, 10, (n, 12)).astype(np.uint8)
    nib[:, -1] = 0x0C
    body[:, 20:26] = (nib[:, 0::2] << 4) | nib[:, 1::2]
    body[:, 26:34] = _digits(rng.integers(0, 10**8, n), 8)
    person = np.empty((n, 34), np.uint8)
    person[:, :28] = _text(rng, n, 28)
    person[:, 28:31] = _digits(rng.integers(0, 120, n), 3)
    person[:, 31:] = 0x40
    mat[:, 6:] = np.where(is_a[:, None], body, person)
    return MultiType(mat.tobytes(), n)


def test_segment_field_baseline(measure, multi: MultiType) -> None:
    t = measure(
        lambda: legacyio.read_table(
            multi.data, COPYBOOK, segment_field="REC-TYPE", segments=SEGMENTS
        ),
        len(multi.data),
        multi.records,
        note="baseline",
    )
    assert t.column("ENTITY_SEG").null_count + t.column("PERSON_SEG").null_count == multi.records


def test_rules_same_choice(measure, multi: MultiType) -> None:
    t = measure(
        lambda: legacyio.read_table(multi.data, COPYBOOK, record_types=SAME_RULES),
        len(multi.data),
        multi.records,
    )
    assert t.column("ENTITY_SEG").null_count + t.column("PERSON_SEG").null_count == multi.records


def test_rules_composite(measure, multi: MultiType) -> None:
    t = measure(
        lambda: legacyio.read_table(multi.data, COPYBOOK, record_types=COMPOSITE_RULES),
        len(multi.data),
        multi.records,
    )
    assert t.column("ENTITY_SEG").null_count + t.column("PERSON_SEG").null_count == multi.records


def test_rule_evaluation_only(measure, multi: MultiType) -> None:
    """The composite rules over the whole file as one matrix: key fields decoded and every
    rule evaluated (what a read adds to a segment-field read, less the id lookup)."""
    rules = RuleSet(
        legacyio.load_copybook(COPYBOOK), legacyio.FileFormat(record_types=COMPOSITE_RULES)
    )
    mat = np.frombuffer(multi.data, np.uint8).reshape(multi.records, WIDTH)
    choice = measure(lambda: rules.choose(mat), len(multi.data), multi.records)
    assert (choice >= 0).all()
