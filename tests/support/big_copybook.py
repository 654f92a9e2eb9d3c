"""Generator of a large copybook (default 2,000 fields) with known offsets, for tests that the
parser and layout builder stay correct at scale."""

from __future__ import annotations

import random

PICTURES = [
    ("PIC X({n})", lambda n: n),
    ("PIC 9({n})", lambda n: n),
    ("PIC S9({n}) COMP-3", lambda n: n // 2 + 1),
    ("PIC S9({n}) COMP", lambda n: 2 if n <= 4 else 4 if n <= 9 else 8),
    ("PIC S9({n})V99", lambda n: n + 2),
]


def generate(fields: int = 2000, seed: int = 7) -> tuple[str, dict[str, tuple[int, int]]]:
    """Copybook text with ``fields`` elementary items in groups of 10, and the expected
    ``name -> (offset, size)`` of every elementary item."""
    rnd = random.Random(seed)
    lines = ["       01  BIG-RECORD."]
    expected: dict[str, tuple[int, int]] = {}
    offset = 0
    for i in range(fields):
        if i % 10 == 0:
            lines.append(f"           05  GRP-{i // 10:04d}.")
        pic, size_of = PICTURES[rnd.randrange(len(PICTURES))]
        n = rnd.randint(1, 16)
        name = f"FLD-{i:05d}"
        lines.append(f"               10  {name:<12} {pic.format(n=n)}.")
        size = size_of(n)
        expected[name] = (offset, size)
        offset += size
    return "\n".join(lines) + "\n", expected
