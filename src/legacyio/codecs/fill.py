"""Null representations shared by the codecs (spaces, low-values, zero) and the common end of
an encode (failed rows, nulls).
"""

from __future__ import annotations

import numpy as np

# ---------------------------------------------------------------------------------------------
# plumbing shared by the numeric codecs
# ---------------------------------------------------------------------------------------------
FILL_KINDS = ("spaces", "low-values", "zero")


def space_byte(ebcdic: bool) -> int:
    """The code page's space: X'40' in EBCDIC, X'20' on the ASCII side."""
    return 0x40 if ebcdic else 0x20


def simple_fill(kind: str, width: int, ebcdic: bool, zero: bytes) -> bytes:
    """Bytes for a null written as ``kind``; ``zero`` is the codec's canonical 0."""
    if kind == "spaces":
        return bytes([space_byte(ebcdic)]) * width
    if kind == "low-values":
        return b"\x00" * width
    if kind == "zero":
        return zero
    raise ValueError(f"unknown fill kind {kind!r}; expected one of {', '.join(FILL_KINDS)}")


def finish_encode(
    out: np.ndarray, valid: np.ndarray | None, failed: np.ndarray, fill: bytes
) -> tuple[np.ndarray, np.ndarray | None]:
    """Write ``fill`` into null and failed rows; return the matrix and the failed mask (None
    when nothing failed). Null rows are never failed."""
    if valid is not None:
        failed = failed & valid
        blank = ~valid | failed
    else:
        blank = failed
    if blank.any():
        out[blank] = np.frombuffer(fill, dtype=np.uint8)
    return out, (failed if failed.any() else None)


def invalid_or_none(invalid: np.ndarray) -> np.ndarray | None:
    """The invalid mask, or None when no row is invalid."""
    return invalid if invalid.any() else None
