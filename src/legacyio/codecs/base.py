"""The contract every codec module follows: one class per COBOL usage family that owns both
directions over a whole batch, like a ``construct`` declaration read two ways.

A codec is built once per file (``make_codec(item, fmt, opts)``) and then applied to batches:

* ``decode(mat)``: ``mat`` is a 2-D ``uint8`` array of shape ``(n, width)`` (any strides: it is
  often a column slice of the record matrix). Returns ``(values, invalid)``: an Arrow array of
  length ``n`` and type ``arrow_type``, null where the bytes are not a valid value, and a bool
  NumPy mask of those rows (or None when every row is valid). Never raises on bad bytes.
* ``encode(values)``: ``values`` is an Arrow array of ``arrow_type`` (length ``n``). Returns
  ``(mat, failed)``: a C-contiguous ``(n, width)`` uint8 array in canonical IBM form and a bool
  mask of rows whose value cannot be represented (too many digits, negative in an unsigned
  field, unmappable character, ...) or None. Null rows are not failures here: they get
  ``fill`` bytes and the caller applies its null policy. ``failure_reason`` says in words,
  without any value, why a row fails.
* Codecs that can tell canonical input cheaply (EBCDIC zoned, packed, binary) also have
  ``decode_vouched(mat)`` -> ``(values, invalid, vouched)``: ``vouched`` is True only when every
  row is valid and its bytes are exactly what ``encode`` writes for its value. It must never
  be True otherwise: the reader keeps no raw copy of records it vouched for.
* Codecs with ``encodes_into = True`` (zoned, packed, binary) also take ``out=``, an
  ``(n, width)`` uint8 matrix with contiguous rows (a column slice of the record matrix):
  they write the bytes there and return it, saving the copy.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pyarrow as pa

from legacyio.codecs.fill import simple_fill
from legacyio.copybook.types import Picture
from legacyio.layout.model import Item
from legacyio.options import FileFormat


class Codec(Protocol):
    """What the decoder, the encoder and the residue check need of a codec."""

    width: int
    arrow_type: pa.DataType
    failure_reason: str

    def decode(self, mat: np.ndarray) -> tuple[pa.Array, np.ndarray | None]: ...

    def encode(
        self, values: pa.Array, *, truncate: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None]: ...

    def fill(self, kind: str) -> bytes:
        """Bytes for a null written as ``kind`` ('spaces', 'low-values' or 'zero')."""
        ...


class CodecBase:
    """The shared defaults of the numeric codecs: the item, its width, the code page family,
    the null fills, and no cheap canonical check. A codec sets ``arrow_type`` and implements
    ``decode``/``encode``; ``zero`` is the bytes of a zero it writes for ``null_as="zero"``
    (None: encode a canonical +0, when first asked for)."""

    failure_reason = "the value cannot be represented in the field"
    zero: bytes | None = None

    def __init__(self, item: Item, fmt: FileFormat) -> None:
        self.item = item
        self.width = item.size
        self.ebcdic = fmt.ebcdic

    def required_picture(self, what: str) -> Picture:
        """The item's PICTURE; ValueError (a CopybookError for the caller) without one."""
        if self.item.picture is None:
            raise ValueError(f"{self.item.dotted}: {what} item needs a PICTURE")
        return self.item.picture

    def fill(self, kind: str) -> bytes:
        """Bytes for a null written as 'spaces', 'low-values' or 'zero'."""
        zero = b""
        if kind == "zero":
            zero = self.zero if self.zero is not None else self._encoded_zero()
        return simple_fill(kind, self.width, self.ebcdic, zero)

    def _encoded_zero(self) -> bytes:
        # the canonical +0, encoded when asked for, not per codec built
        mat, _ = self.encode(pa.array([0], self.arrow_type))  # type: ignore[attr-defined]
        return bytes(mat[0].tobytes())

    def canonical(self, mat: np.ndarray) -> np.ndarray | None:
        """Per row: are the bytes what ``encode`` writes for their value? None: unknown
        (the reader re-encodes to find out)."""
        return None
