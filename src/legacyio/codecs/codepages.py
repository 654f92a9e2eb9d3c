"""Code pages as lookup tables: 256 byte -> code point entries and their exact inverse.

Text decoding must be lossless so that any record re-encodes byte for byte. Every single-byte
page is therefore made a *bijection* over all 256 byte values by one documented rule for the
bytes the Python codec leaves undefined (or maps to U+FFFD, or maps to a character another byte
already has):

1. the code point the *reference page* gives that byte (cp037 for EBCDIC pages, Latin-1 for
   ASCII-side pages), if the page does not use it for another byte;
2. else U+0080..U+00FF / U+0000..U+007F of the same value (``chr(byte)``), if unused;
3. else the private-use code point U+F700 + byte.

Consequences: ``ascii`` behaves as Latin-1 for bytes 0x80-0xFF; cp1252's five undefined bytes
(0x81 0x8D 0x8F 0x90 0x9D) decode to the C1 controls of the same value; EBCDIC pages whose
Python codec maps both X'15' and X'25' to LF keep LF for X'25' (as cp037 does) and give X'15'
cp037's NEL (U+0085). Encoding uses the inverse map, so these characters return to their byte.
When a code point is shared by several bytes, the byte that has it in the reference page keeps
it, else the byte the Python encoder chooses, else the lowest byte.

``utf-8`` is the one multi-byte file encoding supported (PIC X(n) holds n bytes of UTF-8); other
multi-byte or stateful codecs (Shift-JIS, UTF-16, mixed SBCS/DBCS EBCDIC such as cp930/cp1364)
are refused with an OptionsError.
"""

from __future__ import annotations

import codecs
import functools

import numpy as np

from legacyio.errors import OptionsError
from legacyio.options import EBCDIC_CODE_PAGES, normalize_encoding

try:  # the ebcdic package registers cp1047, cp1141-cp1149, cp277 ... as Python codecs
    import ebcdic as _ebcdic

    _EBCDIC_PACKAGE = tuple(_ebcdic.codec_names)
except ImportError:  # pragma: no cover - ebcdic is a declared dependency
    _EBCDIC_PACKAGE = ()

_UNDEFINED_REASONS = ("character maps to <undefined>", "ordinal not in range")
_PUA_BASE = 0xF700
_SENTINEL = 0xFF  # "not an ASCII character" in the to_ascii table


class CodePage:
    """A file encoding as NumPy tables: decode table, inverse encode table, space byte.

    Build one with :func:`get_codepage`; instances are cached and immutable by convention.
    """

    name: str
    single_byte: bool
    ebcdic: bool
    space: int
    decode_table: np.ndarray
    """uint32 (256,): the code point of each byte (single-byte pages; identity/ASCII for utf-8)."""
    encode_table: np.ndarray
    """int16 (65536,): the byte of each BMP code point, -1 where the page has none."""
    to_ascii: np.ndarray
    """uint8 (256,): the ASCII character of each byte, 0xFF for a byte that is not ASCII."""
    from_ascii: np.ndarray
    """int16 (128,): the byte of each ASCII character, -1 where the page has none."""
    bijective: bool
    """Single-byte page whose 256 bytes decode to 256 distinct characters, the space to U+0020:
    any bytes decode and re-encode to themselves."""

    def __init__(self, name: str, decode_table: np.ndarray | None) -> None:
        self.name = name
        self.single_byte = decode_table is not None
        if decode_table is None:  # utf-8: bytes 0-127 are ASCII, the rest is multi-byte
            decode_table = np.arange(256, dtype=np.uint32)
            decode_table[0x80:] = 0xFFFD
        self.decode_table = decode_table.astype(np.uint32)
        enc = np.full(0x10000, -1, dtype=np.int16)
        limit = 256 if self.single_byte else 128
        enc[self.decode_table[:limit]] = np.arange(limit, dtype=np.int16)
        self.encode_table = enc
        self.to_ascii = np.where(self.decode_table < 0x80, self.decode_table, _SENTINEL).astype(
            np.uint8
        )
        if not self.single_byte:
            self.to_ascii[0x80:] = _SENTINEL
        self.from_ascii = enc[:128].copy()
        self.space = int(enc[0x20])
        if self.space < 0:
            raise OptionsError(f"code page {name} has no space character")
        self.ebcdic = bool(self.decode_table[0x40] == 0x20 and self.decode_table[0xF0] == 0x30)
        self.bijective = bool(
            self.single_byte
            and len(np.unique(self.decode_table)) == 256
            and self.decode_table[self.space] == 0x20
        )

    def __repr__(self) -> str:
        return f"CodePage({self.name!r})"

    def byte_of(self, ch: str) -> int:
        """The byte of one character; KeyError when the page cannot encode it."""
        cp = ord(ch)
        b = int(self.encode_table[cp]) if cp < 0x10000 else -1
        if b < 0:
            raise KeyError(f"U+{cp:04X} is not in code page {self.name}")
        return b

    def encode_str(self, s: str) -> bytes:
        """Encode a short string (fill values, constants, tests); KeyError if unmappable."""
        if not self.single_byte:
            return s.encode("utf-8")
        return bytes(self.byte_of(c) for c in s)

    def decode_bytes(self, b: bytes) -> str:
        """Decode bytes with the bijective table (utf-8: strict UTF-8)."""
        if not self.single_byte:
            return b.decode("utf-8")
        return "".join(map(chr, self.decode_table[np.frombuffer(b, dtype=np.uint8)].tolist()))


def supported_code_pages() -> list[str]:
    """Names accepted by :func:`get_codepage` that legacyio lists in its error messages."""
    names = set(EBCDIC_CODE_PAGES) | set(_EBCDIC_PACKAGE)
    ebc = sorted(n for n in names if not n.endswith("ms") and _known(n))
    return [*ebc, "ascii", "latin-1", "cp1252", "cp437", "cp850", "utf-8"]


def _known(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _unsupported(name: str, why: str) -> OptionsError:
    return OptionsError(
        f"unsupported encoding {name!r} ({why}); supported: {', '.join(supported_code_pages())}"
        ", and any other single-byte Python codec"
    )


def _raw_table(name: str) -> list[str | None]:
    """Per byte: the one character Python's codec gives it, or None when it is undefined."""
    out: list[str | None] = []
    for b in range(256):
        try:
            s = bytes([b]).decode(name)
        except UnicodeDecodeError as e:
            if not any(r in e.reason for r in _UNDEFINED_REASONS):
                raise _unsupported(name, "not a single-byte code page") from None
            out.append(None)
            continue
        except LookupError:
            raise _unsupported(name, "not a text encoding") from None
        if len(s) != 1:
            raise _unsupported(name, "not a single-byte code page")
        out.append(None if s == "\ufffd" else s)
    # A stateful codec would decode a run of bytes differently from the bytes one by one.
    whole = bytes(range(256)).decode(name, errors="replace")
    if whole != "".join(c if c is not None else "\ufffd" for c in out):
        raise _unsupported(name, "stateful or multi-byte codec")
    return out


def _build_table(name: str, raw: list[str | None], reference: list[int]) -> np.ndarray:
    owners: dict[str, list[int]] = {}
    for b, ch in enumerate(raw):
        if ch is not None:
            owners.setdefault(ch, []).append(b)
    table: list[int | None] = [None] * 256
    for ch, bs in owners.items():
        keep = bs[0]
        if len(bs) > 1:
            by_ref = [b for b in bs if reference[b] == ord(ch)]
            try:
                enc = ch.encode(name)
            except (UnicodeEncodeError, LookupError):
                enc = b""
            if by_ref:
                keep = by_ref[0]
            elif len(enc) == 1 and enc[0] in bs:
                keep = enc[0]
        table[keep] = ord(ch)
    used = {cp for cp in table if cp is not None}
    for b in range(256):
        if table[b] is not None:
            continue
        for cand in (reference[b], b, _PUA_BASE + b):
            if cand not in used:
                table[b] = cand
                used.add(cand)
                break
    return np.array(table, dtype=np.uint32)


@functools.cache
def _reference(ebcdic: bool) -> tuple[int, ...]:
    if ebcdic:
        return tuple(ord(c) for c in bytes(range(256)).decode("cp037"))
    return tuple(range(256))


@functools.lru_cache(maxsize=64)
def get_codepage(encoding: str) -> CodePage:
    """The CodePage for an encoding name (normalized like FileFormat.encoding).

    Raises OptionsError, listing the supported pages, for unknown or multi-byte encodings.
    """
    name = normalize_encoding(encoding)
    if name in ("utf-8", "utf8"):
        return CodePage("utf-8", None)
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise _unsupported(name, "unknown encoding") from None
    if info.name in ("utf-8",):
        return CodePage("utf-8", None)
    raw = _raw_table(name)
    is_ebc = raw[0x40] == " " and raw[0xF0] == "0"
    table = _build_table(name, raw, list(_reference(is_ebc)))
    return CodePage(name, table)
