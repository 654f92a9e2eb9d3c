"""Generated mainframe files for the split tests: ODO records framed as F (fixed copybook),
V (IBM RDW), VB (blocks, optional zero padding) and ODO (no header), with a planted
adversarial payload (bytes that look like a chain of RDWs) when asked."""

from __future__ import annotations

import random

ODO_CPY = """\
       01 TXN-REC.
          05 TXN-ID      PIC 9(6).
          05 TXN-CNT     PIC 9(2).
          05 TXN-ITEM    OCCURS 0 TO 20 TIMES DEPENDING ON TXN-CNT.
             10 ITEM-CODE   PIC X(3).
             10 ITEM-AMT    PIC S9(5) COMP-3.
"""
"""Records of 8 + 6 * count bytes (8 to 128)."""

FIXED_CPY = """\
       01 FIX-REC.
          05 FIX-ID      PIC 9(6).
          05 FIX-NAME    PIC X(20).
          05 FIX-AMT     PIC S9(7)V99 COMP-3.
          05 FIX-FLAG    PIC X.
"""
"""32-byte records."""


def _zoned(n: int, width: int) -> bytes:
    return bytes(0xF0 + int(c) for c in str(n).rjust(width, "0"))


def _packed5(v: int) -> bytes:
    digits = str(abs(v)).rjust(5, "0")
    nib = [int(c) for c in digits] + [0xD if v < 0 else 0xC]
    return bytes(nib[i] << 4 | nib[i + 1] for i in range(0, 6, 2))


def fake_rdw_chain(nbytes: int) -> bytes:
    """Bytes that look like a chain of plausible IBM RDW records (12-byte frames)."""
    out = b""
    while len(out) + 12 <= nbytes:
        out += b"\x00\x0c\x00\x00" + b"\xf0" * 8
    return out + b"\x00" * (nbytes - len(out))


def odo_records(n: int, seed: int = 0, adversarial: bool = False) -> list[bytes]:
    """``n`` ODO payloads; adversarial ones carry a fake RDW chain in their items."""
    rng = random.Random(seed)
    recs = []
    for i in range(n):
        cnt = rng.choice([0, 1, 2, 5, 20]) if not adversarial else rng.choice([0, 20, 20, 3])
        items = b""
        for _ in range(cnt):
            code = bytes(rng.choice(b"ABCXYZ\x40\x00\x0c") for _ in range(3))
            items += code + _packed5(rng.randint(-99999, 99999))
        if adversarial and cnt == 20:
            items = fake_rdw_chain(120)
        recs.append(_zoned(i + 1, 6) + _zoned(cnt, 2) + items)
    return recs


def v_file(recs: list[bytes], adjustment: int = 0) -> bytes:
    return b"".join((len(r) + 4 - adjustment).to_bytes(2, "big") + b"\0\0" + r for r in recs)


def vb_file(recs: list[bytes], block: int = 300, pad_every: int = 0, seed: int = 0) -> bytes:
    """Blocks of RDW records up to ``block`` bytes; every ``pad_every``-th block gets zero
    padding after its last record."""
    rng = random.Random(seed)
    out, cur, nblock = [], b"", 0

    def flush() -> None:
        nonlocal cur, nblock
        nblock += 1
        if pad_every and nblock % pad_every == 0:
            cur += b"\0" * rng.randint(1, 7)
        out.append((len(cur) + 4).to_bytes(2, "big") + b"\0\0" + cur)
        cur = b""

    for r in recs:
        f = (len(r) + 4).to_bytes(2, "big") + b"\0\0" + r
        if cur and len(cur) + len(f) + 4 > block:
            flush()
        cur += f
    if cur:
        flush()
    return b"".join(out)


def fixed_records(n: int, seed: int = 0) -> list[bytes]:
    rng = random.Random(seed)
    return [
        _zoned(i + 1, 6)
        + bytes(rng.choice(b"\xc1\xc2\xc3\x40") for _ in range(20))
        + b"\x00\x00"
        + _packed5(rng.randint(-99999, 99999))
        + b"\xe8"
        for i in range(n)
    ]
