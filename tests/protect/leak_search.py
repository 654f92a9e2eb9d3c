"""The search behind the leak tests: every byte form a field's original value can take in an
output (EBCDIC and ASCII text, JSON strings, zoned, packed, binary), and a search that tells
a leak from a coincidence.

A four- or eight-byte binary form is a short needle in a binary haystack: it can occur in a
Parquet or Arrow file by chance (page headers, lengths, offsets, other values). One such
coincidence was seen once in a Hypothesis run (the little-endian form of 2^27 + 1, bytes
01 00 00 08, in a Parquet file). So a hit of a binary form counts as a leak only when it
depends on the value: when the same output built from the same data with that one value
changed no longer contains it (``confirm``). Text, zoned and packed forms are long and
distinctive enough to count on sight."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

BINARY = "binary"


def packed(v: int, digits: int) -> list[bytes]:
    s = f"{v:0{digits}d}"
    if len(s) % 2 == 0:
        s = "0" + s
    return [bytes.fromhex(s + sign) for sign in "FCD"]


def number_forms(v: int, digits: int) -> list[tuple[str, bytes]]:
    """(kind, bytes) of every encoding of a non-negative integer of ``digits`` digits."""
    s = f"{v:0{digits}d}"
    zoned = s.encode("cp037")
    forms = [s.encode(), zoned, zoned[:-1] + bytes([0xC0 | int(s[-1])]), *packed(v, digits)]
    forms.append(str(v).encode())
    out = [("number", f) for f in forms]
    width = 4 if digits <= 9 else 8
    out += [(BINARY, v.to_bytes(width, "big")), (BINARY, v.to_bytes(width, "little"))]
    return out


def text_forms(s: str) -> list[tuple[str, bytes]]:
    return [("text", f) for f in (s.encode(), s.encode("cp037"), json.dumps(s).encode())]


def varied(s: str) -> bool:
    """Degenerate values (AAAAAA, 00000000) occur in any binary file (base64 of zero bytes in
    Parquet's schema, padding): they would make the search meaningless."""
    return len(set(s.strip())) >= 3


def distinctive(v: int) -> bool:
    """A number worth searching for: four distinct digits (round numbers such as 10^8 are
    everywhere in binary files as lengths and offsets) and no zero byte in its 4-byte binary
    form below the top one (2^27 + 1 is 08 00 00 01: a length, an offset, a flag word)."""
    b = (v % 2**32).to_bytes(4, "big")
    return len(set(str(v))) >= 4 and 0 not in b[1:]


def search(
    outputs: dict[str, bytes],
    forms: Iterable[tuple[str, str, bytes]],
    background: bytes = b"",
    confirm: Callable[[str, str], dict[str, bytes]] | None = None,
) -> list[str]:
    """Leaks found: ``forms`` are (value id, kind, bytes). A form that is part of
    ``background`` (bytes every output has whatever the data: the copybook text in the schema
    metadata, field names) is skipped. A binary form found is re-checked with ``confirm(value
    id, output name)``, which rebuilds the outputs with that value changed: still there, it
    is a coincidence, not a leak. Returns messages naming kind, output and the form's hex."""
    leaks: list[str] = []
    for vid, kind, f in forms:
        if f in background or len(set(f)) < 3:
            continue
        for name, data in outputs.items():
            if f not in data:
                continue
            if kind == BINARY and confirm is not None and f in confirm(vid, name)[name]:
                continue
            leaks.append(f"a {vid.split(':')[0]} value appears in the {name} output ({f.hex()})")
    return leaks
