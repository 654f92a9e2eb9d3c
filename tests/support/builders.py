"""Hand-built record bytes (never legacyio's own encoder): copybook text, EBCDIC text, zoned,
packed, binary and float encodings, RDW and BDW framing."""

from __future__ import annotations

import math
import struct
import textwrap

import pyarrow as pa

from legacyio.plan.nodes import RESIDUE_COLUMN

SP = 0x40  # EBCDIC space
RESIDUE = RESIDUE_COLUMN


def cobol(body: str) -> str:
    """Indent a copybook body into area A/B (code from column 8) and check the 72-col limit."""
    lines = textwrap.dedent(body).strip("\n").splitlines()
    out = []
    for line in lines:
        text = " " * 7 + line
        assert len(text) <= 72, f"copybook line longer than 72 columns: {text!r}"
        out.append(text)
    return "\n".join(out) + "\n"


def e(text: str, width: int | None = None) -> bytes:
    """Text in cp037, padded with EBCDIC spaces to ``width``."""
    b = text.encode("cp037")
    if width is not None:
        assert len(b) <= width
        b = b + bytes([SP]) * (width - len(b))
    return b


def zoned(
    value: int,
    digits: int,
    *,
    signed: bool = True,
    leading: bool = False,
    separate: bool = False,
    pos_zone: int = 0xC,
    neg_zone: int = 0xD,
    unsigned_zone: int = 0xF,
) -> bytes:
    """Zoned decimal of an unscaled integer: digits F0-F9, sign in a zone or separate byte."""
    mag = str(abs(value)).rjust(digits, "0")
    assert len(mag) == digits
    body = bytearray(0xF0 | int(c) for c in mag)
    if not signed:
        assert value >= 0
        body[-1] = (unsigned_zone << 4) | (body[-1] & 0x0F)
        return bytes(body)
    if separate:
        sign = b"\x60" if value < 0 else b"\x4e"
        return sign + bytes(body) if leading else bytes(body) + sign
    zone = neg_zone if value < 0 else pos_zone
    i = 0 if leading else -1
    body[i] = (zone << 4) | (body[i] & 0x0F)
    return bytes(body)


def packed(value: int, digits: int, *, sign: int | None = None, signed: bool = True) -> bytes:
    """Packed decimal (COMP-3) of an unscaled integer; ``sign`` overrides the sign nibble."""
    if sign is None:
        sign = (0xD if value < 0 else 0xC) if signed else 0xF
    nbytes = digits // 2 + 1
    text = str(abs(value)).rjust(2 * nbytes - 1, "0")
    assert len(text) == 2 * nbytes - 1
    nibbles = [int(c) for c in text] + [sign]
    return bytes((nibbles[i] << 4) | nibbles[i + 1] for i in range(0, len(nibbles), 2))


def binary(value: int, size: int, *, byteorder: str = "big", signed: bool = True) -> bytes:
    """Two's complement binary (COMP / COMP-5)."""
    return value.to_bytes(size, byteorder, signed=signed)  # type: ignore[arg-type]


def ibm_float(x: float, size: int) -> bytes:
    """IBM hexadecimal floating point (COMP-1 size 4, COMP-2 size 8), big-endian."""
    frac_bits = 24 if size == 4 else 56
    if x == 0:
        return bytes(size)
    sign = 0x80 if x < 0 else 0
    _m, ex = math.frexp(abs(x))  # abs(x) = m * 2**ex, 0.5 <= m < 1
    e16 = -((-ex) // 4)  # ceil(ex / 4): abs(x) = f * 16**e16 with 1/16 <= f < 1
    f = abs(x) / 16.0**e16
    while f >= 1:
        f /= 16
        e16 += 1
    while f < 1 / 16:
        f *= 16
        e16 -= 1
    mant = round(f * 2**frac_bits)
    head = bytes([sign | (e16 + 64)])
    return head + mant.to_bytes(size - 1, "big")


def ieee(x: float, size: int, byteorder: str = "big") -> bytes:
    """IEEE 754 float (COMP-1 size 4, COMP-2 size 8)."""
    fmt = (">" if byteorder == "big" else "<") + ("f" if size == 4 else "d")
    return struct.pack(fmt, x)


def rdw(payload: bytes, byteorder: str = "big") -> bytes:
    """IBM RDW (length counts the 4-byte RDW itself) followed by the payload."""
    n = len(payload) + 4
    head = n.to_bytes(2, "big") + b"\0\0"
    if byteorder == "little":
        head = head[::-1]
    return head + payload


def bdw_block(records: list[bytes], pad_to: int = 0) -> bytes:
    """A VB block: BDW (block length including itself and any padding) + RDW records, then
    zero padding up to ``pad_to`` bytes."""
    body = b"".join(rdw(r) for r in records)
    size = max(len(body) + 4, pad_to)
    return size.to_bytes(2, "big") + b"\0\0" + body + b"\0" * (size - 4 - len(body))


def residues(table: pa.Table) -> list[bytes | None]:
    """The residue column as Python values."""
    return table.column(RESIDUE).to_pylist()
